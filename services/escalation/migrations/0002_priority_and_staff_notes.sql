-- Urgent escalations (a possible emergency) sort first and are marked in the inbox and in alerts;
-- rows stored before priorities existed are normal.
ALTER TABLE escalations
    ADD COLUMN priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent'));
CREATE INDEX escalations_open_urgent ON escalations (tenant_id, conversation_id)
    WHERE status = 'open' AND priority = 'urgent';

-- What the agent noted for staff on a conversation (e.g. the client wrote for a relative).
CREATE TABLE staff_notes (
    note_key         text        PRIMARY KEY,
    tenant_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    note             text        NOT NULL,
    occurred_at      timestamptz NOT NULL
);
CREATE INDEX staff_notes_conversation ON staff_notes (tenant_id, conversation_id, occurred_at);
