-- Booking operations from the staff desk: a booking's status on the day, cancel and reschedule,
-- bookings made by staff, provider blocks (time off, breaks), package sessions used.

-- A booking's life. booked, checked_in and completed keep the provider's time (no double booking);
-- a no-show, a cancelled or a moved (rescheduled) booking frees it.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('booked', 'checked_in', 'completed', 'no_show', 'cancelled', 'rescheduled'));
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    provider_id WITH =, blocked WITH &&
) WHERE (status IN ('booked', 'checked_in', 'completed'));

ALTER TABLE bookings
    -- The staff request that made it: a retried request is the same booking.
    ADD COLUMN request_id        uuid UNIQUE,
    -- Who booked it and who last changed its status: a staff user id or the agent (opaque ids).
    ADD COLUMN booked_by         text,
    ADD COLUMN status_changed_at timestamptz,
    ADD COLUMN status_changed_by text,
    ADD COLUMN cancel_reason     text,
    ADD COLUMN rescheduled_from  uuid REFERENCES bookings (id),
    ADD COLUMN rescheduled_to    uuid REFERENCES bookings (id);
CREATE INDEX bookings_calendar ON bookings (provider_id, start_at);

-- A walk-in may give only a name: such a client has no number (and can get no text).
ALTER TABLE clients ALTER COLUMN phone DROP NOT NULL;
CREATE INDEX clients_by_name ON clients (spa_id, lower(first_name));

-- A provider's time that is not bookable. Blocks of one provider never overlap each other.
CREATE TABLE provider_blocks (
    id          uuid        PRIMARY KEY,
    spa_id      text        NOT NULL REFERENCES spas (id),
    provider_id uuid        NOT NULL REFERENCES providers (id),
    span        tstzrange   NOT NULL CHECK (NOT isempty(span) AND NOT lower_inf(span) AND NOT upper_inf(span)),
    reason      text        NOT NULL CHECK (reason IN ('time_off', 'break', 'training', 'other')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    removed_at  timestamptz,
    removed_by  text,
    CONSTRAINT provider_blocks_no_overlap EXCLUDE USING gist (
        provider_id WITH =, span WITH &&
    ) WHERE (removed_at IS NULL)
);

-- Blocks never overlap a booking that keeps its time, nor a client's hold taken after the block.
-- Two tables cannot share an exclusion constraint, so each write checks the other table while
-- holding the provider's advisory lock, the lock every hold, booking and block write takes first:
-- the check runs after any concurrent writer of that provider has committed, and sees its rows.
-- Refusals are raised as exclusion violations, as the constraints' own are.
CREATE FUNCTION provider_time_free_of_blocks() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.provider_id::text, 0));
    IF EXISTS (
        SELECT 1 FROM provider_blocks b
        WHERE b.provider_id = NEW.provider_id AND b.removed_at IS NULL AND b.span && NEW.blocked
    ) THEN
        RAISE EXCEPTION 'the provider''s time is blocked'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'provider_time_free_of_blocks';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER bookings_free_of_blocks BEFORE INSERT ON bookings
    FOR EACH ROW WHEN (NEW.status IN ('booked', 'checked_in', 'completed'))
    EXECUTE FUNCTION provider_time_free_of_blocks();
CREATE TRIGGER bookings_reactivated_free_of_blocks BEFORE UPDATE OF status ON bookings
    FOR EACH ROW WHEN (
        NEW.status IN ('booked', 'checked_in', 'completed')
        AND OLD.status NOT IN ('booked', 'checked_in', 'completed')
    )
    EXECUTE FUNCTION provider_time_free_of_blocks();
CREATE TRIGGER holds_free_of_blocks BEFORE INSERT ON holds
    FOR EACH ROW EXECUTE FUNCTION provider_time_free_of_blocks();

CREATE FUNCTION block_free_of_bookings() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.provider_id::text, 0));
    IF EXISTS (
        SELECT 1 FROM bookings k
        WHERE k.provider_id = NEW.provider_id AND k.status IN ('booked', 'checked_in', 'completed')
          AND k.blocked && NEW.span
    ) THEN
        RAISE EXCEPTION 'a booking is in that time'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'block_free_of_bookings';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER provider_blocks_free_of_bookings BEFORE INSERT ON provider_blocks
    FOR EACH ROW WHEN (NEW.removed_at IS NULL)
    EXECUTE FUNCTION block_free_of_bookings();

-- One session of a package per completed booking: the primary key makes a second use impossible.
CREATE TABLE package_sessions_used (
    booking_id        uuid        PRIMARY KEY REFERENCES bookings (id),
    client_package_id uuid        NOT NULL REFERENCES client_packages (id),
    used_at           timestamptz NOT NULL DEFAULT now(),
    used_by           text        NOT NULL
);
