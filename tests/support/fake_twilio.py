"""A local HTTP server that speaks Twilio's Messages API, for the real twilio SDK to talk to.

It answers `POST /2010-04-01/Accounts/{Sid}/Messages.json` like Twilio (201 with a message
resource; 400 with code 21610 for a number that opted out, 21211 for an invalid number; 401 for
bad credentials), `GET` on the same path lists what was sent (with `To` and `DateSent>` filters),
and fails on demand (429 / 5xx) so retries can be tested. Tests inspect `sent` and `requests`.
"""

from __future__ import annotations

import asyncio
import base64
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

from tests.support.loopback_http import serve_on_loopback

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass
class SentMessage:
    """One message the fake accepted."""

    sid: str
    account_sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    created: datetime


@dataclass
class FakeTwilio:
    """The fake server; `await start()` it, point TWILIO_API_BASE_URL at `base_url`."""

    accounts: dict[str, str] = field(default_factory=dict)  # Account SID -> Auth Token
    sent: list[SentMessage] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)
    _failures: deque[tuple[int, int | None]] = field(default_factory=deque)
    # Seconds a send to a number takes before it is accepted (a slow route to that number), and
    # seconds every send takes (the API's own round trip, as from a data centre to Twilio).
    slow: dict[str, float] = field(default_factory=dict)
    latency: float = 0.0
    _runner: web.AppRunner | None = None
    port: int = 0
    _changed: asyncio.Condition | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, status: int, times: int = 1, code: int | None = None) -> None:
        """The next `times` sends answer `status` (e.g. 429, 500, 503) instead of sending."""
        for _ in range(times):
            self._failures.append((status, code))

    def sent_to(self, number: str) -> list[SentMessage]:
        """Messages accepted for one number."""
        return [m for m in self.sent if m.to == number]

    async def wait_for_sent(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait until at least `count` messages were accepted."""
        assert self._changed is not None
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)
        return list(self.sent)

    def _error(self, status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            status=status,
        )

    def _auth(self, request: web.Request, account: str) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user == account and self.accounts.get(account) == password

    def _resource(self, m: SentMessage) -> dict[str, Any]:
        stamp = format_datetime(m.created, usegmt=True)
        return {
            "sid": m.sid,
            "account_sid": m.account_sid,
            "to": m.to,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "body": m.body,
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "date_created": stamp,
            "date_updated": stamp,
            "date_sent": stamp,
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{m.account_sid}/Messages/{m.sid}.json",
        }

    async def _create(self, request: web.Request) -> web.Response:
        account = request.match_info["sid"]
        form = await request.post()
        self.requests.append({"account": account, "form": dict(form)})
        if not self._auth(request, account):
            return self._error(401, 20003, "Authenticate")
        if self._failures:
            status, code = self._failures.popleft()
            return self._error(status, code or status, "Injected failure")
        to = str(form.get("To", ""))
        body = str(form.get("Body", ""))
        if to in self.slow or self.latency:
            await asyncio.sleep(self.slow.get(to, self.latency))
        if not E164.match(to):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.opted_out:
            return self._error(400, 21610, "Attempt to send to unsubscribed recipient")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        message = SentMessage(
            sid="SM" + uuid.uuid4().hex,
            account_sid=account,
            to=to,
            body=body,
            from_=str(form["From"]) if form.get("From") else None,
            messaging_service_sid=str(form["MessagingServiceSid"])
            if form.get("MessagingServiceSid")
            else None,
            status_callback=str(form["StatusCallback"]) if form.get("StatusCallback") else None,
            created=datetime.now(UTC).replace(microsecond=0),
        )
        assert self._changed is not None
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()
        return web.json_response(self._resource(message), status=201)

    async def _list(self, request: web.Request) -> web.Response:
        account = request.match_info["sid"]
        if not self._auth(request, account):
            return self._error(401, 20003, "Authenticate")
        to = request.query.get("To")
        after = request.query.get("DateSent>")
        found = [m for m in self.sent if m.account_sid == account and (to is None or m.to == to)]
        if after:
            day = datetime.fromisoformat(after[:10]).date()
            found = [m for m in found if m.created.date() >= day]
        return web.json_response(
            {
                "messages": [self._resource(m) for m in reversed(found)],
                "first_page_uri": request.path_qs,
                "next_page_uri": None,
                "previous_page_uri": None,
                "page": 0,
                "page_size": 50,
                "start": 0,
                "end": len(found),
                "uri": request.path_qs,
            }
        )

    async def start(self) -> FakeTwilio:
        """Listen on a free loopback port."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages.json", self._list)
        self._runner, self.port = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
