"""The scheduler's SQL: the only module that speaks to PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from services.scheduler.domain import Interval, ProviderDef, Rules, ServiceDef, SpaCatalog, merge_busy
from services.scheduler.spafile import SpaFile, cents, parse_hours, weekly_hours
from shared.ids import client_ref

# ----- hours as JSON (canonical, so a reload compares equal) -----


def _t(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


def hours_json(week: dict[int, list[Interval]]) -> dict[str, list[list[str]]]:
    """Weekly hours in their stored form: {"0": [["09:00", "17:00"]], ...}."""
    return {str(d): [[_t(a), _t(b)] for a, b in spans] for d, spans in sorted(week.items())}


def _week_from_json(value: dict[str, list[list[str]]]) -> dict[int, list[Interval]]:
    return {int(d): parse_hours([f"{a}-{b}" for a, b in spans]) for d, spans in value.items()}


# ----- loading a spa file -----


@dataclass
class Counts:
    """What a load did to one kind of thing."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class LoadReport:
    """What loading a spa file changed, per kind."""

    spa_id: str
    created: bool = False
    kinds: dict[str, Counts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.created or any(c.changed for c in self.kinds.values())

    def lines(self) -> list[str]:
        """Human lines for the CLI."""
        head = f"spa {self.spa_id}: " + (
            "created" if self.created else "changed" if self.changed else "unchanged"
        )
        out = [head]
        for kind, c in self.kinds.items():
            out.append(
                f"  {kind:<12} +{c.added} added, ~{c.updated} updated, -{c.removed} removed, "
                f"{c.unchanged} unchanged"
            )
        return out


_COLUMNS = {
    "services": (
        "key",
        "name",
        "category",
        "duration_minutes",
        "price_cents",
        "is_consultation",
        "free_consult",
        "consult_service_id",
        "requires",
        "words",
    ),
    "providers": (
        "key",
        "name",
        "first_name",
        "credentials",
        "qualifications",
        "room",
        "weekly_hours",
        "exceptions",
    ),
    "package_offerings": ("key", "name", "service_id", "sessions", "price_cents"),
    "memberships": ("key", "name", "monthly_price_cents", "discount_percent", "covered_service_ids"),
}


async def _sync(conn: asyncpg.Connection, table: str, spa_id: str, rows: list[dict[str, Any]]) -> Counts:
    """Make the spa's rows of `table` equal to `rows` (by id); missing ones are deactivated."""
    counts = Counts()
    columns = list(_COLUMNS[table])
    existing: dict[UUID, dict[str, Any]] = {
        r["id"]: dict(r)
        for r in await conn.fetch(
            f"SELECT id, active, {', '.join(columns)} FROM {table} WHERE spa_id = $1", spa_id
        )
    }
    wanted = {row["id"] for row in rows}
    for row in rows:
        old = existing.get(row["id"])
        if old is None:
            cols = ["id", "spa_id", *columns]
            params = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
            await conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({params})",
                row["id"],
                spa_id,
                *[row[c] for c in columns],
            )
            counts.added += 1
        elif not old["active"] or any(old[c] != row[c] for c in columns):
            sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(columns, start=2))
            await conn.execute(
                f"UPDATE {table} SET {sets}, active = true WHERE id = $1",
                row["id"],
                *[row[c] for c in columns],
            )
            counts.updated += 1
        else:
            counts.unchanged += 1
    gone = [i for i, old in existing.items() if i not in wanted and old["active"]]
    if gone:
        # Deactivated, not deleted: bookings and packages still refer to them.
        await conn.execute(f"UPDATE {table} SET active = false WHERE id = ANY($1::uuid[])", gone)
        counts.removed += len(gone)
    return counts


