"""The audit log against real NATS and PostgreSQL: idempotent appends, append-only, tamper evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from services.audit import handlers
from services.audit.consumer import Recorder
from services.audit.domain import prepare
from shared.audit import record as record_via_outbox
from shared.bus import publish_event
from shared.contracts.audit import AuditRecorded
from shared.db import create_pool
from shared.migrations import apply_migrations
from shared.outbox import OutboxRelay
from shared.subjects import Topology
from tests.integration.audit_fixtures import RunningAudit, audit, audit_record, eventually

pytestmark = pytest.mark.integration
__all__ = ["audit"]

SPA = "glow-medspa"


async def _append(svc: RunningAudit, records: list[AuditRecorded]) -> handlers.AppendResult:
    state = svc.ctx.extras["state"]
    now = datetime.now(UTC)
    return await handlers.append_records(
        svc.pool,
        [prepare(r, now=now) for r in records],
        writer_role=svc.settings.audit_writer_role,
        partitions=state.partitions,  # type: ignore[attr-defined]
    )


async def _verify(svc: RunningAudit, spa: str = SPA, **period: datetime) -> handlers.VerifyReport:
    keys = svc.ctx.extras["state"].keys  # type: ignore[attr-defined]
    return await handlers.verify(svc.pool, spa, keys.trusted, **period)


async def _checkpoint(svc: RunningAudit) -> None:
    keys = svc.ctx.extras["state"].keys  # type: ignore[attr-defined]
    await handlers.checkpoint(svc.pool, keys.signing, writer_role=svc.settings.audit_writer_role)


async def test_records_from_the_stream_are_appended_once_even_when_redelivered(
    audit: RunningAudit, nc: NatsClient, topology: Topology
) -> None:
    js = nc.jetstream()
    records = [audit_record() for _ in range(30)]
    for r in records:
        await publish_event(js, topology.audit(SPA), r, msg_id=f"audit:{r.id}")
    # The same records again under other message ids: JetStream's dedupe does not catch these,
    # as after a relay restart outside the duplicate window; the log must.
    for r in records[:10]:
        await publish_event(js, topology.audit(SPA), r, msg_id=f"again:{r.id}")
    await eventually(lambda: _consumer_drained(js, topology))
    assert await audit.count(SPA) == 30
    again = await _append(audit, records[5:15])
    assert (again.inserted, again.duplicates) == (0, 10)
    assert await audit.count(SPA) == 30
    ids = await audit.admin.fetch(
        "SELECT record_id FROM audit.audit_log WHERE tenant_id = $1 ORDER BY seq", SPA
    )
    assert [r["record_id"] for r in ids] == [r.id for r in records]
    assert (await _verify(audit)).ok


async def _consumer_drained(js: object, topology: Topology) -> bool:
    info = await js.consumer_info(topology.stream_audit.name, "audit-recorder")  # type: ignore[attr-defined]
    return bool(info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0)


async def test_records_written_through_the_outbox_reach_the_log(
    audit: RunningAudit, nc: NatsClient, topology: Topology, database_url: str
) -> None:
    # A producer (here: a schema of its own) records in the transaction of its effect.
    await apply_migrations(database_url, "producer", None)
    pool = await create_pool(database_url, schema="producer")
    relay = OutboxRelay(pool, nc.jetstream())
    try:
        entry = audit_record(action="confirm_booking")
        async with pool.acquire() as conn, conn.transaction():
            await record_via_outbox(conn, topology, entry)
        await relay.flush()

        async def stored() -> bool:
            return await audit.count(SPA) == 1

        await eventually(stored)
        row = await audit.admin.fetchrow("SELECT * FROM audit.audit_log WHERE record_id = $1", entry.id)
        assert row["action"] == "confirm_booking"
        assert row["seq"] == 1
        assert json.loads(row["arguments"]) == entry.arguments
    finally:
        await pool.close()


async def test_chain_verifies_over_spas_and_periods(audit: RunningAudit) -> None:
    base = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    # Two months, two spas, interleaved: each spa has its own chain.
    records = [
        audit_record(tenant_id=SPA if i % 3 else "other-spa", occurred_at=base + timedelta(minutes=10 * i))
        for i in range(40)
    ]
    await _append(audit, records[:25])
    await _append(audit, records[25:])
    full = await _verify(audit)
    assert full.ok, full.first_break
    assert full.records_checked == await audit.count(SPA)
    april = await _verify(audit, start=datetime(2026, 4, 1, tzinfo=UTC), end=datetime(2026, 5, 1, tzinfo=UTC))
    assert april.ok and 0 < april.records_checked < full.records_checked
    assert (await _verify(audit, "other-spa")).ok


async def test_update_delete_and_truncate_are_refused(audit: RunningAudit, database_url: str) -> None:
    await _append(audit, [audit_record() for _ in range(3)])
    await _checkpoint(audit)
    partition = await audit.admin.fetchval("SELECT tableoid::regclass::text FROM audit.audit_log LIMIT 1")
    statements = [
        "UPDATE audit.audit_log SET outcome = 'changed'",
        "DELETE FROM audit.audit_log",
        "TRUNCATE audit.audit_log",
        f"UPDATE {partition} SET outcome = 'changed'",
        f"DELETE FROM {partition}",
        f"TRUNCATE {partition}",
        "UPDATE audit.checkpoints SET seq = 0",
        "TRUNCATE audit.checkpoints",
    ]
    # As the service's writer role: no privilege.
    writer = await asyncpg.connect(database_url)
    try:
        await writer.execute(f"SET ROLE {audit.settings.audit_writer_role}")
        for sql in statements[:3]:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await writer.execute(sql)
    finally:
        await writer.close()
    # Even as the owner (a superuser here), the triggers refuse, on the table and on each partition.
    for sql in statements:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await audit.admin.execute(sql)
            pytest.fail(f"not refused: {sql}")
    assert await audit.count(SPA) == 3
    assert (await _verify(audit)).ok


async def test_altered_payload_is_found_by_verify_at_the_exact_record(audit: RunningAudit) -> None:
    records = [audit_record() for _ in range(20)]
    await _append(audit, records)
    victim = records[12]
    async with audit.admin.transaction():
        # A superuser can switch the triggers off; the chain still tells.
        await audit.admin.execute("SET LOCAL session_replication_role = replica")
        await audit.admin.execute(
            "UPDATE audit.audit_log SET result_summary = '{\"slots\":0}' WHERE record_id = $1", victim.id
        )
    report = await _verify(audit)
    assert not report.ok
    b = report.first_break
    assert b is not None
    assert (b.kind, b.seq, b.record_id) == ("hash_mismatch", 13, str(victim.id))
    assert b.occurred_at == victim.occurred_at.isoformat()
    assert b.expected != b.found and len(b.expected) == 64
    assert report.records_checked == 12


async def test_deleted_record_is_found_by_verify(audit: RunningAudit) -> None:
    records = [audit_record() for _ in range(10)]
    await _append(audit, records)
    async with audit.admin.transaction():
        await audit.admin.execute("SET LOCAL session_replication_role = replica")
        await audit.admin.execute("DELETE FROM audit.audit_log WHERE record_id = $1", records[4].id)
    report = await _verify(audit)
    assert report.first_break is not None
    assert (report.first_break.kind, report.first_break.seq) == ("missing_record", 6)


async def test_full_rewrite_of_the_chain_is_caught_by_the_signed_checkpoint(audit: RunningAudit) -> None:
    records = [audit_record() for _ in range(10)]
    await _append(audit, records)
    await _checkpoint(audit)
    await _append(audit, [audit_record() for _ in range(5)])
    # The attacker alters record 3 and recomputes every hash after it, as the service would.
    rows = await audit.admin.fetch("SELECT * FROM audit.audit_log WHERE tenant_id = $1 ORDER BY seq", SPA)
    from services.audit.domain import Row, chain, genesis_hash

    def as_row(r: asyncpg.Record, **change: object) -> Row:
        values = {name: r[name] for name in Row._fields}
        values.update(arguments=r["arguments"], result_summary=r["result_summary"],
                      disclosed_fields=r["disclosed_fields"], **change)  # fmt: skip
        return Row(**values)  # type: ignore[arg-type]

    forged = chain(
        [as_row(r, outcome="not_found") if r["seq"] == 3 else as_row(r) for r in rows],
        head_seq=0,
        head_hash=genesis_hash(SPA),
    )
    async with audit.admin.transaction():
        await audit.admin.execute("SET LOCAL session_replication_role = replica")
        for row in forged:
            await audit.admin.execute(
                "UPDATE audit.audit_log SET outcome = $1, prev_hash = $2, hash = $3 WHERE record_id = $4",
                row.outcome, row.prev_hash, row.hash, row.record_id,
            )  # fmt: skip
    report = await _verify(audit)
    assert not report.ok
    assert report.first_break is not None
    assert (report.first_break.kind, report.first_break.seq) == ("checkpoint_mismatch", 10)


async def test_checkpoint_not_signed_by_a_trusted_key_is_reported(audit: RunningAudit) -> None:
    await _append(audit, [audit_record() for _ in range(3)])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    await handlers.checkpoint(
        audit.pool, Ed25519PrivateKey.generate(), writer_role=audit.settings.audit_writer_role
    )
    report = await _verify(audit)
    assert report.first_break is not None and report.first_break.kind == "bad_signature"


async def test_invalid_record_is_dead_lettered_and_its_batch_is_still_stored(
    audit: RunningAudit, nc: NatsClient, topology: Topology
) -> None:
    js = nc.jetstream()
    dead = await js.subscribe(topology.deadletter("audit"), stream=topology.stream_deadletters.name)
    good = [audit_record() for _ in range(5)]
    await publish_event(js, topology.audit(SPA), good[0])
    await js.publish(topology.audit(SPA), b'{"tenant_id": "glow-medspa", "action": ""}')
    nul = audit_record(action="lookup\x00client")
    await publish_event(js, topology.audit(SPA), nul)
    for r in good[1:]:
        await publish_event(js, topology.audit(SPA), r)
    await eventually(lambda: _consumer_drained(js, topology))
    assert await audit.count(SPA) == 5
    first = await dead.next_msg(timeout=5)
    second = await dead.next_msg(timeout=5)
    reasons = {first.headers["Frontdesk-Reason"], second.headers["Frontdesk-Reason"]}  # type: ignore[index]
    assert any("actor" in r or "action" in r for r in reasons)
    assert any("NUL" in r for r in reasons)
    assert (await _verify(audit)).ok


async def test_a_failed_batch_is_redelivered_and_stored_once(
    audit: RunningAudit, nc: NatsClient, topology: Topology
) -> None:
    recorder: Recorder = audit.ctx.extras["recorder"]  # type: ignore[assignment]
    await recorder.stop()
    js = nc.jetstream()
    records = [audit_record() for _ in range(8)]
    for r in records:
        await publish_event(js, topology.audit(SPA), r)
    sub = await js.pull_subscribe(
        topology.all_audit, durable="audit-recorder", stream=topology.stream_audit.name
    )
    msgs = await sub.fetch(8, timeout=5)
    # The batch is written but the process dies before acking: the messages come back.
    state = audit.ctx.extras["state"]
    now = datetime.now(UTC)
    await handlers.append_records(
        audit.pool,
        [prepare(AuditRecorded.model_validate_json(m.data), now=now) for m in msgs],
        writer_role=audit.settings.audit_writer_role,
        partitions=state.partitions,  # type: ignore[attr-defined]
    )
    for m in msgs:
        await m.nak()
    again: list[Msg] = []
    while len(again) < 8:  # redeliveries may come in more than one pull
        again += await sub.fetch(8 - len(again), timeout=5)
    result = await recorder.handle(again)
    assert (result.inserted, result.duplicates) == (0, 8)
    assert await audit.count(SPA) == 8
