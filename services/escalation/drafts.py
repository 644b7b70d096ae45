"""Draft mode: the agent's replies wait in the inbox for a staff click instead of going out.

A spa's reply mode is the owner's choice in the inbox (table `reply_modes`) or, until the owner
chooses, the spa file's `agent.replies` (default automatic). This service publishes the settled mode
as `ReplyModeSet` on `Topology.staff(spa, "replies")` at start-up and on every owner change; the
agent reads the last one when a turn has a reply and records a `ReplyDrafted` instead of sending.

The read model stores each draft (`reply_drafts`). Staff send it as is, edit and send it, or discard
it. Sending goes through the staff reply path (a `StaffReply` to the agent, naming the draft and
whether it was edited, and a `SendSms` whose key comes from the draft, audited), without taking the
conversation over: the AI keeps drafting. A draft is decided once: a second click answers with what
was done. A discarded draft sends nothing; options it offered stay held until their hold expires.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol
from uuid import UUID, uuid5

import asyncpg
import structlog
from fastapi import APIRouter, Depends, HTTPException
from nats.js import JetStreamContext
from pydantic import Field

from services.escalation import domain, handlers, repo
from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from services.escalation.inbox import ConversationPath, TenantPath, act, own_spa
from services.escalation.signin import Gate
from shared.contracts.envelope import InboundPayload, utcnow
from shared.contracts.escalation import ReplyMode, ReplyModeSet, StaffReply
from shared.contracts.sms import SendSms
from shared.db import UnitOfWork
from shared.outbox import enqueue
from shared.reply_mode import reply_mode

log = structlog.get_logger()

# The namespace of the StaffReply ids of sent drafts: one draft, one command, one text.
DRAFT_COMMANDS = UUID("6f3c0a52-5d0e-4b8e-9a57-0d7a3c1e2b44")


class Fact(Protocol):
    """A conversation event as the read model hands it over (readmodel._Fact)."""

    tenant_id: str
    conversation_id: str
    message_id: str
    data: dict[str, Any]
    at: datetime


class DraftDecided(domain.InvalidStaffAction):
    """The draft was sent or discarded before: nothing more is done."""


# ----- the reply mode -----


async def settled_mode(conn: asyncpg.Connection, ports: Ports, tenant_id: str) -> dict[str, Any]:
    """A spa's reply mode and where it comes from: the owner's choice, else the spa file."""
    chosen = await repo.get_reply_mode(conn, tenant_id)
    if chosen is not None:
        return {
            "mode": chosen["mode"],
            "source": "owner",
            "set_by": chosen["set_by"],
            "set_at": chosen["set_at"],
        }
    spa = ports.spas.get(tenant_id)
    mode = spa.agent.replies if spa else "automatic"
    return {"mode": mode, "source": "spa file", "set_by": None, "set_at": None}


async def publish_modes(ports: Ports, js: JetStreamContext) -> int:
    """At start-up: each spa's settled mode, for the agent, where it differs from what the agent
    reads now (a spa file edit takes effect here). Returns how many spas changed."""
    changed = 0
    async with UnitOfWork(ports.pool) as uow:
        for tenant_id in ports.spas:
            settled = await settled_mode(uow.conn, ports, tenant_id)
            if await reply_mode(js, ports.topology, tenant_id) == settled["mode"]:
                continue
            command = ReplyModeSet(tenant_id=tenant_id, mode=settled["mode"], staff_user=settled["set_by"])
            await enqueue(uow.conn, ports.topology.staff(tenant_id, "replies"), command)
            changed += 1
    ports.committed()
    return changed


async def set_mode(tenant_id: str, mode: ReplyMode, owner: str, *, ports: Ports) -> ReplyModeSet:
    """The owner switches the spa between automatic and draft replies: recorded, published, audited."""
    staff = domain.check_staff_user(owner)
    async with UnitOfWork(ports.pool) as uow:
        command = ReplyModeSet(tenant_id=tenant_id, mode=mode, staff_user=staff)
        await repo.set_reply_mode(uow.conn, tenant_id, mode, staff, command.occurred_at)
        await enqueue(uow.conn, ports.topology.staff(tenant_id, "replies"), command)
        await handlers._audit(
            uow.conn, ports, tenant_id, None, staff, "owner.set_reply_mode", command.id, extra={"mode": mode}
        )
        await repo.notify(uow.conn, "settings", tenant_id, None)
    ports.committed()
    log.info("owner.reply_mode_set", tenant=tenant_id, mode=mode)
    return command


# ----- drafts -----


async def record_draft(conn: asyncpg.Connection, ports: Ports, fact: Fact) -> None:
    """The agent drafted a reply (ReplyDrafted): it waits in the conversation for staff."""
    body, inbound = fact.data.get("body"), fact.data.get("caused_by")
    if not isinstance(body, str) or not body or not inbound:
        log.warning("inbox.draft_unreadable", conversation_id=fact.conversation_id)
        return
    await repo.touch_conversation(conn, fact.tenant_id, fact.conversation_id, fact.at)
    await repo.insert_draft(
        conn,
        draft_id=UUID(fact.message_id),
        tenant_id=fact.tenant_id,
        conversation_id=fact.conversation_id,
        inbound_id=UUID(str(inbound)),
        body=body,
        at=fact.at,
    )
    await repo.notify(conn, "conversation", fact.tenant_id, fact.conversation_id)


async def _pending(conn: asyncpg.Connection, tenant_id: str, draft_id: UUID) -> asyncpg.Record:
    draft = await repo.lock_draft(conn, draft_id)
    if draft is None or draft["tenant_id"] != tenant_id:
        raise handlers.NotFound(f"no draft {draft_id}")
    if draft["status"] != "pending":
        raise DraftDecided(f"this draft was already {draft['status']}")
    return draft


async def send_draft(
    tenant_id: str, draft_id: UUID, staff_user: str, *, ports: Ports, body: str | None = None
) -> StaffReply:
    """Staff send a draft, as is or edited: StaffReply to the agent and SendSms to the gateway, audited."""
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        draft = await _pending(conn, tenant_id, draft_id)
        conversation_id = draft["conversation_id"]
        conversation = await repo.get_conversation(conn, tenant_id, conversation_id)
        if conversation is None or not conversation["client_number"]:
            raise domain.InvalidStaffAction("this conversation has no client number on record")
        text = draft["body"] if body is None else body.strip()
        edited = text != draft["body"]
        command = StaffReply(
            id=uuid5(DRAFT_COMMANDS, str(draft_id)),
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            staff_user=staff,
            to_number=conversation["client_number"],
            body=text,
            draft_id=draft_id,
            draft_edited=edited,
        )
        await enqueue(conn, ports.topology.staff(tenant_id, "reply"), command)
        await _queue_text(conn, ports, command, str(draft["inbound_id"]))
        status = "edited" if edited else "sent"
        await repo.decide_draft(
            conn,
            draft_id,
            status,
            staff,
            command.occurred_at,
            sent_body=text if edited else None,
            command_id=command.id,
        )
        extra = {"draft_id": str(draft_id), "edited": edited, "characters": len(text)}
        await handlers._audit(
            conn, ports, tenant_id, conversation_id, staff, "staff.send_draft", command.id, extra=extra
        )
        await repo.notify(conn, "conversation", tenant_id, conversation_id)
    ports.committed()
    log.info("staff.draft_sent", conversation_id=conversation_id, edited=edited)
    return command


async def _queue_text(conn: asyncpg.Connection, ports: Ports, command: StaffReply, inbound_id: str) -> None:
    send = SendSms(
        tenant_id=command.tenant_id,
        correlation_id=command.correlation_id,
        idempotency_key=f"staff:{command.id}",
        conversation_id=command.conversation_id,
        to_number=command.to_number,
        body=command.body,
        purpose="reply" if not command.draft_edited else "staff",
        caused_by=inbound_id,
    )
    subject = ports.topology.sms_outbound(command.tenant_id, command.conversation_id)
    await enqueue(conn, subject, send, message_id=send.idempotency_key)
    await repo.upsert_outbound(
        conn,
        command.tenant_id,
        command.conversation_id,
        send.idempotency_key,
        send.occurred_at,
        status="queued",
        body=send.body,
        purpose=send.purpose,
    )
    await repo.touch_conversation(conn, command.tenant_id, command.conversation_id, send.occurred_at)


async def discard_draft(tenant_id: str, draft_id: UUID, staff_user: str, *, ports: Ports) -> None:
    """Staff discard a draft: nothing is sent (held options expire with their hold), audited."""
    staff = domain.check_staff_user(staff_user)
    async with UnitOfWork(ports.pool) as uow:
        draft = await _pending(uow.conn, tenant_id, draft_id)
        at = utcnow()
        await repo.decide_draft(uow.conn, draft_id, "discarded", staff, at)
        conversation_id = draft["conversation_id"]
        await handlers._audit(
            uow.conn, ports, tenant_id, conversation_id, staff, "staff.discard_draft", draft_id
        )
        await repo.notify(uow.conn, "conversation", tenant_id, conversation_id)
    log.info("staff.draft_discarded", conversation_id=conversation_id)


def draft_view(row: asyncpg.Record) -> dict[str, Any]:
    """A draft as the inbox shows it."""
    return {
        "draft_id": str(row["draft_id"]),
        "body": row["body"],
        "status": row["status"],
        "drafted_at": row["drafted_at"].isoformat(),
        "decided_by": row["decided_by_name"] or row["decided_by"],
        "decided_at": row["decided_at"].isoformat() if row["decided_at"] else None,
        "sent_body": row["sent_body"],
    }


def draft_counts(rows: list[asyncpg.Record]) -> dict[str, int]:
    """How a conversation's drafts went: waiting, sent as is, edited and sent, discarded."""
    counts = {"pending": 0, "sent_as_is": 0, "edited": 0, "discarded": 0}
    names = {"sent": "sent_as_is"}
    for row in rows:
        counts[names.get(row["status"], row["status"])] += 1
    return counts


