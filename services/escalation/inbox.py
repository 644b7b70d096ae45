"""The staff inbox over HTTP: the page, its JSON API, staff actions, and live updates (SSE).

Every API route needs a signed-in staff member (see signin.py) and shows or changes only their own
spa's conversations; what they do is audited under their user id.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import Field, ValidationError

from services.escalation import accounts, domain, handlers, labels, repo, staff_audit
from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from services.escalation.live import LiveHub
from services.escalation.owner import owner_router
from services.escalation.signin import Gate, signin_router
from services.escalation.team import team_router
from shared.contracts.envelope import InboundPayload, utcnow
from shared.db import UnitOfWork

TenantPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
ConversationPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
WEB_FILES = {
    "inbox.js": "text/javascript",
    "inbox.css": "text/css",
    "calendar.js": "text/javascript",
    "drafts.js": "text/javascript",
}


class ReplyRequest(InboundPayload):
    """A staff reply; `request_id` makes a double-submitted reply one text."""

    body: str = Field(min_length=1, max_length=1600)
    request_id: UUID | None = None


class AssignRequest(InboundPayload):
    """Who a conversation is assigned to: a staff member of the spa, or null for nobody."""

    user_id: UUID | None


def _web(name: str) -> str:
    return (resources.files("services.escalation") / "web" / name).read_text()


def own_spa(user: StaffUser, tenant_id: str | None) -> str:
    """The spa a request may see: the user's own; asking for another is refused."""
    if tenant_id is not None and tenant_id != user.tenant_id:
        raise HTTPException(403, "this belongs to another spa")
    return user.tenant_id


def inbox_router(
    ports: Callable[[], Ports], hub: Callable[[], LiveHub], *, gate: Gate, sse_seconds: float
) -> APIRouter:
    """Every inbox route; `ports` and `hub` are looked up per request (they exist once started)."""
    router = APIRouter()
    _page_routes(router)
    router.include_router(signin_router(gate))
    router.include_router(team_router(gate))
    router.include_router(owner_router(ports, gate))
    _reading_routes(router, ports, gate)
    _action_routes(router, ports, gate)
    _event_routes(router, hub, gate, sse_seconds)
    return router


def _page_routes(router: APIRouter) -> None:
    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_web("index.html"))

    @router.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in WEB_FILES:
            raise HTTPException(404, "no such file")
        return Response(_web(name), media_type=WEB_FILES[name])


