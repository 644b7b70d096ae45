"""Use cases: raising an escalation (and a dead letter), and staff actions on the inbox.

Each handler does its work in one unit of work: the effect, the consumer's claim on the message,
the outbox rows and the audit record commit together, and `repo.notify` tells the live inbox at
commit. Handlers raise on failure, so a bus message is redelivered rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import structlog
from pydantic import ValidationError

from services.escalation import domain, paging, repo
from services.escalation.settings import EscalationSettings
from services.escalation.spas import Spa
from shared import metrics
from shared.audit import record as record_audit
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.escalation import (
    EscalationRaised,
    EscalationResolved,
    PauseAi,
    ResumeAi,
    StaffReply,
)
from shared.contracts.sms import SendSms
from shared.db import UnitOfWork, claim_message
from shared.ids import client_ref as derive_client_ref
from shared.ids import conversation_id as derive_conversation_id
from shared.outbox import enqueue
from shared.subjects import Topology

log = structlog.get_logger()

# Durable consumer names; also the claim namespaces in processed_messages.
RAISED = "escalation-raised"
RESOLVED = "escalation-resolved"
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

    def actor(
        self, staff_user: str, conversation_id: str | None, client_ref: str | None = None
    ) -> AuditActor:
        """The audit actor of a staff action taken through this service."""
        return AuditActor(
            service="escalation",
            instance=self.settings.instance_id,
            conversation_id=conversation_id,
            client_ref=client_ref,
            staff_user=staff_user,
        )

    def client_ref(self, tenant_id: str, number: str | None) -> str | None:
        """The keyed hash of a client's number: what a compliance query by the client's phone matches."""
        if not number:
            return None
        return derive_client_ref(self.settings.id_hash_key.get_secret_value(), tenant_id, number)


async def client_ref_of(
    conn: asyncpg.Connection, ports: Ports, tenant_id: str, conversation_id: str | None
) -> str | None:
    """The client reference of a conversation (None when its number is not known)."""
    if conversation_id is None:
        return None
    row = await repo.get_conversation(conn, tenant_id, conversation_id)
    return ports.client_ref(tenant_id, row["client_number"] if row else None)


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
            priority=event.priority,
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
        await paging.schedule(conn, ports, event, conversation_id)
        await repo.notify(conn, "escalation", event.tenant_id, conversation_id)
    ports.committed()
    metrics.escalation_stored(event.category)
    log.info(
        "escalation.raised",
        escalation_id=str(event.escalation_id),
        category=event.category,
        priority=event.priority,
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
    ref = await client_ref_of(conn, ports, tenant_id, conversation_id)
    await record_audit(
        conn,
        ports.topology,
        AuditRecorded(
            tenant_id=tenant_id,
            actor=ports.actor(staff_user, conversation_id, ref),
            action=action,
            arguments={"conversation_id": conversation_id, "command_id": str(command_id), **(extra or {})},
        ),
    )


# ----- dead letters -----


async def record_dead_letter(
    *,
    tenant_id: str,
    stream: str,
    consumer: str,
    stream_seq: int,
    deliveries: int | None,
    ports: Ports,
    cause: str = "",
) -> bool:
    """A message that exhausted its attempts becomes a `dead_letter` escalation (once per message)."""
    escalation_id = domain.dead_letter_escalation_id(stream, consumer, stream_seq)
    event = EscalationRaised(
        id=escalation_id,
        tenant_id=tenant_id,
        escalation_id=escalation_id,
        category="dead_letter",
        reason=domain.dead_letter_reason(stream, consumer, stream_seq, deliveries, cause),
        source="escalation",
    )
    return await raise_escalation(event, ports=ports, claim=f"deadletter:{escalation_id}")
