"""The HTTP edge every service shares: control characters, allowed hosts, Origin, security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel

from shared.settings import CommonSettings
from shared.web import (
    bearer_token,
    host_allowed,
    host_name,
    install_edge_guard,
    page_csp,
    parse_hosts,
    require_loopback_or_token,
)

pytestmark = pytest.mark.unit


class Note(BaseModel):
    """A JSON body."""

    text: str


def _app(allowed: str = "localhost,127.0.0.1,::1,.spa.example") -> FastAPI:
    app = FastAPI()
    install_edge_guard(app, CommonSettings(allowed_hosts=allowed))

    @app.get("/items")
    async def items(q: str = "") -> dict[str, str]:
        return {"q": q}

    @app.post("/notes")
    async def notes(note: Note) -> dict[str, str]:
        return {"text": note.text}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/page", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse("<p>hi</p>")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            yield b"a"
            yield b"b"

        return StreamingResponse(parts(), headers={"Cache-Control": "no-cache"})

    @app.get("/sim")
    async def sim(request: Request) -> dict[str, bool]:
        require_loopback_or_token(request, "s3cret")
        return {"ok": True}

    return app


def _client(app: FastAPI, host: str = "localhost", client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(client_ip, 5000))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}:8080")


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "q=%1b[31m", "q=line%0Abreak", "q=%7f", "q=%ff%fe"],
    ids=["nul", "esc", "lf", "del", "utf8"],
)
async def test_control_characters_in_the_query_are_a_400(query: str) -> None:
    async with _client(_app()) as client:
        response = await client.get(f"/items?{query}")
    assert response.status_code == 400
    assert "query string" in response.json()["detail"]


async def test_plain_text_in_the_query_and_body_passes() -> None:
    async with _client(_app()) as client:
        ok = await client.get("/items", params={"q": "Émilie's botox, 2pm"})
        body = await client.post("/notes", json={"text": "two lines\nand a\ttab"})
    assert ok.status_code == 200 and ok.json() == {"q": "Émilie's botox, 2pm"}
    assert body.status_code == 200 and body.json() == {"text": "two lines\nand a\ttab"}


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[0m", "\ud800 lone surrogate"])
async def test_control_characters_in_a_json_body_are_a_400_before_the_route(text: str) -> None:
    async with _client(_app()) as client:
        response = await client.post(
            "/notes",
            content=f'{{"text": "{text.encode("unicode_escape").decode()}"}}'.replace("\\x", "\\u00"),
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 400
    assert response.json() == {"detail": "the body contains a control character"}


async def test_a_control_character_in_a_json_key_or_nested_value_is_a_400() -> None:
    async with _client(_app()) as client:
        key = await client.post("/notes", json={"text": "ok", "k\u0000": 1})
        nested = await client.post("/notes", json={"text": "ok", "more": [{"x": "\u0001"}]})
    assert key.status_code == nested.status_code == 400


async def test_a_control_character_in_the_path_or_a_header_is_a_400() -> None:
    async with _client(_app()) as client:
        path = await client.get("/items%00")
        header = await client.get("/items", headers={"X-Note": "a\x01b"})
    assert path.status_code == 400 and "path" in path.json()["detail"]
    assert header.status_code == 400 and "x-note" in header.json()["detail"]


@pytest.mark.parametrize("host", ["evil.example", "rebind.attacker.net", "spa.example", "127.0.0.2"])
async def test_an_unknown_host_is_refused(host: str) -> None:
    async with _client(_app(), host=host) as client:
        response = await client.get("/items")
    assert response.status_code == 400
    assert "ALLOWED_HOSTS" in response.json()["detail"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "inbox.spa.example", "LOCALHOST."])
async def test_allowed_hosts_and_subdomains_pass(host: str) -> None:
    async with _client(_app(), host=host) as client:
        assert (await client.get("/items")).status_code == 200


async def test_probes_answer_any_host() -> None:
    async with _client(_app(), host="10.1.2.3") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/items")).status_code == 400


async def test_a_write_from_another_origin_is_refused_even_when_the_host_is_allowed() -> None:
    async with _client(_app()) as client:
        evil = await client.post("/notes", json={"text": "x"}, headers={"Origin": "http://evil.example"})
        null = await client.post("/notes", json={"text": "x"}, headers={"Origin": "null"})
        same = await client.post("/notes", json={"text": "x"}, headers={"Origin": "http://localhost:8080"})
        read = await client.get("/items", headers={"Origin": "http://evil.example"})
    assert evil.status_code == null.status_code == 403
    assert same.status_code == 200 and read.status_code == 200


async def test_every_answer_has_the_security_headers() -> None:
    async with _client(_app()) as client:
        for response in (
            await client.get("/items"),
            await client.get("/page"),
            await client.get("/items?q=%00"),
            await client.get("/nowhere"),
        ):
            csp = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
            assert "unsafe-inline" not in csp
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert response.headers["cache-control"] == "no-store"
        streamed = await client.get("/stream")
    assert streamed.text == "ab" and streamed.headers["cache-control"] == "no-cache"


async def test_the_simulator_guard_lets_loopback_or_the_token_in() -> None:
    app = _app()
    async with _client(app, client_ip="127.0.0.1") as local:
        assert (await local.get("/sim")).status_code == 200
    async with _client(app, client_ip="203.0.113.9") as remote:
        assert (await remote.get("/sim")).status_code == 403
        assert (await remote.get("/sim", headers={"Authorization": "Bearer wrong"})).status_code == 403
        assert (await remote.get("/sim", headers={"Authorization": "s3cret"})).status_code == 403
        assert (await remote.get("/sim", headers={"Authorization": "Bearer s3cret"})).status_code == 200


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("abc", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Bearer  abc", None),
        ("Bearer a b", None),
        ("Basic abc", None),
        ("Bearerabc", None),
        (None, None),
    ],
)
def test_bearer_parsing_is_strict(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_host_names_and_patterns() -> None:
    allowed = parse_hosts(" localhost , [::1], .spa.example ,")
    assert allowed == {"localhost", "::1", ".spa.example"}
    assert host_name("[::1]:8084") == "::1" and host_name("Inbox.Spa.Example:443") == "inbox.spa.example"
    assert host_allowed("a.spa.example", allowed) and not host_allowed("spa.example", allowed)
    assert not host_allowed("evilspa.example", allowed)
    assert host_allowed("anything", parse_hosts("*"))


def test_a_pages_own_inline_script_and_style_are_allowed_by_hash_only() -> None:
    csp = page_csp("<style>p{color:red}</style><p>x</p><script>alert(1)</script>")
    script = next(part for part in csp.split("; ") if part.startswith("script-src"))
    style = next(part for part in csp.split("; ") if part.startswith("style-src"))
    assert script.startswith("script-src 'self' 'sha256-") and style.startswith("style-src 'self' 'sha256-")
    assert script != style and "unsafe-inline" not in csp
    assert page_csp("<p>no script</p>").startswith("default-src 'self'; script-src 'self'; style-src 'self';")
