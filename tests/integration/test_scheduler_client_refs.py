"""Clients' references read once per scheduler process, against the real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest

from services.scheduler import repo
from services.scheduler.app import MIGRATIONS
from services.scheduler.handlers.ports import ClientRefs
from shared.db import create_pool
from shared.migrations import apply_migrations

pytestmark = pytest.mark.integration

SPA = "glow-medspa"


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the scheduler's schema with one spa loaded."""
    await apply_migrations(database_url, "scheduler", MIGRATIONS)
    pool = await create_pool(database_url, schema="scheduler", session_reset=False)
    async with pool.acquire() as connection:
        await connection.execute(
            "INSERT INTO spas (id, name, timezone, opening_hours, rules) VALUES ($1, 'Glow', 'UTC', $2, $2)",
            SPA,
            json.dumps({}),
        )
        yield connection
    await pool.close()


async def test_a_clients_reference_is_read_once_and_an_unknown_client_is_asked_about_again(
    conn: asyncpg.Connection,
) -> None:
    refs = ClientRefs()
    dana = await repo.lookup_or_create_client(conn, SPA, "+14155550142", "Dana", "ref-dana")
    assert await refs.get(conn, SPA, dana.id) == "ref-dana"
    async with conn.transaction():
        # The table out of reach: only an answer kept by the process can come back now.
        await conn.execute("ALTER TABLE clients RENAME TO clients_away")
        assert await refs.get(conn, SPA, dana.id) == "ref-dana"
        await conn.execute("ALTER TABLE clients_away RENAME TO clients")
    # Another spa's client id is not this spa's client.
    assert await refs.get(conn, "other-spa", dana.id) is None
    # No client yet is not remembered: once the client exists, it is found.
    newcomer = uuid4()
    assert await refs.get(conn, SPA, newcomer) is None
    await conn.execute(
        "INSERT INTO clients (id, spa_id, phone, ref) VALUES ($1, $2, '+14155550143', 'ref-new')",
        newcomer,
        SPA,
    )
    assert await refs.get(conn, SPA, newcomer) == "ref-new"


async def test_a_full_cache_is_emptied_and_filled_again(conn: asyncpg.Connection) -> None:
    refs = ClientRefs(limit=2)
    ids = []
    for n in range(3):
        client = await repo.lookup_or_create_client(conn, SPA, f"+1415555014{n}", None, f"ref-{n}")
        ids.append(client.id)
    assert [await refs.get(conn, SPA, i) for i in ids] == ["ref-0", "ref-1", "ref-2"]
    assert len(refs._refs) == 1  # emptied at the third, which is kept
