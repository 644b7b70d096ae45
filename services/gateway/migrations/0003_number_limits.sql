-- Texts from clients' numbers as they arrive, for the per-number rate limit and loop detection. The
-- number itself is not stored: phone_ref is a keyed hash of it. Rows older than a day are pruned.
CREATE TABLE inbound_arrivals (
    tenant_id           text        NOT NULL,
    message_sid         text        NOT NULL,
    phone_ref           text        NOT NULL,
    received_at         timestamptz NOT NULL,
    -- How soon the text followed our latest reply to the number (NULL: no reply since its last text).
    seconds_after_reply double precision,
    PRIMARY KEY (tenant_id, message_sid)
);
CREATE INDEX inbound_arrivals_by_number ON inbound_arrivals (tenant_id, phone_ref, received_at DESC);

-- A number whose texts wait for staff (a reply loop) until a time.
CREATE TABLE number_holds (
    tenant_id   text        NOT NULL,
    phone_ref   text        NOT NULL,
    reason      text        NOT NULL,
    held_at     timestamptz NOT NULL,
    held_until  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, phone_ref)
);

-- One staff alert per number, reason and spa day when its texts start waiting for staff.
CREATE TABLE hold_alerts (
    tenant_id   text        NOT NULL,
    phone_ref   text        NOT NULL,
    reason      text        NOT NULL,
    day         date        NOT NULL,
    PRIMARY KEY (tenant_id, phone_ref, reason, day)
);

-- Texts nobody answers, counted per spa, day and reason (the spa's own numbers, auto-replies).
CREATE TABLE ignored_texts (
    tenant_id   text        NOT NULL,
    day         date        NOT NULL,
    reason      text        NOT NULL,
    count       integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, reason)
);

-- Replies sent to one number on a spa day (its share of the daily cap) is one index range.
CREATE INDEX outbound_by_number_day ON outbound_messages (tenant_id, to_number, cap_day)
    WHERE state IN ('sending', 'sent');
