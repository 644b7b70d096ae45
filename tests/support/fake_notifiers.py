"""Local stand-ins for the places staff alerts go: a Slack-style webhook receiver and an SMTP sink.

Both are real servers on 127.0.0.1 (random ports) speaking the real wire protocols, so the service
uses its production HTTP client and the standard library's smtplib against them.
"""

from __future__ import annotations

import asyncio
import email
import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiohttp import web

from tests.support.loopback_http import serve_on_loopback


async def _wait(changed: asyncio.Event, predicate: Any, timeout: float, what: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await changed.wait()
                changed.clear()
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


class WebhookReceiver:
    """Records every JSON POST; answers 503 to the next `fail_next` requests, then 200."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail_next = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=503, text="down")
        self.received.append(json.loads(await request.read()))
        self._changed.set()
        return web.Response(text="ok")

    async def start(self) -> WebhookReceiver:
        """Listen on a random local port."""
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until `count` alerts were accepted."""
        await _wait(self._changed, lambda: len(self.received) >= count, timeout, f"{count} webhook calls")
        return self.received


@dataclass
class SmtpSink:
    """A minimal SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) keeping every message."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        say("220 sink ESMTP")
        sender, recipients = "", []
        try:
            while line := (await reader.readline()).decode(errors="replace").rstrip("\r\n"):
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 sink")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].strip(), []
                    say("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.split(":", 1)[1].strip())
                    say("250 OK")
                elif verb == "DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    lines: list[bytes] = []
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    self.messages.append(email.message_from_bytes(b"".join(lines)))
                    self.envelopes.append((sender, recipients))
                    self._changed.set()
                    say("250 queued")
                elif verb in ("RSET", "NOOP"):
                    say("250 OK")
                elif verb == "QUIT":
                    say("221 bye")
                    await writer.drain()
                    break
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()

    async def start(self) -> SmtpSink:
        """Listen on a random local port."""
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        """Wait until `count` emails arrived."""
        await _wait(self._changed, lambda: len(self.messages) >= count, timeout, f"{count} emails")
        return self.messages
