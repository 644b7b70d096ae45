-- Opt-outs per spa and client. The number itself is not stored: phone_ref is a keyed hash of it.
CREATE TABLE opt_outs (
    tenant_id   text        NOT NULL,
    phone_ref   text        NOT NULL,
    opted_out   boolean     NOT NULL,
    changed_at  timestamptz NOT NULL,
    source_sid  text,
    PRIMARY KEY (tenant_id, phone_ref)
);

-- Every outbound text, keyed by its idempotency key: the claim, the send result and the wait.
CREATE TABLE outbound_messages (
    tenant_id        text        NOT NULL,
    idempotency_key  text        NOT NULL,
    conversation_id  text        NOT NULL,
    to_number        text        NOT NULL,
    body             text        NOT NULL,
    purpose          text        NOT NULL,
    command          jsonb       NOT NULL,
    state            text        NOT NULL DEFAULT 'new'
                     CHECK (state IN ('new', 'deferred', 'sending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    cap_day          date,
    claimed_at       timestamptz,
    provider         text,
    provider_sid     text UNIQUE,
    segments         integer,
    encoding         text,
    reason           text,
    error_code       integer,
    delivery_status  text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
-- What counts against the daily cap: texts claimed or sent on a spa's day.
CREATE INDEX outbound_cap_day ON outbound_messages (tenant_id, cap_day) WHERE state IN ('sending', 'sent');
CREATE INDEX outbound_waiting ON outbound_messages (tenant_id, created_at) WHERE state = 'deferred';

-- A cap raised by staff (overrides the spa file's daily_send_cap).
CREATE TABLE send_caps (
    tenant_id   text        PRIMARY KEY,
    daily_cap   integer     NOT NULL CHECK (daily_cap >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One send-cap alert per spa per day.
CREATE TABLE cap_alerts (
    tenant_id   text        NOT NULL,
    day         date        NOT NULL,
    raised_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, day)
);

-- The local SMS simulator's phone: texts in both directions, as a carrier would have carried them.
CREATE TABLE simulator_messages (
    seq          bigserial   PRIMARY KEY,
    tenant_id    text        NOT NULL,
    client_number text       NOT NULL,
    direction    text        NOT NULL CHECK (direction IN ('in', 'out')),
    body         text        NOT NULL,
    sid          text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX simulator_by_phone ON simulator_messages (tenant_id, client_number, seq);
