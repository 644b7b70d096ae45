-- A text the carrier could not take for now (429, 5xx, no answer) waits for its next try instead of
-- failing: state 'retrying' until `retry_at`, tried again with a growing pause until the retry window
-- (SEND_RETRY_WINDOW_SECONDS from its first try) is over; then it fails and staff are alerted.
ALTER TABLE outbound_messages DROP CONSTRAINT outbound_messages_state_check;
ALTER TABLE outbound_messages ADD CONSTRAINT outbound_messages_state_check
    CHECK (state IN ('new', 'deferred', 'retrying', 'sending', 'sent', 'failed'));
ALTER TABLE outbound_messages ADD COLUMN retry_at timestamptz;
CREATE INDEX outbound_retry_due ON outbound_messages (tenant_id, retry_at) WHERE state = 'retrying';

-- One staff alert per spa and hour when texts are given up because the carrier stayed unavailable.
CREATE TABLE delivery_alerts (
    tenant_id   text        NOT NULL,
    hour        timestamptz NOT NULL,
    raised_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, hour)
);
