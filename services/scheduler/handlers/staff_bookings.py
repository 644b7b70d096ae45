"""Staff booking operations: cancel, reschedule, book a phone or walk-in client, status on the day."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import asyncpg

from services.scheduler import booking_rules, repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import InvalidRequest, NotFound
from services.scheduler.handlers.bookings import covering_package
from services.scheduler.handlers.desk import (
    acting,
    blocked_until,
    bookable_end,
    details,
    locked_booking,
    provider_for,
    service_for,
    summary_of,
)
from services.scheduler.handlers.ports import Ports, Served
from services.scheduler.model import Booking, Client, ClientPackage
from services.scheduler.repo import desk as desk_repo
from shared.contracts.desk import (
    BookForClient,
    BookingCancelled,
    BookingMade,
    BookingRescheduled,
    BookingStatusSet,
    CancelBooking,
    RescheduleBooking,
    SetBookingStatus,
)
from shared.contracts.envelope import utcnow
from shared.ids import client_ref


async def cancel_booking(
    req: CancelBooking, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Cancel a booking that has not started: its time is free again at once."""
    by = acting(req)
    booking = await locked_booking(conn, spa, req.booking_id)
    changed = booking_rules.check_cancel(booking, utcnow())
    if changed:
        booking = await desk_repo.set_booking_status(conn, booking, "cancelled", by, req.reason)
    summary = {**summary_of(booking), "changed": changed, "reason": req.reason}
    return Served(
        BookingCancelled(booking=details(spa, booking), changed=changed), summary, client_id=booking.client_id
    )


async def reschedule_booking(
    req: RescheduleBooking, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Move a booking in one transaction: the old booking is set aside and the new time booked under
    the same constraints; when the new time is taken the transaction rolls back and the old stands."""
    by = acting(req)
    booking = await locked_booking(conn, spa, req.booking_id, also=req.provider_id)
    provider_id = req.provider_id or booking.provider_id
    if booking.status == "rescheduled" and booking.rescheduled_to is not None:
        moved = await desk_repo.booking_for_update(conn, spa.id, booking.rescheduled_to)
        if moved is not None and moved.start == req.start and moved.provider_id == provider_id:
            return _rescheduled(spa, booking, moved, changed=False)
    now = utcnow()
    booking_rules.check_move(booking, now)
    service = service_for(spa, booking.service_id)
    provider = provider_for(spa, provider_id, service)
    end = bookable_end(spa, service, provider, req.start, now)
    if req.start == booking.start and provider.id == booking.provider_id:
        raise InvalidRequest("that is the booking's time already", "start")
    # Set aside first, so a move within its own time (half an hour later) does not collide with itself.
    old = await desk_repo.set_booking_status(conn, booking, "rescheduled", by)
    new = await desk_repo.insert_staff_booking(
        conn,
        spa_id=spa.id,
        client_id=booking.client_id,
        provider_id=provider.id,
        service_id=service.id,
        start=req.start,
        end=end,
        blocked_until=blocked_until(spa, end),
        covered_by_package=booking.covered_by_package,
        by=by,
        request_id=req.id,
        rescheduled_from=booking.id,
    )
    await desk_repo.link_rescheduled(conn, old.id, new.id)
    return _rescheduled(spa, replace(old, rescheduled_to=new.id), new, changed=True)


def _rescheduled(spa: SpaCatalog, old: Booking, new: Booking, *, changed: bool) -> Served:
    summary = {"old": summary_of(old), "new": summary_of(new), "changed": changed}
    result = BookingRescheduled(old=details(spa, old), new=details(spa, new), changed=changed)
    return Served(result, summary, client_id=new.client_id)


async def book_for_client(
    req: BookForClient, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Staff book a client who phoned or walked in; the same request again is the same booking."""
    by = acting(req)
    service = service_for(spa, req.service_id)
    provider = provider_for(spa, req.provider_id, service)
    # After the provider's lock, so a retry racing the first attempt finds what that one booked.
    await repo.lock_providers(conn, [provider.id])
    made = await desk_repo.booking_by_request(conn, spa.id, req.id)
    if made is not None:
        return _made(spa, made, None, is_new=False)
    end = bookable_end(spa, service, provider, req.start, utcnow())
    client = await _client_for(req, conn, spa, ports)
    covered = await covering_package(conn, client.id, service.id)
    booking = await desk_repo.insert_staff_booking(
        conn,
        spa_id=spa.id,
        client_id=client.id,
        provider_id=provider.id,
        service_id=service.id,
        start=req.start,
        end=end,
        blocked_until=blocked_until(spa, end),
        covered_by_package=covered.name if covered else None,
        by=by,
        request_id=req.id,
    )
    return _made(spa, booking, client.ref, is_new=client.is_new)


def _made(spa: SpaCatalog, booking: Booking, ref: str | None, *, is_new: bool) -> Served:
    summary = {
        **summary_of(booking),
        "client_is_new": is_new,
        "covered_by_package": booking.covered_by_package is not None,
    }
    result = BookingMade(booking=details(spa, booking), client_is_new=is_new)
    return Served(result, summary, client_id=booking.client_id, client_ref=ref)


async def _client_for(req: BookForClient, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports) -> Client:
    """The client staff named: by id, by number (created when new), or by a name only one client has."""
    if req.client_id is not None:
        ref = await repo.client_ref_of(conn, spa.id, req.client_id)
        if ref is None:
            raise NotFound("no such client at this spa", "client_id")
        return Client(req.client_id, None, ref)
    assert req.client is not None
    if req.client.phone is not None:
        ref = client_ref(ports.id_hash_key, spa.id, req.client.phone)
        return await repo.lookup_or_create_client(conn, spa.id, req.client.phone, req.client.name, ref)
    assert req.client.name is not None
    named = await desk_repo.clients_named(conn, spa.id, req.client.name)
    if len(named) > 1:
        raise InvalidRequest("several clients have that name: give their phone number", "client.name")
    if named:
        return named[0]
    client_id = uuid4()
    ref = client_ref(ports.id_hash_key, spa.id, f"walk-in:{client_id}")
    return await desk_repo.create_client_without_phone(conn, spa.id, client_id, req.client.name, ref)


async def set_booking_status(
    req: SetBookingStatus, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Check in, complete or mark a no-show; completing a package booking uses one session, once."""
    by = acting(req)
    booking = await locked_booking(conn, spa, req.booking_id)
    changed = booking_rules.check_status_change(booking, req.status, utcnow(), spa.tz)
    remaining = None
    if changed:
        booking = await desk_repo.set_booking_status(conn, booking, req.status, by)
        if req.status == "completed" and booking.covered_by_package and not booking.package_session_used:
            package = await _package_of(conn, booking)
            if package is not None:
                remaining = await desk_repo.use_package_session(conn, booking.id, package.id, by)
                booking = replace(booking, package_session_used=remaining is not None)
    summary = {**summary_of(booking), "changed": changed, "package_session_used": remaining is not None}
    result = BookingStatusSet(
        booking=details(spa, booking), changed=changed, package_sessions_remaining=remaining
    )
    return Served(result, summary, client_id=booking.client_id)


async def _package_of(conn: asyncpg.Connection, booking: Booking) -> ClientPackage | None:
    """The client's package the booking is covered by: the one named on it, else any covering one."""
    if booking.client_id is None:
        return None
    covering = [
        p for p in await repo.client_packages(conn, booking.client_id) if p.service_id == booking.service_id
    ]
    named = [p for p in covering if p.name == booking.covered_by_package]
    return next(iter(named or covering), None)
