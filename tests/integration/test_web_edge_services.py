"""The HTTP edge on the real services: DNS rebinding, cross-site writes and PHI caching are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.audit import handlers
from services.audit.domain import prepare
from services.escalation.app import build as build_escalation
from services.escalation.settings import EscalationSettings
from services.gateway.app import build as build_gateway
from shared.subjects import Topology
from tests.integration.audit_fixtures import RunningAudit, audit, audit_record
from tests.support.gateway_harness import gateway_settings

pytestmark = pytest.mark.integration
__all__ = ["audit"]

SPA = "glow-medspa"


async def test_the_compliance_api_refuses_a_rebound_host_and_a_cross_site_write(audit: RunningAudit) -> None:
    state = audit.ctx.extras["state"]  # type: ignore[attr-defined]
    row = prepare(audit_record(), now=datetime.now(UTC))
    await handlers.append_records(
        audit.pool, [row], writer_role=audit.settings.audit_writer_role, partitions=state.partitions
    )
    auth = {"Authorization": f"Bearer {await handlers.create_token(audit.pool, 'edge', SPA)}"}
    rebound = await audit.http.get(
        "/v1/records", params={"spa": SPA}, headers={**auth, "Host": "rebind.evil.example"}
    )
    assert rebound.status_code == 400
    cross = await audit.http.post(
        "/v1/records/search", json={"spa": SPA}, headers={**auth, "Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert await audit.count(SPA) == 1  # neither was recorded as a look at the log
    ok = await audit.http.get("/v1/records", params={"spa": SPA}, headers=auth)
    assert ok.status_code == 200
    assert ok.headers["cache-control"] == "no-store" and ok.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
    assert ok.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("service", ["inbox", "gateway"])
async def test_a_rebound_host_never_reaches_the_inbox_or_the_simulator(
    service: str, nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> None:
    if service == "inbox":
        spa = tmp_path / "spa.yaml"
        spa.write_text(f"id: {SPA}\nname: Glow\ntimezone: America/Los_Angeles\n")
        common = {"nats_url": nats_url, "database_url": database_url, "subject_prefix": topology.prefix}
        _, ctx = build_escalation(EscalationSettings(**common, spa_files=str(spa)))  # type: ignore[arg-type]
        paths = ["/", "/api/conversations", "/static/inbox.js"]
    else:
        _, ctx = build_gateway(gateway_settings(nats_url, database_url, topology, tmp_path))
        paths = ["/simulator", "/simulator/spas"]
    # Not started: the edge answers before any route would need the database.
    transport = httpx.ASGITransport(app=ctx.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://attacker.example:8083") as client:
        for path in paths:
            response = await client.get(path)
            assert response.status_code == 400, path
            assert response.json() == {"detail": "unknown host (not in ALLOWED_HOSTS)"}
            assert response.headers["x-frame-options"] == "DENY"
