"""The edge of every HTTP API: refuse control characters and unknown hosts, add security headers.

One ASGI middleware, installed on every service's app by `shared.runtime.build_context`:
- a NUL or other control character in the path, the query string, a header or a JSON body is a
  400 before any route sees it (a database refuses NUL; a log line must not carry a raw escape);
- the Host header must name one of ALLOWED_HOSTS (a DNS-rebinding page reaches the port with its
  own name), except on the probe paths a cluster calls by pod address;
- a write carrying an Origin must come from an allowed host too (the Host is the caller's choice);
- every answer gets a CSP without inline script, no framing, no referrer, and `no-store`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from fastapi import FastAPI, HTTPException, Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths a cluster's probes and scrapers call by pod address: no PHI, no host check.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# Swagger UI and ReDoc pages run an inline bootstrap script; they hold no PHI.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_JSON_BODY = 1_048_576

# C0 controls and DEL anywhere in a URL or header value (a header value may hold a tab).
_URL_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
# In text a person typed, tab, line feed and carriage return are ordinary.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


# ---------------------------------------------------------------------------- hosts


def parse_hosts(text: str) -> frozenset[str]:
    """ALLOWED_HOSTS as a set: comma-separated names, `*`, or `.example.com` for its subdomains."""
    names = (h.strip().lower().strip("[]") for h in text.split(","))
    return frozenset(n if n.startswith(".") else n.rstrip(".") for n in names if n)


def host_name(netloc: str) -> str:
    """The name in a Host header or an origin's netloc, without port, brackets or trailing dot."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    if netloc.count(":") == 1:
        netloc = netloc.rsplit(":", 1)[0]
    return netloc.rstrip(".")


def host_allowed(name: str, allowed: Iterable[str]) -> bool:
    """Whether a host name (from host_name) is one of the allowed hosts."""
    for pattern in allowed:
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith(".") and name.endswith(pattern) and len(name) > len(pattern):
            return True
    return False


def allowed_hosts_of(settings: Any) -> frozenset[str]:
    """ALLOWED_HOSTS, plus the host of PUBLIC_BASE_URL where a service has one (Twilio calls it)."""
    hosts = set(parse_hosts(getattr(settings, "allowed_hosts", "")))
    public = getattr(settings, "public_base_url", "") or ""
    if public:
        hosts.add(host_name(urlsplit(public).netloc))
    return frozenset(hosts)


# ---------------------------------------------------------------------------- control characters


def text_has_control(value: str) -> bool:
    """A control character other than tab, line feed and carriage return, or a lone surrogate."""
    if _TEXT_CONTROL.search(value):
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return False


def json_has_control(value: Any) -> bool:
    """Whether any key or string anywhere in a decoded JSON document has a control character."""
    if isinstance(value, str):
        return text_has_control(value)
    if isinstance(value, dict):
        return any(json_has_control(k) or json_has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(json_has_control(v) for v in value)
    return False


def url_refusal(path: str, query: bytes) -> str | None:
    """Why a request's path or query string is refused, or None."""
    if _URL_CONTROL.search(path.encode("utf-8", "surrogatepass")):
        return "the path contains a control character"
    raw = unquote_to_bytes(query.replace(b"+", b" "))
    if _URL_CONTROL.search(raw):
        return "the query string contains a control character"
    try:
        raw.decode()
    except UnicodeDecodeError:
        return "the query string is not valid UTF-8"
    return None


def header_refusal(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """Why a request's headers are refused, or None."""
    for name, value in headers:
        if _HEADER_CONTROL.search(value):
            return f"header {name.decode('latin-1')} contains a control character"
    return None


def body_refusal(body: bytes) -> str | None:
    """Why a JSON body is refused, or None (a body that is not JSON is the route's to refuse)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if json_has_control(document):
        return "the body contains a control character"
    return None


# ---------------------------------------------------------------------------- the middleware


class EdgeGuard:
    """Pure ASGI middleware (streams pass through untouched) guarding one app's edge."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: frozenset[str]) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send, docs=scope["path"] in DOCS_PATHS)
        headers = scope.get("headers") or []
        refusal = url_refusal(scope["path"], scope.get("query_string", b"")) or header_refusal(headers)
        if refusal:
            await _answer(send, 400, refusal)
            return
        forbidden = self._host_refusal(scope, dict(headers))
        if forbidden:
            await _answer(send, *forbidden)
            return
        if scope["method"] in WRITE_METHODS and _is_json(dict(headers)):
            body = await _read_body(receive, MAX_JSON_BODY)
            if body is None:
                await _answer(send, 413, f"a JSON body is at most {MAX_JSON_BODY} bytes")
                return
            refusal = body_refusal(body)
            if refusal:
                await _answer(send, 400, refusal)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _host_refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        if scope["path"] in PROBE_PATHS:
            return None
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if not host or not host_allowed(host, self.allowed_hosts):
            return 400, "unknown host (not in ALLOWED_HOSTS)"
        origin = headers.get(b"origin")
        if origin is not None and scope["method"] in WRITE_METHODS:
            name = host_name(urlsplit(origin.decode("latin-1")).netloc)
            if not name or not host_allowed(name, self.allowed_hosts):
                return 403, "cross-site request refused"
        return None


def _is_json(headers: dict[bytes, bytes]) -> bool:
    ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return ctype == b"application/json" or ctype.endswith(b"+json")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_PAGE_HEADERS = ((b"content-security-policy", CSP.encode()), *SECURITY_HEADERS)
_DOCS_HEADERS = ((b"content-security-policy", DOCS_CSP.encode()), *SECURITY_HEADERS)


def _with_security_headers(send: Send, *, docs: bool) -> Send:
    extra = _DOCS_HEADERS if docs else _PAGE_HEADERS

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or [])
            # ASGI header names are lower-case; a route's own value wins.
            present = {name for name, _ in headers}
            headers.extend(pair for pair in extra if pair[0] not in present)
            message["headers"] = headers
        await send(message)

    return send_with_headers


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_edge_guard(app: FastAPI, settings: Any) -> None:
    """Guard an app's edge with the settings' ALLOWED_HOSTS (once per app)."""
    if getattr(app.state, "edge_guard", False):
        return
    app.state.edge_guard = True
    app.add_middleware(EdgeGuard, allowed_hosts=allowed_hosts_of(settings))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- helpers for routes


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, strictly; None for anything else."""
    if not authorization:
        return None
    scheme, space, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not space or not token or any(c.isspace() for c in token):
        return None
    return token


def is_loopback(request: Request) -> bool:
    """Whether the caller is on this machine."""
    client = request.client
    if client is None:
        return False
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


def require_loopback_or_token(request: Request, token: str) -> None:
    """403 unless the caller is on this machine or presents `Authorization: Bearer <token>`."""
    if is_loopback(request):
        return
    given = bearer_token(request.headers.get("authorization"))
    if token and given is not None and hmac.compare_digest(given.encode(), token.encode()):
        return
    raise HTTPException(403, "only from this machine, or with the configured token")


def page_csp(html: str) -> str:
    """The CSP for a page whose own inline <script> and <style> blocks are allowed by hash only."""
    policy = CSP
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
        hashes = "".join(
            f" 'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks
        )
        policy = policy.replace(f"{directive} 'self'", f"{directive} 'self'{hashes}")
    return policy
