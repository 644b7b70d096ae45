"""Staff accounts in the inbox: sign-in, sessions, CSRF, throttling, roles, per-spa isolation, the CLI.

The escalation service runs in-process against real NATS and PostgreSQL; the inbox is reached
through its HTTP API as the browser reaches it (session cookie + CSRF header).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.escalation import accounts, repo
from services.escalation.app import build
from services.escalation.inbox import event_stream
from services.escalation.settings import EscalationSettings
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology
from tests.support.staff_accounts import PASSWORD, create_staff, sign_in

pytestmark = pytest.mark.integration

SPA, OTHER = "glow-medspa", "other-spa"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Inbox:
    """A started escalation service serving two spas."""

    spec: ServiceSpec
    ctx: ServiceContext
    db: asyncpg.Pool
    settings: EscalationSettings

    def client(self) -> httpx.AsyncClient:
        """A new browser: its own cookie jar."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.ctx.http), base_url="http://inbox")


@pytest.fixture
async def inbox(nats_url: str, database_url: str, topology: Topology, tmp_path: Path) -> AsyncIterator[Inbox]:
    """The escalation service with two spas and a low sign-in throttle."""
    for spa in (SPA, OTHER):
        (tmp_path / f"{spa}.yaml").write_text(
            f"id: {spa}\nname: {spa.title()}\ntimezone: America/Los_Angeles\n"
        )
    settings = EscalationSettings(
        nats_url=nats_url,
        database_url=database_url,
        subject_prefix=topology.prefix,
        spa_files=str(tmp_path / "*.yaml"),
        inbox_login_max_failures=3,
    )
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    assert ctx.pool is not None
    yield Inbox(spec, ctx, ctx.pool, settings)
    await stop_context(spec, ctx)


def _api_routes(inbox: Inbox) -> list[tuple[str, str]]:
    """(method, path) of every API route that needs a signed-in user, path parameters filled in."""
    filler = {
        "tenant_id": SPA,
        "conversation_id": "c1",
        "escalation_id": "00000000-0000-0000-0000-000000000001",
        "user_id": "00000000-0000-0000-0000-000000000001",
        "change": "disable",
        "booking_id": "00000000-0000-0000-0000-000000000002",
        "block_id": "00000000-0000-0000-0000-000000000003",
        "draft_id": "00000000-0000-0000-0000-000000000004",
    }
    open_routes = {"/api/login", "/api/invites/accept"}
    found = []
    for path, operations in inbox.ctx.http.openapi()["paths"].items():
        if not path.startswith("/api/") or path in open_routes:
            continue
        for method in operations:
            found.append(
                (method.upper(), path.format(**{k: v for k, v in filler.items() if "{" + k in path}))
            )
    return found


async def test_every_api_route_refuses_an_anonymous_request(inbox: Inbox) -> None:
    routes = _api_routes(inbox)
    assert len(routes) >= 20  # the inbox, the actions, the team page, the calendar and bookings
    async with inbox.client() as anonymous:
        for method, path in routes:
            response = await anonymous.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.status_code)
        page = await anonymous.get("/")
        assert page.status_code == 200 and 'name="password"' in page.text  # the sign-in form


async def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_the_session(inbox: Inbox) -> None:
    maria = await create_staff(inbox.db, SPA)
    async with inbox.client() as browser:
        login = await browser.post("/api/login", json={"email": maria.email.upper(), "password": PASSWORD})
        assert login.status_code == 200, login.text
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
        me = (await browser.get("/api/me")).json()
        assert me["user_id"] == str(maria.user_id) and me["role"] == "staff" and me["spa"]["id"] == SPA
        stored = await inbox.db.fetchval("SELECT count(*) FROM staff_sessions")
        token = browser.cookies["frontdesk_session"]
        assert stored == 1 and token.encode() not in await inbox.db.fetchval(
            "SELECT session_hash FROM staff_sessions"
        )
        no_csrf = await browser.post("/api/logout")
        assert no_csrf.status_code == 403  # a change without the CSRF token is refused
        out = await browser.post("/api/logout", headers={"X-CSRF-Token": me["csrf_token"]})
        assert out.status_code == 200
        assert await inbox.db.fetchval("SELECT count(*) FROM staff_sessions") == 0
        stale = await browser.get("/api/me", cookies={"frontdesk_session": token})
        assert stale.status_code == 401
        # A program may present the session token as a bearer token instead of a cookie.
        fresh = await browser.post("/api/login", json={"email": maria.email, "password": PASSWORD})
        bearer = fresh.cookies["frontdesk_session"]
    async with inbox.client() as program:
        assert (
            await program.get("/api/me", headers={"Authorization": f"Bearer {bearer}"})
        ).status_code == 200


