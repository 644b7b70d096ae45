"""The compliance API: query, export, verify and checkpoint, behind hashed API tokens.

Every request that reads the log is itself appended to the log (action `audit.query`,
`audit.export`, `audit.verify`, ...) before its answer leaves, with the token's name as staff user.
A client's phone number is turned into its keyed hash at the door and never stored.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures' annotations, and
# the token dependency is local to build_router.
import csv
import io
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import AwareDatetime, BaseModel, Field

from services.audit import handlers, repo
from services.audit.domain import InvalidCursor, decode_cursor, encode_cursor, prepare
from services.audit.settings import AuditSettings
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.envelope import InboundPayload, TenantId
from shared.ids import client_ref
from shared.phones import InvalidPhoneNumber, to_e164
from shared.web import bearer_token

log = structlog.get_logger()


@dataclass
class AuditState:
    """What the API needs from the running service."""

    settings: AuditSettings
    pool: asyncpg.Pool
    keys: handlers.Keys
    partitions: handlers.Partitions
    signer: handlers.Signer | None = None

    @property
    def store(self) -> handlers.CheckpointStore | None:
        """The checkpoint store outside the database, when one is configured."""
        export_dir = self.settings.audit_checkpoint_export
        return handlers.CheckpointStore(export_dir) if export_dir else None


# ---------------------------------------------------------------------------- schemas


class RecordQuery(InboundPayload):
    """Filters of a query or an export. The phone number is matched on its keyed hash only."""

    spa: TenantId
    from_: AwareDatetime | None = Field(default=None, alias="from", description="occurred at or after")
    to: AwareDatetime | None = Field(default=None, description="occurred before")
    client_phone: str | None = Field(
        default=None, max_length=40, description="the client's number, any format"
    )
    client_ref: str | None = Field(default=None, max_length=64, description="the client's keyed hash")
    conversation_id: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=200, description="service or staff user")
    action: str | None = Field(default=None, max_length=100)
    outcome: str | None = Field(default=None, max_length=100)

    model_config = {**InboundPayload.model_config, "populate_by_name": True}


class SearchRequest(RecordQuery):
    """A query page request."""

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=1000)


class ExportRequest(RecordQuery):
    """An export request."""

    format: Literal["csv", "jsonl"] = "jsonl"


class ActorOut(BaseModel):
    """Who acted."""

    service: str
    instance: str
    conversation_id: str | None
    client_ref: str | None
    client_id: str | None
    staff_user: str | None


class RecordOut(BaseModel):
    """One stored audit record, with its place in the spa's chain."""

    seq: int
    record_id: UUID
    occurred_at: datetime
    recorded_at: datetime
    spa: str
    correlation_id: UUID
    actor: ActorOut
    action: str
    arguments: dict[str, Any]
    result_summary: dict[str, Any]
    disclosed_fields: list[str]
    outcome: str
    latency_ms: float
    prev_hash: str
    hash: str


class RecordPage(BaseModel):
    """A page of records, oldest first; pass `next_cursor` back for the next page."""

    records: list[RecordOut]
    next_cursor: str | None


class TokenInfo(BaseModel):
    """Who the presented token belongs to."""

    name: str
    spa: str | None
    role: str


def _record(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "seq": r["seq"],
        "record_id": str(r["record_id"]),
        "occurred_at": r["occurred_at"].isoformat(),
        "recorded_at": r["recorded_at"].isoformat(),
        "spa": r["tenant_id"],
        "correlation_id": str(r["correlation_id"]),
        "actor": {
            "service": r["actor_service"],
            "instance": r["actor_instance"],
            "conversation_id": r["conversation_id"],
            "client_ref": r["client_ref"],
            "client_id": r["client_id"],
            "staff_user": r["staff_user"],
        },
        "action": r["action"],
        "arguments": json.loads(r["arguments"]),
        "result_summary": json.loads(r["result_summary"]),
        "disclosed_fields": json.loads(r["disclosed_fields"]),
        "outcome": r["outcome"],
        "latency_ms": r["latency_ms"],
        "prev_hash": bytes(r["prev_hash"]).hex(),
        "hash": bytes(r["hash"]).hex(),
    }


