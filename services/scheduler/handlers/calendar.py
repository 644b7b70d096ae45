"""The calendar: per provider, working hours, bookings, live holds and blocks for a range of days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import TypeVar
from uuid import UUID

import asyncpg

from services.scheduler import domain, repo
from services.scheduler.domain import ProviderDef, SpaCatalog
from services.scheduler.errors import NotFound
from services.scheduler.handlers.desk import acting, details
from services.scheduler.handlers.ports import Ports, Served
from services.scheduler.handlers.provider_time import block_info
from services.scheduler.model import Block, Booking, LiveHold
from services.scheduler.repo import desk as desk_repo
from shared.contracts.desk import (
    CalendarFound,
    CalendarHold,
    ClientBookingsFound,
    GetCalendar,
    GetClientBookings,
    ProviderCalendar,
    TimeRange,
)
from shared.contracts.envelope import utcnow

Timed = TypeVar("Timed", Booking, LiveHold, Block)


async def calendar(req: GetCalendar, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports) -> Served:
    """The spa's local days date_from..date_to; moved bookings show as their new booking only."""
    acting(req)
    last = req.date_to or req.date_from
    providers = _providers(spa, req.provider_ids)
    ids = [p.id for p in providers]
    start = domain.local_at(req.date_from, time(0), spa.tz)
    end = domain.local_at(last + timedelta(days=1), time(0), spa.tz)
    bookings = await desk_repo.calendar_bookings(conn, spa.id, ids, start, end)
    holds = await desk_repo.calendar_holds(conn, spa.id, ids, start, end)
    blocks = await desk_repo.calendar_blocks(conn, spa.id, ids, start, end)
    booked, held, blocked = _by_provider(bookings), _by_provider(holds), _by_provider(blocks)
    per_provider = [
        ProviderCalendar(
            provider_id=p.id,
            first_name=p.first_name,
            working=_working(spa, p, req.date_from, last),
            bookings=[details(spa, b) for b in booked[p.id]],
            holds=[_hold(spa, h) for h in held[p.id]],
            blocks=[block_info(spa, k) for k in blocked[p.id]],
        )
        for p in providers
    ]
    result = CalendarFound(
        timezone=spa.timezone, date_from=req.date_from, date_to=last, providers=per_provider
    )
    summary = {
        "date_from": req.date_from.isoformat(),
        "date_to": last.isoformat(),
        "providers": len(providers),
        "bookings": len(bookings),
        "holds": len(holds),
        "blocks": len(blocks),
    }
    return Served(result, summary)


async def client_bookings(
    req: GetClientBookings, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The client's bookings that have not started (any status), soonest first."""
    acting(req)
    client_id = req.client_id
    if req.phone is not None:
        client_id = await repo.client_by_phone(conn, spa.id, req.phone)
        if client_id is None:  # nobody with that number yet: no bookings, and no client made for it
            return Served(ClientBookingsFound(bookings=[]), {"bookings": []})
    elif client_id is None or await repo.client_ref_of(conn, spa.id, client_id) is None:
        raise NotFound("no such client at this spa", "client_id")
    bookings = await desk_repo.client_bookings(conn, spa.id, client_id, utcnow(), req.limit)
    summary = {"bookings": [str(b.id) for b in bookings]}
    result = ClientBookingsFound(bookings=[details(spa, b) for b in bookings])
    return Served(result, summary, client_id=client_id)


def _by_provider(items: Iterable[Timed]) -> defaultdict[UUID, list[Timed]]:
    grouped: defaultdict[UUID, list[Timed]] = defaultdict(list)
    for item in items:
        grouped[item.provider_id].append(item)
    return grouped


def _providers(spa: SpaCatalog, wanted: list[UUID]) -> list[ProviderDef]:
    """The providers asked for (each must be the spa's), or all of them, in a stable order."""
    if not wanted:
        return sorted(spa.providers.values(), key=lambda p: p.key)
    for i, provider_id in enumerate(wanted):
        if provider_id not in spa.providers:
            raise NotFound("no such provider at this spa", f"provider_ids.{i}")
    return [spa.providers[p] for p in dict.fromkeys(wanted)]


def _working(spa: SpaCatalog, provider: ProviderDef, first: date, last: date) -> list[TimeRange]:
    """The provider's working hours inside the spa's opening hours, day by day."""
    out: list[TimeRange] = []
    tz = spa.tz
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        for a, b in domain.intersect(provider.hours_on(day), spa.open_on(day)):
            out.append(TimeRange(start=domain.local_at(day, a, tz), end=domain.local_at(day, b, tz)))
    return out


def _hold(spa: SpaCatalog, hold: LiveHold) -> CalendarHold:
    service = spa.services.get(hold.service_id)
    return CalendarHold(
        hold_id=hold.id,
        client_id=hold.client_id,
        client_name=hold.client_name,
        service_id=hold.service_id,
        service_name=service.name if service else "",
        start=hold.start,
        end=hold.end,
        expires_at=hold.expires_at,
    )
