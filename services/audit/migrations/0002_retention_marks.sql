-- Signed retention marks: a spa's records up to `through_seq` were dropped past retention. Verify
-- accepts a missing chain head only where one of these, signed while the records existed, covers it.
CREATE TABLE retention_marks (
    mark_id      bigserial   PRIMARY KEY,
    tenant_id    text        NOT NULL,
    through_seq  bigint      NOT NULL,  -- the last record dropped
    head_hash    bytea       NOT NULL,  -- its hash: the first kept record's prev_hash
    cutoff       timestamptz NOT NULL,  -- every dropped record occurred before this
    created_at   timestamptz NOT NULL,
    key_id       text        NOT NULL,
    signature    bytea       NOT NULL
);
CREATE INDEX retention_marks_chain ON retention_marks (tenant_id, through_seq);

CREATE TRIGGER retention_marks_no_update BEFORE UPDATE ON retention_marks
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER retention_marks_no_delete BEFORE DELETE ON retention_marks
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER retention_marks_no_truncate BEFORE TRUNCATE ON retention_marks
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
