-- Links to the pictures a client texted (MMS). They are PHI: shown to signed-in staff in the
-- conversation, never logged and never sent to a notifier.
ALTER TABLE messages ADD COLUMN media_urls text[] NOT NULL DEFAULT '{}';
