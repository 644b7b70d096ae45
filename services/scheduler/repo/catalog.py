"""The spa's catalog read back for the in-memory cache, and weekly hours in their stored form."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import Any

import asyncpg

from services.scheduler.domain import (
    Closure,
    Interval,
    MembershipDef,
    ProviderDef,
    Rules,
    ServiceDef,
    SpaCatalog,
)
from services.scheduler.spafile import parse_hours

# ----- hours as JSON (canonical, so a reload compares equal) -----


def clock_text(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


def spans_json(spans: Sequence[Interval]) -> list[list[str]]:
    """A day's spans in their stored form: [["09:00", "17:00"], ...]."""
    return [[clock_text(a), clock_text(b)] for a, b in spans]


def _spans_from_json(spans: list[list[str]]) -> list[Interval]:
    return parse_hours([f"{a}-{b}" for a, b in spans])


def hours_json(week: dict[int, list[Interval]]) -> dict[str, list[list[str]]]:
    """Weekly hours in their stored form: {"0": [["09:00", "17:00"]], ...}."""
    return {str(d): spans_json(spans) for d, spans in sorted(week.items())}


def closures_json(closures: dict[date, Closure]) -> list[dict[str, Any]]:
    """The spa's closures in their stored form, by date."""
    return [
        {"date": d.isoformat(), "hours": spans_json(c.hours), "reason": c.reason}
        for d, c in sorted(closures.items())
    ]


def _closures_from_json(value: list[dict[str, Any]]) -> dict[date, Closure]:
    closures = (
        Closure(date.fromisoformat(c["date"]), tuple(_spans_from_json(c["hours"])), c["reason"])
        for c in value
    )
    return {c.day: c for c in closures}


def _week_from_json(value: dict[str, list[list[str]]]) -> dict[int, list[Interval]]:
    return {int(d): _spans_from_json(spans) for d, spans in value.items()}


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
            about=r["about"],
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
            exceptions={date.fromisoformat(e["date"]): _spans_from_json(e["hours"]) for e in r["exceptions"]},
            credentials=tuple(r["credentials"]),
        )
        for r in await conn.fetch("SELECT * FROM providers WHERE spa_id = $1 AND active", spa_id)
    }
    memberships = tuple(
        MembershipDef(
            name=r["name"],
            monthly_price_cents=r["monthly_price_cents"],
            discount_percent=r["discount_percent"],
            covered_service_ids=tuple(r["covered_service_ids"]),
        )
        for r in await conn.fetch(
            "SELECT name, monthly_price_cents, discount_percent, covered_service_ids FROM memberships "
            "WHERE spa_id = $1 AND active ORDER BY key",
            spa_id,
        )
    )
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
        closures=_closures_from_json(spa["closures"]),
        version=spa["version"],
        memberships=memberships,
    )
