-- The languages a spa replies in (ISO 639-1, the first is its default); the spa file's `languages`.
ALTER TABLE spas ADD COLUMN languages text[] NOT NULL DEFAULT '{en}';
