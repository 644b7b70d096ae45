-- The opt-out notice carriers expect ("Reply STOP to opt out.") ends a spa's first text to a number:
-- this marks the text that carried it, decided once with the text's row (a redelivery reuses it).
ALTER TABLE outbound_messages ADD COLUMN opt_out_notice boolean NOT NULL DEFAULT false;
-- "Has this spa texted this number before?" is one index lookup.
CREATE INDEX outbound_by_number ON outbound_messages (tenant_id, to_number);
