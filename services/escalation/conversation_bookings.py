"""Close the loop from a conversation: the client's upcoming bookings, cancelled or moved by staff.

After the change the client gets a confirmation text through the staff reply path (guarded by the
gateway, idempotent by the request id, audited), the conversation's open escalations are resolved,
and the AI resumes only when staff ask for it.
"""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID, uuid5

from fastapi import APIRouter, Depends, HTTPException
from pydantic import AwareDatetime

from services.escalation import handlers, repo
from services.escalation.accounts import StaffUser
from services.escalation.calendar import changed, desk_call, out
from services.escalation.handlers import Ports
from services.escalation.inbox import ConversationPath, TenantPath, act, own_spa
from services.escalation.scheduler_desk import SchedulerDesk
from services.escalation.signin import Gate
from shared.contracts.desk import BookingDetails
from shared.contracts.envelope import InboundPayload

# What the client is told after staff change a booking; {service}, {when}, {provider}, {spa}.
CONFIRMATIONS = {
    "cancelled": "Your {service} on {when} is cancelled. Text us any time to book again. - {spa}",
    "rescheduled": "Your {service} is now {when} with {provider}. Reply if that time doesn't work. - {spa}",
}


class ChangeRequest(InboundPayload):
    """A cancel from a conversation; `request_id` makes a double click one change and one text."""

    request_id: UUID
    resume_ai: bool = False


class MoveRequest(ChangeRequest):
    """A reschedule from a conversation, to a time the live calendar offered."""

    start: AwareDatetime
    provider_id: UUID | None = None


def confirmation(kind: str, booking: BookingDetails, spa_name: str) -> str:
    """The client's confirmation text of a change."""
    return CONFIRMATIONS[kind].format(
        service=booking.service_name,
        when=booking.local_label,
        provider=booking.provider_first_name,
        spa=spa_name,
    )


def conversation_bookings_router(
    ports: Callable[[], Ports], desk: Callable[[], SchedulerDesk], gate: Gate
) -> APIRouter:
    """Routes under a conversation for its client's bookings."""
    router = APIRouter(tags=["staff actions"])
    Staff = Annotated[StaffUser, Depends(gate.staff)]
    base = "/api/conversations/{tenant_id}/{conversation_id}/bookings"

    @router.get(base, summary="The client's upcoming bookings")
    async def upcoming(
        user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        bookings = await _clients_bookings(ports(), desk(), user, conversation_id)
        return {"bookings": [out(b) for b in bookings if b.status == "booked"]}

    @router.post(base + "/{booking_id}/cancel", summary="Cancel, text the client, resolve the escalation")
    async def cancel(
        user: Staff,
        tenant_id: TenantPath,
        conversation_id: ConversationPath,
        booking_id: UUID,
        payload: ChangeRequest,
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        booking = await _clients_booking(ports(), desk(), user, conversation_id, booking_id)
        result = await desk_call(
            desk(), "cancel_booking", user, conversation_id=conversation_id, booking_id=booking.booking_id
        )
        return await _close_loop(ports(), user, conversation_id, payload, "cancelled", result.booking)

    @router.post(base + "/{booking_id}/reschedule", summary="Move, text the client, resolve the escalation")
    async def reschedule(
        user: Staff,
        tenant_id: TenantPath,
        conversation_id: ConversationPath,
        booking_id: UUID,
        payload: MoveRequest,
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        booking = await _clients_booking(ports(), desk(), user, conversation_id, booking_id)
        result = await desk_call(
            desk(),
            "reschedule_booking",
            user,
            conversation_id=conversation_id,
            booking_id=booking.booking_id,
            start=payload.start,
            provider_id=payload.provider_id,
        )
        return await _close_loop(ports(), user, conversation_id, payload, "rescheduled", result.new)

    return router


async def _client_number(ports: Ports, tenant_id: str, conversation_id: str) -> str:
    async with ports.pool.acquire() as conn:
        row = await repo.get_conversation(conn, tenant_id, conversation_id)
    if row is None:
        raise HTTPException(404, "no such conversation")
    if not row["client_number"]:
        raise HTTPException(422, "this conversation has no client number on record")
    return str(row["client_number"])


async def _clients_bookings(
    ports: Ports, desk: SchedulerDesk, user: StaffUser, conversation_id: str
) -> list[BookingDetails]:
    """The client's bookings (any status) that have not started, soonest first."""
    phone = await _client_number(ports, user.tenant_id, conversation_id)
    # By number: looking at a conversation never creates a client for it.
    found = await desk_call(
        desk, "client_bookings", user, conversation_id=conversation_id, phone=phone, limit=50
    )
    return list(found.bookings)


async def _clients_booking(
    ports: Ports, desk: SchedulerDesk, user: StaffUser, conversation_id: str, booking_id: UUID
) -> BookingDetails:
    """One of this conversation's client's bookings ahead (a conversation acts on its own client only).

    A booking already cancelled or moved is found too, so a repeated request is the same change.
    """
    for booking in await _clients_bookings(ports, desk, user, conversation_id):
        if booking.booking_id == booking_id:
            return booking
    raise HTTPException(404, "no upcoming booking of this client with that id")


async def _close_loop(
    ports: Ports,
    user: StaffUser,
    conversation_id: str,
    payload: ChangeRequest,
    kind: str,
    booking: BookingDetails,
) -> dict[str, Any]:
    """Text the client, resolve the conversation's open escalations, resume the AI if asked."""
    staff = str(user.user_id)
    spa = ports.spas.get(user.tenant_id)
    body = confirmation(kind, booking, spa.name if spa else "")
    reply_id = uuid5(payload.request_id, f"{kind}:{booking.booking_id}")
    reply = await act(
        handlers.staff_reply(user.tenant_id, conversation_id, staff, body, ports=ports, request_id=reply_id)
    )
    async with ports.pool.acquire() as conn:
        open_ = await repo.list_escalations(
            conn, tenant_id=user.tenant_id, conversation_id=conversation_id, status="open"
        )
    for escalation in open_:
        await act(handlers.resolve(escalation["escalation_id"], staff, ports=ports))
    if payload.resume_ai:
        await act(handlers.resume_ai(user.tenant_id, conversation_id, staff, ports=ports))
    await changed(ports, user)
    return {
        "booking": out(booking),
        "confirmation_key": f"staff:{reply.id}",
        "resolved": len(open_),
        "ai_resumed": payload.resume_ai,
    }