CSV_COLUMNS = (
    "seq", "record_id", "occurred_at", "recorded_at", "spa", "correlation_id", "actor_service",
    "actor_instance", "conversation_id", "client_ref", "client_id", "staff_user", "action", "arguments",
    "result_summary", "disclosed_fields", "outcome", "latency_ms", "prev_hash", "hash",
)  # fmt: skip


def _csv_row(r: asyncpg.Record) -> list[Any]:
    return [
        r["seq"], r["record_id"], r["occurred_at"].isoformat(), r["recorded_at"].isoformat(), r["tenant_id"],
        r["correlation_id"], r["actor_service"], r["actor_instance"], r["conversation_id"], r["client_ref"],
        r["client_id"], r["staff_user"], r["action"], r["arguments"], r["result_summary"],
        r["disclosed_fields"], r["outcome"], r["latency_ms"], bytes(r["prev_hash"]).hex(),
        bytes(r["hash"]).hex(),
    ]  # fmt: skip


# ---------------------------------------------------------------------------- the use cases behind the routes


async def current_token(state: AuditState, authorization: str | None) -> repo.Token:
    """The live token of `Authorization: Bearer <token>` (strictly that form), or 401."""
    presented = bearer_token(authorization)
    if presented is None:
        raise HTTPException(401, "an API token is required (Authorization: Bearer ...)", headers=_CHALLENGE)
    token = await handlers.authenticate(state.pool, presented)
    if token is None:
        raise HTTPException(401, "invalid or revoked API token", headers=_CHALLENGE)
    return token


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Access:
    """One request's look at a spa's log: who, which spa, what action, since when."""

    token: repo.Token
    spa: str
    action: str
    started: float


async def record_access(
    state: AuditState, access: Access, arguments: dict[str, Any], result: dict[str, Any], *,
    spa: str | None = None, outcome: str = "ok", client: str | None = None,
) -> None:  # fmt: skip
    """Append who looked at what to the spa's own chain, before the answer leaves."""
    entry = AuditRecorded(
        tenant_id=spa or access.spa,
        correlation_id=uuid4(),
        actor=AuditActor(
            service="audit",
            instance=state.settings.instance_id,
            staff_user=access.token.name,
            client_ref=client,
        ),
        action=access.action,
        arguments=arguments,
        result_summary=result,
        outcome=outcome,
        latency_ms=round((time.perf_counter() - access.started) * 1000, 3),
    )
    row = prepare(entry, now=datetime.now(UTC))
    await handlers.append_records(
        state.pool, [row], writer_role=state.settings.audit_writer_role, partitions=state.partitions,
        signer=state.signer,
    )  # fmt: skip


async def authorise(state: AuditState, token: repo.Token, spa: str, action: str) -> Access:
    """403 for another spa's log (the attempt recorded in the token's own spa); 404 for a spa without one."""
    access = Access(token, spa, action, time.perf_counter())
    if token.tenant_id is not None and token.tenant_id != spa:
        # Recorded in the caller's own spa: an attempt on another spa's log is worth knowing about.
        await record_access(state, access, {"spa": spa}, {}, spa=token.tenant_id, outcome="forbidden")
        log.warning("audit.access_forbidden", token_name=token.name, spa=spa)
        raise HTTPException(403, f"this token may not read spa {spa!r}")
    async with state.pool.acquire() as conn:
        known = await repo.chain_exists(conn, spa)
    if not known:
        # Nothing is written for an unknown spa: a guessed id must not start a chain.
        log.warning("audit.unknown_spa", token_name=token.name)
        raise HTTPException(404, f"no audit log for spa {spa!r}")
    return access