async def load_spa(conn: asyncpg.Connection, spa: SpaFile, id_hash_key: str) -> LoadReport:
    """Create or update a spa from its file, in the caller's transaction; reports what changed."""
    report = LoadReport(spa.id)
    r = spa.booking_rules
    rules = {
        "lead_minutes": r.lead_time_minutes,
        "horizon_days": r.horizon_days,
        "slot_minutes": r.slot_minutes,
        "buffer_minutes": r.buffer_minutes,
        "consult_first": r.consult_first,
    }
    spa_row = {
        "name": spa.name,
        "timezone": spa.timezone,
        "address": spa.address,
        "parking_note": spa.parking_note,
        "help_text": spa.sms.help_text,
        "opening_hours": hours_json(weekly_hours(spa.opening_hours)),
        "rules": rules,
        "languages": list(spa.languages),
    }
    old = await conn.fetchrow("SELECT * FROM spas WHERE id = $1 FOR UPDATE", spa.id)
    spa_counts = Counts()
    if old is None:
        await conn.execute(
            "INSERT INTO spas (id, name, timezone, address, parking_note, help_text, opening_hours, rules, "
            "languages) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            spa.id,
            *spa_row.values(),
        )
        report.created = True
        spa_counts.added = 1
    elif any(old[k] != v for k, v in spa_row.items()):
        await conn.execute(
            "UPDATE spas SET name = $2, timezone = $3, address = $4, parking_note = $5, help_text = $6, "
            "opening_hours = $7, rules = $8, languages = $9 WHERE id = $1",
            spa.id,
            *spa_row.values(),
        )
        spa_counts.updated = 1
    else:
        spa_counts.unchanged = 1
    report.kinds["spa"] = spa_counts

    report.kinds["services"] = await _sync(
        conn,
        "services",
        spa.id,
        [
            {
                "id": s.id,
                "key": s.key,
                "name": s.name,
                "category": s.category,
                "duration_minutes": s.duration_minutes,
                "price_cents": s.price_cents,
                "is_consultation": s.is_consultation,
                "free_consult": s.free_consult,
                "consult_service_id": s.consult_service_id,
                "requires": s.requires,
                "words": list(s.words),
            }
            for s in spa.service_defs()
        ],
    )
    report.kinds["providers"] = await _sync(
        conn,
        "providers",
        spa.id,
        [
            {
                "id": spa.provider_id(p.key),
                "key": p.key,
                "name": p.name,
                "first_name": p.first_name or p.name.split()[0],
                "credentials": list(p.credentials),
                "qualifications": sorted(set(p.qualifications)),
                "room": p.room,
                "weekly_hours": hours_json(d.weekly),  # type: ignore[arg-type]
                "exceptions": [
                    {"date": day.isoformat(), "hours": [[_t(a), _t(b)] for a, b in spans]}
                    for day, spans in sorted(d.exceptions.items())
                ],
            }
            for p, d in zip(spa.providers, spa.provider_defs(), strict=True)
        ],
    )
    report.kinds["packages"] = await _sync(
        conn,
        "package_offerings",
        spa.id,
        [
            {
                "id": spa.package_id(p.key),
                "key": p.key,
                "name": p.name,
                "service_id": spa.service_id(p.service),
                "sessions": p.sessions,
                "price_cents": cents(p.price),
            }
            for p in spa.packages
        ],
    )
    report.kinds["memberships"] = await _sync(
        conn,
        "memberships",
        spa.id,
        [
            {
                "id": spa.membership_id(m.key),
                "key": m.key,
                "name": m.name,
                "monthly_price_cents": cents(m.monthly_price),
                "discount_percent": m.discount_percent,
                "covered_service_ids": [spa.service_id(k) for k in m.covers],
            }
            for m in spa.memberships
        ],
    )
    report.kinds["clients"] = await _load_clients(conn, spa, id_hash_key)
    if report.changed and not report.created:
        await conn.execute("UPDATE spas SET version = version + 1, updated_at = now() WHERE id = $1", spa.id)
    return report


async def _load_clients(conn: asyncpg.Connection, spa: SpaFile, id_hash_key: str) -> Counts:
    # Clients in a file are seeds: a reload fills in what is missing but never resets a live package
    # balance or removes a client who texted in since.
    counts = Counts()
    for c in spa.clients:
        row = await conn.fetchrow(
            "SELECT id, first_name FROM clients WHERE spa_id = $1 AND phone = $2", spa.id, c.phone
        )
        changed = False
        if row is None:
            client_id = uuid4()
            await conn.execute(
                "INSERT INTO clients (id, spa_id, phone, ref, first_name) VALUES ($1, $2, $3, $4, $5)",
                client_id,
                spa.id,
                c.phone,
                client_ref(id_hash_key, spa.id, c.phone),
                c.name,
            )
            counts.added += 1
        else:
            client_id = row["id"]
            if c.name and row["first_name"] != c.name:
                await conn.execute("UPDATE clients SET first_name = $2 WHERE id = $1", client_id, c.name)
                changed = True
        for cp in c.packages:
            inserted = await conn.fetchval(
                "INSERT INTO client_packages (id, spa_id, client_id, offering_id, sessions_remaining) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, offering_id) DO NOTHING RETURNING 1",
                uuid4(),
                spa.id,
                client_id,
                spa.package_id(cp.package),
                cp.sessions_remaining,
            )
            changed = changed or inserted is not None
        if c.membership:
            previous = await conn.fetchval(
                "SELECT membership_id FROM client_memberships WHERE client_id = $1", client_id
            )
            wanted = spa.membership_id(c.membership)
            if previous != wanted:
                await conn.execute(
                    "INSERT INTO client_memberships (client_id, membership_id) VALUES ($1, $2) "
                    "ON CONFLICT (client_id) DO UPDATE SET membership_id = EXCLUDED.membership_id",
                    client_id,
                    wanted,
                )
                changed = True
        if row is not None:
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
    return counts


