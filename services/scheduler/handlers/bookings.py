"""Use cases of the agent's booking flow: hold, confirm, release; the gateway's upcoming count."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg

from services.scheduler import domain, model, repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import HoldExpired, InvalidRequest, NotFound, ServiceNotFound, SlotTaken
from services.scheduler.handlers.ports import Ports, Served
from shared.contracts.envelope import utcnow
from shared.contracts.tools import (
    BookingRecord,
    ConfirmBooking,
    Hold,
    HoldSlots,
    HoldsReleased,
    ReleaseHolds,
    SlotsHeld,
    UpcomingBookings,
    UpcomingBookingsFound,
)
from shared.ids import client_ref


async def hold_slots(req: HoldSlots, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports) -> Served:
    """Hold what can still be held of the offered options; slot_taken when none can."""
    now = utcnow()
    window = domain.Window.of(spa, now)
    buffer = timedelta(minutes=spa.rules.buffer_minutes)
    for i, option in enumerate(req.options):
        service = spa.services.get(option.service_id)
        if service is None:
            raise ServiceNotFound(field=f"options.{i}.service_id")
        provider = spa.providers.get(option.provider_id)
        if provider is None or not provider.can_perform(service):
            raise InvalidRequest("provider is not qualified for this service", f"options.{i}.provider_id")
        if option.end - option.start != timedelta(minutes=service.duration_minutes):
            raise InvalidRequest("end does not match the service's duration", f"options.{i}.end")
        if not (window.earliest <= option.start < window.latest):
            raise InvalidRequest("start is outside the booking window", f"options.{i}.start")
        if not domain.slot_fits_hours(spa, provider, option.start, option.end):
            raise InvalidRequest("outside the provider's working hours", f"options.{i}.start")
    ref = None
    if req.client_id is not None:
        ref = await ports.client_refs.get(conn, spa.id, req.client_id)
        if ref is None:
            raise NotFound("no such client at this spa", "client_id")
    await repo.lock_providers(conn, (o.provider_id for o in req.options))
    await repo.expire_holds(conn, sorted({o.provider_id for o in req.options}))
    ttl = req.ttl_seconds or ports.hold_ttl_seconds
    holds: list[Hold] = []
    taken = 0
    for option in req.options:
        hold_id = uuid4()
        try:  # each in its own savepoint: one taken option does not undo the others
            expires = await repo.insert_hold(
                conn,
                hold_id=hold_id,
                spa_id=spa.id,
                client_id=req.client_id,
                provider_id=option.provider_id,
                service_id=option.service_id,
                start=option.start,
                end=option.end,
                blocked_until=option.end + buffer,
                ttl_seconds=ttl,
            )
        except SlotTaken:
            taken += 1
            continue
        label = option.local_label or domain.local_label(option.start, spa.tz)
        holds.append(
            Hold(hold_id=hold_id, option=option.model_copy(update={"local_label": label}), expires_at=expires)
        )
    if not holds:
        raise SlotTaken("every option was taken by someone else", "options")
    summary = {
        "hold_ids": [str(h.hold_id) for h in holds],
        "held": len(holds),
        "taken": taken,
        "ttl_seconds": ttl,
    }
    return Served(SlotsHeld(holds=holds), summary, client_id=req.client_id, client_ref=ref)


async def confirm_booking(
    req: ConfirmBooking, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Book a live hold; the same hold confirmed again returns the same booking."""
    # The provider's lock before the hold's row lock: the same order as hold_slots (provider, then rows).
    await repo.lock_hold_provider(conn, spa.id, req.hold_id)
    hold = await repo.hold_for_update(conn, spa.id, req.hold_id)
    if hold is None or (req.client_id is not None and hold.client_id not in (None, req.client_id)):
        raise NotFound("no such hold", "hold_id")
    # A hold is marked booked in the statement that books it, so only a booked hold has a booking.
    booking = await repo.booking_for_hold(conn, req.hold_id) if hold.status == "booked" else None
    if booking is None:
        if hold.status != "held" or hold.lapsed:
            raise HoldExpired(field="hold_id")
        covered = await covering_package(conn, hold.client_id, hold.service_id)
        try:
            # No savepoint of its own: serve_tool rolls the use case's transaction back on failure.
            booking = await repo.insert_booking(conn, hold, covered.name if covered else None)
        except SlotTaken as exc:
            raise SlotTaken("that time was just booked", "hold_id") from exc
    service = spa.services.get(booking.service_id)
    provider = spa.providers.get(booking.provider_id)
    result = BookingRecord(
        booking_id=booking.id,
        hold_id=req.hold_id,
        service_name=service.name if service else "",
        provider_first_name=provider.first_name if provider else "",
        start=booking.start,
        end=booking.end,
        local_label=domain.local_label(booking.start, spa.tz),
        address=spa.address,
        covered_by_package=booking.covered_by_package,
    )
    summary = {
        "booking_id": str(booking.id),
        "provider_id": str(booking.provider_id),
        "service_id": str(booking.service_id),
        "start": booking.start.isoformat(),
        "covered_by_package": booking.covered_by_package is not None,
    }
    return Served(result, summary, client_id=hold.client_id)


async def covering_package(
    conn: asyncpg.Connection, client_id: UUID | None, service_id: UUID
) -> model.ClientPackage | None:
    """The client's package with sessions left that covers the service, if any."""
    if client_id is None:
        return None
    return next((p for p in await repo.client_packages(conn, client_id) if p.service_id == service_id), None)


async def release_holds(
    req: ReleaseHolds, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Release holds the client did not choose."""
    released = await repo.release_holds(conn, spa.id, req.hold_ids, req.client_id)
    return Served(HoldsReleased(released=released), {"released": released}, client_id=req.client_id)


async def upcoming_bookings(
    req: UpcomingBookings, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """The gateway's question after a bare CANCEL: does this number have bookings ahead? (count only)"""
    if req.actor.service != "gateway":
        raise InvalidRequest("upcoming_bookings answers the gateway only", "actor.service")
    count, next_start = await repo.upcoming_bookings(conn, spa.id, req.phone, utcnow())
    ref = client_ref(ports.id_hash_key, spa.id, req.phone)
    return Served(UpcomingBookingsFound(count=count, next_start=next_start), {"count": count}, client_ref=ref)
