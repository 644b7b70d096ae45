-- Staff accounts: per-spa users with a role, signing in with an email and a password (Argon2).
CREATE TABLE staff_users (
    user_id        uuid        PRIMARY KEY,
    tenant_id      text        NOT NULL,
    email          text        NOT NULL UNIQUE CHECK (email = lower(email)),
    display_name   text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('staff', 'owner')),
    password_hash  text,                         -- NULL until an invited user sets a password
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text        NOT NULL
);
CREATE INDEX staff_users_tenant ON staff_users (tenant_id, display_name);

-- An invitation: a one-time link (only its SHA-256 is kept) to set a password.
CREATE TABLE staff_invites (
    token_hash  bytea       PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES staff_users ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL
);

-- Server-side sessions: the cookie holds a random token, only its SHA-256 is kept here.
CREATE TABLE staff_sessions (
    session_hash  bytea       PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES staff_users ON DELETE CASCADE,
    csrf_token    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- Failed sign-ins per account and address within the current window (login throttling).
CREATE TABLE staff_login_failures (
    email         text        NOT NULL,
    address       text        NOT NULL,
    failures      integer     NOT NULL,
    window_start  timestamptz NOT NULL,
    PRIMARY KEY (email, address)
);