# ----- the catalog, read back -----


async def spa_version(conn: asyncpg.Connection | asyncpg.Pool, spa_id: str) -> int | None:
    """The spa's catalog version (None when the spa is unknown)."""
    return await conn.fetchval("SELECT version FROM spas WHERE id = $1", spa_id)  # type: ignore[no-any-return]


async def load_catalog(conn: asyncpg.Connection | asyncpg.Pool, spa_id: str) -> SpaCatalog | None:
    """The spa's active catalog, providers and hours, for the in-memory cache."""
    spa = await conn.fetchrow("SELECT * FROM spas WHERE id = $1", spa_id)
    if spa is None:
        return None
    services = {
        r["id"]: ServiceDef(
            id=r["id"],
            key=r["key"],
            name=r["name"],
            category=r["category"],
            duration_minutes=r["duration_minutes"],
            price_cents=r["price_cents"],
            is_consultation=r["is_consultation"],
            free_consult=r["free_consult"],
            consult_service_id=r["consult_service_id"],
            requires=r["requires"],
            words=tuple(r["words"]),
        )
        for r in await conn.fetch("SELECT * FROM services WHERE spa_id = $1 AND active", spa_id)
    }
    providers = {
        r["id"]: ProviderDef(
            id=r["id"],
            key=r["key"],
            name=r["name"],
            first_name=r["first_name"],
            qualifications=frozenset(r["qualifications"]),
            weekly=_week_from_json(r["weekly_hours"]),
            exceptions={
                date.fromisoformat(e["date"]): parse_hours([f"{a}-{b}" for a, b in e["hours"]])
                for e in r["exceptions"]
            },
            credentials=tuple(r["credentials"]),
        )
        for r in await conn.fetch("SELECT * FROM providers WHERE spa_id = $1 AND active", spa_id)
    }
    return SpaCatalog(
        id=spa["id"],
        name=spa["name"],
        timezone=spa["timezone"],
        opening=_week_from_json(spa["opening_hours"]),
        rules=Rules(**spa["rules"]),
        services=services,
        providers=providers,
        address=spa["address"],
        parking_note=spa["parking_note"],
        help_text=spa["help_text"],
        languages=tuple(spa["languages"]),
        version=spa["version"],
    )


# ----- availability -----


async def busy(
    conn: asyncpg.Connection, provider_ids: Sequence[UUID], start: datetime, end: datetime
) -> dict[UUID, list[tuple[datetime, datetime]]]:
    """Blocked ranges (bookings and live holds, buffers included) per provider within [start, end)."""
    # Grouped in SQL: one row (and one decoded provider id) per provider instead of one per booking.
    rows = await conn.fetch(
        "SELECT provider_id, array_agg(lower(blocked) ORDER BY blocked) AS s, "
        "array_agg(upper(blocked) ORDER BY blocked) AS e FROM ("
        "SELECT provider_id, blocked FROM bookings "
        "WHERE provider_id = ANY($1::uuid[]) AND status = 'booked' AND blocked && tstzrange($2, $3) "
        "UNION ALL "
        "SELECT provider_id, blocked FROM holds "
        "WHERE provider_id = ANY($1::uuid[]) AND status = 'held' AND expires_at > now() "
        "AND blocked && tstzrange($2, $3)) AS b GROUP BY provider_id",
        list(provider_ids),
        start,
        end,
    )
    return {r["provider_id"]: merge_busy(zip(r["s"], r["e"], strict=True)) for r in rows}


# ----- holds and bookings -----


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
    """Insert a hold; raises asyncpg.ExclusionViolationError when another client holds the time."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "INSERT INTO holds (id, spa_id, client_id, provider_id, service_id, start_at, end_at, blocked, "
        "expires_at) "
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


async def lock_providers(conn: asyncpg.Connection, provider_ids: Iterable[UUID]) -> None:
    """Serialize hold and booking writes per provider until the transaction ends (sorted: no cycles).

    Inserting into an exclusion constraint checks after writing, so two transactions offering
    overlapping slots of one provider can each wait on the other's row: a deadlock.
    """
    for provider_id in sorted(set(provider_ids), key=str):
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", str(provider_id))


async def lock_hold_provider(conn: asyncpg.Connection, spa_id: str, hold_id: UUID) -> UUID | None:
    """lock_providers for the provider of a hold, in one round trip; None when there is no such hold."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT provider_id FROM holds, pg_advisory_xact_lock(hashtextextended(provider_id::text, 0)) "
        "WHERE id = $1 AND spa_id = $2",
        hold_id,
        spa_id,
    )


