"""Running a real gateway in-process for tests: real NATS, real PostgreSQL, fake Twilio at the wire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from nats.js import JetStreamContext
from twilio.request_validator import RequestValidator

from services.gateway.app import build
from services.gateway.handlers import Ports
from services.gateway.notices import OPT_OUT_NOTICE
from services.gateway.settings import GatewaySettings
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SPA_ID = "glow-test"
SPA_NUMBER = "+14155550199"
SERVICE_SID = "MG" + "a" * 32
HELP_TEXT = "Glow Test: text us to book. Reply STOP to opt out."
BASE = "http://testserver"


def write_spa(
    folder: Path,
    spa_id: str = SPA_ID,
    *,
    numbers: list[str] | None = None,
    service_sid: str | None = SERVICE_SID,
    cap: int = 100,
    timezone: str = "America/Los_Angeles",
    auth_token_env: str | None = None,
    phone_display: str | None = None,
) -> Path:
    """Write one spa file (only the parts the gateway reads)."""
    sms: dict[str, Any] = {
        "numbers": numbers if numbers is not None else [SPA_NUMBER],
        "daily_send_cap": cap,
        "help_text": HELP_TEXT,
    }
    if phone_display:
        sms["phone_display"] = phone_display
    if service_sid:
        sms["messaging_service_sid"] = service_sid
    if auth_token_env:
        sms["auth_token_env"] = auth_token_env
    path = folder / f"{spa_id}.yaml"
    path.write_text(json.dumps({"id": spa_id, "name": "Glow Test", "timezone": timezone, "sms": sms}))
    return path


def noticed(body: str) -> str:
    """A spa's first text to a number, as sent: the body and the opt-out notice carriers expect."""
    return f"{body} {OPT_OUT_NOTICE}"


def signed(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> dict[str, str]:
    """Headers of a webhook as Twilio would sign it (the real SDK's RequestValidator)."""
    return {
        "X-Twilio-Signature": RequestValidator(token).compute_signature(url, params),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def sms_form(sid: str, body: str, from_number: str = "+14155550123", to: str = SPA_NUMBER) -> dict[str, str]:
    """Twilio's inbound messaging webhook parameters."""
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "MessagingServiceSid": SERVICE_SID,
        "From": from_number,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }


@dataclass
class RunningGateway:
    """A started gateway and an HTTP client talking to its ASGI app."""

    spec: ServiceSpec
    ctx: ServiceContext
    settings: GatewaySettings
    http: httpx.AsyncClient

    @property
    def ports(self) -> Ports:
        return self.ctx.extras["ports"]  # type: ignore[return-value]

    @property
    def topology(self) -> Topology:
        return self.ctx.topology

    async def post_sms(
        self, params: dict[str, str], *, token: str = AUTH_TOKEN, path: str = "/twilio/sms"
    ) -> httpx.Response:
        """POST a correctly signed webhook."""
        return await self.http.post(
            path, content=urlencode(params), headers=signed(BASE + path, params, token)
        )


def gateway_settings(
    nats_url: str, database_url: str, topology: Topology, tmp: Path, **overrides: Any
) -> GatewaySettings:
    """Settings of a test gateway: its own prefix, spool and spa files; fast retries."""
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "subject_prefix": topology.prefix,
        "spa_files": str(tmp / "spas" / "*.yaml"),
        "spool_dir": tmp / "spool",
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "sms_provider": "simulator",
        "send_backoff_seconds": 0.01,
        "publish_timeout_seconds": 1.0,
        "gateway_admin_token": "admin-secret",
        "db_pool_max": 5,
        "log_format": "json",
    }
    values.update(overrides)
    return GatewaySettings(**values)


@asynccontextmanager
async def running_gateway(settings: GatewaySettings) -> AsyncIterator[RunningGateway]:
    """Start the gateway (migrations, streams, consumer, background tasks); stop it afterwards."""
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url=BASE) as http:
            yield RunningGateway(spec, ctx, settings, http)
    finally:
        await stop_context(spec, ctx)


async def stream_messages(
    js: JetStreamContext, subject: str, count: int, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """Wait until `count` messages are on a subject (read from the stream start); returns them all.

    Returns as soon as `count` are there, with whatever else was already stored on the subject.
    """
    found: list[dict[str, Any]] = []
    sub = await js.subscribe(subject, ordered_consumer=True)
    try:
        async with asyncio.timeout(timeout):
            while len(found) < count:
                msg = await sub.next_msg(timeout=timeout)
                found.append({"data": json.loads(msg.data), "headers": msg.headers or {}})
        while True:
            try:
                msg = await sub.next_msg(timeout=0.2)
            except Exception:
                break
            found.append({"data": json.loads(msg.data), "headers": msg.headers or {}})
    finally:
        await sub.unsubscribe()
    return found


async def subject_count(js: JetStreamContext, stream: str, subject: str) -> int:
    """How many messages a stream holds on a subject (wildcards allowed)."""
    info = await js.stream_info(stream, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())
