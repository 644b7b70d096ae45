"""The pool's light reset and the outbox's multi-row enqueue, against the real PostgreSQL."""

from __future__ import annotations

import pytest

from shared.contracts.audit import AuditActor, AuditRecorded
from shared.db import create_pool
from shared.migrations import apply_migrations
from shared.outbox import enqueue_many

pytestmark = pytest.mark.integration


async def test_light_reset_pool_rolls_back_a_transaction_left_open(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1, session_reset=False)
    try:
        async with pool.acquire() as conn:
            await conn.execute("BEGIN")
            await conn.execute("CREATE TEMP TABLE left_open (x int)")
        async with pool.acquire() as conn:  # max_size=1: the same connection
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()


async def test_enqueue_many_writes_every_row_once_even_when_repeated(database_url: str) -> None:
    await apply_migrations(database_url, "outbox_test", None)
    pool = await create_pool(database_url, schema="outbox_test")
    entries = [
        AuditRecorded(tenant_id="demo-spa", actor=AuditActor(service="test"), action=f"tool_{i}")
        for i in range(3)
    ]
    batch = [(f"frontdesk.audit.{e.tenant_id}", e, f"audit:{e.id}") for e in entries]
    try:
        async with pool.acquire() as conn:
            await enqueue_many(conn, batch)
            await enqueue_many(conn, batch[1:])  # a retried batch adds nothing
            rows = await conn.fetch("SELECT message_id, payload FROM outbox ORDER BY seq")
        assert [r["message_id"] for r in rows] == [m for _, _, m in batch]
        assert [AuditRecorded.model_validate_json(r["payload"]).action for r in rows] == [
            "tool_0",
            "tool_1",
            "tool_2",
        ]
    finally:
        await pool.close()
