"""The staff inbox over HTTP: the page, its JSON API, staff actions, and live updates (SSE).

Sign-in (a local-demo level of security, see docs/escalation.md): when INBOX_STAFF_TOKEN is set,
every API call needs it, as `Authorization: Bearer <token>` or the HttpOnly cookie that
`POST /api/login` sets; the staff member's name rides along (`X-Staff-User` or a cookie) and goes
into every audit record. When the token is empty the inbox is open, which the service allows only
on a loopback address.
"""

import asyncio
import hmac
import json
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import Field, ValidationError

from services.escalation import domain, handlers, repo
from services.escalation.handlers import Ports
from services.escalation.live import LiveHub
from shared.contracts.envelope import InboundPayload

TOKEN_COOKIE = "inbox_token"
STAFF_COOKIE = "inbox_staff"
DEFAULT_STAFF = "staff"

TenantPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
ConversationPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class LoginRequest(InboundPayload):
    """Sign in: the shared staff token (when one is set) and who you are."""

    token: str = Field(default="", max_length=500)
    staff_user: str = Field(min_length=1, max_length=64)


class ReplyRequest(InboundPayload):
    """A staff reply; `request_id` makes a double-submitted reply one text."""

    body: str = Field(min_length=1, max_length=1600)
    request_id: UUID | None = None


def _web(name: str) -> str:
    return (resources.files("services.escalation") / "web" / name).read_text()


