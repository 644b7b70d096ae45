-- What a service is and is for, as the front desk says it to a client who asks ("what's a
-- HydraFacial?"); the spa file's `about`. Empty: the agent says nothing of it.
ALTER TABLE services ADD COLUMN about text NOT NULL DEFAULT '';
