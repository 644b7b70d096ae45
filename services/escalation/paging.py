"""Urgent escalations page a person: the spa's on-call numbers get a text until someone acknowledges.

An escalation that is `urgent`, or of a category the spa file lists under `on_call.categories`,
gets a row in `pages` in the transaction that stores it (when the spa has `on_call.numbers`). The
pager sends each due round: one `SendSms` per on-call number (purpose `page`, key
`page:{escalation}:{round}:{number index}`, so a redelivered or retried round is one text per
number) through the gateway, then schedules the next round `on_call.realert_minutes` later. The
schedule lives in PostgreSQL and is leased with `FOR UPDATE SKIP LOCKED`, so a restart or a second
replica pages on time and never twice. Paging stops when a signed-in staff member acknowledges the
escalation (an audit record with the user id), or when it is resolved.

A page carries no clinical detail and no client words: a fixed sentence and a link to the inbox.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import asyncpg
import structlog
from fastapi import APIRouter, Depends

from services.escalation import domain, repo
from services.escalation.accounts import StaffUser
from shared.contracts.envelope import utcnow
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SendSms
from shared.db import UnitOfWork
from shared.outbox import enqueue

if TYPE_CHECKING:  # handlers imports this module (to schedule pages), and signin imports handlers
    from services.escalation.handlers import Ports
    from services.escalation.signin import Gate

log = structlog.get_logger()

PAGE_TEXT = "Urgent: a client needs a qualified person now. Open the inbox: {link}"
KEY_PREFIX = "page:"


def page_key(escalation_id: UUID, round_: int, index: int) -> str:
    """The idempotency key of one page text: one per escalation, round and on-call number."""
    return f"{KEY_PREFIX}{escalation_id}:{round_}:{index}"


def page_conversation(escalation_id: UUID) -> str:
    """The opaque conversation id page texts travel under (never the client's conversation)."""
    return f"page-{escalation_id.hex}"


def is_page(idempotency_key: str) -> bool:
    """Whether an outbound text is a page to staff (the client's transcript does not show it)."""
    return idempotency_key.startswith(KEY_PREFIX)


async def schedule(
    conn: asyncpg.Connection, ports: "Ports", event: EscalationRaised, conversation_id: str | None
) -> bool:
    """In the escalation's transaction: its first page, due now, when the spa pages for it."""
    spa = ports.spas.get(event.tenant_id)
    if spa is None or not spa.on_call.pages(event.category, event.priority):
        return False
    await repo.insert_page(conn, event.escalation_id, event.tenant_id, conversation_id, event.occurred_at)
    return True


class Pager:
    """Sends due page rounds; runs in the background until stopped."""

    def __init__(self, ports: Callable[[], "Ports"], poll_seconds: float) -> None:
        self._ports = ports
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Look for due pages now (after a commit that added one)."""
        self._wake.set()

    async def run_due(self) -> int:
        """Send every due round once; returns how many escalations were paged."""
        ports = self._ports()
        now = utcnow()
        paged = 0
        async with UnitOfWork(ports.pool) as uow:
            for page in await repo.lease_due_pages(uow.conn, now):
                paged += await _page_round(uow.conn, ports, page, now)
        if paged:
            ports.committed()
        return paged

    async def _run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception as exc:  # the database is away: pages stay due, try again
                log.warning("page.run_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
            self._wake.clear()

    def start(self) -> None:
        """Run in the background until stop()."""
        self._task = asyncio.create_task(self._run(), name="pager")

    async def stop(self) -> None:
        """Stop; due pages stay in the table for the next start (or another replica)."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _page_round(conn: asyncpg.Connection, ports: "Ports", page: asyncpg.Record, now: datetime) -> int:
    escalation_id: UUID = page["escalation_id"]
    spa = ports.spas.get(page["tenant_id"])
    if page["escalation_status"] != "open" or spa is None or not spa.on_call.numbers:
        await repo.stop_page(conn, escalation_id, now)
        return 0
    round_ = page["rounds"] + 1
    link = _link(ports.settings.inbox_url(), page["conversation_id"], escalation_id)
    for index, number in enumerate(spa.on_call.numbers):
        send = SendSms(
            tenant_id=spa.id,
            idempotency_key=page_key(escalation_id, round_, index),
            conversation_id=page_conversation(escalation_id),
            to_number=number,
            body=PAGE_TEXT.format(link=link),
            purpose="page",
            caused_by=str(escalation_id),
        )
        subject = ports.topology.sms_outbound(spa.id, send.conversation_id)
        await enqueue(conn, subject, send, message_id=send.idempotency_key)
    next_at = now + timedelta(minutes=spa.on_call.realert_minutes)
    await repo.mark_paged(conn, escalation_id, round_, now, next_at)
    await repo.notify(conn, "escalation", spa.id, page["conversation_id"])
    log.info("page.sent", escalation_id=str(escalation_id), round=round_, numbers=len(spa.on_call.numbers))
    return 1


def _link(inbox_url: str, conversation_id: str | None, escalation_id: UUID) -> str:
    # The same link as every alert: the conversation in the inbox (ids only).
    return f"{inbox_url}/#/c/{conversation_id}" if conversation_id else f"{inbox_url}/#/e/{escalation_id}"


async def acknowledge(escalation_id: UUID, user: StaffUser, *, ports: "Ports") -> dict[str, Any]:
    """A signed-in staff member has it: paging stops; audited with the user id."""
    from services.escalation import handlers  # handlers imports this module

    staff = domain.check_staff_user(str(user.user_id))
    async with UnitOfWork(ports.pool) as uow:
        conn = uow.conn
        page = await repo.lock_page(conn, escalation_id)
        if page is None or page["tenant_id"] != user.tenant_id:
            raise handlers.NotFound(f"no paged escalation {escalation_id}")
        if page["acknowledged_at"] is not None:
            return {"status": "already_acknowledged", **_ack(page, None)}
        at = utcnow()
        await repo.acknowledge_page(conn, escalation_id, staff, at)
        extra = {"escalation_id": str(escalation_id), "pages_sent": page["rounds"]}
        await handlers._audit(
            conn,
            ports,
            user.tenant_id,
            page["conversation_id"],
            staff,
            "staff.acknowledge_page",
            escalation_id,
            extra=extra,
        )
        await repo.notify(conn, "escalation", user.tenant_id, page["conversation_id"])
    log.info("page.acknowledged", escalation_id=str(escalation_id), rounds=page["rounds"])
    return {"status": "acknowledged", "acknowledged_by": user.display_name, "acknowledged_at": at.isoformat()}


def _ack(page: asyncpg.Record, name: str | None) -> dict[str, Any]:
    at = page["acknowledged_at"]
    return {
        "acknowledged_by": name or page["acknowledged_by"],
        "acknowledged_at": at.isoformat() if at else None,
    }


def page_view(row: asyncpg.Record) -> dict[str, Any]:
    """A paged escalation as the inbox shows it."""
    last = row["last_paged_at"]
    return {
        "escalation_id": str(row["escalation_id"]),
        "category": row["category"],
        "priority": row["priority"],
        "escalation_status": row["escalation_status"],
        "pages_sent": row["rounds"],
        "last_paged_at": last.isoformat() if last else None,
        "paging": row["acknowledged_at"] is None and row["stopped_at"] is None,
        **_ack(row, row["acknowledged_by_name"]),
    }


def paging_router(ports: Callable[[], "Ports"], gate: "Gate") -> APIRouter:
    """Acknowledging a page, and a conversation's paged escalations."""
    from services.escalation.inbox import ConversationPath, TenantPath, act, own_spa

    router = APIRouter(tags=["paging"])
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.post("/api/escalations/{escalation_id}/acknowledge", summary="Stop paging: someone has it")
    async def acknowledge_route(user: Staff, escalation_id: UUID) -> dict[str, Any]:
        result: dict[str, Any] = await act(acknowledge(escalation_id, user, ports=ports()))
        return result

    @router.get("/api/conversations/{tenant_id}/{conversation_id}/pages", summary="Paged escalations")
    async def pages(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        own_spa(user, tenant_id)
        async with ports().pool.acquire() as conn:
            rows = await repo.list_pages(conn, tenant_id, conversation_id)
        return {"pages": [page_view(r) for r in rows]}

    return router
