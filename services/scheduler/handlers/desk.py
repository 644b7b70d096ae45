"""What the staff desk's use cases share: who acts, the checks on a provider and a time, a booking
as staff see it, and a booking locked for a change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from services.scheduler import booking_rules, domain, repo
from services.scheduler.domain import ProviderDef, ServiceDef, SpaCatalog
from services.scheduler.errors import InvalidRequest, NotFound, ServiceNotFound
from services.scheduler.model import Booking
from services.scheduler.repo import desk as desk_repo
from shared.contracts.desk import BookingDetails
from shared.contracts.tools import ToolRequest


def acting(req: ToolRequest) -> str:
    """Who acts, as the rows record it ("staff:<user id>" or "agent:<conversation>"); refused otherwise."""
    actor = req.actor
    if actor.staff_user:
        return f"staff:{actor.staff_user}"
    if actor.service == "agent" and actor.conversation_id:
        return f"agent:{actor.conversation_id}"
    raise InvalidRequest("a staff desk request names the staff user who acts", "actor.staff_user")


def service_for(spa: SpaCatalog, service_id: UUID, field: str = "service_id") -> ServiceDef:
    """The spa's service, or ServiceNotFound."""
    service = spa.services.get(service_id)
    if service is None:
        raise ServiceNotFound(field=field)
    return service


def provider_for(spa: SpaCatalog, provider_id: UUID, service: ServiceDef | None = None) -> ProviderDef:
    """The spa's provider (qualified for the service when one is given)."""
    provider = spa.providers.get(provider_id)
    if provider is None:
        raise NotFound("no such provider at this spa", "provider_id")
    if service is not None and not provider.can_perform(service):
        raise InvalidRequest("that provider does not perform this service", "provider_id")
    return provider


def bookable_end(
    spa: SpaCatalog, service: ServiceDef, provider: ProviderDef, start: datetime, now: datetime
) -> datetime:
    """The end of an appointment staff book at `start`: in the future, inside the provider's hours."""
    booking_rules.check_new_start(start, now)
    end = start + timedelta(minutes=service.duration_minutes)
    if not domain.slot_fits_hours(spa, provider, start, end):
        raise InvalidRequest("outside the provider's working hours", "start")
    return end


def blocked_until(spa: SpaCatalog, end: datetime) -> datetime:
    """The end of the time a booking keeps: the appointment plus the spa's buffer."""
    return end + timedelta(minutes=spa.rules.buffer_minutes)


async def locked_booking(
    conn: asyncpg.Connection, spa: SpaCatalog, booking_id: UUID, also: UUID | None = None
) -> Booking:
    """The spa's booking, after its provider's lock (and `also`'s, in order), row-locked."""
    provider_id = await desk_repo.booking_provider(conn, spa.id, booking_id)
    if provider_id is None:
        raise NotFound("no such booking at this spa", "booking_id")
    await repo.lock_providers(conn, [provider_id] if also is None else [provider_id, also])
    booking = await desk_repo.booking_for_update(conn, spa.id, booking_id)
    if booking is None:
        raise NotFound("no such booking at this spa", "booking_id")
    return booking


def details(spa: SpaCatalog, booking: Booking) -> BookingDetails:
    """The booking as staff see it."""
    service = spa.services.get(booking.service_id)
    provider = spa.providers.get(booking.provider_id)
    return BookingDetails(
        booking_id=booking.id,
        client_id=booking.client_id,
        client_name=booking.client_name,
        service_id=booking.service_id,
        service_name=service.name if service else "",
        provider_id=booking.provider_id,
        provider_first_name=provider.first_name if provider else "",
        start=booking.start,
        end=booking.end,
        local_label=domain.local_label(booking.start, spa.tz),
        status=booking.status,
        covered_by_package=booking.covered_by_package,
        package_session_used=booking.package_session_used,
        rescheduled_from=booking.rescheduled_from,
        rescheduled_to=booking.rescheduled_to,
    )


def summary_of(booking: Booking) -> dict[str, Any]:
    """What the audit record says of a booking: ids, time and status, never the client's name."""
    return {
        "booking_id": str(booking.id),
        "provider_id": str(booking.provider_id),
        "service_id": str(booking.service_id),
        "start": booking.start.isoformat(),
        "status": booking.status,
    }
