"""The availability search: open slots with qualified providers, or alternatives on other days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from services.scheduler import domain, repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import InvalidRequest, ServiceNotFound
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.envelope import utcnow
from shared.contracts.tools import AvailabilityFound, FindAvailability, TimePreference

ASAP_CHUNK_DAYS = 3


@dataclass(frozen=True)
class Search:
    """What one availability search walks: the service, its providers, the preference and limits."""

    spa: SpaCatalog
    service: domain.ServiceDef
    providers: list[domain.ProviderDef]
    pref: TimePreference
    window: domain.Window
    excluded: frozenset[datetime]
    limit: int


async def _gather(
    conn: asyncpg.Connection, search: Search, days: list[date], *, stop_early: bool
) -> list[domain.Candidate]:
    # Bookings are read chunk by chunk for the days being considered only, so a 90-day horizon costs
    # one small indexed query when the first days have room.
    spa, tz = search.spa, search.spa.tz
    ids = [p.id for p in search.providers]
    found: list[domain.Candidate] = []
    days_with_slots = 0
    chunk = ASAP_CHUNK_DAYS if stop_early else max(len(days), 1)
    for i in range(0, len(days), chunk):
        part = days[i : i + chunk]
        start = domain.local_at(min(part), domain.time(0), tz)
        end = domain.local_at(max(part) + timedelta(days=1), domain.time(0), tz)
        busy = await repo.busy(conn, ids, start, end)
        for day in part:
            cands = domain.day_candidates(
                spa, search.service, search.providers, day, search.pref, search.window, busy, search.excluded
            )
            if cands:
                days_with_slots += 1
                found.extend(cands)
            if stop_early and domain.enough(found, days_with_slots, search.limit):
                return found
    return found


def _providers_for(
    spa: SpaCatalog, service: domain.ServiceDef, provider_id: UUID | None
) -> list[domain.ProviderDef]:
    """The qualified providers, or only the one asked for (who must be qualified)."""
    if provider_id is None:
        return spa.qualified(service)
    provider = spa.providers.get(provider_id)
    if provider is None:
        raise InvalidRequest("no such provider at this spa", "provider_id")
    if not provider.can_perform(service):
        raise InvalidRequest("that provider does not perform this service", "provider_id")
    return [provider]


async def find_availability(
    req: FindAvailability, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Open slots with qualified providers; alternatives on other days when the asked days are full.

    `provider_id` narrows to one provider, `after` keeps only later starts, `exclude_starts` are never
    offered again; alternatives honour all three.
    """
    service = spa.services.get(req.service_id)
    if service is None:
        raise ServiceNotFound()
    search = Search(
        spa=spa,
        service=service,
        providers=_providers_for(spa, service, req.provider_id),
        pref=req.preference,
        window=domain.Window.of(spa, req.now or utcnow(), req.after),
        excluded=frozenset(req.exclude_starts),
        limit=req.limit,
    )
    days = domain.requested_days(search.pref, search.window)
    cands = await _gather(conn, search, days, stop_early=not search.pref.dates)
    exact = True
    if not cands and (domain.has_day_constraint(search.pref) or req.after or req.provider_id):
        exact = False
        alternatives = domain.alternative_days(search.pref, search.window)
        cands = await _gather(conn, search, alternatives, stop_early=True)
    spread = search.pref.target_time is None
    options = [domain.to_option(spa, service, c) for c in domain.choose(cands, req.limit, spread=spread)]
    summary = {
        "options": len(options),
        "exact": exact,
        "slots": [{"provider_id": str(o.provider_id), "start": o.start.isoformat()} for o in options],
    }
    return Served(AvailabilityFound(options=options, timezone=spa.timezone, exact=exact), summary)
