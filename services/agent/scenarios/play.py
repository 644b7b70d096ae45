"""Playing scenarios against a running system: texts in through the gateway's signed Twilio webhook,
replies, escalations and opt-outs read back from the staff inbox (works with any SMS provider)."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from services.agent.scenarios.checks import Reply, Transcript, TurnLog
from services.agent.scenarios.spa import SpaFacts
from services.agent.scenarios.spec import Scenario

PROBE_TEXT = "hello?"  # sent after an opt-out: nothing may answer it


class SystemUnderTestError(RuntimeError):
    """The system under test refused or failed a request the player needs (a clear message)."""


@dataclass(frozen=True)
class Target:
    """Where the system is and how to talk to it."""

    gateway: str
    inbox: str
    auth_token: str
    spa: SpaFacts
    staff_token: str = ""
    public_url: str = ""  # the gateway's URL as Twilio signs it (PUBLIC_BASE_URL); default `gateway`
    account_sid: str = "AC" + "0" * 32
    reply_timeout: float = 25.0  # the first reply to a text must come within this
    settle: float = 1.0  # further replies to the same text: none new for this long ends the turn
    quiet: float = 3.0  # a text that must get no reply is watched this long
    poll: float = 0.1
    handback_pause: float = 2.0  # after staff hand back, before the client's next text (a person's pace)


@dataclass
class Player:
    """Plays scenarios; one per run (it remembers which conversations existed before the run)."""

    target: Target
    http: httpx.AsyncClient
    existing: set[str] = field(default_factory=set)

    async def start(self) -> None:
        """Note the conversations that exist already, so each scenario finds its own new one."""
        self.existing = {c["conversation_id"] for c in await self._conversations()}

    # ----- the two APIs -----

    async def text(self, number: str, body: str) -> None:
        """The client's text, POSTed as Twilio would, signed with the spa's auth token."""
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": self.target.account_sid,
            "From": number,
            "To": self.target.spa.number,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        params["SmsSid"] = params["MessageSid"]
        url = self.target.gateway.rstrip("/") + "/twilio/sms"
        signed = (self.target.public_url or self.target.gateway).rstrip("/") + "/twilio/sms"
        signature = RequestValidator(self.target.auth_token).compute_signature(signed, params)
        headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
        resp = await self.http.post(url, content=urlencode(params), headers=headers)
        if resp.status_code != 200:
            raise SystemUnderTestError(
                f"the gateway answered {resp.status_code} to a signed text: {resp.text[:200]}"
            )

    async def _inbox(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.target.staff_token}"} if self.target.staff_token else {}
        resp = await self.http.get(self.target.inbox.rstrip("/") + path, params=params, headers=headers)
        if resp.status_code == 401:
            raise SystemUnderTestError(
                "the staff inbox wants a signed-in account: pass --staff-token (INBOX_SESSION_TOKEN), "
                "the session token POST /api/login returns as its cookie"
            )
        if resp.status_code >= 400:
            raise SystemUnderTestError(
                f"the staff inbox answered {resp.status_code} for {path}: {resp.text[:200]}"
            )
        return resp.json()

    async def _conversations(self) -> list[dict[str, Any]]:
        data = await self._inbox("/api/conversations", tenant=self.target.spa.id, limit=500)
        return list(data["conversations"])

    async def _thread(self, conversation: str) -> dict[str, Any]:
        return await self._inbox(f"/api/conversations/{self.target.spa.id}/{conversation}")  # type: ignore[no-any-return]

    # ----- waiting, by polling with a deadline -----

    async def find(self, number: str, *, known: bool, timeout: float) -> str | None:
        """The number's conversation: a new one (or, for a client the spa knows, the existing one)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        tail = number[-4:]
        while True:
            for c in await self._conversations():
                new = c["conversation_id"] not in self.existing
                if str(c.get("client", "")).endswith(tail) and (known or new):
                    return str(c["conversation_id"])
            if loop.time() > deadline:
                return None
            await asyncio.sleep(self.target.poll)

    async def outbound(self, conversation: str | None) -> list[Reply]:
        """The spa's texts in a conversation, oldest first."""
        if conversation is None:
            return []
        messages = (await self._thread(conversation))["messages"]
        return [Reply(m["body"] or "", m["status"] != "failed") for m in messages if m["direction"] == "out"]

    async def replies_after(self, conversation: str, before: int, *, expect_none: bool) -> list[Reply]:
        """Texts sent after the first `before`: wait for one, then until none new for `settle` seconds."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        limit = self.target.quiet if expect_none else self.target.reply_timeout
        seen, changed = 0, start
        while True:
            new = (await self.outbound(conversation))[before:]
            now = loop.time()
            if len(new) != seen:
                seen, changed = len(new), now
            if new and not expect_none and now - changed >= self.target.settle:
                return new
            if now - start >= limit:
                return new
            await asyncio.sleep(self.target.poll)

    async def escalations(self, conversation: str | None, *, wait: bool) -> list[dict[str, Any]]:
        """The conversation's escalations (waiting up to `reply_timeout` for one when `wait`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.target.reply_timeout if wait else 0)
        while conversation:
            found = list((await self._thread(conversation))["escalations"])
            if found or loop.time() > deadline:
                return found
            await asyncio.sleep(self.target.poll)
        return []

    # ----- one scenario -----

    async def play(self, s: Scenario, number: str) -> Transcript:
        """Text each turn, collect its replies; then the escalations, and a probe after an opt-out."""
        t = Transcript()
        known = number in self.target.spa.clients
        try:
            conv = await self.find(number, known=True, timeout=0) if known else None
            before = len(await self.outbound(conv))
            for turn in s.turns:
                if conv and (turn.staff or turn.resume):
                    before = await self.staff(conv, turn.staff, before)
                    t.turns.append(TurnLog(f"(staff) {turn.staff or 'hands back to the AI'}"))
                    continue
                await self.text(number, turn.text)
                conv = conv or await self.find(number, known=known, timeout=self.target.reply_timeout)
                if conv is None:
                    t.error = "the text never reached the staff inbox (is the escalation service running?)"
                    return t
                replies = await self.replies_after(conv, before, expect_none=turn.no_reply)
                before += len(replies)
                t.turns.append(TurnLog(turn.text, replies))
            t.escalations = await self.escalations(conv, wait=s.expect.outcome == "handed_off")
            if s.expect.outcome == "opted_out" and conv:
                await self.text(number, PROBE_TEXT)
                t.probe = await self.replies_after(conv, before, expect_none=True)
        except (SystemUnderTestError, httpx.HTTPError) as exc:
            t.error = f"{type(exc).__name__}: {exc}"
        return t

    async def staff(self, conversation: str, reply: str | None, before: int) -> int:
        """A staff text (which pauses the AI) or a hand-back, once the inbox shows it done; returns
        the count of the spa's texts so far (the staff text is not a reply of the AI)."""
        path = f"/api/conversations/{self.target.spa.id}/{conversation}/" + ("reply" if reply else "resume")
        headers = {"Authorization": f"Bearer {self.target.staff_token}"} if self.target.staff_token else {}
        body = {"body": reply} if reply else None
        resp = await self.http.post(self.target.inbox.rstrip("/") + path, json=body, headers=headers)
        if resp.status_code >= 400:
            raise SystemUnderTestError(
                f"the staff inbox answered {resp.status_code} to {path}: {resp.text[:200]}"
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.target.reply_timeout
        while loop.time() < deadline:
            thread = await self._thread(conversation)
            sent = sum(m["direction"] == "out" for m in thread["messages"])
            if (sent > before) if reply else not thread["conversation"]["ai_paused"]:
                if not reply:
                    # The inbox shows the hand-back at once; the agent learns of it on its own stream.
                    # A client reads the staff's text before answering: give the agent that moment.
                    await asyncio.sleep(self.target.handback_pause)
                return sent
            await asyncio.sleep(self.target.poll)
        raise SystemUnderTestError(f"the inbox never showed the staff {'text' if reply else 'hand-back'}")


def fresh_numbers(scenarios: list[Scenario], spa: SpaFacts, seed: int | None = None) -> dict[str, str]:
    """Each scenario's number for this run: a client the spa knows keeps theirs, every other number
    gets a new exchange (last four digits kept), so a run never continues an earlier run's thread."""
    exchange = random.Random(seed).randrange(200, 999)
    if exchange == 555:
        exchange = 556
    out = {}
    for s in scenarios:
        keep = s.client in spa.clients or not s.client.startswith("+1") or len(s.client) != 12
        out[s.id] = s.client if keep else f"+1{s.client[2:5]}{exchange}{s.client[-4:]}"
    return out
