"""The staff inbox read model: texts in and out, delivery state, pause state, recovered bookings.

Each handler claims its message and updates the read model in one transaction (a text in or out, a
client's name or a booking in one statement), and the live inbox is told at commit. A handler raises
on bad input, so the message is redelivered and, after its attempts, dead-lettered where staff see it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog

from services.escalation import domain, drafts, paging, repo, spa_hours
from services.escalation.handlers import Ports
from shared.contracts.envelope import utcnow
from shared.contracts.sms import SendSms, SmsDeferred, SmsDeliveryUpdated, SmsReceived, SmsSendFailed, SmsSent
from shared.db import UnitOfWork, claim_message

log = structlog.get_logger()

# Durable consumer names; also the claim namespaces in processed_messages.
SMS_INBOUND = "escalation-inbox-sms-inbound"
SMS_OUTBOUND = "escalation-inbox-sms-outbound"
SMS_EVENTS = "escalation-inbox-sms-events"
CONVERSATIONS = "escalation-inbox-conversations"


async def record_inbound(message: SmsReceived, *, ports: Ports) -> None:
    """A client's text appears in its conversation."""
    async with ports.pool.acquire() as conn:
        await repo.record_inbound_text(
            conn,
            repo.Claim(SMS_INBOUND, str(message.id)),
            message.tenant_id,
            message.conversation_id,
            client_number=message.from_number,
            message_sid=message.message_sid,
            body=message.body,
            keyword=message.keyword,
            at=message.occurred_at,
            media_urls=message.media_urls,
        )


async def record_outbound_request(command: SendSms, *, ports: Ports) -> None:
    """A text the spa is about to send appears as queued (a page to on-call staff is not the client's)."""
    if command.purpose == "page":
        return
    async with ports.pool.acquire() as conn:
        await repo.record_outbound_text(
            conn,
            repo.Claim(SMS_OUTBOUND, str(command.id)),
            command.tenant_id,
            command.conversation_id,
            idempotency_key=command.idempotency_key,
            at=command.occurred_at,
            status="queued",
            client_number=command.to_number,
            body=command.body,
            purpose=command.purpose,
        )


SMS_EVENT_TYPES: dict[str, type[Any]] = {
    "sent": SmsSent,
    "failed": SmsSendFailed,
    "deferred": SmsDeferred,
    "status": SmsDeliveryUpdated,
}
DEFERRED = "waiting: the spa's daily send cap is reached"


async def record_sms_event(kind: str, data: dict[str, Any], *, ports: Ports) -> None:
    """Sent, failed, deferred and carrier status events update the texts staff see; others are ignored."""
    model = SMS_EVENT_TYPES.get(kind)
    if model is None:
        return
    event = model.model_validate(data)
    if paging.is_page(getattr(event, "idempotency_key", "")):
        return  # a page to on-call staff: not part of any client's transcript
    if isinstance(event, SmsDeliveryUpdated):
        await _record_delivery(event, ports)
        return
    assert event.conversation_id is not None
    async with ports.pool.acquire() as conn:
        await repo.record_outbound_text(
            conn,
            repo.Claim(SMS_EVENTS, str(event.id)),
            event.tenant_id,
            event.conversation_id,
            idempotency_key=event.idempotency_key,
            at=event.occurred_at,
            **_stage(event),
        )


def _stage(event: SmsSent | SmsSendFailed | SmsDeferred) -> dict[str, Any]:
    """How far a text the spa sends got: sent (with its text and carrier id), failed, or waiting."""
    if isinstance(event, SmsSent):
        return {"status": "sent", "body": event.body, "provider_sid": event.provider_sid}
    if isinstance(event, SmsSendFailed):
        error = f"{event.reason}" + (f" (error {event.error_code})" if event.error_code else "")
        return {"status": "failed" if event.permanent else "queued", "error": error}
    return {"status": "deferred", "error": DEFERRED}


async def _record_delivery(event: SmsDeliveryUpdated, ports: Ports) -> None:
    """The carrier's status of a sent text, shown on that text in its conversation."""
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        if not await claim_message(conn, SMS_EVENTS, str(event.id)):
            return
        tenant = event.tenant_id
        await repo.upsert_delivery(
            conn, tenant, event.provider_sid, event.status, event.error_code, event.occurred_at
        )
        conversation_id = event.conversation_id or await repo.conversation_of_delivery(
            conn, tenant, event.provider_sid
        )
        await repo.notify(conn, "message", tenant, conversation_id)


@dataclass(frozen=True)
class _Fact:
    """One conversation event as the read model folds it."""

    tenant_id: str
    conversation_id: str
    message_id: str
    data: dict[str, Any]
    at: datetime


async def record_conversation_event(
    tenant_id: str, conversation_id: str, data: dict[str, Any], *, ports: Ports
) -> None:
    """The agent's conversation events: bookings count as recovered; pauses, names and notes show.

    Tolerant on purpose: an event type this service does not know is skipped, not an error.
    """
    kind = domain.conversation_event_kind(data) or ""
    own = _ONE_STATEMENT.get(kind)
    if own is not None:
        await own(tenant_id, conversation_id, data, ports)
        return
    fold = _FOLDS.get(kind)
    if fold is None:
        return
    at = _occurred_at(data)
    message_id = _message_id(kind, conversation_id, data, at)
    async with UnitOfWork(ports.pool) as uow:
        if not await claim_message(uow.conn, CONVERSATIONS, message_id):
            return
        await fold(uow.conn, ports, _Fact(tenant_id, conversation_id, message_id, data, at))


