"""The availability search: open slots with qualified providers, or alternatives on other days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from services.scheduler import domain, repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import InvalidRequest, ServiceNotFound
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.envelope import utcnow
from shared.contracts.tools import (
    AvailabilityFound,
    FindAvailability,
    FindAvailabilityByWeek,
    SlotOption,
    TimePreference,
    WeeklyAvailability,
)

ASAP_CHUNK_DAYS = 3
# find_availability_by_week: the days of one set (a week, a weekend, two Tuesdays) at most.
MAX_DAYS_PER_WEEK_SET = 14


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


@dataclass
class Gathered:
    """Candidates found so far, and on how many days."""

    found: list[domain.Candidate]
    days_with_slots: int = 0

    def add(self, search: Search, days: list[date], busy: domain.Busy, *, stop_early: bool) -> bool:
        """Add each day's open slots in order; True once there is enough to choose from (`stop_early`:
        the client named no days, so the first days with room will do)."""
        for day in days:
            cands = domain.day_candidates(
                search.spa,
                search.service,
                search.providers,
                day,
                search.pref,
                search.window,
                busy,
                search.excluded,
            )
            if cands:
                self.days_with_slots += 1
                self.found.extend(cands)
            if stop_early and domain.enough(self.found, self.days_with_slots, search.limit):
                return True
        return False


async def _gather(
    conn: asyncpg.Connection, search: Search, days: list[date], *, stop_early: bool
) -> list[domain.Candidate]:
    # Bookings are read chunk by chunk for the days being considered only, so a 90-day horizon costs
    # one small indexed query when the first days have room.
    gathered = Gathered([])
    chunk = ASAP_CHUNK_DAYS if stop_early else max(len(days), 1)
    for i in range(0, len(days), chunk):
        part = days[i : i + chunk]
        if gathered.add(search, part, await _busy(conn, search, part), stop_early=stop_early):
            break
    return gathered.found


async def _busy(conn: asyncpg.Connection, search: Search, days: list[date]) -> domain.Busy:
    """The search's providers' blocked times over the local days from the first to the last of `days`."""
    tz = search.spa.tz
    start = domain.local_at(min(days), domain.time(0), tz)
    end = domain.local_at(max(days) + timedelta(days=1), domain.time(0), tz)
    return await repo.busy(conn, [p.id for p in search.providers], start, end)


def _options(search: Search, cands: list[domain.Candidate]) -> list[SlotOption]:
    """The best `limit` candidates as options, spread over the day when no time was named."""
    chosen = domain.choose(cands, search.limit, spread=search.pref.target_time is None)
    return [domain.to_option(search.spa, search.service, c) for c in chosen]


def _providers_for(
    spa: SpaCatalog, service: domain.ServiceDef, provider_id: UUID | None, ruled_out: Sequence[UUID] = ()
) -> list[domain.ProviderDef]:
    """The qualified providers but those the client ruled out, or only the one asked for (who must be
    qualified)."""
    if provider_id is None:
        return [p for p in spa.qualified(service) if p.id not in ruled_out]
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
        providers=_providers_for(spa, service, req.provider_id, req.exclude_provider_ids),
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
    options = _options(search, cands)
    summary = {
        "options": len(options),
        "exact": exact,
        "slots": [{"provider_id": str(o.provider_id), "start": o.start.isoformat()} for o in options],
    }
    return Served(AvailabilityFound(options=options, timezone=spa.timezone, exact=exact), summary)


async def find_availability_by_week(
    req: FindAvailabilityByWeek, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The same search on several sets of days (a full Monday, then the Mondays after it): one answer
    per set, each on its own days only, from one read of the bookings over all of them."""
    service = spa.services.get(req.service_id)
    if service is None:
        raise ServiceNotFound()
    if any(not (pref.dates or (pref.date_from and pref.date_to)) for pref in req.preferences):
        raise InvalidRequest(
            "each preference names its days: dates, or a date_from and a date_to", "preferences"
        )
    providers = _providers_for(spa, service, req.provider_id, req.exclude_provider_ids)
    window = domain.Window.of(spa, req.now or utcnow(), None)
    searches = [
        Search(spa, service, providers, pref, window, frozenset(req.exclude_starts), req.limit)
        for pref in req.preferences
    ]
    sets = [domain.requested_days(pref, window) for pref in req.preferences]
    if any(len(days) > MAX_DAYS_PER_WEEK_SET for days in sets):
        raise InvalidRequest(f"each set of days is {MAX_DAYS_PER_WEEK_SET} days at most", "preferences")
    every_day = [day for days in sets for day in days]
    busy = await _busy(conn, searches[0], every_day) if every_day else {}
    weeks = []
    for search, days in zip(searches, sets, strict=True):
        gathered = Gathered([])
        gathered.add(search, days, busy, stop_early=not search.pref.dates)
        options = _options(search, gathered.found)
        weeks.append(AvailabilityFound(options=options, timezone=spa.timezone, exact=bool(options)))
    summary = {"weeks": [{"options": len(w.options), "first": _first_start(w)} for w in weeks]}
    return Served(WeeklyAvailability(weeks=weeks), summary)


def _first_start(found: AvailabilityFound) -> str | None:
    return found.options[0].start.isoformat() if found.options else None
