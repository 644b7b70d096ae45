-- The audit log: one row per record, hash-chained per spa, partitioned by month of occurrence.
-- Rows are written only through the writer role (INSERT and SELECT) and triggers refuse any change.

CREATE TABLE audit_log (
    tenant_id        text             NOT NULL,
    seq              bigint           NOT NULL,  -- position in the spa's chain, from 1, no gaps
    record_id        uuid             NOT NULL,
    occurred_at      timestamptz      NOT NULL,
    recorded_at      timestamptz      NOT NULL,
    schema_version   integer          NOT NULL,
    correlation_id   uuid             NOT NULL,
    actor_service    text             NOT NULL,
    actor_instance   text             NOT NULL,
    conversation_id  text,
    client_ref       text,
    client_id        text,
    staff_user       text,
    action           text             NOT NULL,
    -- `json`, not `jsonb`: the text is kept byte for byte, so the hash can be recomputed from it.
    arguments        json             NOT NULL,
    result_summary   json             NOT NULL,
    disclosed_fields json             NOT NULL,
    outcome          text             NOT NULL,
    latency_ms       double precision NOT NULL,
    prev_hash        bytea            NOT NULL,
    hash             bytea            NOT NULL,
    -- The partition key must be part of a unique key; a redelivered record has the same occurred_at.
    UNIQUE (record_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE INDEX audit_log_chain ON audit_log (tenant_id, seq);
CREATE INDEX audit_log_time ON audit_log (tenant_id, occurred_at, record_id);
CREATE INDEX audit_log_client ON audit_log (tenant_id, client_ref, occurred_at);
CREATE INDEX audit_log_conversation ON audit_log (tenant_id, conversation_id, occurred_at);

-- Spas that have a chain: checkpoints walk this instead of scanning the log.
CREATE TABLE chains (
    tenant_id   text        PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Signed heads: (tenant, seq, hash) signed with a key the database never holds.
CREATE TABLE checkpoints (
    checkpoint_id bigserial   PRIMARY KEY,
    tenant_id     text        NOT NULL,
    seq           bigint      NOT NULL,  -- records in the chain up to and including the head
    head_hash     bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    key_id        text        NOT NULL,
    signature     bytea       NOT NULL
);
CREATE INDEX checkpoints_chain ON checkpoints (tenant_id, seq);

-- API tokens of compliance officers: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    token_id    uuid        PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    token_hash  bytea       NOT NULL UNIQUE,
    tenant_id   text,       -- NULL: every spa
    role        text        NOT NULL DEFAULT 'compliance' CHECK (role IN ('compliance')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Append-only, enforced here and not by the application.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'raise_exception', HINT = 'records can only be inserted';
END
$$;

-- Row triggers on a partitioned table are cloned onto every partition, present and future.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
-- DELETE triggers do not fire on TRUNCATE. Statement triggers are not cloned onto partitions, so
-- create_partition() adds this one to each partition too.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER chains_no_update BEFORE UPDATE ON chains
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER chains_no_delete BEFORE DELETE ON chains
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER chains_no_truncate BEFORE TRUNCATE ON chains
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