async def test_secure_cookie_when_configured(inbox: Inbox) -> None:
    settings = inbox.settings.model_copy(update={"inbox_public_url": "https://desk.glow.example"})
    assert settings.secure_cookies() is True
    assert settings.model_copy(update={"inbox_secure_cookies": False}).secure_cookies() is False
    assert inbox.settings.secure_cookies() is False  # http://127.0.0.1: local only


async def test_wrong_passwords_are_throttled_per_account_and_address(inbox: Inbox) -> None:
    maria = await create_staff(inbox.db, SPA)
    async with inbox.client() as browser:
        for _ in range(3):
            wrong = await browser.post(
                "/api/login", json={"email": maria.email, "password": "nope nope nope"}
            )
            assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong email or password"
        unknown = await browser.post("/api/login", json={"email": "who@x.example", "password": "x" * 12})
        assert unknown.status_code == 401  # same answer as a wrong password
        right = await browser.post("/api/login", json={"email": maria.email, "password": PASSWORD})
        assert right.status_code == 429 and "too many" in right.json()["detail"]
        assert await inbox.db.fetchval("SELECT count(*) FROM staff_sessions") == 0
        # The window is over: the count starts again and the right password works.
        await inbox.db.execute("UPDATE staff_login_failures SET window_start = now() - interval '1 hour'")
        assert (
            await browser.post("/api/login", json={"email": maria.email, "password": PASSWORD})
        ).is_success


async def test_staff_see_and_change_only_their_own_spa(inbox: Inbox) -> None:
    await create_staff(inbox.db, SPA, name="Maria")
    await create_staff(inbox.db, OTHER, name="Olga")
    await inbox.db.execute(
        "INSERT INTO conversations (tenant_id, conversation_id, client_number, last_activity_at)"
        " VALUES ($1, 'cglow', '+14155550142', now()), ($2, 'cother', '+14155550143', now())",
        SPA,
        OTHER,
    )
    async with inbox.client() as olga:
        csrf = await sign_in(olga, f"olga@{OTHER}.example")
        listing = (await olga.get("/api/conversations")).json()["conversations"]
        assert [c["conversation_id"] for c in listing] == ["cother"]
        assert (await olga.get(f"/api/conversations?tenant={SPA}")).status_code == 403
        assert (await olga.get(f"/api/conversations/{SPA}/cglow")).status_code == 403
        pause = await olga.post(f"/api/conversations/{SPA}/cglow/pause", headers=csrf)
        assert pause.status_code == 403
        bookings = await olga.get(f"/api/conversations/{SPA}/cglow/bookings")
        assert bookings.status_code == 403
        calendar = await olga.get(f"/api/calendar?tenant={SPA}&start=2026-12-01")
        assert calendar.status_code == 403
    assert (
        await inbox.db.fetchval("SELECT ai_paused FROM conversations WHERE conversation_id = 'cglow'")
        is False
    )


async def test_owner_invites_staff_who_set_a_password_and_can_be_disabled(inbox: Inbox) -> None:
    await create_staff(inbox.db, SPA, name="Ana", role="owner")
    await create_staff(inbox.db, SPA, name="Maria")
    async with inbox.client() as ana, inbox.client() as maria, inbox.client() as newcomer:
        owner_csrf = await sign_in(ana, f"ana@{SPA}.example")
        staff_csrf = await sign_in(maria, f"maria@{SPA}.example")
        assert (await maria.get("/api/staff")).status_code == 403  # staff are not owners
        refused = await maria.post(
            "/api/staff", json={"email": "x@y.example", "display_name": "X"}, headers=staff_csrf
        )
        assert refused.status_code == 403
        bad = await ana.post("/api/staff", json={"email": "nope", "display_name": "Lee"}, headers=owner_csrf)
        assert bad.status_code == 422 and "email" in bad.json()["detail"]

        invited = await ana.post(
            "/api/staff", json={"email": "lee@glow.example", "display_name": "Lee"}, headers=owner_csrf
        )
        assert invited.status_code == 200, invited.text
        token = invited.json()["invite_url"].rsplit("/", 1)[-1]
        assert invited.json()["account"]["invited"] is True
        no_password = await newcomer.post(
            "/api/login", json={"email": "lee@glow.example", "password": "x" * 12}
        )
        assert no_password.status_code == 401
        short = await newcomer.post("/api/invites/accept", json={"token": token, "password": "short"})
        assert short.status_code == 422 and "10" in short.json()["detail"]
        accepted = await newcomer.post(
            "/api/invites/accept", json={"token": token, "password": "a long new secret"}
        )
        assert accepted.status_code == 200
        again = await newcomer.post(
            "/api/invites/accept", json={"token": token, "password": "another secret!"}
        )
        assert again.status_code == 422  # one-time
        await sign_in(newcomer, "lee@glow.example", "a long new secret")

        staff = (await ana.get("/api/staff")).json()["staff"]
        lee_id = next(u["user_id"] for u in staff if u["email"] == "lee@glow.example")
        disabled = await ana.post(f"/api/staff/{lee_id}/disable", headers=owner_csrf)
        assert disabled.status_code == 200 and disabled.json()["account"]["active"] is False
        assert (await newcomer.get("/api/me")).status_code == 401  # signed out at once
        login = await newcomer.post(
            "/api/login", json={"email": "lee@glow.example", "password": "a long new secret"}
        )
        assert login.status_code == 401
    actions = await _audited_actions(inbox)
    assert {"staff.invite", "staff.disable_account"} <= set(actions)


