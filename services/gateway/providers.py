"""Carriers the gateway sends through: Twilio (its SDK, async HTTP client) or the local simulator.

Pointing the SDK at another server: the SDK builds every Messages URL from its `api` domain's
`base_url` (`Domain.absolute_url`), so the client's `api.base_url` is set to `TWILIO_API_BASE_URL`.
That is one public attribute of the SDK, no URL rewriting in an HTTP client, and every other
part of the SDK (auth, form encoding, error parsing into TwilioRestException) stays as shipped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlencode

import aiohttp
import asyncpg
import structlog

# The Messages resource and everything its account imports (about 70 ms of imports the SDK would
# otherwise do lazily in the first send, ahead of that client's text), loaded with the gateway.
import twilio.rest.api.v2010.account.message  # noqa: F401
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from services.gateway import repo
from services.gateway.spas import Spa
from shared.contracts.sms import Provider as ProviderName

log = structlog.get_logger()


@dataclass(frozen=True)
class SendResult:
    """One attempt's outcome: accepted with a sid, or an HTTP status and Twilio error code."""

    sid: str | None = None
    status: int | None = None
    code: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.sid is not None


class UnknownOutcome(Exception):
    """The provider cannot tell whether an earlier attempt went out."""


class SmsProvider(Protocol):
    """What the gateway needs of a carrier."""

    name: ProviderName
    # Whether the carrier answers its own keywords (STOP, START...) itself: Twilio does, with its
    # opt-out messages (Advanced Opt-Out customises them), and so does the simulator in its place.
    answers_keywords: bool

    async def send(self, spa: Spa, to: str, body: str, key: str) -> SendResult:
        """One attempt to send; never raises for carrier errors."""
        ...

    async def find_sent(self, spa: Spa, to: str, body: str, key: str, since: datetime) -> str | None:
        """The sid an earlier (crashed) attempt sent, None if none; UnknownOutcome when unsure."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class TwilioProvider:
    """Sends with the twilio SDK over its aiohttp client; one SDK client per account."""

    name: ProviderName = "twilio"
    answers_keywords: bool = True

    def __init__(self, api_base_url: str, *, timeout: float, status_callback_base: str = "") -> None:
        self._base = api_base_url.rstrip("/")
        self._timeout = timeout
        self._status_callback_base = status_callback_base.rstrip("/")
        self._clients: dict[tuple[str, str], Client] = {}

    def _client(self, spa: Spa) -> Client:
        key = (spa.account_sid, spa.auth_token)
        client = self._clients.get(key)
        if client is None:
            client = Client(
                spa.account_sid, spa.auth_token, http_client=AsyncTwilioHttpClient(timeout=self._timeout)
            )
            client.api.base_url = self._base
            self._clients[key] = client
        return client

    def _status_callback(self, key: str) -> str | None:
        # The idempotency key rides on the status callback, so a callback for a text whose send
        # result we never recorded (crash after the HTTP call) still names the key it settles.
        if not self._status_callback_base:
            return None
        return f"{self._status_callback_base}/twilio/status?{urlencode({'ik': key})}"

    async def send(self, spa: Spa, to: str, body: str, key: str) -> SendResult:
        """POST Messages.json once."""
        kwargs: dict[str, str] = {"to": to, "body": body}
        if spa.numbers:
            kwargs["from_"] = spa.sender
        if spa.messaging_service_sid:
            kwargs["messaging_service_sid"] = spa.messaging_service_sid
        callback = self._status_callback(key)
        if callback:
            kwargs["status_callback"] = callback
        try:
            message = await self._client(spa).messages.create_async(**kwargs)
        except TwilioRestException as exc:
            return SendResult(status=exc.status, code=exc.code, detail=str(exc.msg)[:200])
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult(status=None, detail=type(exc).__name__)
        return SendResult(sid=message.sid, status=201)

    async def find_sent(self, spa: Spa, to: str, body: str, key: str, since: datetime) -> str | None:
        """Look for the text in the account's message log (same To and body, created since the claim)."""
        try:
            messages = await self._client(spa).messages.list_async(
                to=to, date_sent_after=since - timedelta(days=1), limit=200
            )
        except (TwilioRestException, aiohttp.ClientError, TimeoutError) as exc:
            raise UnknownOutcome(type(exc).__name__) from exc
        floor = since - timedelta(seconds=5)
        for message in messages:
            created = message.date_created
            if message.body == body and (created is None or created >= floor):
                return str(message.sid)
        return None

    async def close(self) -> None:
        """Close every SDK client's HTTP session."""
        for client in self._clients.values():
            await client.http_client.close()  # type: ignore[attr-defined]
        self._clients.clear()


def simulator_sid(tenant_id: str, key: str) -> str:
    """The simulator's message sid is derived from the idempotency key: it honours the key itself."""
    return "SM" + hashlib.sha256(f"{tenant_id}\x1f{key}".encode()).hexdigest()[:32]


class SimulatorProvider:
    """Records outbound texts on the simulated phone (PostgreSQL) instead of sending them."""

    name: ProviderName = "simulator"
    # Like Twilio: the simulated phone gets the carrier's answer to STOP/START (`inbound.carrier_answer`).
    answers_keywords: bool = True

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def send(self, spa: Spa, to: str, body: str, key: str) -> SendResult:
        """Deliver to the simulated phone; a second attempt with the same key is the same text."""
        sid = simulator_sid(spa.id, key)
        async with self._pool.acquire() as conn:
            await repo.simulator_record(conn, spa.id, to, "out", body, sid)
        return SendResult(sid=sid, status=201)

    async def find_sent(self, spa: Spa, to: str, body: str, key: str, since: datetime) -> str | None:
        """The simulator knows exactly: the sid is the key's."""
        sid = simulator_sid(spa.id, key)
        async with self._pool.acquire() as conn:
            return sid if await repo.simulator_has(conn, sid) else None

    async def close(self) -> None:
        """Nothing to release."""
