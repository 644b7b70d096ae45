"""A local HTTP server that speaks Anthropic's Messages API, for the real `anthropic` SDK to talk to.

It answers `POST /v1/messages` (the Anthropic API and self-hosted servers), `POST /model/{model}/invoke`
(Bedrock) and `POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict`
(Vertex) with Messages responses: `content` blocks (`text`, `tool_use`), `stop_reason`, `usage`.
Streaming is refused (the brain does not stream). It checks what the real API checks that matters
here: required fields, and that every `tool_result` answers a `tool_use` of the message before it
(400 `invalid_request_error` otherwise). It plays scripted model turns in order (a response, a
failure such as 429/500/529 with `retry-after`, or a function of the request), records every
request, and can fail a share of calls at random (for the fallback benchmark).
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.loopback_http import serve_on_loopback

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass(frozen=True)
class Failure:
    """An error response: status, and the retry headers the API sends with it."""

    status: int
    retry_after_ms: int = 10


Play = dict[str, Any] | Failure | Callable[[dict[str, Any]], "dict[str, Any] | Failure"]


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""  # the body as sent (what a request signature covers)


def _usage(body: dict[str, Any], content: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "input_tokens": max(1, len(json.dumps(body)) // 4),
        "output_tokens": max(1, len(json.dumps(content)) // 4),
    }


def text(reply: str) -> dict[str, Any]:
    """A model turn that answers with text (stop_reason end_turn)."""
    return {"content": [{"type": "text", "text": reply}], "stop_reason": "end_turn"}


def tool(name: str, arguments: dict[str, Any], *, say: str | None = None) -> dict[str, Any]:
    """A model turn that calls one tool (stop_reason tool_use)."""
    content: list[dict[str, Any]] = [{"type": "text", "text": say}] if say else []
    content.append(
        {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": name, "input": arguments}
    )
    return {"content": content, "stop_reason": "tool_use"}


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool results the request carries in its last message, decoded."""
    last = body["messages"][-1]
    if not isinstance(last["content"], list):
        return []
    out = []
    for block in last["content"]:
        if block.get("type") == "tool_result":
            content = block.get("content")
            raw = content if isinstance(content, str) else "".join(c.get("text", "") for c in content or [])
            out.append({"is_error": bool(block.get("is_error")), "result": json.loads(raw)})
    return out


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message that is not only tool results."""
    for message in reversed(body["messages"]):
        if message["role"] != "user":
            continue
        if isinstance(message["content"], str):
            return message["content"]
        texts = [b.get("text", "") for b in message["content"] if b.get("type") == "text"]
        if texts:
            return "\n".join(texts)
    return ""


def _check(body: dict[str, Any], *, needs_model: bool) -> str | None:
    """What the real API would reject in this request, or None."""
    for name in ("max_tokens", "messages") + (("model",) if needs_model else ()):
        if name not in body:
            return f"{name}: Field required"
    if body.get("stream"):
        return "stream: this fake does not stream"
    previous: dict[str, Any] | None = None
    for i, message in enumerate(body["messages"]):
        blocks = message["content"] if isinstance(message["content"], list) else []
        results = {b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"}
        if results:
            asked = {
                b["id"]
                for b in (previous or {}).get("content", [])
                if isinstance(b, dict) and b.get("type") == "tool_use"
            }
            if not results <= asked:
                return f"messages.{i}: tool_result without a matching tool_use in the previous message"
        previous = message
    if body["messages"] and body["messages"][0]["role"] != "user":
        return "messages.0: the first message must use the user role"
    return None


@dataclass
class FakeAnthropic:
    """The fake server; `await start()` it and point the SDK's `base_url` at `base_url`."""

    script: deque[Play] = field(default_factory=deque)
    default: Play | None = None  # played when the script is empty (else a 500: the test forgot a turn)
    fail_rate: float = 0.0
    delay_seconds: float = 0.0
    seed: int = 7
    requests: list[Recorded] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _random: random.Random = field(default_factory=random.Random)

    @property
    def base_url(self) -> str:
        """Where the SDK should send requests."""
        return f"http://127.0.0.1:{self.port}"

    def play(self, *turns: Play) -> None:
        """Queue model turns, answered in order."""
        self.script.extend(turns)

    def messages_requests(self) -> list[dict[str, Any]]:
        """The bodies of the Messages requests received so far."""
        return [r.body for r in self.requests]

    async def start(self) -> FakeAnthropic:
        """Listen on 127.0.0.1, a free port."""
        self._random.seed(self.seed)
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/model/{model}/invoke", self._bedrock)
        app.router.add_post(
            "/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{tail}", self._vertex
        )
        self._runner, self.port = await serve_on_loopback(app)
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.Response:
        if "anthropic-version" not in request.headers:
            return _error(400, "anthropic-version: header required")
        if not (request.headers.get("x-api-key") or request.headers.get("authorization")):
            return _error(401, "x-api-key: header required")
        return await self._answer(request, needs_model=True)

    async def _bedrock(self, request: web.Request) -> web.Response:
        if not request.headers.get("authorization"):
            return _error(401, "missing authorization")
        return await self._answer(request, needs_model=False, model=request.match_info["model"])

    async def _vertex(self, request: web.Request) -> web.Response:
        model, _, verb = request.match_info["tail"].partition(":")
        if verb != "rawPredict":
            return _error(400, f"unsupported method {verb}")
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _error(401, "missing bearer token")
        return await self._answer(request, needs_model=False, model=model)

    async def _answer(
        self, request: web.Request, *, needs_model: bool, model: str | None = None
    ) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        self.requests.append(Recorded(request.path, dict(request.headers), body, raw))
        problem = _check(body, needs_model=needs_model)
        if problem:
            return _error(400, problem)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail_rate and self._random.random() < self.fail_rate:
            return _failure(Failure(self._random.choice([429, 500, 529])))
        play = self.script.popleft() if self.script else self.default
        if play is None:
            return _error(500, "the fake's script is exhausted")
        if callable(play):
            play = play(body)
        if isinstance(play, Failure):
            return _failure(play)
        message = {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": model or body.get("model", ""),
            "stop_sequence": None,
            "usage": _usage(body, play["content"]),
            **play,
        }
        return web.json_response(message, headers={"request-id": f"req_{uuid.uuid4().hex[:16]}"})


def _error(status: int, message: str) -> web.Response:
    kind = ERROR_TYPES.get(status, "api_error")
    return web.json_response({"type": "error", "error": {"type": kind, "message": message}}, status=status)


def _failure(failure: Failure) -> web.Response:
    response = _error(failure.status, "scripted failure")
    response.headers["retry-after"] = str(max(1, failure.retry_after_ms // 1000))
    response.headers["retry-after-ms"] = str(failure.retry_after_ms)
    return response
