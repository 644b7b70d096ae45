"""The outbox against the real servers: rows written with their effect, marked once published."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.errors import NoStreamResponseError

from shared.bus import ensure_streams
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.db import create_pool
from shared.migrations import apply_migrations
from shared.outbox import OutboxRelay, enqueue, enqueue_with
from shared.subjects import Topology
from tests.support.waiting import until

pytestmark = pytest.mark.integration


SPA = "glow-medspa"


def _entry(action: str) -> AuditRecorded:
    return AuditRecorded(tenant_id=SPA, actor=AuditActor(service="test"), action=action)


async def test_rows_are_published_in_order_once_and_a_failed_publish_leaves_them_waiting(
    database_url: str, nc: NatsClient, topology: Topology
) -> None:
    await apply_migrations(database_url, "relay_test", None)
    pool = await create_pool(database_url, schema="relay_test", session_reset=False)
    js = nc.jetstream()
    relay = OutboxRelay(pool, js, batch=2)
    entries = [_entry(f"tool_{i}") for i in range(3)]
    try:
        async with pool.acquire() as conn:
            for e in entries:
                await enqueue(conn, topology.audit(e.tenant_id), e, message_id=f"audit:{e.id}")
        # No stream holds the subject yet: nothing is acknowledged, so nothing is marked.
        with pytest.raises(NoStreamResponseError):
            await relay.flush()
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 3
        await ensure_streams(js, topology)
        assert await relay.flush() == 3  # two batches: a full one, then the rest
        assert await relay.flush() == 0
        sub = await js.pull_subscribe(
            topology.all_audit, durable="relay-test", stream=topology.stream_audit.name
        )
        got = [AuditRecorded.model_validate_json(m.data).action for m in await sub.fetch(10, timeout=2)]
        assert got == ["tool_0", "tool_1", "tool_2"]
    finally:
        await pool.close()


async def test_an_effect_and_its_message_are_written_together_or_not_at_all(
    database_url: str, topology: Topology
) -> None:
    await apply_migrations(database_url, "relay_effect", None)
    pool = await create_pool(database_url, schema="relay_effect", session_reset=False)
    effect = "INSERT INTO sent_texts (key) VALUES ($1)"
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TABLE sent_texts (key text PRIMARY KEY)")
            one, two = _entry("tool_1"), _entry("tool_2")
            await enqueue_with(conn, effect, "k1", subject=topology.audit(SPA), message=one, message_id="m1")
            with pytest.raises(asyncpg.UniqueViolationError):  # the effect fails: no message either
                await enqueue_with(
                    conn, effect, "k1", subject=topology.audit(SPA), message=two, message_id="m2"
                )
            assert await conn.fetchval("SELECT count(*) FROM sent_texts") == 1
            assert [r["message_id"] for r in await conn.fetch("SELECT message_id FROM outbox")] == ["m1"]
    finally:
        await pool.close()


async def test_the_running_relay_publishes_kicked_rows_at_once_and_finds_unkicked_ones_on_its_look(
    database_url: str, nc: NatsClient, topology: Topology
) -> None:
    await apply_migrations(database_url, "relay_run", None)
    pool = await create_pool(database_url, schema="relay_run", session_reset=False)
    js = nc.jetstream()
    await ensure_streams(js, topology)
    relay = OutboxRelay(pool, js, interval=0.5)

    async def unpublished() -> int:
        async with pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))

    async def enqueue_one(action: str) -> None:
        entry = _entry(action)
        async with pool.acquire() as conn:
            await enqueue(conn, topology.audit(SPA), entry, message_id=f"audit:{entry.id}")

    relay.start()
    try:
        await asyncio.sleep(0.1)  # the start-up pass found nothing
        await enqueue_one("kicked")
        relay.kick()
        await until(lambda: _none(unpublished), timeout=0.4, what="a kicked row, well before the look")
        await enqueue_one("left behind")  # as by a process that died between commit and kick
        assert await relay.pending()
        await until(lambda: _none(unpublished), timeout=3, what="the row nobody kicked for")
    finally:
        await relay.stop()
        await pool.close()


async def _none(count: Callable[[], Awaitable[int]]) -> bool:
    return await count() == 0
