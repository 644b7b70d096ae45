#!/bin/sh
# Runs once, when the PostgreSQL volume is first created: one login role per service (each will own
# only its own schema, handed over by `frontdesk deploy migrate`), the audit log's insert-only
# writer, and the extensions the schemas use. The admin (POSTGRES_USER) owns the database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v gateway="$DB_GATEWAY_PASSWORD" -v scheduler="$DB_SCHEDULER_PASSWORD" \
  -v escalation="$DB_ESCALATION_PASSWORD" -v audit="$DB_AUDIT_PASSWORD" <<'SQL'
CREATE ROLE frontdesk_gateway LOGIN PASSWORD :'gateway';
CREATE ROLE frontdesk_scheduler LOGIN PASSWORD :'scheduler';
CREATE ROLE frontdesk_escalation LOGIN PASSWORD :'escalation';
CREATE ROLE frontdesk_audit LOGIN PASSWORD :'audit';
CREATE ROLE frontdesk_audit_writer NOLOGIN;
GRANT frontdesk_audit_writer TO frontdesk_audit;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
SQL
