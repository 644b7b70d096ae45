"""The compliance API against a real PostgreSQL: tokens, filters, pagination, the query log, export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.audit import handlers
from services.audit.domain import prepare
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.ids import client_ref
from tests.integration.audit_fixtures import RunningAudit, audit, audit_record, served

pytestmark = pytest.mark.integration
__all__ = ["audit"]

SPA = "glow-medspa"
PHONE = "+14155550123"
ROOT = Path(__file__).resolve().parents[2]


async def _append(svc: RunningAudit, records: list[AuditRecorded]) -> None:
    now = datetime.now(UTC)
    await handlers.append_records(
        svc.pool,
        [prepare(r, now=now) for r in records],
        writer_role=svc.settings.audit_writer_role,
        partitions=svc.ctx.extras["state"].partitions,  # type: ignore[attr-defined]
    )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ref(svc: RunningAudit, phone: str = PHONE, spa: str = SPA) -> str:
    return client_ref(svc.settings.id_hash_key.get_secret_value(), spa, phone)


async def test_query_without_a_valid_token_is_401(audit: RunningAudit) -> None:
    assert (await audit.http.get("/v1/records", params={"spa": SPA})).status_code == 401
    bad = await audit.http.get("/v1/records", params={"spa": SPA}, headers=_auth("fda_not-a-token"))
    assert bad.status_code == 401
    token = await handlers.create_token(audit.pool, "revoked-officer", SPA)
    await audit.admin.execute("UPDATE audit.api_tokens SET revoked_at = now() WHERE name = 'revoked-officer'")
    revoked = await audit.http.get("/v1/records", params={"spa": SPA}, headers=_auth(token))
    assert revoked.status_code == 401
    assert (await audit.http.get("/v1/export", params={"spa": SPA})).status_code == 401
    assert (await audit.http.get("/v1/verify", params={"spa": SPA})).status_code == 401


async def test_query_of_another_spas_log_is_403_and_the_attempt_is_recorded(audit: RunningAudit) -> None:
    await _append(audit, [audit_record(tenant_id="other-spa")])
    token = await handlers.create_token(audit.pool, "glow-officer", SPA)
    for method, path in (("GET", "/v1/records"), ("GET", "/v1/export"), ("GET", "/v1/verify")):
        response = await audit.http.request(method, path, params={"spa": "other-spa"}, headers=_auth(token))
        assert response.status_code == 403, path
    attempts = await audit.admin.fetch(
        "SELECT action, outcome, staff_user FROM audit.audit_log WHERE tenant_id = $1 ORDER BY seq", SPA
    )
    assert [(a["action"], a["outcome"], a["staff_user"]) for a in attempts] == [
        ("audit.query", "forbidden", "glow-officer"),
        ("audit.export", "forbidden", "glow-officer"),
        ("audit.verify", "forbidden", "glow-officer"),
    ]
    everywhere = await handlers.create_token(audit.pool, "chief-officer", None)
    ok = await audit.http.get("/v1/records", params={"spa": "other-spa"}, headers=_auth(everywhere))
    assert ok.status_code == 200 and len(ok.json()["records"]) == 1


async def test_a_query_appears_in_the_log_without_the_phone_number(audit: RunningAudit) -> None:
    ref = _ref(audit)
    actor = AuditActor(service="scheduler", instance="s1", conversation_id="c1", client_ref=ref)
    await _append(audit, [audit_record(actor=actor), audit_record()])
    token = await handlers.create_token(audit.pool, "dana-compliance", SPA)
    response = await audit.http.post(
        "/v1/records/search", json={"spa": SPA, "client_phone": "(415) 555-0123"}, headers=_auth(token)
    )
    assert response.status_code == 200
    records = response.json()["records"]
    assert [r["actor"]["client_ref"] for r in records] == [ref]
    logged = await audit.admin.fetchrow(
        "SELECT *, arguments::text AS args FROM audit.audit_log "
        "WHERE action = 'audit.query' AND tenant_id = $1",
        SPA,
    )
    assert logged["staff_user"] == "dana-compliance"
    assert logged["actor_service"] == "audit"
    assert logged["client_ref"] == ref
    assert json.loads(logged["args"])["client_ref"] == ref
    assert json.loads(logged["result_summary"]) == {"returned": 1, "more": False}
    # The number in none of the ways it could be written (times, hashes and the random reference can
    # hold any few digits, so digits alone say nothing).
    every_column = " ".join(str(v) for v in logged.values())
    for written in ("555-0123", "5550123", "555 0123", "(415)", "+1415"):
        assert written not in every_column
    # The query's own record is part of the chain and shows up in the next query.
    again = await audit.http.get(
        "/v1/records", params={"spa": SPA, "action": "audit.query"}, headers=_auth(token)
    )
    assert [r["actor"]["staff_user"] for r in again.json()["records"]] == ["dana-compliance"]


async def test_filters_and_cursor_pagination_return_every_record_once_in_time_order(
    audit: RunningAudit,
) -> None:
    base = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    same_time = base + timedelta(hours=1)
    records = [
        audit_record(
            occurred_at=same_time if i in (3, 4, 5) else base + timedelta(minutes=7 * i),
            action="hold_slots" if i % 2 else "find_availability",
            outcome="ok" if i % 5 else "slot_taken",
        )
        for i in range(23)
    ]
    await _append(audit, list(reversed(records)))
    token = await handlers.create_token(audit.pool, "paging", SPA)
    seen: list[dict[str, object]] = []
    params: dict[str, object] = {"spa": SPA, "limit": 5, "action": "hold_slots"}
    while True:
        page = (await audit.http.get("/v1/records", params=params, headers=_auth(token))).json()
        seen.extend(page["records"])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    expected = sorted(
        (r for r in records if r.action == "hold_slots"), key=lambda r: (r.occurred_at, str(r.id))
    )
    assert [s["record_id"] for s in seen] == [str(r.id) for r in expected]
    start, end = base + timedelta(minutes=70), base + timedelta(hours=2)
    window = await audit.http.get(
        "/v1/records",
        params={
            "spa": SPA,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "outcome": "ok",
            "actor": "scheduler",
        },
        headers=_auth(token),
    )
    got = window.json()["records"]
    assert got and all(r["outcome"] == "ok" for r in got)
    assert all(start <= datetime.fromisoformat(r["occurred_at"]) < end for r in got)
    bad = await audit.http.get("/v1/records", params={"spa": SPA, "cursor": "nonsense"}, headers=_auth(token))
    assert bad.status_code == 422
    naive = await audit.http.get(
        "/v1/records", params={"spa": SPA, "from": "2026-06-01T09:00:00"}, headers=_auth(token)
    )
    assert naive.status_code == 422


async def test_export_streams_csv_and_json_lines_with_every_record(audit: RunningAudit) -> None:
    records = [audit_record(arguments={"note": f'line {i}, with "quotes"', "n": i}) for i in range(2500)]
    await _append(audit, records)
    token = await handlers.create_token(audit.pool, "exporter", SPA)
    async with (
        served(audit.ctx.http) as url,
        httpx.AsyncClient(base_url=url) as client,
        client.stream("GET", "/v1/export", params={"spa": SPA, "format": "jsonl"}, headers=_auth(token)) as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert "content-length" not in r.headers  # chunked: written as the cursor advances
        chunks = [chunk async for chunk in r.aiter_raw()]
    assert len(chunks) > 1
    lines = b"".join(chunks).decode().splitlines()
    exported = [json.loads(line) for line in lines]
    assert [e["record_id"] for e in exported[:-1]] == [str(r.id) for r in records]
    assert exported[7]["arguments"] == records[7].arguments
    # The export was recorded before it began, so it is its own last line.
    assert (exported[-1]["action"], exported[-1]["actor"]["staff_user"]) == ("audit.export", "exporter")

    response = await audit.http.post("/v1/export", json={"spa": SPA, "format": "csv"}, headers=_auth(token))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2502  # the records, the first export, this export
    assert json.loads(rows[42]["arguments"]) == records[42].arguments
    assert rows[0]["seq"] == "1" and len(rows[0]["hash"]) == 64
    exports = await audit.admin.fetchval(
        "SELECT count(*) FROM audit.audit_log WHERE action = 'audit.export' AND staff_user = 'exporter'"
    )
    assert exports == 2


async def test_verify_and_checkpoint_over_the_api(audit: RunningAudit) -> None:
    await _append(audit, [audit_record() for _ in range(12)])
    token = await handlers.create_token(audit.pool, "verifier", SPA)
    made = await audit.http.post("/v1/checkpoints", params={"spa": SPA}, headers=_auth(token))
    assert made.status_code == 200 and made.json()["checkpoints"][0]["seq"] == 12
    report = (await audit.http.get("/v1/verify", params={"spa": SPA}, headers=_auth(token))).json()
    assert report["ok"] is True
    assert report["checkpoints_checked"] == 1
    assert report["records_checked"] == 13  # the checkpoint request was itself recorded


async def test_cli_creates_a_token_and_verifies_a_chain(audit: RunningAudit, database_url: str) -> None:
    await _append(audit, [audit_record() for _ in range(5)])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUDIT_SIGNING_KEY": audit.settings.audit_signing_key.get_secret_value(),
        "PYTHONPATH": str(ROOT),
    }
    made = subprocess.run(
        [sys.executable, "-m", "services.audit", "token", "create", "--spa", SPA, "--name", "cli-officer"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("fda_")
    assert (await audit.http.get("/v1/whoami", headers=_auth(token))).json()["name"] == "cli-officer"
    stored = await audit.admin.fetchval("SELECT token_hash FROM audit.api_tokens WHERE name = 'cli-officer'")
    assert token.encode() not in bytes(stored) and bytes(stored) == handlers.hash_token(token)
    verified = subprocess.run(
        [sys.executable, "-m", "services.audit", "verify", "--spa", SPA],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["records_checked"] == 6  # the five and the token's creation
    created = await audit.admin.fetchrow(
        "SELECT action, staff_user, arguments::text AS args FROM audit.audit_log "
        "WHERE tenant_id = $1 AND seq = 6",
        SPA,
    )
    assert created["action"] == "audit.token_created" and created["staff_user"].startswith("cli:")
    assert json.loads(created["args"]) == {"token_name": "cli-officer", "scope": SPA}
    assert token not in created["args"]


async def test_cli_export_writes_the_file_and_shows_progress(audit: RunningAudit, tmp_path: Path) -> None:
    records = [audit_record() for _ in range(300)]
    await _append(audit, records)
    token = await handlers.create_token(audit.pool, "cli-exporter", SPA)
    out = tmp_path / "audit.csv"
    async with served(audit.ctx.http) as url:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.audit",
            "export", "--spa", SPA, "--format", "csv", "--out", str(out),
            env={**os.environ, "AUDIT_API_URL": url, "AUDIT_TOKEN": token, "PYTHONPATH": str(ROOT)},
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    assert "exported 301 records" in stderr.decode()  # the records and the export's own record
    rows = list(csv.DictReader(out.open()))
    assert [r["record_id"] for r in rows[:-1]] == [str(r.id) for r in records]
    assert rows[-1]["action"] == "audit.export"
