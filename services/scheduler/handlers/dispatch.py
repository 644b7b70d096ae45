"""Serving a tool request: validate, run its use case in the unit of work, audit it exactly once.

Every request is answered inside one transaction that also writes its audit record to the outbox
(DESIGN.md invariant 5); a read-only tool's record is committed in a batch before its reply. When a
write tool's use case fails, its transaction is rolled back (whatever it wrote is undone) and the
audit record of the failure is committed on its own.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from pydantic import ValidationError

from services.scheduler.errors import ToolFailure
from services.scheduler.handlers.audit_policy import audit_actor, audit_arguments, disclosed
from services.scheduler.handlers.availability import find_availability, find_availability_by_week
from services.scheduler.handlers.bookings import confirm_booking, hold_slots, release_holds, upcoming_bookings
from services.scheduler.handlers.calendar import calendar, client_bookings
from services.scheduler.handlers.catalog import match_service, spa_profile
from services.scheduler.handlers.clients import lookup_or_create_client
from services.scheduler.handlers.packages import client_benefits
from services.scheduler.handlers.ports import Ports, Served
from services.scheduler.handlers.provider_time import block_provider_time, unblock_provider_time
from services.scheduler.handlers.staff_bookings import (
    book_for_client,
    cancel_booking,
    reschedule_booking,
    set_booking_status,
)
from services.scheduler.handlers.unit_of_work import READ_ONLY
from shared import metrics
from shared.audit import record
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.desk import SCHEDULER_TOOLS
from shared.contracts.envelope import utcnow
from shared.contracts.tools import ToolError, ToolReply, reply_of
from shared.db import transaction

log = structlog.get_logger()

UseCase = Callable[..., Awaitable[Served]]
USE_CASES: dict[str, UseCase] = {
    "match_service": match_service,
    "find_availability": find_availability,
    "find_availability_by_week": find_availability_by_week,
    "hold_slots": hold_slots,
    "confirm_booking": confirm_booking,
    "release_holds": release_holds,
    "client_benefits": client_benefits,
    "lookup_or_create_client": lookup_or_create_client,
    "spa_profile": spa_profile,
    "upcoming_bookings": upcoming_bookings,
    "cancel_booking": cancel_booking,
    "reschedule_booking": reschedule_booking,
    "book_for_client": book_for_client,
    "set_booking_status": set_booking_status,
    "block_provider_time": block_provider_time,
    "unblock_provider_time": unblock_provider_time,
    "calendar": calendar,
    "client_bookings": client_bookings,
}


def _field_of(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return (where or "body"), first["msg"]


def _reply_error(code: str, message: str, field_name: str | None) -> ToolReply[Any]:
    return reply_of(Any)(
        ok=False, error=ToolError(code=code, message=message, field=field_name), served_at=utcnow()
    )  # type: ignore[arg-type]


async def _audit_invalid(
    name: str, raw: bytes, field_name: str, message: str, ports: Ports, started: float
) -> None:
    # A request that does not validate still leaves one record, in its own transaction, with only
    # what can be trusted from it (tenant and correlation id when they parse).
    tenant, correlation, service, conversation = "unknown", None, "unknown", None
    try:
        data = json.loads(raw)
        if isinstance(data, dict):
            tenant = str(data.get("tenant_id") or tenant)
            correlation = data.get("correlation_id")
            actor = data.get("actor") if isinstance(data.get("actor"), dict) else {}
            service = str(actor.get("service") or service)[:64]
            conversation = actor.get("conversation_id")
    except ValueError:
        pass
    fields: dict[str, Any] = {}
    try:
        AuditRecorded(tenant_id=tenant, actor=AuditActor(service="x"), action=name)
    except ValidationError:
        tenant = "unknown"
    try:
        fields["correlation_id"] = UUID(str(correlation))
    except ValueError:
        pass
    entry = AuditRecorded(
        tenant_id=tenant,
        actor=AuditActor(
            service=service,
            conversation_id=conversation
            if isinstance(conversation, str) and len(conversation) <= 64
            else None,
        ),
        action=name,
        arguments={"invalid_field": field_name, "bytes": len(raw)},
        result_summary={"error": message[:200]},
        outcome="invalid_request",
        latency_ms=(time.perf_counter() - started) * 1000,
        **fields,
    )
    async with transaction(ports.pool) as conn:
        await record(conn, ports.topology, entry)


@dataclass(frozen=True)
class _Answer:
    """What a use case answered: the reply, its outcome and summary for the audit record."""

    reply: ToolReply[Any]
    outcome: str
    summary: dict[str, Any]
    served: Served | None = None


class _Undo(Exception):
    """A write tool's use case failed: its transaction is rolled back, its audit record written alone."""

    def __init__(self, answer: _Answer) -> None:
        super().__init__(answer.outcome)
        self.answer = answer


