"""Availability, holds and bookings: the SQL under the agent's booking flow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg

from services.scheduler.domain import merge_busy
from services.scheduler.errors import SlotTaken
from services.scheduler.model import Booking, Hold

# ----- availability -----


async def busy(
    conn: asyncpg.Connection, provider_ids: Sequence[UUID], start: datetime, end: datetime
) -> dict[UUID, list[tuple[datetime, datetime]]]:
    """Blocked ranges (bookings, live holds, buffers included, and blocks) per provider in [start, end)."""
    # Grouped in SQL: one row (and one decoded provider id) per provider instead of one per booking.
    rows = await conn.fetch(
        "SELECT provider_id, array_agg(lower(blocked) ORDER BY blocked) AS s, "
        "array_agg(upper(blocked) ORDER BY blocked) AS e FROM ("
        "SELECT provider_id, blocked FROM bookings "
        "WHERE provider_id = ANY($1::uuid[]) AND status IN ('booked', 'checked_in', 'completed') "
        "AND blocked && tstzrange($2, $3) "
        "UNION ALL "
        "SELECT provider_id, blocked FROM holds "
        "WHERE provider_id = ANY($1::uuid[]) AND status = 'held' AND expires_at > now() "
        "AND blocked && tstzrange($2, $3) "
        "UNION ALL "
        "SELECT provider_id, span FROM provider_blocks "
        "WHERE provider_id = ANY($1::uuid[]) AND removed_at IS NULL AND span && tstzrange($2, $3)"
        ") AS b GROUP BY provider_id",
        list(provider_ids),
        start,
        end,
    )
    return {r["provider_id"]: merge_busy(zip(r["s"], r["e"], strict=True)) for r in rows}


# ----- holds and bookings -----


def hold_of(row: asyncpg.Record) -> Hold:
    """A holds row as a Hold (`lapsed` only when the query computed it)."""
    return Hold(
        id=row["id"],
        spa_id=row["spa_id"],
        client_id=row["client_id"],
        provider_id=row["provider_id"],
        service_id=row["service_id"],
        start=row["start_at"],
        end=row["end_at"],
        blocked_until=row["blocked"].upper,
        status=row["status"],
        lapsed=bool(row.get("lapsed", False)),
    )


def booking_of(row: asyncpg.Record) -> Booking:
    """A bookings row (optionally joined with the client's name) as a Booking."""
    return Booking(
        id=row["id"],
        spa_id=row["spa_id"],
        hold_id=row["hold_id"],
        client_id=row["client_id"],
        provider_id=row["provider_id"],
        service_id=row["service_id"],
        start=row["start_at"],
        end=row["end_at"],
        blocked_until=row["blocked"].upper,
        status=row["status"],
        covered_by_package=row["covered_by_package"],
        client_name=row.get("client_name"),
        package_session_used=bool(row.get("package_session_used", False)),
        rescheduled_from=row.get("rescheduled_from"),
        rescheduled_to=row.get("rescheduled_to"),
    )


async def expire_holds(conn: asyncpg.Connection, provider_ids: Sequence[UUID]) -> int:
    """Mark the providers' lapsed holds expired, so they stop blocking (in the inserting transaction)."""
    result = await conn.execute(
        "UPDATE holds SET status = 'expired' "
        "WHERE provider_id = ANY($1::uuid[]) AND status = 'held' AND expires_at <= now()",
        list(provider_ids),
    )
    return int(result.split()[-1])


async def insert_hold(
    conn: asyncpg.Connection,
    *,
    hold_id: UUID,
    spa_id: str,
    client_id: UUID | None,
    provider_id: UUID,
    service_id: UUID,
    start: datetime,
    end: datetime,
    blocked_until: datetime,
    ttl_seconds: int,
) -> datetime:
    """Insert a hold in its own savepoint and return when it expires; SlotTaken (and nothing written)
    when another client holds or has booked the time."""
    try:
        async with conn.transaction():
            return await conn.fetchval(  # type: ignore[no-any-return]
                "INSERT INTO holds (id, spa_id, client_id, provider_id, service_id, start_at, end_at, "
                "blocked, expires_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, tstzrange($6, $8), now() + make_interval(secs => $9)) "
                "RETURNING expires_at",
                hold_id,
                spa_id,
                client_id,
                provider_id,
                service_id,
                start,
                end,
                blocked_until,
                float(ttl_seconds),
            )
    except asyncpg.ExclusionViolationError as exc:
        raise SlotTaken("that time is held or booked by someone else") from exc


async def lock_providers(conn: asyncpg.Connection, provider_ids: Iterable[UUID]) -> None:
    """Serialize hold and booking writes per provider until the transaction ends (sorted: no cycles).

    Inserting into an exclusion constraint checks after writing, so two transactions offering
    overlapping slots of one provider can each wait on the other's row: a deadlock.
    """
    # One round trip: the function scan takes the locks in the array's (sorted) order.
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(p, 0)) FROM unnest($1::text[]) AS p",
        sorted({str(p) for p in provider_ids}),
    )