# ----- HTTP -----


class SendDraftRequest(InboundPayload):
    """Send a draft; `body` set (and different) means staff edited it first."""

    body: str | None = Field(default=None, min_length=1, max_length=1600)


class ModeRequest(InboundPayload):
    """The owner's choice of how the agent's replies go out."""

    mode: Literal["automatic", "draft"]


def drafts_router(ports: Callable[[], Ports], gate: Gate) -> APIRouter:
    """The reply mode (owner's switch) and a conversation's drafts (send, edit and send, discard)."""
    router = APIRouter(tags=["drafts"])
    Staff = Annotated[StaffUser, Depends(gate.staff)]
    Owner = Annotated[StaffUser, Depends(gate.owner)]

    @router.get("/api/reply-mode", summary="How the agent's replies go out for this spa")
    async def reply_mode(user: Staff) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            return _json(await settled_mode(conn, ports(), user.tenant_id))

    @router.post("/api/reply-mode", summary="The owner switches between automatic and draft replies")
    async def switch(user: Owner, payload: ModeRequest) -> dict[str, Any]:
        await act(set_mode(user.tenant_id, payload.mode, str(user.user_id), ports=ports()))
        async with ports().pool.acquire() as conn:
            return _json(await settled_mode(conn, ports(), user.tenant_id))

    @router.get("/api/conversations/{tenant_id}/{conversation_id}/drafts", summary="A conversation's drafts")
    async def drafts(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        own_spa(user, tenant_id)
        async with ports().pool.acquire() as conn:
            rows = await repo.list_drafts(conn, tenant_id, conversation_id)
        return {"drafts": [draft_view(r) for r in rows], "counts": draft_counts(rows)}

    @router.post("/api/drafts/{draft_id}/send", summary="Send a draft, as is or edited")
    async def send(user: Staff, draft_id: UUID, payload: SendDraftRequest) -> dict[str, Any]:
        try:
            command = await act(
                send_draft(user.tenant_id, draft_id, str(user.user_id), ports=ports(), body=payload.body)
            )
        except HTTPException as exc:
            return _already(exc)
        return {"status": "edited" if command.draft_edited else "sent", "key": f"staff:{command.id}"}

    @router.post("/api/drafts/{draft_id}/discard", summary="Discard a draft: nothing is sent")
    async def discard(user: Staff, draft_id: UUID) -> dict[str, Any]:
        try:
            await act(discard_draft(user.tenant_id, draft_id, str(user.user_id), ports=ports()))
        except HTTPException as exc:
            return _already(exc)
        return {"status": "discarded"}

    return router


def _already(exc: HTTPException) -> dict[str, Any]:
    """A second click on a decided draft answers what was done, like resolving twice."""
    if exc.status_code == 422 and str(exc.detail).startswith("this draft was already"):
        return {"status": "already_decided", "detail": exc.detail}
    raise exc


def _json(settled: dict[str, Any]) -> dict[str, Any]:
    at = settled["set_at"]
    return {**settled, "set_at": at.isoformat() if at else None}