async def _answer(name: str, req: Any, conn: asyncpg.Connection, ports: Ports) -> _Answer:
    """Run the tool's use case; a typed refusal or an unexpected error becomes the reply."""
    _, result_type = SCHEDULER_TOOLS[name]
    try:
        spa = await ports.catalogs.get(conn, req.tenant_id)
        served = await USE_CASES[name](req, conn=conn, spa=spa, ports=ports)
    except ToolFailure as failure:
        reply = _reply_error(failure.code, failure.message, failure.field)
        return _Answer(reply, failure.code, {"error": failure.message, "field": failure.field})
    except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
        raise  # the database is away: no reply, the caller times out and may retry
    except Exception as exc:
        log.exception("tool.failed", tool=name, error=type(exc).__name__)
        reply = _reply_error("internal", "the scheduler could not answer; try again", None)
        return _Answer(reply, "internal", {"error": type(exc).__name__})
    reply = reply_of(result_type)(ok=True, result=served.result, served_at=utcnow())
    return _Answer(reply, "ok", served.summary, served)


async def _entry(
    name: str,
    req: Any,
    answer: _Answer,
    arguments: dict[str, Any],
    conn: asyncpg.Connection,
    ports: Ports,
    started: float,
) -> AuditRecorded:
    """The call's audit record (the client named by reference, never by number)."""
    served = answer.served
    client_id = served.client_id if served and served.client_id else req.client_id
    ref = served.client_ref if served else None
    if ref is None and client_id is not None:
        ref = await ports.client_refs.get(conn, req.tenant_id, client_id)
    return AuditRecorded(
        tenant_id=req.tenant_id,
        correlation_id=req.correlation_id,
        actor=audit_actor(req.actor, client_id, ref),
        action=name,
        arguments=arguments,
        result_summary=answer.summary,
        disclosed_fields=disclosed(served, req.actor) if served and answer.outcome == "ok" else [],
        outcome=answer.outcome,
        latency_ms=(time.perf_counter() - started) * 1000,
    )


async def _serve_write(
    name: str, req: Any, arguments: dict[str, Any], ports: Ports, started: float
) -> tuple[_Answer, AuditRecorded]:
    """A write tool: its effect and its audit record commit together.

    A use case that fails rolls its whole transaction back (nothing it wrote stays) and the record
    of the failure commits alone, so the way that succeeds needs no savepoint round trips.
    """
    try:
        async with transaction(ports.pool) as conn:
            answer = await _answer(name, req, conn, ports)
            if answer.outcome != "ok":
                raise _Undo(answer)
            entry = await _entry(name, req, answer, arguments, conn, ports, started)
            await record(conn, ports.topology, entry)
        return answer, entry
    except _Undo as undo:
        answer = undo.answer
    async with transaction(ports.pool) as conn:
        entry = await _entry(name, req, answer, arguments, conn, ports, started)
        await record(conn, ports.topology, entry)
    return answer, entry


async def serve_tool(name: str, raw: bytes, ports: Ports) -> ToolReply[Any]:
    """Answer one tool request and leave exactly one audit record of it, in the same transaction."""
    started = time.perf_counter()
    request_type, _ = SCHEDULER_TOOLS[name]
    try:
        req = request_type.model_validate_json(raw)
    except ValidationError as exc:
        field_name, message = _field_of(exc)
        await _audit_invalid(name, raw, field_name, message, ports, started)
        ports.on_commit()
        metrics.tool_served(name, "invalid_request", time.perf_counter() - started)
        log.info("tool.invalid_request", tool=name, field=field_name)
        return _reply_error("invalid_request", message, field_name)
    arguments = audit_arguments(name, req, ports.id_hash_key)
    if req.actor.disclosed_to_model is not None:
        arguments["via"] = "model"
    if name in READ_ONLY:
        async with ports.pool.acquire() as conn:
            answer = await _answer(name, req, conn, ports)
            entry = await _entry(name, req, answer, arguments, conn, ports, started)
        assert ports.audit is not None
        await ports.audit.record(entry)
    else:
        answer, entry = await _serve_write(name, req, arguments, ports, started)
    reply, outcome = answer.reply, answer.outcome
    if ports.crash_after_commit == name:
        # Test hook (FRONTDESK_CRASH_AFTER_COMMIT): die between the commit and the reply.
        os._exit(17)
    ports.on_commit()
    metrics.tool_served(name, outcome, entry.latency_ms / 1000)
    # Every call is in the audit log already; the service log keeps the failures visible.
    (log.debug if outcome == "ok" else log.info)(
        "tool.served", tool=name, outcome=outcome, latency_ms=round(entry.latency_ms, 2)
    )
    return reply
