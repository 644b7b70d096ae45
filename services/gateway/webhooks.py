"""HTTP endpoints: Twilio webhooks, the admin send-cap endpoint, and the SMS simulator's phone."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import get_args
from urllib.parse import parse_qsl

import structlog
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from twilio.request_validator import RequestValidator

from services.gateway import handlers, inbound, repo
from services.gateway.domain import EMPTY_TWIML
from services.gateway.handlers import Ports
from services.gateway.inbound import InboundText
from services.gateway.settings import GatewaySettings
from services.gateway.spas import Spa
from shared.contracts.sms import DeliveryStatus
from shared.phones import InvalidPhoneNumber, ascii_count, is_e164, to_e164
from shared.web import bearer_token, page_csp, require_loopback_or_token

log = structlog.get_logger()

SIMULATOR_PAGE = Path(__file__).with_name("simulator.html")
SSE_LIFETIME = 15.0
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
MAX_MEDIA = 10
STATUSES = frozenset(get_args(DeliveryStatus))


class FormParams:
    """Form fields with repeats kept, in the shape RequestValidator reads (`getall`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._first: dict[str, str] = {}
        for key, value in pairs:
            self._first.setdefault(key, value)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._first)

    def getall(self, name: str) -> list[str]:
        return [v for k, v in self._pairs if k == name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._first.get(name, default)


def twiml(body: str = EMPTY_TWIML) -> Response:
    """A TwiML answer."""
    return Response(content=body, media_type="application/xml")


async def read_form(request: Request, limit: int) -> FormParams:
    """The webhook's form body: 413 past the limit, 415 not a form, 400 not UTF-8 or malformed."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not CONTENT_LENGTH.fullmatch(declared):
            raise HTTPException(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPException(415, "expected application/x-www-form-urlencoded")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        text = raw.decode("ascii")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=200)
    except UnicodeDecodeError:
        raise HTTPException(400, "form body is not valid UTF-8") from None
    except ValueError:
        raise HTTPException(400, "malformed form body") from None
    if any("\x00" in k or "\x00" in v for k, v in pairs):
        raise HTTPException(400, "form body contains NUL characters")
    return FormParams(pairs)


def public_url(request: Request, settings: GatewaySettings) -> str:
    """The URL Twilio called: PUBLIC_BASE_URL, else X-Forwarded-Proto/Host from a trusted proxy,
    else what we saw. Forwarded headers from anyone else are ignored: the caller would choose the
    URL its own signature is checked against."""
    path = request.url.path
    query = request.url.query
    tail = path + (f"?{query}" if query else "")
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + tail
    if settings.trust_forwarded_headers and _from_trusted_proxy(request, settings):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
        host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
        if proto or host:
            return f"{proto or request.url.scheme}://{host or request.url.netloc}{tail}"
    return str(request.url)


def _from_trusted_proxy(request: Request, settings: GatewaySettings) -> bool:
    peer = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.proxy_networks())


def check_signature(
    request: Request, form: FormParams, tokens: Sequence[str], settings: GatewaySettings
) -> None:
    """403 unless X-Twilio-Signature is the signature of this URL and form by one of `tokens` (the
    Auth Token, and the old one while it is rotated).

    A number we do not serve is checked against the default tokens and answered the same way as a
    served one, so a prober cannot tell which numbers are served.
    """
    signature = request.headers.get("x-twilio-signature")
    if not signature:
        raise HTTPException(403, "missing X-Twilio-Signature")
    url = public_url(request, settings)
    for i, token in enumerate(tokens):
        if RequestValidator(token).validate(url, form, signature):
            if i:
                # Twilio still signs with the old token: the rotation is not finished there yet.
                log.info("webhook.previous_token_used")
            return
    log.warning("webhook.bad_signature", has_token=bool(tokens))
    raise HTTPException(403, "invalid X-Twilio-Signature")


def _number(value: str | None, field: str) -> str:
    if not value:
        raise HTTPException(400, f"missing field {field}")
    if is_e164(value):
        return value  # what Twilio sends; phonenumbers parses the rest
    try:
        return to_e164(value)
    except InvalidPhoneNumber:
        raise HTTPException(400, f"{field} is not a phone number") from None


def _int(value: str | None, field: str, default: int | None = 0) -> int | None:
    if value is None or value == "":
        return default
    number = ascii_count(value)
    if number is None:
        raise HTTPException(400, f"{field} is not a number")
    return number


def _inbound_text(form: FormParams, spa: Spa, settings: GatewaySettings) -> InboundText:
    """The webhook's fields as an InboundText, or a 400/413 naming the field that is wrong."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid or len(sid) > 64:
        raise HTTPException(400, "missing or invalid field MessageSid")
    body = form.get("Body")
    if body is None:
        raise HTTPException(400, "missing field Body")
    if len(body) > 10_000:
        raise HTTPException(413, "Body longer than 10000 characters")
    num_media = _int(form.get("NumMedia"), "NumMedia") or 0
    media = tuple(form.get(f"MediaUrl{i}") or "" for i in range(min(num_media, MAX_MEDIA)))
    return InboundText(
        spa=spa,
        message_sid=sid,
        from_number=_number(form.get("From"), "From"),
        to_number=_number(form.get("To") or spa.sender, "To"),
        body=body,
        num_media=num_media,
        media_urls=tuple(m for m in media if m.startswith("https://")),  # Twilio serves media on https
        number_limits=settings.number_limits,
    )


class CapChange(BaseModel):
    """Body of POST /admin/spas/{id}/send-cap."""

    model_config = ConfigDict(extra="forbid")
    # Strict: `true` or "10" is refused, never read as 1 or 10.
    daily_cap: StrictInt = Field(ge=0, le=1_000_000)


class SimulatedText(BaseModel):
    """A text typed on the simulator's phone."""

    model_config = ConfigDict(extra="forbid")
    spa_id: str | None = None
    from_number: str = Field(min_length=3, max_length=32)
    body: str = Field(min_length=1, max_length=1600)


def build_router(settings: GatewaySettings, ports: Callable[[], Ports]) -> APIRouter:
    """Every gateway route; `ports` is read per request so the app can be built before start."""
    router = APIRouter()
    limit = settings.max_body_bytes
    default_tokens = tuple(
        t.get_secret_value()
        for t in (settings.twilio_auth_token, settings.twilio_auth_token_previous)
        if t.get_secret_value()
    )

    @router.post("/twilio/sms", tags=["twilio"], summary="Inbound text (Twilio messaging webhook)")
    async def inbound_sms(request: Request) -> Response:
        form = await read_form(request, limit)
        p = ports()
        spa = p.spas.for_inbound(form.get("To"), form.get("MessagingServiceSid"))
        check_signature(request, form, spa.webhook_tokens if spa else default_tokens, settings)
        if spa is None:
            log.warning("inbound.unknown_number")
            return twiml()
        await inbound.receive_text(_inbound_text(form, spa, settings), ports=p)
        return twiml()

    @router.post("/twilio/status", tags=["twilio"], summary="Delivery status callback")
    async def status_callback(request: Request) -> Response:
        form = await read_form(request, limit)
        p = ports()
        # On a status callback the spa's number is `From`.
        spa = p.spas.for_inbound(form.get("From"), form.get("MessagingServiceSid"))
        check_signature(request, form, spa.webhook_tokens if spa else default_tokens, settings)
        if spa is None:
            log.warning("status.unknown_number")
            return Response(status_code=204)
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        if not sid:
            raise HTTPException(400, "missing field MessageSid")
        if status not in STATUSES:
            raise HTTPException(400, "missing or unknown MessageStatus")
        client = form.get("To")
        try:
            client_number = to_e164(client) if client else None
        except InvalidPhoneNumber:
            client_number = None
        await handlers.record_status(
            spa,
            sid=sid,
            status=status,
            error_code=_int(form.get("ErrorCode"), "ErrorCode", None),
            client_number=client_number,
            idempotency_key=request.query_params.get("ik"),
            ports=p,
        )
        return Response(status_code=204)

    @router.post("/admin/spas/{spa_id}/send-cap", tags=["admin"], summary="Change a spa's daily send cap")
    async def change_cap(spa_id: str, change: CapChange, authorization: str = Header(default="")) -> dict:
        token = settings.gateway_admin_token.get_secret_value()
        given = bearer_token(authorization)
        if not token or given is None or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "admin token required (Authorization: Bearer ...)")
        p = ports()
        if p.spas.get(spa_id) is None:
            raise HTTPException(404, "unknown spa")
        released = await handlers.set_send_cap(spa_id, change.daily_cap, ports=p)
        return {"spa_id": spa_id, "daily_cap": change.daily_cap, "released": released}

    return router


