"""The platform against real servers: streams, dedupe, migrations."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient

from shared.bus import ensure_streams, publish_event
from shared.contracts.sms import SmsReceived
from shared.migrations import apply_migrations
from shared.subjects import Topology

pytestmark = pytest.mark.integration


def _sms(topology: Topology, sid: str = "SM1") -> tuple[str, SmsReceived]:
    msg = SmsReceived(
        tenant_id="demo-spa",
        message_sid=sid,
        conversation_id="c123",
        from_number="+14155550100",
        to_number="+14155550199",
        body="hello",
    )
    return topology.sms_inbound("demo-spa", "c123"), msg


async def test_stream_creation_is_idempotent(nc: NatsClient, topology: Topology) -> None:
    js = nc.jetstream()
    await ensure_streams(js, topology)
    await ensure_streams(js, topology)
    await asyncio.gather(ensure_streams(js, topology), ensure_streams(js, topology))
    # Asked one by one: listing every stream returns one page, and a long test run has more.
    for spec in topology.streams():
        assert (await js.stream_info(spec.name)).config.name == spec.name


async def test_same_msg_id_is_one_message(nc: NatsClient, topology: Topology) -> None:
    js = nc.jetstream()
    await ensure_streams(js, topology)
    subject, msg = _sms(topology)
    seqs = {await publish_event(js, subject, msg, msg_id="SMabc") for _ in range(3)}
    assert len(seqs) == 1
    info = await js.stream_info(topology.stream_sms_inbound.name)
    assert info.state.messages == 1


async def test_migrations_apply_twice(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    first = await apply_migrations(database_url, "svc", folder)
    second = await apply_migrations(database_url, "svc", folder)
    assert "svc:0001_things" in first
    assert second == []
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM svc.schema_migrations") == len(first)
    finally:
        await conn.close()


async def test_migrations_race_from_two_processes(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY); SELECT pg_sleep(0.3);")
    code = (
        "import asyncio, sys, pathlib; from shared.migrations import apply_migrations;"
        "asyncio.run(apply_migrations(sys.argv[1], 'svc', pathlib.Path(sys.argv[2])))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url, str(folder)], env=env, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [(p.wait(60), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert all(rc == 0 for rc, _ in results), results
    conn = await asyncpg.connect(database_url)
    try:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM svc.schema_migrations WHERE version = 'svc:0001_things'"
            )
            == 1
        )
    finally:
        await conn.close()
