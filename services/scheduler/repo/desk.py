"""The staff desk's SQL: booking status, staff bookings, provider blocks, package sessions, calendar.

Every write of a provider's time runs after the provider's advisory lock (repo.lock_providers);
refusals of the exclusion constraints and of the block triggers come back as SlotTaken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from services.scheduler.errors import SlotTaken
from services.scheduler.model import ACTIVE_STATUSES, Block, Booking, Client, LiveHold
from services.scheduler.repo.bookings import booking_of

# A booking with its client's name and whether its completion used a package session.
_BOOKING = (
    "SELECT b.*, c.first_name AS client_name, (u.booking_id IS NOT NULL) AS package_session_used "
    "FROM bookings b LEFT JOIN clients c ON c.id = b.client_id "
    "LEFT JOIN package_sessions_used u ON u.booking_id = b.id "
)

# What each refusal means to staff, by the constraint (or trigger) that refused.
_TAKEN = {
    "provider_time_free_of_blocks": "the provider's time is blocked then",
    "block_free_of_bookings": "a booking is in that time: move or cancel it first",
    "provider_blocks_no_overlap": "that time is already blocked",
}


def _slot_taken(exc: asyncpg.ExclusionViolationError, field: str) -> SlotTaken:
    message = _TAKEN.get(exc.constraint_name or "", "that time is booked or held by a client")
    return SlotTaken(message, field)


# ----- bookings -----


async def booking_provider(conn: asyncpg.Connection, spa_id: str, booking_id: UUID) -> UUID | None:
    """The booking's provider, unlocked (to take the providers' locks in order first)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT provider_id FROM bookings WHERE id = $1 AND spa_id = $2", booking_id, spa_id
    )


async def booking_for_update(conn: asyncpg.Connection, spa_id: str, booking_id: UUID) -> Booking | None:
    """The spa's booking, row-locked until the transaction ends."""
    row = await conn.fetchrow(
        _BOOKING + "WHERE b.id = $1 AND b.spa_id = $2 FOR UPDATE OF b", booking_id, spa_id
    )
    return None if row is None else booking_of(row)


async def booking_by_request(conn: asyncpg.Connection, spa_id: str, request_id: UUID) -> Booking | None:
    """The booking a staff request made, if it made one (a retried request)."""
    row = await conn.fetchrow(_BOOKING + "WHERE b.request_id = $1 AND b.spa_id = $2", request_id, spa_id)
    return None if row is None else booking_of(row)


async def set_booking_status(
    conn: asyncpg.Connection, booking: Booking, status: str, by: str, cancel_reason: str | None = None
) -> Booking:
    """Set the status; a booking that stops keeping its time frees its hold too, and one that keeps it
    again takes both back (SlotTaken when someone else has it by then)."""
    keeps = status in ACTIVE_STATUSES
    try:
        await conn.execute(
            "UPDATE bookings SET status = $2, status_changed_at = now(), status_changed_by = $3, "
            "cancel_reason = coalesce($4, cancel_reason) WHERE id = $1",
            booking.id,
            status,
            by,
            cancel_reason,
        )
        if booking.hold_id is not None and keeps != booking.active:
            await conn.execute(
                "UPDATE holds SET status = $2 WHERE id = $1",
                booking.hold_id,
                "booked" if keeps else "released",
            )
    except asyncpg.ExclusionViolationError as exc:
        raise _slot_taken(exc, "status") from exc
    changed = await booking_for_update(conn, booking.spa_id, booking.id)
    assert changed is not None
    return changed