def build_simulator_router(settings: GatewaySettings, ports: Callable[[], Ports]) -> APIRouter:
    """The simulated phone: a page, texts in through the same pipeline, replies live over SSE."""

    def local_only(request: Request) -> None:
        # It injects texts without a signature: this machine only, or a caller with the token.
        require_loopback_or_token(request, settings.simulator_token.get_secret_value())

    router = APIRouter(prefix="/simulator", tags=["simulator"], dependencies=[Depends(local_only)])

    def _spa(spa_id: str | None) -> Spa:
        p = ports()
        spa = p.spas.get(spa_id) if spa_id else next(iter(p.spas), None)
        if spa is None:
            raise HTTPException(404, "unknown spa")
        return spa

    @router.get("", response_class=HTMLResponse, summary="The simulated phone")
    async def page() -> HTMLResponse:
        html = SIMULATOR_PAGE.read_text()
        # The page's own inline script and style, by hash; nothing else inline runs.
        return HTMLResponse(html, headers={"Content-Security-Policy": page_csp(html)})

    @router.get("/spas", summary="Spas and their numbers")
    async def spas() -> list[dict[str, object]]:
        return [{"id": s.id, "name": s.name, "numbers": list(s.numbers)} for s in ports().spas]

    @router.post("/messages", summary="A client texts the spa", status_code=202)
    async def send(text: SimulatedText) -> dict[str, str]:
        p = ports()
        if p.provider.name != "simulator":
            raise HTTPException(409, "the simulator is off (SMS_PROVIDER=twilio)")
        return await _simulated_text(text, _spa(text.spa_id), p, settings)

    @router.get("/messages", summary="The phone's texts with a spa after a sequence number")
    async def thread(number: str, spa_id: str | None = None, after: int = 0) -> list[dict[str, object]]:
        spa = _spa(spa_id)
        async with ports().pool.acquire() as conn:
            return await repo.simulator_thread(conn, spa.id, _number(number, "number"), after)

    @router.get("/stream", summary="Texts as they arrive (server-sent events)")
    async def stream(
        request: Request,
        number: str,
        spa_id: str | None = None,
        after: int = 0,
        last_event_id: str | None = Header(default=None),
    ) -> StreamingResponse:
        spa = _spa(spa_id)
        phone = _number(number, "number")
        resume_from = ascii_count(last_event_id or "")
        if resume_from is not None:
            after = max(after, resume_from)

        return StreamingResponse(
            _thread_events(request, ports, spa.id, phone, after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    return router


async def _simulated_text(
    text: SimulatedText, spa: Spa, p: Ports, settings: GatewaySettings
) -> dict[str, str]:
    """A text from the simulated phone, through the same pipeline as a carrier's webhook."""
    number = _number(text.from_number, "from_number")
    sid = "SM" + uuid.uuid4().hex
    async with p.pool.acquire() as conn:
        await repo.simulator_record(conn, spa.id, number, "in", text.body, sid)
    typed = InboundText(
        spa=spa,
        message_sid=sid,
        from_number=number,
        to_number=spa.sender or number,
        body=text.body,
        provider="simulator",
        number_limits=settings.number_limits,
    )
    answer = await inbound.carrier_answer(typed, p)
    outcome = await inbound.receive_text(typed, ports=p)
    if answer is not None:
        # The carrier's own answer to its keyword: on the phone, not sent by the spa.
        async with p.pool.acquire() as conn:
            await repo.simulator_record(conn, spa.id, number, "out", answer, "SM" + uuid.uuid4().hex)
    return {"message_sid": sid, "outcome": outcome}


async def _thread_events(
    request: Request, ports: Callable[[], Ports], spa_id: str, phone: str, after: int
) -> AsyncIterator[bytes]:
    """The phone's texts after `after` as server-sent events, for a while."""
    last = after
    yield b"retry: 500\n\n"
    # Each stream ends after a while and the browser reconnects from Last-Event-ID: an open
    # stream then never holds up a graceful shutdown for long.
    loop = asyncio.get_running_loop()
    ends = loop.time() + SSE_LIFETIME
    while loop.time() < ends and not await request.is_disconnected():
        async with ports().pool.acquire() as conn:
            rows = await repo.simulator_thread(conn, spa_id, phone, last)
        for row in rows:
            last = int(row["seq"])  # type: ignore[call-overload]
            yield f"id: {last}\ndata: {json.dumps(row)}\n\n".encode()
        await asyncio.sleep(0.3)


def install(app: FastAPI, settings: GatewaySettings, ports: Callable[[], Ports]) -> None:
    """Mount the routes, and turn request validation errors into a clear 400/422.

    Refuses (ValueError) a Twilio gateway whose signature URL a caller could choose.
    """
    settings.check_webhook_url()
    app.include_router(build_router(settings, ports))
    # The simulator's routes inject texts without a signature: they exist only when it is the provider.
    if settings.provider == "simulator":
        app.include_router(build_simulator_router(settings, ports))

    @app.exception_handler(UnicodeDecodeError)
    async def _not_utf8(request: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return JSONResponse({"detail": "request is not valid UTF-8"}, status_code=400)
