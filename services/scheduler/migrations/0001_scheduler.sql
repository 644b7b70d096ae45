-- The scheduler's system of record. Every row belongs to a spa (multi-tenant).
CREATE TABLE spas (
    id            text        PRIMARY KEY,
    name          text        NOT NULL,
    timezone      text        NOT NULL,
    address       text        NOT NULL DEFAULT '',
    parking_note  text        NOT NULL DEFAULT '',
    help_text     text        NOT NULL DEFAULT '',
    opening_hours jsonb       NOT NULL,
    rules         jsonb       NOT NULL,
    -- Bumped by every load that changes something; running services reload their cached catalog.
    version       bigint      NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE services (
    id                 uuid    PRIMARY KEY,
    spa_id             text    NOT NULL REFERENCES spas (id),
    key                text    NOT NULL,
    name               text    NOT NULL,
    category           text    NOT NULL,
    duration_minutes   integer NOT NULL CHECK (duration_minutes > 0),
    price_cents        integer NOT NULL CHECK (price_cents >= 0),
    is_consultation    boolean NOT NULL DEFAULT false,
    free_consult       boolean NOT NULL DEFAULT false,
    consult_service_id uuid    REFERENCES services (id) DEFERRABLE INITIALLY DEFERRED,
    requires           text    NOT NULL,
    words              text[]  NOT NULL DEFAULT '{}',
    active             boolean NOT NULL DEFAULT true,
    UNIQUE (spa_id, key)
);

CREATE TABLE providers (
    id             uuid    PRIMARY KEY,
    spa_id         text    NOT NULL REFERENCES spas (id),
    key            text    NOT NULL,
    name           text    NOT NULL,
    first_name     text    NOT NULL,
    credentials    text[]  NOT NULL DEFAULT '{}',
    qualifications text[]  NOT NULL DEFAULT '{}',
    room           text,
    weekly_hours   jsonb   NOT NULL,
    exceptions     jsonb   NOT NULL DEFAULT '[]',
    active         boolean NOT NULL DEFAULT true,
    UNIQUE (spa_id, key)
);

CREATE TABLE clients (
    id         uuid        PRIMARY KEY,
    spa_id     text        NOT NULL REFERENCES spas (id),
    phone      text        NOT NULL,
    -- Keyed hash of the number (shared.ids.client_ref): what the audit log names instead.
    ref        text        NOT NULL,
    first_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (spa_id, phone)
);

CREATE TABLE package_offerings (
    id          uuid    PRIMARY KEY,
    spa_id      text    NOT NULL REFERENCES spas (id),
    key         text    NOT NULL,
    name        text    NOT NULL,
    service_id  uuid    NOT NULL REFERENCES services (id),
    sessions    integer NOT NULL CHECK (sessions > 0),
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    active      boolean NOT NULL DEFAULT true,
    UNIQUE (spa_id, key)
);

CREATE TABLE client_packages (
    id                 uuid        PRIMARY KEY,
    spa_id             text        NOT NULL REFERENCES spas (id),
    client_id          uuid        NOT NULL REFERENCES clients (id),
    offering_id        uuid        NOT NULL REFERENCES package_offerings (id),
    sessions_remaining integer     NOT NULL CHECK (sessions_remaining >= 0),
    purchased_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, offering_id)
);

CREATE TABLE memberships (
    id                  uuid    PRIMARY KEY,
    spa_id              text    NOT NULL REFERENCES spas (id),
    key                 text    NOT NULL,
    name                text    NOT NULL,
    monthly_price_cents integer NOT NULL CHECK (monthly_price_cents >= 0),
    discount_percent    integer NOT NULL CHECK (discount_percent BETWEEN 0 AND 100),
    covered_service_ids uuid[]  NOT NULL DEFAULT '{}',
    active              boolean NOT NULL DEFAULT true,
    UNIQUE (spa_id, key)
);

CREATE TABLE client_memberships (
    client_id     uuid        PRIMARY KEY REFERENCES clients (id),
    membership_id uuid        NOT NULL REFERENCES memberships (id),
    since         timestamptz NOT NULL DEFAULT now()
);

-- A hold reserves a provider's time while a client decides. `blocked` is the appointment plus the
-- spa's buffer after it. Holds of different clients never overlap on a provider (the database is the
-- arbiter); one client's own options may overlap (1:30 or 2:00 with Julia), and the booking table
-- below decides between them. A confirmed hold stays 'booked' so it keeps blocking other clients.
-- Expired holds are marked 'expired' in the transaction that wants their time, before it inserts.
CREATE TABLE holds (
    id          uuid        PRIMARY KEY,
    spa_id      text        NOT NULL REFERENCES spas (id),
    client_id   uuid        REFERENCES clients (id),
    owner_id    uuid        GENERATED ALWAYS AS (coalesce(client_id, id)) STORED,
    provider_id uuid        NOT NULL REFERENCES providers (id),
    service_id  uuid        NOT NULL REFERENCES services (id),
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    blocked     tstzrange   NOT NULL,
    status      text        NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'booked', 'released', 'expired')),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (end_at > start_at),
    CONSTRAINT holds_no_overlap EXCLUDE USING gist (
        provider_id WITH =, blocked WITH &&, owner_id WITH <>
    ) WHERE (status IN ('held', 'booked'))
);
CREATE INDEX holds_live ON holds USING gist (provider_id, blocked) WHERE status = 'held';

-- No double booking, whatever the callers do: two bookings never overlap on one provider.
CREATE TABLE bookings (
    id                 uuid        PRIMARY KEY,
    spa_id             text        NOT NULL REFERENCES spas (id),
    hold_id            uuid        UNIQUE REFERENCES holds (id),
    client_id          uuid        REFERENCES clients (id),
    provider_id        uuid        NOT NULL REFERENCES providers (id),
    service_id         uuid        NOT NULL REFERENCES services (id),
    start_at           timestamptz NOT NULL,
    end_at             timestamptz NOT NULL,
    blocked            tstzrange   NOT NULL,
    status             text        NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
    covered_by_package text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (end_at > start_at),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        provider_id WITH =, blocked WITH &&
    ) WHERE (status = 'booked')
);