async def insert_staff_booking(
    conn: asyncpg.Connection,
    *,
    spa_id: str,
    client_id: UUID | None,
    provider_id: UUID,
    service_id: UUID,
    start: datetime,
    end: datetime,
    blocked_until: datetime,
    covered_by_package: str | None,
    by: str,
    request_id: UUID | None,
    rescheduled_from: UUID | None = None,
) -> Booking:
    """A booking made by staff, with the booked hold that keeps other clients' holds off its time."""
    try:
        booking_id = await conn.fetchval(
            "WITH hold AS ("
            "INSERT INTO holds (id, spa_id, client_id, provider_id, service_id, start_at, end_at, blocked, "
            "status, expires_at) VALUES ($2, $3, $4, $5, $6, $7, $8, tstzrange($7, $9), 'booked', now()) "
            "RETURNING id) "
            "INSERT INTO bookings (id, spa_id, hold_id, client_id, provider_id, service_id, start_at, "
            "end_at, blocked, covered_by_package, booked_by, request_id, rescheduled_from) "
            "SELECT $1, $3, hold.id, $4, $5, $6, $7, $8, tstzrange($7, $9), $10, $11, $12, $13 FROM hold "
            "RETURNING id",
            uuid4(),
            uuid4(),
            spa_id,
            client_id,
            provider_id,
            service_id,
            start,
            end,
            blocked_until,
            covered_by_package,
            by,
            request_id,
            rescheduled_from,
        )
    except asyncpg.ExclusionViolationError as exc:
        raise _slot_taken(exc, "start") from exc
    booking = await booking_for_update(conn, spa_id, booking_id)
    assert booking is not None
    return booking


async def link_rescheduled(conn: asyncpg.Connection, old_id: UUID, new_id: UUID) -> None:
    """Point a moved booking at the booking that replaced it."""
    await conn.execute("UPDATE bookings SET rescheduled_to = $2 WHERE id = $1", old_id, new_id)


async def use_package_session(
    conn: asyncpg.Connection, booking_id: UUID, client_package_id: UUID, by: str
) -> int | None:
    """Take one session off the package for this booking; the balance left, None when it had none.

    The ledger's primary key (one row per booking) makes a second use for one booking impossible.
    """
    return await conn.fetchval(  # type: ignore[no-any-return]
        "WITH used AS (UPDATE client_packages SET sessions_remaining = sessions_remaining - 1 "
        "WHERE id = $2 AND sessions_remaining > 0 RETURNING id, sessions_remaining), "
        "ledger AS (INSERT INTO package_sessions_used (booking_id, client_package_id, used_by) "
        "SELECT $1, id, $3 FROM used) "
        "SELECT sessions_remaining FROM used",
        booking_id,
        client_package_id,
        by,
    )


# ----- clients named by staff -----


async def clients_named(conn: asyncpg.Connection, spa_id: str, name: str) -> list[Client]:
    """The spa's clients with this name (case-insensitive), at most a few."""
    rows = await conn.fetch(
        "SELECT id, first_name, ref FROM clients WHERE spa_id = $1 AND lower(first_name) = lower($2) "
        "ORDER BY created_at LIMIT 5",
        spa_id,
        name,
    )
    return [Client(r["id"], r["first_name"], r["ref"]) for r in rows]


async def create_client_without_phone(
    conn: asyncpg.Connection, spa_id: str, client_id: UUID, name: str, ref: str
) -> Client:
    """A walk-in who gave only a name."""
    await conn.execute(
        "INSERT INTO clients (id, spa_id, phone, ref, first_name) VALUES ($1, $2, NULL, $3, $4)",
        client_id,
        spa_id,
        ref,
        name,
    )
    return Client(client_id, name, ref, is_new=True)


# ----- provider blocks -----


def _block_of(row: asyncpg.Record) -> Block:
    span = row["span"]
    return Block(
        id=row["id"],
        spa_id=row["spa_id"],
        provider_id=row["provider_id"],
        start=span.lower,
        end=span.upper,
        reason=row["reason"],
        removed=row["removed_at"] is not None,
    )