async def _audited_actions(inbox: Inbox) -> list[str]:
    """The actions of the audit records the service queued (its outbox keeps them once published)."""
    rows = await inbox.db.fetch("SELECT payload FROM outbox WHERE subject LIKE '%.audit.%' ORDER BY seq")
    return [json.loads(r["payload"])["action"] for r in rows]


async def test_cli_creates_the_first_owner(inbox: Inbox) -> None:
    env = {**os.environ, "DATABASE_URL": inbox.settings.database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", "staff", "create-user", "--spa", SPA,
        "--email", "Owner@Glow.example", "--name", "Ana", "--role", "owner", "--password-stdin",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, cwd=ROOT,
    )  # fmt: skip
    out, err = await proc.communicate(b"the first owner's secret\n")
    assert proc.returncode == 0, err.decode()
    assert "created owner owner@glow.example" in out.decode()
    async with inbox.client() as browser:
        await sign_in(browser, "owner@glow.example", "the first owner's secret")
        assert (await browser.get("/api/staff")).status_code == 200
    short = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", "staff", "create-user", "--spa", SPA,
        "--email", "b@glow.example", "--name", "B", "--password-stdin",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env, cwd=ROOT,
    )  # fmt: skip
    _, err = await short.communicate(b"short\n")
    assert short.returncode == 1 and "password must be" in err.decode()
    unknown = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", "staff", "create-user", "--spa", "nope",
        "--email", "c@glow.example", "--name", "C", "--invite",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=ROOT,
    )  # fmt: skip
    _, err = await unknown.communicate()
    assert unknown.returncode == 1 and "no spa 'nope'" in err.decode() and SPA in err.decode()
    assert await inbox.db.fetchval("SELECT count(*) FROM staff_users") == 1


class _OpenBrowser:
    """The one thing the event stream asks of its request: whether the browser is still there."""

    async def is_disconnected(self) -> bool:
        return False


async def test_live_updates_reach_only_the_spa_they_belong_to(inbox: Inbox) -> None:
    service = inbox.ctx.extras["service"]
    stream = event_stream(service.hub, _OpenBrowser(), OTHER, 5.0)  # type: ignore[arg-type]
    assert (await anext(stream)).startswith("retry:")  # hello: subscribed
    async with inbox.db.acquire() as conn:
        await repo.notify(conn, "conversation", SPA, "cglow")
        await repo.notify(conn, "conversation", OTHER, "cother")
    change = await asyncio.wait_for(anext(stream), 5)
    assert '"tenant_id": "other-spa"' in change and "cglow" not in change
    await stream.aclose()


async def test_make_runs_demo_owner_takes_each_runs_password_and_leaves_real_accounts_alone(
    inbox: Inbox,
) -> None:
    await create_staff(inbox.db, OTHER, email=f"owner@{OTHER}", name="Real Owner", role="owner")
    async with inbox.db.acquire() as conn:
        assert await accounts.ensure_dev_owners(conn, [SPA, OTHER], "first run password") == [SPA]
        assert await accounts.ensure_dev_owners(conn, [SPA, OTHER], "second run password") == [SPA]
    async with inbox.client() as browser:
        old = await browser.post(
            "/api/login", json={"email": f"owner@{SPA}", "password": "first run password"}
        )
        assert old.status_code == 401
        assert (await sign_in(browser, f"owner@{SPA}", "second run password"))["X-CSRF-Token"]
        await sign_in(browser, f"owner@{OTHER}")  # the real account kept its own password
