-- Draft mode: the owner's choice of how the agent's replies go out (it wins over the spa file),
-- and the agent's drafts waiting for a staff click.
CREATE TABLE reply_modes (
    tenant_id   text        PRIMARY KEY,
    mode        text        NOT NULL CHECK (mode IN ('automatic', 'draft')),
    set_by      text        NOT NULL,
    set_at      timestamptz NOT NULL
);

CREATE TABLE reply_drafts (
    draft_id         uuid        PRIMARY KEY,  -- the ReplyDrafted event's id
    tenant_id        text        NOT NULL,
    conversation_id  text        NOT NULL,
    inbound_id       uuid        NOT NULL,
    body             text        NOT NULL,
    drafted_at       timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'edited', 'discarded')),
    decided_by       text,
    decided_at       timestamptz,
    sent_body        text,
    command_id       uuid
);
CREATE INDEX reply_drafts_conversation ON reply_drafts (tenant_id, conversation_id, drafted_at);

-- Paging the on-call staff for an urgent escalation: the schedule lives here, so a restart
-- re-alerts on time. The numbers are read from the spa file at each round.
CREATE TABLE pages (
    escalation_id    uuid        PRIMARY KEY REFERENCES escalations (escalation_id),
    tenant_id        text        NOT NULL,
    conversation_id  text,
    rounds           integer     NOT NULL DEFAULT 0,
    next_at          timestamptz NOT NULL,
    last_paged_at    timestamptz,
    acknowledged_by  text,
    acknowledged_at  timestamptz,
    stopped_at       timestamptz
);
CREATE INDEX pages_due ON pages (next_at) WHERE acknowledged_at IS NULL AND stopped_at IS NULL;
