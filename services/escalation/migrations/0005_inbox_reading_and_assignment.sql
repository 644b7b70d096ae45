-- The inbox as staff work it: who a conversation is assigned to, what each staff member has read,
-- and which recovered bookings a package covered (not counted as revenue).
ALTER TABLE conversations ADD COLUMN assigned_to text;
ALTER TABLE conversations ADD COLUMN assigned_at timestamptz;

CREATE TABLE conversation_reads (
    user_id          text        NOT NULL,
    tenant_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    read_at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, tenant_id, conversation_id)
);

ALTER TABLE bookings ADD COLUMN covered_by_package text;

CREATE INDEX messages_tenant_time ON messages (tenant_id, occurred_at);