def _reading_routes(router: APIRouter, ports: Callable[[], Ports], gate: Gate) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]
    _conversation_reads(router, ports, gate)

    @router.get(
        "/api/escalations",
        tags=["inbox"],
        summary="Escalations, open urgent ones first, then newest, with alert state",
    )
    async def escalations(
        user: Staff,
        tenant: str | None = None,
        status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        spa = own_spa(user, tenant)
        async with ports().pool.acquire() as conn:
            rows = await repo.list_escalations(conn, tenant_id=spa, status=status, limit=limit)
            names = await accounts.names(conn, spa)
            clients = await repo.client_names(
                conn, spa, [e["conversation_id"] for e in rows if e["conversation_id"]]
            )
        return {"escalations": [_with_client(_escalation_out(e, names), clients) for e in rows]}

    @router.get("/api/failed-deliveries", tags=["inbox"], summary="Texts that did not reach the client")
    async def failed(
        user: Staff, tenant: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            rows = await repo.failed_deliveries(conn, own_spa(user, tenant), limit)
        return {"messages": [_message_out(m) for m in rows]}

    @router.get("/api/recovered", tags=["inbox"], summary="What the agent booked: count and revenue")
    async def recovered(user: Staff, tenant: str | None = None) -> dict[str, Any]:
        p = ports()
        async with p.pool.acquire() as conn:
            rows = await repo.recovered_summary(conn, own_spa(user, tenant))
        names = {spa_id: spa.name for spa_id, spa in p.spas.items()}
        return {
            "business_hours": p.settings.inbox_business_hours,
            "spas": [{**dict(r), "name": names.get(r["tenant_id"], r["tenant_id"])} for r in rows],
        }


def _conversation_reads(router: APIRouter, ports: Callable[[], Ports], gate: Gate) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.get(
        "/api/conversations",
        tags=["inbox"],
        summary="Conversations, open urgent escalations first, then newest",
    )
    async def conversations(
        user: Staff,
        tenant: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        q: Annotated[str | None, Query(max_length=80, description="the client's name or number")] = None,
        mine: Annotated[bool, Query(description="only conversations assigned to me")] = False,
    ) -> dict[str, Any]:
        spa = own_spa(user, tenant)
        search = labels.search_terms(q)
        async with ports().pool.acquire() as conn:
            rows = await repo.list_conversations(
                conn,
                spa,
                limit,
                reader=str(user.user_id),
                name_like=search.name_like,
                number_digits=search.digits,
                assigned_to=str(user.user_id) if mine else None,
            )
            names = await accounts.names(conn, spa)
        return {"conversations": [_conversation_out(r, names) for r in rows]}

    @router.get(
        "/api/conversations/{tenant_id}/{conversation_id}",
        tags=["inbox"],
        summary="One conversation with its messages and escalations",
    )
    async def conversation(
        user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        p = ports()
        async with UnitOfWork(p.pool) as uow:
            conn = uow.conn
            row = await repo.get_conversation(conn, tenant_id, conversation_id)
            if row is None:
                raise HTTPException(404, "no such conversation")
            messages = await repo.list_messages(conn, tenant_id, conversation_id)
            # Every view of a client's conversation is an access to PHI: audited with the client's reference.
            await staff_audit.record(
                conn,
                p,
                user,
                "staff.view_conversation",
                {"conversation_id": conversation_id},
                conversation_id=conversation_id,
            )
            await repo.mark_read(conn, str(user.user_id), tenant_id, conversation_id, utcnow())
            escalations = await repo.list_escalations(
                conn, tenant_id=tenant_id, conversation_id=conversation_id
            )
            notes = await repo.list_staff_notes(conn, tenant_id, conversation_id)
            names = await accounts.names(conn, tenant_id)
        p.committed()
        return {
            "conversation": _conversation_out(row, names),
            "messages": [_message_out(m) for m in messages],
            "escalations": [_escalation_out(e, names) for e in escalations],
            "staff_notes": [{"note": n["note"], "occurred_at": n["occurred_at"]} for n in notes],
        }

    @router.get("/api/assignees", tags=["inbox"], summary="Who a conversation can be assigned to")
    async def assignees(user: Staff) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            names = await accounts.names(conn, user.tenant_id)
        people = sorted(names.items(), key=lambda item: item[1].casefold())
        return {"staff": [{"user_id": uid, "display_name": name} for uid, name in people]}

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/assign",
        tags=["staff actions"],
        summary="Assign the conversation to a staff member of the spa (null: to nobody)",
    )
    async def assign(
        user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath, payload: AssignRequest
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        p = ports()
        to = str(payload.user_id) if payload.user_id else None
        async with UnitOfWork(p.pool) as uow:
            names = await accounts.names(uow.conn, tenant_id)
            if to is not None and to not in names:
                raise HTTPException(422, "user_id: no staff member of this spa has that id")
            if not await repo.assign(uow.conn, tenant_id, conversation_id, to, utcnow()):
                raise HTTPException(404, "no such conversation")
            await staff_audit.record(
                uow.conn,
                p,
                user,
                "staff.assign_conversation",
                {"conversation_id": conversation_id, "assigned_to": to},
                conversation_id=conversation_id,
            )
            await repo.notify(uow.conn, "conversation", tenant_id, conversation_id)
        p.committed()
        return {"assigned_to": to, "assigned_name": names.get(to or "")}


def _action_routes(router: APIRouter, ports: Callable[[], Ports], gate: Gate) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/pause",
        tags=["staff actions"],
        summary="Take over: the AI stops replying on this conversation",
    )
    async def pause(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        own_spa(user, tenant_id)
        command = await act(handlers.pause_ai(tenant_id, conversation_id, str(user.user_id), ports=ports()))
        return {"command_id": str(command.id), "ai_paused": True}

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/resume",
        tags=["staff actions"],
        summary="Hand the conversation back to the AI",
    )
    async def resume(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        own_spa(user, tenant_id)
        command = await act(handlers.resume_ai(tenant_id, conversation_id, str(user.user_id), ports=ports()))
        return {"command_id": str(command.id), "ai_paused": False}

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/reply",
        tags=["staff actions"],
        summary="Text the client as staff (pauses the AI if it was active)",
    )
    async def reply(
        user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath, payload: ReplyRequest
    ) -> dict[str, Any]:
        own_spa(user, tenant_id)
        staff = str(user.user_id)
        command = await act(
            handlers.staff_reply(
                tenant_id, conversation_id, staff, payload.body, ports=ports(), request_id=payload.request_id
            )
        )
        return {"command_id": str(command.id), "idempotency_key": f"staff:{command.id}"}

    @router.post(
        "/api/escalations/{escalation_id}/resolve", tags=["staff actions"], summary="Close an escalation"
    )
    async def resolve(user: Staff, escalation_id: UUID) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            row = await repo.get_escalation(conn, escalation_id)
        if row is None or row["tenant_id"] != user.tenant_id:
            raise HTTPException(404, f"no escalation {escalation_id}")
        event = await act(handlers.resolve(escalation_id, str(user.user_id), ports=ports()))
        return {"resolved": event is not None, "already_resolved": event is None}


def _event_routes(router: APIRouter, hub: Callable[[], LiveHub], gate: Gate, sse_seconds: float) -> None:
    Staff = Annotated[StaffUser, Depends(gate.staff)]

    @router.get("/api/events", tags=["inbox"], summary="Server-Sent Events: a `change` per committed update")
    async def events(user: Staff, request: Request) -> StreamingResponse:
        return StreamingResponse(
            event_stream(hub(), request, user.tenant_id, sse_seconds),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


async def event_stream(
    live: LiveHub, request: Request, tenant_id: str, sse_seconds: float
) -> AsyncIterator[str]:
    """The changes of one spa as SSE; a spa never hears of another's changes."""
    loop = asyncio.get_running_loop()
    # Streams end now and then (the browser reconnects): a stopping server is not held open.
    deadline = loop.time() + sse_seconds
    async with live.subscribe() as queue:
        yield "retry: 1000\nevent: hello\ndata: {}\n\n"
        while loop.time() < deadline:
            if await request.is_disconnected():
                return
            try:
                change = await asyncio.wait_for(queue.get(), min(15.0, sse_seconds))
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if change is None:
                return
            if change.get("tenant_id", tenant_id) != tenant_id:
                continue
            yield f"event: change\ndata: {json.dumps(change)}\n\n"


async def act(call: Any) -> Any:
    """Run a staff action, turning its typed errors into clear HTTP answers."""
    try:
        return await call
    except handlers.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except domain.InvalidStaffAction as exc:
        raise HTTPException(422, str(exc)) from None
    except ValidationError as exc:
        raise HTTPException(
            422, exc.errors(include_url=False, include_context=False, include_input=False)
        ) from None


def _conversation_out(row: Any, names: dict[str, str]) -> dict[str, Any]:
    # Signed-in staff see the whole number (to call back); alerts keep the last four digits only.
    out = {
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "client": row["client_number"] or domain.masked(None),
        "client_last4": domain.last4(row["client_number"]),
        "client_name": row["client_name"],
        "ai_paused": row["ai_paused"],
        "paused_by": names.get(row["paused_by"] or "", row["paused_by"]),
        "last_activity_at": row["last_activity_at"],
    }
    keys = set(row.keys())
    if "last_body" in keys:
        out["last_body"] = (row["last_body"] or "")[:120]
        out["open_escalations"] = row["open_escalations"]
        out["open_categories"] = row["open_categories"] or []
        out["open_labels"] = [labels.category(c) for c in out["open_categories"]]
        out["urgent"] = row["urgent"]
        out["unread"] = row["unread"]
    if "assigned_to" in keys:
        out["assigned_to"] = row["assigned_to"]
        out["assigned_name"] = names.get(row["assigned_to"] or "")
    return out


def _with_client(escalation: dict[str, Any], clients: dict[str, Any]) -> dict[str, Any]:
    """An escalation item names its client: the name they gave and their number (staff only)."""
    name, number = clients.get(escalation["conversation_id"] or "", (None, None))
    return {**escalation, "client_name": name, "client": number}


def _message_out(row: Any) -> dict[str, Any]:
    return {
        "direction": row["direction"],
        "body": row["body"],
        "purpose": row["purpose"],
        "status": row["status"],
        "delivery_status": row["delivery_status"],
        "error": row["error"] or (f"carrier error {row['error_code']}" if row["error_code"] else None),
        "keyword": row["keyword"],
        "media_urls": list(row["media_urls"] or ()),
        "occurred_at": row["occurred_at"],
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "key": row["message_key"],
    }


def _escalation_out(row: Any, names: dict[str, str]) -> dict[str, Any]:
    return {
        "escalation_id": row["escalation_id"],
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "category": row["category"],
        "label": labels.category(row["category"]),
        "priority": row["priority"],
        "priority_label": labels.priority(row["priority"]),
        "reason": row["reason"],
        "source": row["source"],
        "client_last4": row["client_last4"],
        "status": row["status"],
        "raised_at": row["raised_at"],
        "resolved_at": row["resolved_at"],
        "resolved_by": names.get(row["resolved_by"] or "", row["resolved_by"]),
        "alerts": row["alerts"],
    }
