"""Loading a spa file: the spa, its catalog, providers, packages, memberships and seed clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from services.scheduler.repo.catalog import closures_json, hours_json, spans_json
from services.scheduler.spafile import SpaFile, cents, weekly_hours
from shared.ids import client_ref


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
        "about",
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
        "closures": closures_json(spa.closure_map()),
    }
    old = await conn.fetchrow("SELECT * FROM spas WHERE id = $1 FOR UPDATE", spa.id)
    spa_counts = Counts()
    if old is None:
        await conn.execute(
            "INSERT INTO spas (id, name, timezone, address, parking_note, help_text, opening_hours, rules, "
            "languages, closures) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            spa.id,
            *spa_row.values(),
        )
        report.created = True
        spa_counts.added = 1
    elif any(old[k] != v for k, v in spa_row.items()):
        await conn.execute(
            "UPDATE spas SET name = $2, timezone = $3, address = $4, parking_note = $5, help_text = $6, "
            "opening_hours = $7, rules = $8, languages = $9, closures = $10 WHERE id = $1",
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
                "about": s.about,
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
                    {"date": day.isoformat(), "hours": spans_json(spans)}
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
