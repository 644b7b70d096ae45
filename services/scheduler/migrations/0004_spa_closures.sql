-- Days the whole spa closes or keeps other hours (holidays, short days); the spa file's `closures`:
-- [{"date": "2026-12-25", "hours": [], "reason": "Christmas Day"}, ...]. A day listed replaces the
-- week's opening hours for every provider.
ALTER TABLE spas ADD COLUMN closures jsonb NOT NULL DEFAULT '[]';