def inbox_router(
    ports: Callable[[], Ports], hub: Callable[[], LiveHub], *, token: str, sse_seconds: float
) -> APIRouter:
    """Every inbox route; `ports` and `hub` are looked up per request (they exist once started)."""
    router = APIRouter()

    def staff(request: Request) -> str:
        _same_origin(request)
        if token:
            supplied = request.cookies.get(TOKEN_COOKIE, "")
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer "):
                supplied = header[7:].strip()
            if not hmac.compare_digest(supplied.encode(), token.encode()):
                raise HTTPException(401, "sign in with the staff token")
        name = request.headers.get("x-staff-user") or request.cookies.get(STAFF_COOKIE) or DEFAULT_STAFF
        try:
            return domain.check_staff_user(name)
        except domain.InvalidStaffAction as exc:
            raise HTTPException(400, str(exc)) from None

    Staff = Annotated[str, Depends(staff)]

    # ----- the page -----

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_web("index.html"))

    @router.get("/static/inbox.js", include_in_schema=False)
    async def script() -> Response:
        return Response(_web("inbox.js"), media_type="text/javascript")

    @router.get("/static/inbox.css", include_in_schema=False)
    async def style() -> Response:
        return Response(_web("inbox.css"), media_type="text/css")

    # ----- sign-in -----

    @router.post("/api/login", tags=["inbox"], summary="Sign in with the staff token and a name")
    async def login(payload: LoginRequest, request: Request, response: Response) -> dict[str, Any]:
        _same_origin(request)
        if token and not hmac.compare_digest(payload.token.encode(), token.encode()):
            raise HTTPException(401, "wrong staff token")
        try:
            user = domain.check_staff_user(payload.staff_user)
        except domain.InvalidStaffAction as exc:
            raise HTTPException(422, str(exc)) from None
        cookie = {"httponly": True, "samesite": "strict", "max_age": 12 * 3600}
        if token:
            response.set_cookie(TOKEN_COOKIE, token, **cookie)  # type: ignore[arg-type]
        response.set_cookie(STAFF_COOKIE, user, **cookie)  # type: ignore[arg-type]
        return {"staff_user": user}

    @router.get("/api/me", tags=["inbox"], summary="Who is signed in, and whether a token is required")
    async def me(user: Staff) -> dict[str, Any]:
        return {"staff_user": user, "token_required": bool(token), "spas": _spas(ports())}

    # ----- reading -----

    @router.get(
        "/api/conversations",
        tags=["inbox"],
        summary="Conversations, open urgent escalations first, then newest",
    )
    async def conversations(
        _user: Staff, tenant: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            rows = await repo.list_conversations(conn, tenant, limit)
        return {"conversations": [_conversation_out(r) for r in rows]}

    @router.get(
        "/api/conversations/{tenant_id}/{conversation_id}",
        tags=["inbox"],
        summary="One conversation with its messages and escalations",
    )
    async def conversation(
        _user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath
    ) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            row = await repo.get_conversation(conn, tenant_id, conversation_id)
            if row is None:
                raise HTTPException(404, "no such conversation")
            messages = await repo.list_messages(conn, tenant_id, conversation_id)
            escalations = await repo.list_escalations(
                conn, tenant_id=tenant_id, conversation_id=conversation_id
            )
            notes = await repo.list_staff_notes(conn, tenant_id, conversation_id)
        return {
            "conversation": _conversation_out(row),
            "messages": [_message_out(m) for m in messages],
            "escalations": [_escalation_out(e) for e in escalations],
            "staff_notes": [{"note": n["note"], "occurred_at": n["occurred_at"]} for n in notes],
        }

    @router.get(
        "/api/escalations",
        tags=["inbox"],
        summary="Escalations, open urgent ones first, then newest, with alert state",
    )
    async def escalations(
        _user: Staff,
        tenant: str | None = None,
        status: Annotated[str | None, Query(pattern="^(open|resolved)$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            rows = await repo.list_escalations(conn, tenant_id=tenant, status=status, limit=limit)
        return {"escalations": [_escalation_out(e) for e in rows]}

    @router.get("/api/failed-deliveries", tags=["inbox"], summary="Texts that did not reach the client")
    async def failed(
        _user: Staff, tenant: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> dict[str, Any]:
        async with ports().pool.acquire() as conn:
            rows = await repo.failed_deliveries(conn, tenant, limit)
        return {"messages": [_message_out(m) for m in rows]}

    @router.get("/api/recovered", tags=["inbox"], summary="What the agent booked: count and revenue")
    async def recovered(_user: Staff, tenant: str | None = None) -> dict[str, Any]:
        p = ports()
        async with p.pool.acquire() as conn:
            rows = await repo.recovered_summary(conn, tenant)
        names = {spa_id: spa.name for spa_id, spa in p.spas.items()}
        return {
            "business_hours": p.settings.inbox_business_hours,
            "spas": [{**dict(r), "name": names.get(r["tenant_id"], r["tenant_id"])} for r in rows],
        }

    # ----- staff actions -----

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/pause",
        tags=["staff actions"],
        summary="Take over: the AI stops replying on this conversation",
    )
    async def pause(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        command = await _act(handlers.pause_ai(tenant_id, conversation_id, user, ports=ports()))
        return {"command_id": str(command.id), "ai_paused": True}

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/resume",
        tags=["staff actions"],
        summary="Hand the conversation back to the AI",
    )
    async def resume(user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath) -> dict[str, Any]:
        command = await _act(handlers.resume_ai(tenant_id, conversation_id, user, ports=ports()))
        return {"command_id": str(command.id), "ai_paused": False}

    @router.post(
        "/api/conversations/{tenant_id}/{conversation_id}/reply",
        tags=["staff actions"],
        summary="Text the client as staff (pauses the AI if it was active)",
    )
    async def reply(
        user: Staff, tenant_id: TenantPath, conversation_id: ConversationPath, payload: ReplyRequest
    ) -> dict[str, Any]:
        command = await _act(
            handlers.staff_reply(
                tenant_id, conversation_id, user, payload.body, ports=ports(), request_id=payload.request_id
            )
        )
        return {"command_id": str(command.id), "idempotency_key": f"staff:{command.id}"}

    @router.post(
        "/api/escalations/{escalation_id}/resolve", tags=["staff actions"], summary="Close an escalation"
    )
    async def resolve(user: Staff, escalation_id: UUID) -> dict[str, Any]:
        event = await _act(handlers.resolve(escalation_id, user, ports=ports()))
        return {"resolved": event is not None, "already_resolved": event is None}

    # ----- live updates -----

    @router.get("/api/events", tags=["inbox"], summary="Server-Sent Events: a `change` per committed update")
    async def events(_user: Staff, request: Request) -> StreamingResponse:
        live = hub()

        async def stream() -> AsyncIterator[str]:
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
                    yield f"event: change\ndata: {json.dumps(change)}\n\n"

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router


def _same_origin(request: Request) -> None:
    """Refuse a browser's cross-site request: another web page must not press the inbox's buttons."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "cross-site request refused")


async def _act(call: Any) -> Any:
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


def _spas(p: Ports) -> list[dict[str, str]]:
    return [{"id": spa.id, "name": spa.name} for spa in p.spas.values()]


def _conversation_out(row: Any) -> dict[str, Any]:
    # The inbox shows the last four digits only; the full number stays server-side for replies.
    out = {
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "client": domain.masked(row["client_number"]),
        "client_name": row["client_name"],
        "ai_paused": row["ai_paused"],
        "paused_by": row["paused_by"],
        "last_activity_at": row["last_activity_at"],
    }
    keys = row.keys()
    if "last_body" in keys:
        out["last_body"] = (row["last_body"] or "")[:120]
        out["open_escalations"] = row["open_escalations"]
        out["open_categories"] = row["open_categories"] or []
        out["urgent"] = row["urgent"]
    return out


def _message_out(row: Any) -> dict[str, Any]:
    return {
        "direction": row["direction"],
        "body": row["body"],
        "purpose": row["purpose"],
        "status": row["status"],
        "delivery_status": row["delivery_status"],
        "error": row["error"] or (f"carrier error {row['error_code']}" if row["error_code"] else None),
        "keyword": row["keyword"],
        "occurred_at": row["occurred_at"],
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "key": row["message_key"],
    }


def _escalation_out(row: Any) -> dict[str, Any]:
    return {
        "escalation_id": row["escalation_id"],
        "tenant_id": row["tenant_id"],
        "conversation_id": row["conversation_id"],
        "category": row["category"],
        "label": domain.CATEGORY_LABELS.get(row["category"], row["category"]),
        "priority": row["priority"],
        "reason": row["reason"],
        "source": row["source"],
        "client_last4": row["client_last4"],
        "status": row["status"],
        "raised_at": row["raised_at"],
        "resolved_at": row["resolved_at"],
        "resolved_by": row["resolved_by"],
        "alerts": row["alerts"],
    }
