-- Messages to publish, written in the same transaction as the effect that caused them.
CREATE TABLE outbox (
    seq          bigserial   PRIMARY KEY,
    message_id   text        NOT NULL UNIQUE,
    subject      text        NOT NULL,
    payload      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