def _message_id(kind: str, conversation_id: str, data: dict[str, Any], at: datetime) -> str:
    return str(data.get("id") or f"{kind}:{conversation_id}:{at.isoformat()}")


async def _record_booking(tenant_id: str, conversation_id: str, data: dict[str, Any], ports: Ports) -> None:
    """A booking the agent confirmed counts as recovered (after hours: outside the spa's opening hours).

    One statement: the claim, the booking (counted once) and the live notice.
    """
    booking = domain.booking_from_event(data)
    if booking is None:
        log.warning("inbox.booking_event_unreadable", conversation_id=conversation_id)
        return
    at = _occurred_at(data)
    spa = ports.spas.get(tenant_id)
    open_now = spa_hours.is_open(
        at,
        spa.timezone if spa else "UTC",
        spa.opening_hours if spa else {},
        ports.settings.inbox_business_hours,
    )
    claim = repo.Claim(CONVERSATIONS, _message_id("BookingConfirmed", conversation_id, data, at))
    async with ports.pool.acquire() as conn:
        await repo.record_booking(
            conn,
            claim,
            booking_id=booking.booking_id,
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            service_name=booking.service_name,
            price_cents=booking.price_cents,
            after_hours=not open_now,
            at=at,
            covered_by_package=_covered_by_package(data),
        )


def _covered_by_package(data: dict[str, Any]) -> str | None:
    """The package that paid for a booking (its session is not new revenue), when the event names one."""
    nested = data.get("booking") if isinstance(data.get("booking"), dict) else {}
    covered = data.get("covered_by_package") or nested.get("covered_by_package")
    return str(covered)[:200] if covered else None


async def _record_client_name(
    tenant_id: str, conversation_id: str, data: dict[str, Any], ports: Ports
) -> None:
    """The first name the client gave, so staff see "Dana" rather than a masked number.

    A new client is identified before they give a name: that event shows nothing and is skipped
    without a claim or a transaction. A name is one statement (claim, name, live notice).
    """
    name = data.get("first_name")
    if not isinstance(name, str) or not name.strip():
        return
    at = _occurred_at(data)
    claim = repo.Claim(CONVERSATIONS, _message_id("ClientIdentified", conversation_id, data, at))
    async with ports.pool.acquire() as conn:
        await repo.record_client_name(conn, claim, tenant_id, conversation_id, name.strip()[:80], at)


async def _record_pause(conn: asyncpg.Connection, ports: Ports, fact: _Fact) -> None:
    """The AI paused or resumed on a conversation, and by whom."""
    paused = domain.conversation_event_kind(fact.data) == "AiPaused"
    by = str(fact.data.get("staff_user") or fact.data.get("by") or "agent")[:64]
    await repo.touch_conversation(conn, fact.tenant_id, fact.conversation_id, fact.at)
    await repo.set_paused(conn, fact.tenant_id, fact.conversation_id, paused, by, fact.at)
    await repo.notify(conn, "conversation", fact.tenant_id, fact.conversation_id)


async def _record_staff_note(conn: asyncpg.Connection, ports: Ports, fact: _Fact) -> None:
    """What the agent noted for staff appears in the conversation (an empty note is skipped)."""
    note = domain.staff_note_from_event(fact.data)
    if note is None:
        log.warning("inbox.staff_note_unreadable", conversation_id=fact.conversation_id)
        return
    await repo.touch_conversation(conn, fact.tenant_id, fact.conversation_id, fact.at)
    await repo.insert_staff_note(
        conn,
        note_key=fact.message_id,
        tenant_id=fact.tenant_id,
        conversation_id=fact.conversation_id,
        note=note,
        at=fact.at,
    )
    await repo.notify(conn, "conversation", fact.tenant_id, fact.conversation_id)


Fold = Callable[[asyncpg.Connection, Ports, _Fact], Awaitable[None]]

# The conversation events the inbox shows, by kind; every other kind is skipped. The common ones
# are one statement of their own (claim, effect, live notice); the rest fold in a unit of work.
OneStatement = Callable[[str, str, dict[str, Any], Ports], Awaitable[None]]
_ONE_STATEMENT: dict[str, OneStatement] = {
    "BookingConfirmed": _record_booking,
    "ClientIdentified": _record_client_name,
}

_FOLDS: dict[str, Fold] = {
    "AiPaused": _record_pause,
    "AiResumed": _record_pause,
    "StaffNoteAdded": _record_staff_note,
    "reply_drafted": drafts.record_draft,
}


def _occurred_at(data: dict[str, Any]) -> datetime:
    raw = data.get("occurred_at")
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw)
            if parsed.tzinfo is not None:
                return parsed
        except ValueError:
            pass
    return utcnow()
