"""The gateway's admin endpoint: strict Bearer token, a typed body, every cap change audited."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client as NatsClient

from shared.subjects import Topology
from tests.support.gateway_harness import (
    SPA_ID,
    gateway_settings,
    running_gateway,
    stream_messages,
    write_spa,
)

pytestmark = pytest.mark.integration

CAP_URL = f"/admin/spas/{SPA_ID}/send-cap"
ADMIN = {"Authorization": "Bearer admin-secret"}


async def test_cap_changes_need_a_strict_bearer_token_and_a_real_integer_and_are_audited(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas", cap=100)
    async with running_gateway(gateway_settings(nats_url, database_url, topology, tmp_path)) as gw:
        for header in ("admin-secret", "Bearer  admin-secret", "Basic admin-secret", "Bearer admin-secret x"):
            refused = await gw.http.post(CAP_URL, json={"daily_cap": 10}, headers={"Authorization": header})
            assert refused.status_code == 401, header
        for body in ({"daily_cap": True}, {"daily_cap": "10"}, {"daily_cap": 10.0}, {"daily_cap": -1}):
            invalid = await gw.http.post(CAP_URL, json=body, headers=ADMIN)
            assert invalid.status_code == 422, body
        async with gw.ports.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM send_caps") == 0
        first = await gw.http.post(CAP_URL, json={"daily_cap": 10}, headers=ADMIN)
        second = await gw.http.post(CAP_URL, json={"daily_cap": 25}, headers=ADMIN)
        assert first.status_code == second.status_code == 200
        records = await stream_messages(nc.jetstream(), topology.audit(SPA_ID), 2)
    changes = [r["data"] for r in records if r["data"]["action"] == "gateway.send_cap_changed"]
    assert [c["arguments"] for c in changes] == [
        {"daily_cap": 10, "previous_cap": None},
        {"daily_cap": 25, "previous_cap": 10},
    ]
    assert {(c["actor"]["service"], c["actor"]["staff_user"]) for c in changes} == {
        ("gateway", "admin-token")
    }


async def test_the_simulator_answers_this_machine_or_a_caller_with_its_token(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    settings = gateway_settings(nats_url, database_url, topology, tmp_path, simulator_token="sim-secret")
    async with running_gateway(settings) as gw:
        page = await gw.http.get("/simulator")  # the harness's client is on loopback
        assert page.status_code == 200
        assert "'sha256-" in page.headers["content-security-policy"]
        transport = httpx.ASGITransport(app=gw.ctx.http, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as remote:
            refused = [await remote.get(path) for path in ("/simulator", "/simulator/spas")]
            text = {"from_number": "+14155550123", "body": "hi"}
            injected = await remote.post("/simulator/messages", json=text)
            wrong = await remote.get("/simulator/spas", headers={"Authorization": "Bearer nope"})
            allowed = await remote.get("/simulator/spas", headers={"Authorization": "Bearer sim-secret"})
    assert [r.status_code for r in refused] == [403, 403]
    assert injected.status_code == 403 and wrong.status_code == 403
    assert allowed.status_code == 200 and allowed.json()[0]["id"] == SPA_ID
