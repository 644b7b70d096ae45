"""Use cases: raising an escalation, staff actions, and keeping the inbox read model.

Each handler does its work in one unit of work: the effect, the consumer's claim on the message,
the outbox rows and the audit record commit together, and `repo.notify` tells the live inbox at
commit. Handlers raise on failure, so a bus message is redelivered rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import structlog
from pydantic import ValidationError

from services.escalation import domain, repo
from services.escalation.settings import EscalationSettings
from services.escalation.spas import Spa
from shared.audit import record as record_audit
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.envelope import utcnow
from shared.contracts.escalation import (
    EscalationRaised,
    EscalationResolved,
    PauseAi,
    ResumeAi,
    StaffReply,
)
from shared.contracts.sms import SendSms, SmsDeferred, SmsDeliveryUpdated, SmsReceived, SmsSendFailed, SmsSent
from shared.db import UnitOfWork, claim_message
from shared.ids import conversation_id as derive_conversation_id
from shared.outbox import enqueue
from shared.subjects import Topology

log = structlog.get_logger()

# Durable consumer names; also the claim namespaces in processed_messages.
RAISED = "escalation-raised"
RESOLVED = "escalation-resolved"
SMS_INBOUND = "escalation-inbox-sms-inbound"
SMS_OUTBOUND = "escalation-inbox-sms-outbound"
SMS_EVENTS = "escalation-inbox-sms-events"
CONVERSATIONS = "escalation-inbox-conversations"
STAFF_REPLY = "escalation-staff-reply"


@dataclass
class Ports:
    """What the handlers reach: the database, the subjects, the spas, and what to wake after commit."""

    pool: asyncpg.Pool
    topology: Topology
    settings: EscalationSettings
    spas: dict[str, Spa]
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def committed(self) -> None:
        """Wake the outbox relay and the alert dispatcher."""
        for kick in self.after_commit:
            kick()

    def actor(self, staff_user: str, conversation_id: str | None) -> AuditActor:
        """The audit actor of a staff action taken through this service."""
        return AuditActor(
            service="escalation",
            instance=self.settings.instance_id,
            conversation_id=conversation_id,
            staff_user=staff_user,
        )


class NotFound(LookupError):
    """A conversation or escalation staff asked for does not exist."""


# ----- escalations -----


async def raise_escalation(event: EscalationRaised, *, ports: Ports, claim: str | None = None) -> bool:
    """Store an escalation, send the handoff text, pause the AI, and queue an alert per notifier.

    Returns False (and does nothing) when this message or this escalation was handled before.
    """
    conversation_id = event.conversation_id
    if conversation_id is None and event.client_number:
        conversation_id = derive_conversation_id(
            ports.settings.id_hash_key.get_secret_value(), event.tenant_id, event.client_number
        )
    spa = ports.spas.get(event.tenant_id)
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        if not await claim_message(conn, RAISED, claim or str(event.id)):
            return False
        stored = await repo.insert_escalation(
            conn,
            escalation_id=event.escalation_id,
            tenant_id=event.tenant_id,
            conversation_id=conversation_id,
            category=event.category,
            reason=event.reason,
            source=event.source,
            client_last4=domain.last4(event.client_number),
            raised_at=event.occurred_at,
        )
        if not stored:
            return False
        if conversation_id is not None:
            await repo.touch_conversation(
                conn,
                event.tenant_id,
                conversation_id,
                event.occurred_at,
                client_number=event.client_number,
                client_name=event.client_name,
            )
            # The agent pauses itself when it raises one; the inbox shows the same state.
            await repo.set_paused(
                conn, event.tenant_id, conversation_id, True, event.source, event.occurred_at
            )
            if event.handoff_text and event.client_number:
                await _send_handoff(conn, ports, event, conversation_id)
        notifiers = spa.notifiers.names() if spa else ["inbox"]
        await repo.add_alerts(conn, event.escalation_id, notifiers, delivered={"inbox"})
        await repo.notify(conn, "escalation", event.tenant_id, conversation_id)
    ports.committed()
    log.info(
        "escalation.raised",
        escalation_id=str(event.escalation_id),
        category=event.category,
        conversation_id=conversation_id,
        notifiers=notifiers,
    )
    return True


async def _send_handoff(
    conn: asyncpg.Connection, ports: Ports, event: EscalationRaised, conversation_id: str
) -> None:
    try:
        command = SendSms(
            tenant_id=event.tenant_id,
            correlation_id=event.correlation_id,
            idempotency_key=f"handoff:{event.escalation_id}",
            conversation_id=conversation_id,
            to_number=event.client_number,
            body=event.handoff_text,
            purpose="handoff",
            caused_by=str(event.id),
        )
    except ValidationError as exc:
        # A handoff text we cannot send must not lose the escalation: staff are still alerted.
        log.warning(
            "escalation.handoff_invalid", escalation_id=str(event.escalation_id), errors=exc.error_count()
        )
        return
    await enqueue(
        conn,
        ports.topology.sms_outbound(event.tenant_id, conversation_id),
        command,
        message_id=command.idempotency_key,
    )
    await repo.upsert_outbound(
        conn,
        event.tenant_id,
        conversation_id,
        command.idempotency_key,
        command.occurred_at,
        status="queued",
        body=command.body,
        purpose=command.purpose,
    )


async def record_resolved(event: EscalationResolved, *, ports: Ports) -> None:
    """An EscalationResolved on the bus closes the escalation in the inbox (idempotent)."""
    async with UnitOfWork(ports.pool) as uow:
        if not await claim_message(uow.conn, RESOLVED, str(event.id)):
            return
        if await repo.mark_resolved(uow.conn, event.escalation_id, event.staff_user, event.occurred_at):
            await repo.notify(uow.conn, "escalation", event.tenant_id, event.conversation_id)


# ----- staff actions -----


async def _conversation(conn: asyncpg.Connection, tenant_id: str, conversation_id: str) -> asyncpg.Record:
    row = await repo.get_conversation(conn, tenant_id, conversation_id, for_update=True)
    if row is None:
        raise NotFound(f"no conversation {conversation_id} for spa {tenant_id}")
    return row


async def _pause(
    conn: asyncpg.Connection, ports: Ports, tenant_id: str, conversation_id: str, staff: str
) -> PauseAi:
    command = PauseAi(tenant_id=tenant_id, conversation_id=conversation_id, staff_user=staff)
    await enqueue(conn, ports.topology.staff(tenant_id, "pause"), command)
    await repo.set_paused(conn, tenant_id, conversation_id, True, staff, command.occurred_at)
    return command


async def pause_ai(tenant_id: str, conversation_id: str, staff_user: str, *, ports: Ports) -> PauseAi:
    """Staff take over: PauseAi to the agent, the inbox shows the conversation paused, audited."""
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        await _conversation(uow.conn, tenant_id, conversation_id)
        command = await _pause(uow.conn, ports, tenant_id, conversation_id, staff)
        await _audit(uow.conn, ports, tenant_id, conversation_id, staff, "staff.pause_ai", command.id)
        await repo.notify(uow.conn, "conversation", tenant_id, conversation_id)
    ports.committed()
    log.info("staff.paused_ai", conversation_id=conversation_id)
    return command


async def resume_ai(tenant_id: str, conversation_id: str, staff_user: str, *, ports: Ports) -> ResumeAi:
    """Staff hand back to the AI: ResumeAi to the agent, audited."""
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        await _conversation(uow.conn, tenant_id, conversation_id)
        command = ResumeAi(tenant_id=tenant_id, conversation_id=conversation_id, staff_user=staff)
        await enqueue(uow.conn, ports.topology.staff(tenant_id, "resume"), command)
        await repo.set_paused(uow.conn, tenant_id, conversation_id, False, None, command.occurred_at)
        await _audit(uow.conn, ports, tenant_id, conversation_id, staff, "staff.resume_ai", command.id)
        await repo.notify(uow.conn, "conversation", tenant_id, conversation_id)
    ports.committed()
    log.info("staff.resumed_ai", conversation_id=conversation_id)
    return command


async def staff_reply(
    tenant_id: str,
    conversation_id: str,
    staff_user: str,
    body: str,
    *,
    ports: Ports,
    request_id: UUID | None = None,
) -> StaffReply:
    """A staff member texts the client: StaffReply to the agent and SendSms to the gateway, audited.

    `request_id` makes a double-submitted reply one text. Replying takes the conversation over:
    the AI is paused first if it was active, so it does not talk over staff.
    """
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        conversation = await _conversation(conn, tenant_id, conversation_id)
        if not conversation["client_number"]:
            raise domain.InvalidStaffAction("this conversation has no client number on record")
        command = StaffReply(
            id=request_id or uuid4(),
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            staff_user=staff,
            to_number=conversation["client_number"],
            body=body,
        )
        if not await claim_message(conn, STAFF_REPLY, str(command.id)):
            return command
        if not conversation["ai_paused"]:
            await _pause(conn, ports, tenant_id, conversation_id, staff)
        await enqueue(conn, ports.topology.staff(tenant_id, "reply"), command)
        send = SendSms(
            tenant_id=tenant_id,
            correlation_id=command.correlation_id,
            idempotency_key=f"staff:{command.id}",
            conversation_id=conversation_id,
            to_number=command.to_number,
            body=command.body,
            purpose="staff",
            caused_by=str(command.id),
        )
        await enqueue(
            conn,
            ports.topology.sms_outbound(tenant_id, conversation_id),
            send,
            message_id=send.idempotency_key,
        )
        await repo.upsert_outbound(
            conn,
            tenant_id,
            conversation_id,
            send.idempotency_key,
            send.occurred_at,
            status="queued",
            body=send.body,
            purpose="staff",
        )
        await repo.touch_conversation(conn, tenant_id, conversation_id, send.occurred_at)
        await _audit(
            conn,
            ports,
            tenant_id,
            conversation_id,
            staff,
            "staff.reply",
            command.id,
            extra={"characters": len(command.body)},
        )
        await repo.notify(conn, "conversation", tenant_id, conversation_id)
    ports.committed()
    log.info("staff.replied", conversation_id=conversation_id)
    return command


async def resolve(escalation_id: UUID, staff_user: str, *, ports: Ports) -> EscalationResolved | None:
    """Staff close an escalation: EscalationResolved on the bus, audited. None when already closed."""
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        row = await repo.get_escalation(conn, escalation_id, for_update=True)
        if row is None:
            raise NotFound(f"no escalation {escalation_id}")
        if row["status"] != "open":
            return None
        event = EscalationResolved(
            tenant_id=row["tenant_id"],
            escalation_id=escalation_id,
            conversation_id=row["conversation_id"],
            staff_user=staff,
        )
        await repo.mark_resolved(conn, escalation_id, staff, event.occurred_at)
        # Our own resolved consumer will see this event: let it skip straight away.
        await claim_message(conn, RESOLVED, str(event.id))
        await enqueue(conn, ports.topology.escalation(event.tenant_id, "resolved"), event)
        await _audit(
            conn,
            ports,
            event.tenant_id,
            row["conversation_id"],
            staff,
            "staff.resolve_escalation",
            event.id,
            extra={"escalation_id": str(escalation_id), "category": row["category"]},
        )
        await repo.notify(conn, "escalation", event.tenant_id, row["conversation_id"])
    ports.committed()
    log.info("staff.resolved", escalation_id=str(escalation_id))
    return event


async def _audit(
    conn: asyncpg.Connection,
    ports: Ports,
    tenant_id: str,
    conversation_id: str | None,
    staff_user: str,
    action: str,
    command_id: UUID,
    *,
    extra: dict[str, Any] | None = None,
) -> None:
    # Arguments hold ids and sizes only: never a message body or a phone number.
    await record_audit(
        conn,
        ports.topology,
        AuditRecorded(
            tenant_id=tenant_id,
            actor=ports.actor(staff_user, conversation_id),
            action=action,
            arguments={"conversation_id": conversation_id, "command_id": str(command_id), **(extra or {})},
        ),
    )


# ----- the inbox read model -----


async def record_inbound(message: SmsReceived, *, ports: Ports) -> None:
    """A client's text appears in its conversation."""
    async with UnitOfWork(ports.pool) as uow:
        if not await claim_message(uow.conn, SMS_INBOUND, str(message.id)):
            return
        await repo.touch_conversation(
            uow.conn,
            message.tenant_id,
            message.conversation_id,
            message.occurred_at,
            client_number=message.from_number,
        )
        await repo.insert_inbound(
            uow.conn,
            message.tenant_id,
            message.conversation_id,
            message.message_sid,
            message.body,
            message.keyword,
            message.occurred_at,
        )
        await repo.notify(uow.conn, "message", message.tenant_id, message.conversation_id)


