"""The start of a spa's chain is provable: deleting its head is caught unless retention explains it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client as NatsClient

from services.audit import handlers, repo
from services.audit.app import build
from services.audit.domain import prepare, sign_retention
from shared.bus import publish_event
from shared.contracts.audit import AuditRecorded
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.integration.audit_fixtures import RunningAudit, audit, audit_record, eventually, make_settings

pytestmark = pytest.mark.integration
__all__ = ["audit"]

SPA = "glow-medspa"
ROOT = Path(__file__).resolve().parents[2]
LONG_AGO = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)


def _signer(svc: RunningAudit, store: Path | None = None) -> handlers.Signer:
    signer = svc.ctx.extras["state"].signer  # type: ignore[attr-defined]
    assert signer is not None
    return handlers.Signer(signer.key, handlers.CheckpointStore(store) if store else None)


async def _append(svc: RunningAudit, records: list[AuditRecorded], signer: handlers.Signer | None) -> None:
    await handlers.append_records(
        svc.pool,
        [prepare(r, now=datetime.now(UTC)) for r in records],
        writer_role=svc.settings.audit_writer_role,
        partitions=svc.ctx.extras["state"].partitions,  # type: ignore[attr-defined]
        signer=signer,
    )


async def _delete_as_superuser(svc: RunningAudit, sql: str, *args: object) -> None:
    async with svc.admin.transaction():
        # A superuser can switch the append-only triggers off.
        await svc.admin.execute("SET LOCAL session_replication_role = replica")
        await svc.admin.execute(sql, *args)


async def _verify(svc: RunningAudit, **options: object) -> handlers.VerifyReport:
    trusted = svc.ctx.extras["state"].keys.trusted  # type: ignore[attr-defined]
    return await handlers.verify(svc.pool, SPA, trusted, **options)  # type: ignore[arg-type]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_first_record_gets_a_signed_checkpoint_of_its_hash(audit: RunningAudit) -> None:
    await _append(audit, [audit_record() for _ in range(4)], _signer(audit))
    async with audit.pool.acquire() as conn:
        starts = await repo.checkpoints(conn, SPA)
        first = await repo.hash_at(conn, SPA, 1)
    assert [(cp.seq, cp.head_hash) for cp in starts] == [(1, first)]
    report = await _verify(audit)
    assert report.ok and report.checkpoints_checked == 1


async def test_deleting_the_head_as_superuser_fails_verify_naming_the_gap(
    audit: RunningAudit, database_url: str
) -> None:
    await _append(audit, [audit_record() for _ in range(10)], _signer(audit))
    await _delete_as_superuser(audit, "DELETE FROM audit.audit_log WHERE tenant_id = $1 AND seq <= 3", SPA)

    report = await _verify(audit)
    assert not report.ok and not report.anchored_at_retention
    assert report.first_break is not None
    assert (report.first_break.kind, report.first_break.seq) == ("missing_head", 3)
    assert "records seq 1-3 are missing" in report.first_break.detail

    token = await handlers.create_token(audit.pool, "head-checker", SPA)
    over_api = (await audit.http.get("/v1/verify", params={"spa": SPA}, headers=_auth(token))).json()
    assert over_api["ok"] is False
    assert over_api["first_break"]["kind"] == "missing_head"

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUDIT_SIGNING_KEY": audit.settings.audit_signing_key.get_secret_value(),
        "PYTHONPATH": str(ROOT),
    }
    cli = subprocess.run(
        [sys.executable, "-m", "services.audit", "verify", "--spa", SPA],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert cli.returncode == 1
    assert "missing_head" in cli.stderr and "records seq 1-3 are missing" in cli.stderr


async def test_a_head_dropped_past_retention_is_accepted_through_its_signed_mark(
    audit: RunningAudit, tmp_path: Path
) -> None:
    signer = _signer(audit, tmp_path / "store")
    old = [audit_record(occurred_at=LONG_AGO + timedelta(minutes=i)) for i in range(3)]
    await _append(audit, old, signer)
    await _append(audit, [audit_record() for _ in range(5)], signer)
    dropped = await handlers.drop_expired(audit.pool, signer, audit.settings.audit_retention_months)
    assert dropped == ["audit_log_y2018m01"]
    assert await audit.count(SPA) == 5

    report = await _verify(audit, store=signer.store)
    assert report.ok, report.first_break
    assert report.anchored_at_retention and report.first_seq == 4
    assert any("dropped past retention" in note for note in report.notes)
    exported = [
        json.loads(line)["kind"] for line in (tmp_path / "store" / f"{SPA}.jsonl").read_text().splitlines()
    ]
    assert exported == ["checkpoint", "retention"]
    # The same mark does not hold where the period is not over yet (as seen from years earlier).
    early = await _verify(audit, now=datetime(2019, 6, 1, tzinfo=UTC))
    assert early.first_break is not None and early.first_break.kind == "missing_head"
    assert "not past the 72-month retention period" in early.first_break.detail


async def test_a_retention_mark_signed_before_its_time_does_not_excuse_a_deletion(
    audit: RunningAudit,
) -> None:
    signer = _signer(audit)
    await _append(audit, [audit_record() for _ in range(6)], signer)
    async with audit.pool.acquire() as conn:
        head = await repo.hash_at(conn, SPA, 3)
        assert head is not None
        now = datetime.now(UTC)
        await repo.insert_retention_mark(conn, sign_retention(signer.key, SPA, 3, head, now, now))
    await _delete_as_superuser(audit, "DELETE FROM audit.audit_log WHERE tenant_id = $1 AND seq <= 3", SPA)
    report = await _verify(audit)
    assert report.first_break is not None and report.first_break.kind == "missing_head"
    assert "is not past the 72-month retention period" in report.first_break.detail


async def test_a_late_old_record_stops_retention_from_leaving_a_hole(audit: RunningAudit) -> None:
    signer = _signer(audit)
    await _append(audit, [audit_record()], signer)
    await _append(audit, [audit_record(occurred_at=LONG_AGO)], signer)  # seq 2, in a month past retention
    with pytest.raises(handlers.RetentionRefused, match="seq 1 is kept but seq 2 would be dropped"):
        await handlers.drop_expired(audit.pool, signer, audit.settings.audit_retention_months)
    assert await audit.count(SPA) == 2
    async with audit.pool.acquire() as conn:
        assert await repo.retention_marks(conn, SPA) == []


async def test_the_exported_store_catches_a_chain_deleted_with_its_checkpoints(
    audit: RunningAudit, tmp_path: Path
) -> None:
    signer = _signer(audit, tmp_path / "store")
    await _append(audit, [audit_record() for _ in range(5)], signer)
    await handlers.checkpoint(audit.pool, signer, writer_role=audit.settings.audit_writer_role)
    for table in ("audit_log", "checkpoints", "chains"):
        await _delete_as_superuser(audit, f"DELETE FROM audit.{table} WHERE tenant_id = $1", SPA)
    assert (await _verify(audit)).ok  # the database alone no longer knows the spa had a log
    report = await _verify(audit, store=signer.store)
    assert not report.ok and report.exported_checked == 2
    assert report.first_break is not None and report.first_break.kind == "exported_missing"


async def test_an_unknown_spa_is_404_and_leaves_nothing_behind(audit: RunningAudit) -> None:
    await _append(audit, [audit_record()], _signer(audit))
    token = await handlers.create_token(audit.pool, "everywhere", None)
    ghost = {"spa": "no-such-spa"}
    answers = [
        await audit.http.get("/v1/records", params=ghost, headers=_auth(token)),
        await audit.http.post("/v1/records/search", json=ghost, headers=_auth(token)),
        await audit.http.get("/v1/export", params=ghost, headers=_auth(token)),
        await audit.http.get("/v1/verify", params=ghost, headers=_auth(token)),
        await audit.http.post("/v1/checkpoints", params=ghost, headers=_auth(token)),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert answers[0].json()["detail"] == "no audit log for spa 'no-such-spa'"
    for table in ("audit_log", "checkpoints", "chains"):
        count = await audit.admin.fetchval(
            f"SELECT count(*) FROM audit.{table} WHERE tenant_id = 'no-such-spa'"
        )
        assert count == 0, table
    known = await audit.http.get("/v1/records", params={"spa": SPA}, headers=_auth(token))
    assert known.status_code == 200


async def test_a_token_without_the_bearer_prefix_is_refused(audit: RunningAudit) -> None:
    await _append(audit, [audit_record()], None)
    token = await handlers.create_token(audit.pool, "prefix-check", SPA)
    for header in (token, f"Bearer  {token}", f"Token {token}", f"Bearer {token} extra"):
        response = await audit.http.get("/v1/whoami", headers={"Authorization": header})
        assert response.status_code == 401, header
    assert (await audit.http.get("/v1/whoami", headers=_auth(token))).status_code == 200


async def test_token_creation_and_revocation_are_recorded(audit: RunningAudit) -> None:
    state = audit.ctx.extras["state"]  # type: ignore[attr-defined]
    operator = handlers.Operator(
        staff_user="cli:dana", instance="cli", writer_role=audit.settings.audit_writer_role,
        partitions=state.partitions, signer=state.signer,
    )  # fmt: skip
    secret = await handlers.create_token(audit.pool, "glow-officer", SPA, operator=operator)
    await handlers.create_token(audit.pool, "chief-officer", None, operator=operator)
    assert await handlers.revoke_token(audit.pool, "glow-officer", operator=operator)
    assert not await handlers.revoke_token(audit.pool, "glow-officer", operator=operator)
    rows = await audit.admin.fetch(
        "SELECT tenant_id, action, staff_user, arguments::text AS args FROM audit.audit_log "
        "ORDER BY tenant_id, seq"
    )
    assert [(r["tenant_id"], r["action"], r["staff_user"], json.loads(r["args"])) for r in rows] == [
        (
            handlers.SYSTEM_CHAIN,
            "audit.token_created",
            "cli:dana",
            {"token_name": "chief-officer", "scope": "*"},
        ),
        (SPA, "audit.token_created", "cli:dana", {"token_name": "glow-officer", "scope": SPA}),
        (SPA, "audit.token_revoked", "cli:dana", {"token_name": "glow-officer", "scope": SPA}),
    ]
    assert all(secret not in r["args"] for r in rows)
    assert (await _verify(audit)).ok


async def test_the_cli_drops_past_retention_with_a_mark_and_verify_still_passes(
    audit: RunningAudit, database_url: str, tmp_path: Path
) -> None:
    await _append(audit, [audit_record(occurred_at=LONG_AGO)], None)
    await _append(audit, [audit_record() for _ in range(2)], None)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "FRONTDESK_DATA_DIR": str(tmp_path),
    }

    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.audit", *args], env={**env, **extra}, capture_output=True,
            text=True, timeout=60, cwd=ROOT,
        )  # fmt: skip

    keyless = cli("retention", "--apply")
    assert keyless.returncode == 2 and "needs the signing key" in keyless.stderr
    assert await audit.count(SPA) == 3
    key = audit.settings.audit_signing_key.get_secret_value()
    dropped = cli(
        "retention", "--apply", AUDIT_SIGNING_KEY=key, AUDIT_CHECKPOINT_EXPORT=str(tmp_path / "store")
    )
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.stdout.splitlines() == ["dropped audit_log_y2018m01"]
    verified = cli("verify", "--spa", SPA, "--against", str(tmp_path / "store"), AUDIT_SIGNING_KEY=key)
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["anchored_at_retention"] is True and report["exported_checked"] == 1


async def test_the_running_service_exports_a_chain_start_and_verifies_against_it(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    store = tmp_path / "store"
    settings = make_settings(nats_url, database_url, topology, tmp_path, audit_checkpoint_export=store)
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    try:
        record = audit_record()
        await publish_event(nc.jetstream(), topology.audit(SPA), record, msg_id=f"audit:{record.id}")
        exported = store / f"{SPA}.jsonl"
        await eventually(lambda: _true(exported.exists()))
        [line] = exported.read_text().splitlines()
        assert json.loads(line)["kind"] == "checkpoint" and json.loads(line)["seq"] == 1
        assert ctx.pool is not None
        token = await handlers.create_token(ctx.pool, "store-check", SPA)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=ctx.http), base_url="http://audit.test"
        ) as c:
            report = (await c.get("/v1/verify", params={"spa": SPA}, headers=_auth(token))).json()
        assert report["ok"] is True and report["exported_checked"] == 1 and report["checkpoints_checked"] == 1
    finally:
        await stop_context(spec, ctx)


async def _true(value: bool) -> bool:
    return value


async def test_a_store_that_cannot_be_written_never_loses_an_append(
    audit: RunningAudit, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    signer = _signer(audit, blocked / "store")
    await _append(audit, [audit_record(occurred_at=LONG_AGO)], signer)
    await _append(audit, [audit_record() for _ in range(2)], signer)
    assert await audit.count(SPA) == 3
    # Dropping records is different: without its mark in the store, nothing is dropped.
    with pytest.raises(OSError):
        await handlers.drop_expired(audit.pool, signer, audit.settings.audit_retention_months)
    assert await audit.count(SPA) == 3
    assert (await _verify(audit)).ok