async def lock_hold_provider(conn: asyncpg.Connection, spa_id: str, hold_id: UUID) -> UUID | None:
    """lock_providers for the provider of a hold, in one round trip; None when there is no such hold."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT provider_id FROM holds, pg_advisory_xact_lock(hashtextextended(provider_id::text, 0)) "
        "WHERE id = $1 AND spa_id = $2",
        hold_id,
        spa_id,
    )


async def hold_for_update(conn: asyncpg.Connection, spa_id: str, hold_id: UUID) -> Hold | None:
    """The hold, locked, with whether it has lapsed by the database's clock."""
    row = await conn.fetchrow(
        "SELECT *, expires_at <= now() AS lapsed FROM holds WHERE id = $1 AND spa_id = $2 FOR UPDATE",
        hold_id,
        spa_id,
    )
    return None if row is None else hold_of(row)


async def booking_for_hold(conn: asyncpg.Connection, hold_id: UUID) -> Booking | None:
    """The booking made from a hold, if any (confirming twice returns it)."""
    row = await conn.fetchrow("SELECT * FROM bookings WHERE hold_id = $1", hold_id)
    return None if row is None else booking_of(row)


async def insert_booking(conn: asyncpg.Connection, hold: Hold, covered_by_package: str | None) -> Booking:
    """A booking from a hold, and the hold marked booked, in one statement.

    SlotTaken when the time is booked: the caller's transaction must then be rolled back (raising does).
    """
    try:
        row = await conn.fetchrow(
            "WITH booked AS (UPDATE holds SET status = 'booked' WHERE id = $3) "
            "INSERT INTO bookings (id, spa_id, hold_id, client_id, provider_id, service_id, start_at, "
            "end_at, blocked, covered_by_package) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, tstzrange($7, $9), $10) RETURNING *",
            uuid4(),
            hold.spa_id,
            hold.id,
            hold.client_id,
            hold.provider_id,
            hold.service_id,
            hold.start,
            hold.end,
            hold.blocked_until,
            covered_by_package,
        )
    except asyncpg.ExclusionViolationError as exc:
        raise SlotTaken("that time was just booked") from exc
    assert row is not None
    return booking_of(row)


async def release_holds(
    conn: asyncpg.Connection, spa_id: str, hold_ids: Sequence[UUID], client_id: UUID | None
) -> int:
    """Release live holds (only the client's own when a client is bound); returns how many."""
    result = await conn.execute(
        "UPDATE holds SET status = 'released' WHERE spa_id = $1 AND id = ANY($2::uuid[]) "
        "AND status = 'held' AND ($3::uuid IS NULL OR client_id = $3)",
        spa_id,
        list(hold_ids),
        client_id,
    )
    return int(result.split()[-1])


async def upcoming_bookings(
    conn: asyncpg.Connection, spa_id: str, phone: str, after: datetime
) -> tuple[int, datetime | None]:
    """How many booked appointments the client with this number has after `after`, and the next start."""
    row = await conn.fetchrow(
        "SELECT count(b.id) AS n, min(b.start_at) AS next_start FROM clients c "
        "JOIN bookings b ON b.client_id = c.id AND b.status = 'booked' AND b.start_at > $3 "
        "WHERE c.spa_id = $1 AND c.phone = $2",
        spa_id,
        phone,
        after,
    )
    return (int(row["n"]), row["next_start"]) if row else (0, None)