async def record_outbound_request(command: SendSms, *, ports: Ports) -> None:
    """A text the spa is about to send appears as queued."""
    async with UnitOfWork(ports.pool) as uow:
        if not await claim_message(uow.conn, SMS_OUTBOUND, str(command.id)):
            return
        await repo.touch_conversation(
            uow.conn,
            command.tenant_id,
            command.conversation_id,
            command.occurred_at,
            client_number=command.to_number,
        )
        await repo.upsert_outbound(
            uow.conn,
            command.tenant_id,
            command.conversation_id,
            command.idempotency_key,
            command.occurred_at,
            status="queued",
            body=command.body,
            purpose=command.purpose,
        )
        await repo.notify(uow.conn, "message", command.tenant_id, command.conversation_id)


SMS_EVENT_TYPES: dict[str, type[Any]] = {
    "sent": SmsSent,
    "failed": SmsSendFailed,
    "deferred": SmsDeferred,
    "status": SmsDeliveryUpdated,
}


async def record_sms_event(kind: str, data: dict[str, Any], *, ports: Ports) -> None:
    """Sent, failed, deferred and carrier status events update the texts staff see; others are ignored."""
    model = SMS_EVENT_TYPES.get(kind)
    if model is None:
        return
    event = model.model_validate(data)
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        if not await claim_message(conn, SMS_EVENTS, str(event.id)):
            return
        tenant = event.tenant_id
        conversation_id: str | None = event.conversation_id
        if isinstance(event, SmsDeliveryUpdated):
            await repo.upsert_delivery(
                conn, tenant, event.provider_sid, event.status, event.error_code, event.occurred_at
            )
            conversation_id = conversation_id or await repo.conversation_of_delivery(
                conn, tenant, event.provider_sid
            )
        else:
            assert conversation_id is not None
            await repo.touch_conversation(conn, tenant, conversation_id, event.occurred_at)
            if isinstance(event, SmsSent):
                await repo.upsert_outbound(
                    conn,
                    tenant,
                    conversation_id,
                    event.idempotency_key,
                    event.occurred_at,
                    status="sent",
                    body=event.body,
                    provider_sid=event.provider_sid,
                )
            elif isinstance(event, SmsSendFailed):
                status = "failed" if event.permanent else "queued"
                error = f"{event.reason}" + (f" (error {event.error_code})" if event.error_code else "")
                await repo.upsert_outbound(
                    conn,
                    tenant,
                    conversation_id,
                    event.idempotency_key,
                    event.occurred_at,
                    status=status,
                    error=error,
                )
            else:
                await repo.upsert_outbound(
                    conn,
                    tenant,
                    conversation_id,
                    event.idempotency_key,
                    event.occurred_at,
                    status="deferred",
                    error="waiting: the spa's daily send cap is reached",
                )
        await repo.notify(conn, "message", tenant, conversation_id)


