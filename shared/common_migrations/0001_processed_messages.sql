-- Ids of messages a consumer has handled, written in the same transaction as the effect.
CREATE TABLE processed_messages (
    consumer    text        NOT NULL,
    message_id  text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