async def hold_for_update(conn: asyncpg.Connection, spa_id: str, hold_id: UUID) -> asyncpg.Record | None:
    """The hold, locked, with whether it has lapsed by the database's clock."""
    return await conn.fetchrow(
        "SELECT *, expires_at <= now() AS lapsed FROM holds WHERE id = $1 AND spa_id = $2 FOR UPDATE",
        hold_id,
        spa_id,
    )


async def booking_for_hold(conn: asyncpg.Connection, hold_id: UUID) -> asyncpg.Record | None:
    """The booking made from a hold, if any (confirming twice returns it)."""
    return await conn.fetchrow("SELECT * FROM bookings WHERE hold_id = $1", hold_id)


async def insert_booking(
    conn: asyncpg.Connection, hold: asyncpg.Record, covered_by_package: str | None
) -> asyncpg.Record:
    """A booking from a hold, and the hold marked booked, in one statement.

    Raises asyncpg.ExclusionViolationError when the time is booked (and then nothing changed).
    """
    return await conn.fetchrow(  # type: ignore[no-any-return]
        "WITH booked AS (UPDATE holds SET status = 'booked' WHERE id = $3) "
        "INSERT INTO bookings (id, spa_id, hold_id, client_id, provider_id, service_id, start_at, end_at, "
        "blocked, covered_by_package) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
        uuid4(),
        hold["spa_id"],
        hold["id"],
        hold["client_id"],
        hold["provider_id"],
        hold["service_id"],
        hold["start_at"],
        hold["end_at"],
        hold["blocked"],
        covered_by_package,
    )


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


# ----- clients, packages, memberships -----


async def lookup_or_create_client(
    conn: asyncpg.Connection, spa_id: str, phone: str, name: str | None, ref: str
) -> tuple[asyncpg.Record, bool]:
    """The client with this number at this spa, created if new; returns (row, is_new)."""
    row = await conn.fetchrow(
        "INSERT INTO clients (id, spa_id, phone, ref, first_name) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (spa_id, phone) DO NOTHING RETURNING id, first_name",
        uuid4(),
        spa_id,
        phone,
        ref,
        name,
    )
    if row is not None:
        return row, True
    row = await conn.fetchrow(
        "SELECT id, first_name FROM clients WHERE spa_id = $1 AND phone = $2", spa_id, phone
    )
    if name and row is not None and not row["first_name"]:
        row = await conn.fetchrow(
            "UPDATE clients SET first_name = $2 WHERE id = $1 RETURNING id, first_name", row["id"], name
        )
    assert row is not None
    return row, False


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


async def client_ref_of(conn: asyncpg.Connection, spa_id: str, client_id: UUID) -> str | None:
    """The client's keyed reference (None when not a client of this spa)."""
    return await conn.fetchval(  # type: ignore[no-any-return]
        "SELECT ref FROM clients WHERE id = $1 AND spa_id = $2", client_id, spa_id
    )


async def client_packages(conn: asyncpg.Connection, client_id: UUID) -> list[asyncpg.Record]:
    """The client's packages with sessions left, with what each covers."""
    return await conn.fetch(  # type: ignore[no-any-return]
        "SELECT o.name, o.service_id, cp.sessions_remaining FROM client_packages cp "
        "JOIN package_offerings o ON o.id = cp.offering_id "
        "WHERE cp.client_id = $1 AND cp.sessions_remaining > 0 ORDER BY o.name",
        client_id,
    )


async def client_membership(conn: asyncpg.Connection, client_id: UUID) -> asyncpg.Record | None:
    """The client's membership tier, if any."""
    return await conn.fetchrow(
        "SELECT m.name, m.discount_percent, m.covered_service_ids FROM client_memberships cm "
        "JOIN memberships m ON m.id = cm.membership_id WHERE cm.client_id = $1 AND m.active",
        client_id,
    )


async def package_offers(conn: asyncpg.Connection, spa_id: str, service_id: UUID) -> list[asyncpg.Record]:
    """Packages the spa sells for a service."""
    return await conn.fetch(  # type: ignore[no-any-return]
        "SELECT name, sessions, price_cents FROM package_offerings "
        "WHERE spa_id = $1 AND service_id = $2 AND active ORDER BY sessions",
        spa_id,
        service_id,
    )