def filters(state: AuditState, q: RecordQuery) -> tuple[repo.Filters, dict[str, Any]]:
    """Repository filters and their loggable form (the phone replaced by its keyed hash)."""
    ref = q.client_ref
    if q.client_phone is not None:
        try:
            e164 = to_e164(q.client_phone)
        except InvalidPhoneNumber as exc:
            raise HTTPException(422, f"client_phone: {exc}") from None
        ref = client_ref(state.settings.id_hash_key.get_secret_value(), q.spa, e164)
    if q.from_ and q.to and q.from_ >= q.to:
        raise HTTPException(422, "'from' must be before 'to'")
    f = repo.Filters(
        tenant_id=q.spa, start=q.from_, end=q.to, client_ref=ref, conversation_id=q.conversation_id,
        actor=q.actor, action=q.action, outcome=q.outcome,
    )  # fmt: skip
    logged = {
        "spa": q.spa,
        "from": q.from_.isoformat() if q.from_ else None,
        "to": q.to.isoformat() if q.to else None,
        "client_ref": ref,
        "conversation_id": q.conversation_id,
        "actor": q.actor,
        "action": q.action,
        "outcome": q.outcome,
    }
    return f, {k: v for k, v in logged.items() if v is not None}


async def search(state: AuditState, token: repo.Token, body: SearchRequest) -> RecordPage:
    """One page of records, the look recorded."""
    access = await authorise(state, token, body.spa, "audit.query")
    f, logged = filters(state, body)
    try:
        after = decode_cursor(body.cursor) if body.cursor else None
    except InvalidCursor:
        raise HTTPException(422, "cursor: not a cursor this API handed out") from None
    async with state.pool.acquire() as conn:
        rows = await repo.query_records(conn, f, after=after, limit=body.limit + 1)
    more = len(rows) > body.limit
    rows = rows[: body.limit]
    next_cursor = encode_cursor(rows[-1]["occurred_at"], rows[-1]["record_id"]) if more else None
    if body.cursor:
        logged["cursor"] = body.cursor
    await record_access(state, access, logged, {"returned": len(rows), "more": more}, client=f.client_ref)
    return RecordPage(records=[RecordOut.model_validate(_record(r)) for r in rows], next_cursor=next_cursor)