async def insert_block(
    conn: asyncpg.Connection,
    *,
    block_id: UUID,
    spa_id: str,
    provider_id: UUID,
    start: datetime,
    end: datetime,
    reason: str,
    by: str,
) -> Block:
    """Block the provider's time (the same block id again is the same block); SlotTaken on overlap."""
    try:
        await conn.execute(
            "INSERT INTO provider_blocks (id, spa_id, provider_id, span, reason, created_by) "
            "VALUES ($1, $2, $3, tstzrange($4, $5), $6, $7) ON CONFLICT (id) DO NOTHING",
            block_id,
            spa_id,
            provider_id,
            start,
            end,
            reason,
            by,
        )
    except asyncpg.ExclusionViolationError as exc:
        raise _slot_taken(exc, "start") from exc
    block = await block_for_update(conn, spa_id, block_id)
    assert block is not None
    return block


async def block_for_update(conn: asyncpg.Connection, spa_id: str, block_id: UUID) -> Block | None:
    """The spa's block, row-locked."""
    row = await conn.fetchrow(
        "SELECT * FROM provider_blocks WHERE id = $1 AND spa_id = $2 FOR UPDATE", block_id, spa_id
    )
    return None if row is None else _block_of(row)


async def remove_block(conn: asyncpg.Connection, block_id: UUID, by: str) -> None:
    """The block stops blocking (kept, marked removed, for the record)."""
    await conn.execute(
        "UPDATE provider_blocks SET removed_at = now(), removed_by = $2 WHERE id = $1 AND removed_at IS NULL",
        block_id,
        by,
    )


# ----- the calendar -----


async def calendar_bookings(
    conn: asyncpg.Connection, spa_id: str, provider_ids: Sequence[UUID], start: datetime, end: datetime
) -> list[Booking]:
    """Bookings of any status starting before `end` and ending after `start`, by start."""
    rows = await conn.fetch(
        _BOOKING + "WHERE b.spa_id = $1 AND b.provider_id = ANY($2::uuid[]) AND b.start_at < $4 "
        "AND b.end_at > $3 AND b.status <> 'rescheduled' ORDER BY b.start_at",
        spa_id,
        list(provider_ids),
        start,
        end,
    )
    return [booking_of(r) for r in rows]


async def calendar_holds(
    conn: asyncpg.Connection, spa_id: str, provider_ids: Sequence[UUID], start: datetime, end: datetime
) -> list[LiveHold]:
    """Clients' live holds in the range, by start."""
    rows = await conn.fetch(
        "SELECT h.id, h.client_id, c.first_name, h.provider_id, h.service_id, h.start_at, h.end_at, "
        "h.expires_at FROM holds h LEFT JOIN clients c ON c.id = h.client_id "
        "WHERE h.spa_id = $1 AND h.provider_id = ANY($2::uuid[]) AND h.status = 'held' "
        "AND h.expires_at > now() AND h.start_at < $4 AND h.end_at > $3 ORDER BY h.start_at",
        spa_id,
        list(provider_ids),
        start,
        end,
    )
    return [LiveHold(*r.values()) for r in rows]


async def calendar_blocks(
    conn: asyncpg.Connection, spa_id: str, provider_ids: Sequence[UUID], start: datetime, end: datetime
) -> list[Block]:
    """Blocks in force in the range, by start."""
    rows = await conn.fetch(
        "SELECT * FROM provider_blocks WHERE spa_id = $1 AND provider_id = ANY($2::uuid[]) "
        "AND removed_at IS NULL AND span && tstzrange($3, $4) ORDER BY lower(span)",
        spa_id,
        list(provider_ids),
        start,
        end,
    )
    return [_block_of(r) for r in rows]


async def client_bookings(
    conn: asyncpg.Connection, spa_id: str, client_id: UUID, after: datetime, limit: int
) -> list[Booking]:
    """The client's bookings starting after `after`, any status, soonest first."""
    rows = await conn.fetch(
        _BOOKING
        + "WHERE b.spa_id = $1 AND b.client_id = $2 AND b.start_at > $3 ORDER BY b.start_at LIMIT $4",
        spa_id,
        client_id,
        after,
        limit,
    )
    return [booking_of(r) for r in rows]
