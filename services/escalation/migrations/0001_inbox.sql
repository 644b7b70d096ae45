-- The escalation service's own schema: escalations, alert deliveries, and the staff inbox read model.

-- One row per conversation staff can see (a spa and one client number).
CREATE TABLE conversations (
    tenant_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    client_number    text,
    client_name      text,
    ai_paused        boolean     NOT NULL DEFAULT false,
    paused_by        text,
    paused_at        timestamptz,
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX conversations_recent ON conversations (last_activity_at DESC);

-- Texts in and out. Inbound rows are keyed by the carrier's message id, outbound by idempotency key.
CREATE TABLE messages (
    seq              bigserial   PRIMARY KEY,
    tenant_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    direction        text        NOT NULL CHECK (direction IN ('in', 'out')),
    message_key      text        NOT NULL,
    body             text        NOT NULL DEFAULT '',
    purpose          text,
    status           text        NOT NULL,
    provider_sid     text,
    error            text,
    keyword          text,
    occurred_at      timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, direction, message_key)
);
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, occurred_at);
CREATE INDEX messages_provider_sid ON messages (provider_sid) WHERE provider_sid IS NOT NULL;

-- The carrier's latest delivery status per sent text; kept apart so a status callback that arrives
-- before we saw the send is not lost.
CREATE TABLE deliveries (
    tenant_id     text        NOT NULL,
    provider_sid  text        NOT NULL,
    status        text        NOT NULL,
    error_code    integer,
    occurred_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, provider_sid)
);

CREATE TABLE escalations (
    escalation_id    uuid        PRIMARY KEY,
    tenant_id        text        NOT NULL,
    conversation_id  text,
    category         text        NOT NULL,
    reason           text        NOT NULL,
    source           text        NOT NULL,
    client_last4     text,
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    raised_at        timestamptz NOT NULL,
    resolved_at      timestamptz,
    resolved_by      text
);
CREATE INDEX escalations_open ON escalations (tenant_id, raised_at DESC) WHERE status = 'open';
CREATE INDEX escalations_conversation ON escalations (tenant_id, conversation_id);

-- One alert per escalation and notifier; the dispatcher retries pending ones with backoff.
CREATE TABLE alert_deliveries (
    escalation_id    uuid        NOT NULL REFERENCES escalations (escalation_id),
    notifier         text        NOT NULL,
    state            text        NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    delivered_at     timestamptz,
    PRIMARY KEY (escalation_id, notifier)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE state = 'pending';

-- What the agent recovered: one row per confirmed booking.
CREATE TABLE bookings (
    booking_id       text        PRIMARY KEY,
    tenant_id        text        NOT NULL,
    conversation_id  text,
    service_name     text        NOT NULL DEFAULT '',
    price_cents      bigint      NOT NULL DEFAULT 0,
    after_hours      boolean     NOT NULL,
    occurred_at      timestamptz NOT NULL
);
CREATE INDEX bookings_tenant ON bookings (tenant_id, occurred_at);
