"""PostgreSQL plumbing: the pool, the unit of work, and idempotent consumers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    # The light reset: asyncpg itself rolls back a transaction left open (and drops listeners)
    # before calling this, so nothing is left to undo and no round trip is made.
    return None


async def create_pool(
    dsn: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    schema: str | None = None,
    session_reset: bool = True,
) -> asyncpg.Pool:
    """An asyncpg pool with JSON codecs; `schema` becomes the search path of every connection.

    `session_reset=False` skips asyncpg's reset query (UNLISTEN, advisory unlocks, RESET ALL) on
    every release: one round trip saved per checkout, for services that never use session state.
    """
    settings = {"search_path": f"{schema}, public"} if schema else {}
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=None if session_reset else _keep_session,
        server_settings={"application_name": f"frontdesk-{schema or 'shared'}", **settings},
    )
    assert pool is not None
    return pool


class UnitOfWork:
    """One transaction: the only thing that commits. Use `async with UnitOfWork(pool) as uow:`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.conn: asyncpg.Connection
        self._tx: Any = None
        self._acquired: Any = None

    async def __aenter__(self) -> UnitOfWork:
        self._acquired = self._pool.acquire()
        self.conn = await self._acquired.__aenter__()
        self._tx = self.conn.transaction()
        await self._tx.start()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._acquired.__aexit__(exc_type, exc, tb)


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """Shorthand for a unit of work that yields its connection."""
    async with UnitOfWork(pool) as uow:
        yield uow.conn


async def claim_message(conn: asyncpg.Connection, consumer: str, message_id: str) -> bool:
    """Record that `consumer` handled `message_id`, in the caller's transaction.

    Returns False when it was already handled: the caller skips its effect. Requires the
    `processed_messages` table (shared migration) in the connection's schema.
    """
    row = await conn.fetchval(
        "INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        consumer,
        message_id,
    )
    return row is not None
