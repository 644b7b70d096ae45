"""The calendar in the inbox: day and week views per provider, and the desk's booking operations.

Reads and changes go to the scheduler (the spa's system of record) through its desk tools; each
change also tells every open inbox of the spa (live updates, like the conversation list).
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime, BaseModel

from services.escalation import repo
from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from services.escalation.scheduler_desk import DeskRefused, SchedulerDesk
from services.escalation.signin import Gate
from shared.contracts.desk import BlockReason, CancelReason, SettableStatus, WalkInClient
from shared.contracts.envelope import InboundPayload
from shared.contracts.tools import TimePreference


class NewBooking(InboundPayload):
    """A phone or walk-in client booked by staff into free space."""

    service_id: UUID
    provider_id: UUID
    start: AwareDatetime
    client: WalkInClient


class StatusChange(InboundPayload):
    status: SettableStatus


class Cancel(InboundPayload):
    reason: CancelReason = "client_asked"


class Move(InboundPayload):
    start: AwareDatetime
    provider_id: UUID | None = None


class NewBlock(InboundPayload):
    provider_id: UUID
    start: AwareDatetime
    end: AwareDatetime
    reason: BlockReason = "time_off"


def out(value: BaseModel) -> dict[str, Any]:
    """A scheduler result as JSON."""
    return value.model_dump(mode="json")


async def desk_call(desk: SchedulerDesk, name: str, user: StaffUser, **fields: Any) -> Any:
    """A desk tool call; a refusal becomes the HTTP answer staff see."""
    try:
        return await desk.call(name, user, **fields)
    except DeskRefused as exc:
        raise HTTPException(exc.status, {"code": exc.code, "message": str(exc)}) from None


async def changed(ports: Ports, user: StaffUser) -> None:
    """Every open inbox of the spa refreshes its calendar."""
    async with ports.pool.acquire() as conn:
        await repo.notify(conn, "calendar", user.tenant_id, None)


def calendar_router(ports: Callable[[], Ports], desk: Callable[[], SchedulerDesk], gate: Gate) -> APIRouter:
    """The calendar's reads and changes."""
    router = APIRouter(tags=["calendar"])
    _calendar_reads(router, desk, gate)
    _booking_changes(router, ports, desk, gate)
    _block_changes(router, ports, desk, gate)
    return router


def _calendar_reads(router: APIRouter, desk: Callable[[], SchedulerDesk], gate: Gate) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.get("/api/calendar", summary="Bookings, holds and blocks per provider for a day or a week")
    async def calendar(
        user: Staff,
        start: date,
        days: Annotated[int, Query(ge=1, le=7)] = 1,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        if tenant is not None and tenant != user.tenant_id:
            raise HTTPException(403, "this belongs to another spa")
        found = await desk_call(
            desk(), "calendar", user, date_from=start, date_to=start + timedelta(days=days - 1)
        )
        return out(found)

    @router.get("/api/catalog", summary="The spa's services and providers (for the booking form)")
    async def catalog(user: Staff) -> dict[str, Any]:
        profile = await desk_call(desk(), "spa_profile", user)
        return {
            "timezone": profile.timezone,
            "services": [out(s) for s in profile.services],
            "providers": [
                {"provider_id": str(p.provider_id), "first_name": p.first_name} for p in profile.providers
            ],
        }

    @router.get("/api/slots", summary="Free times for a service on a day, from the live calendar")
    async def slots(
        user: Staff, service_id: UUID, day: date, provider_id: UUID | None = None
    ) -> dict[str, Any]:
        found = await desk_call(
            desk(),
            "find_availability",
            user,
            service_id=service_id,
            provider_id=provider_id,
            preference=TimePreference(dates=[day]),
            limit=10,
        )
        return out(found)


def _booking_changes(
    router: APIRouter, ports: Callable[[], Ports], desk: Callable[[], SchedulerDesk], gate: Gate
) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.post("/api/bookings", summary="Book a phone or walk-in client")
    async def book(user: Staff, payload: NewBooking) -> dict[str, Any]:
        made = await desk_call(desk(), "book_for_client", user, **payload.model_dump())
        await changed(ports(), user)
        return out(made)

    @router.post("/api/bookings/{booking_id}/status", summary="Checked in, completed or no-show")
    async def status(user: Staff, booking_id: UUID, payload: StatusChange) -> dict[str, Any]:
        result = await desk_call(
            desk(), "set_booking_status", user, booking_id=booking_id, status=payload.status
        )
        await changed(ports(), user)
        return out(result)

    @router.post("/api/bookings/{booking_id}/cancel", summary="Cancel a booking")
    async def cancel(user: Staff, booking_id: UUID, payload: Cancel) -> dict[str, Any]:
        result = await desk_call(desk(), "cancel_booking", user, booking_id=booking_id, reason=payload.reason)
        await changed(ports(), user)
        return out(result)

    @router.post("/api/bookings/{booking_id}/reschedule", summary="Move a booking (new time taken first)")
    async def reschedule(user: Staff, booking_id: UUID, payload: Move) -> dict[str, Any]:
        result = await desk_call(
            desk(), "reschedule_booking", user, booking_id=booking_id, **payload.model_dump()
        )
        await changed(ports(), user)
        return out(result)


def _block_changes(
    router: APIRouter, ports: Callable[[], Ports], desk: Callable[[], SchedulerDesk], gate: Gate
) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.post("/api/blocks", summary="Block a provider's time (time off, a break)")
    async def block(user: Staff, payload: NewBlock) -> dict[str, Any]:
        result = await desk_call(desk(), "block_provider_time", user, **payload.model_dump())
        await changed(ports(), user)
        return out(result)

    @router.post("/api/blocks/{block_id}/remove", summary="Remove a block")
    async def unblock(user: Staff, block_id: UUID) -> dict[str, Any]:
        result = await desk_call(desk(), "unblock_provider_time", user, block_id=block_id)
        await changed(ports(), user)
        return out(result)