async def export(state: AuditState, token: repo.Token, body: ExportRequest) -> StreamingResponse:
    """Every matching record, streamed; recorded before the first byte."""
    access = await authorise(state, token, body.spa, "audit.export")
    f, logged = filters(state, body)
    logged["format"] = body.format
    # Recorded before the first byte: an export cut short was still a look at the log.
    await record_access(state, access, logged, {}, client=f.client_ref)
    media = "text/csv; charset=utf-8" if body.format == "csv" else "application/x-ndjson"
    name = f"audit-{body.spa}.{body.format}"
    return StreamingResponse(
        export_lines(state.pool, f, body.format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def export_lines(pool: asyncpg.Pool, f: repo.Filters, fmt: str) -> AsyncIterator[bytes]:
    """The export's bytes, a chunk of records at a time from a server-side cursor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if fmt == "csv":
        writer.writerow(CSV_COLUMNS)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        async for chunk in repo.stream_records(conn, f):
            if fmt == "csv":
                writer.writerows(_csv_row(r) for r in chunk)
            else:
                buffer.writelines(f"{json.dumps(_record(r), ensure_ascii=False)}\n" for r in chunk)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def verify_spa(
    state: AuditState, token: repo.Token, spa: str, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """Verify a spa's chain (held to the exported checkpoints too), the look recorded."""
    access = await authorise(state, token, spa, "audit.verify")
    report = await handlers.verify(
        state.pool, spa, state.keys.trusted, start=start, end=end,
        retention_months=state.settings.audit_retention_months, store=state.store,
    )  # fmt: skip
    args = {"spa": spa, "from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
    result = {"ok": report.ok, "records": report.records_checked}
    await record_access(state, access, {k: v for k, v in args.items() if v}, result)
    return report.to_dict()


async def sign_head(state: AuditState, token: repo.Token, spa: str) -> dict[str, Any]:
    """Sign the spa's head now, the request recorded."""
    access = await authorise(state, token, spa, "audit.checkpoint")
    if state.signer is None:
        raise HTTPException(503, "no signing key is configured on this instance")
    made = await handlers.checkpoint(
        state.pool, state.signer, writer_role=state.settings.audit_writer_role, tenant_id=spa, force=True
    )
    await record_access(state, access, {"spa": spa}, {"signed": len(made)})
    return {"checkpoints": made}


# ---------------------------------------------------------------------------- routes


def build_router(get_state: Callable[[], AuditState]) -> APIRouter:
    """The /v1 routes; `get_state` gives the running service's state."""
    router = APIRouter(prefix="/v1", tags=["audit"])
    bearer = HTTPBearer(auto_error=False, description="an API token from `frontdesk audit token create`")

    async def caller(request: Request, _: Annotated[Any, Depends(bearer)]) -> repo.Token:
        return await current_token(get_state(), request.headers.get("authorization"))

    _query_routes(router, get_state, Annotated[repo.Token, Depends(caller)])
    _chain_routes(router, get_state, Annotated[repo.Token, Depends(caller)])
    return router


def _query_routes(router: APIRouter, get_state: Callable[[], AuditState], caller: Any) -> None:
    @router.get("/records", summary="Query records (oldest first, cursor pagination)")
    async def get_records(token: caller, query: Annotated[SearchRequest, Query()]) -> RecordPage:  # type: ignore[valid-type]
        return await search(get_state(), token, query)

    @router.post("/records/search", summary="Query records with the filters in the body (no phone in URLs)")
    async def post_records(token: caller, body: SearchRequest) -> RecordPage:  # type: ignore[valid-type]
        return await search(get_state(), token, body)

    @router.get("/export", summary="Export every matching record as CSV or JSON Lines (streamed)")
    async def get_export(token: caller, query: Annotated[ExportRequest, Query()]) -> StreamingResponse:  # type: ignore[valid-type]
        return await export(get_state(), token, query)

    @router.post("/export", summary="Export with the filters in the body (streamed)")
    async def post_export(token: caller, body: ExportRequest) -> StreamingResponse:  # type: ignore[valid-type]
        return await export(get_state(), token, body)


def _chain_routes(router: APIRouter, get_state: Callable[[], AuditState], caller: Any) -> None:
    @router.get("/verify", summary="Recompute a spa's chain over a period and check its signed checkpoints")
    async def get_verify(
        token: caller,  # type: ignore[valid-type]
        spa: TenantId,
        from_: Annotated[AwareDatetime | None, Query(alias="from")] = None,
        to: AwareDatetime | None = None,
    ) -> dict[str, Any]:
        return await verify_spa(get_state(), token, spa, from_, to)

    @router.post("/checkpoints", summary="Sign the spa's chain head now")
    async def post_checkpoint(token: caller, spa: TenantId) -> dict[str, Any]:  # type: ignore[valid-type]
        return await sign_head(get_state(), token, spa)

    @router.get("/whoami", summary="The presented token's name and scope")
    async def whoami(token: caller) -> TokenInfo:  # type: ignore[valid-type]
        return TokenInfo(name=token.name, spa=token.tenant_id, role=token.role)


def install(app: FastAPI, get_state: Callable[[], AuditState]) -> None:
    """Mount the compliance API on the service's app."""
    app.include_router(build_router(get_state))

    @app.exception_handler(asyncpg.PostgresConnectionError)
    async def database_away(_request: Request, _exc: Exception) -> Any:
        return JSONResponse({"detail": "the audit database is unavailable"}, status_code=503)