async def record_conversation_event(
    tenant_id: str, conversation_id: str, data: dict[str, Any], *, ports: Ports
) -> None:
    """The agent's conversation events: bookings count as recovered, pauses show in the inbox.

    Tolerant on purpose: an event type this service does not know is skipped, not an error.
    """
    kind = data.get("type")
    if kind not in ("BookingConfirmed", "AiPaused", "AiResumed"):
        return
    at = _occurred_at(data)
    message_id = str(data.get("id") or f"{kind}:{conversation_id}:{at.isoformat()}")
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        if not await claim_message(conn, CONVERSATIONS, message_id):
            return
        if kind == "BookingConfirmed":
            booking = domain.booking_from_event(data)
            if booking is None:
                log.warning("inbox.booking_event_unreadable", conversation_id=conversation_id)
                return
            spa = ports.spas.get(tenant_id)
            await repo.insert_booking(
                conn,
                booking_id=booking.booking_id,
                tenant_id=tenant_id,
                conversation_id=conversation_id,
                service_name=booking.service_name,
                price_cents=booking.price_cents,
                after_hours=domain.is_after_hours(
                    at, spa.timezone if spa else "UTC", ports.settings.inbox_business_hours
                ),
                at=at,
            )
            await repo.notify(conn, "booking", tenant_id, conversation_id)
            return
        await repo.touch_conversation(conn, tenant_id, conversation_id, at)
        by = data.get("staff_user") or data.get("by") or "agent"
        await repo.set_paused(conn, tenant_id, conversation_id, kind == "AiPaused", str(by)[:64], at)
        await repo.notify(conn, "conversation", tenant_id, conversation_id)


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


# ----- dead letters -----


async def record_dead_letter(
    *, tenant_id: str, stream: str, consumer: str, stream_seq: int, deliveries: int | None, ports: Ports
) -> bool:
    """A message that exhausted its attempts becomes a `dead_letter` escalation (once per message)."""
    escalation_id = domain.dead_letter_escalation_id(stream, consumer, stream_seq)
    event = EscalationRaised(
        id=escalation_id,
        tenant_id=tenant_id,
        escalation_id=escalation_id,
        category="dead_letter",
        reason=domain.dead_letter_reason(stream, consumer, stream_seq, deliveries),
        source="escalation",
    )
    return await raise_escalation(event, ports=ports, claim=f"deadletter:{escalation_id}")
