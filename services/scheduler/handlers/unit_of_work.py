"""The unit of work: the one transaction a tool request is answered in (or a plain connection)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from shared.db import transaction

# Tools that only read: their one write is the audit record, committed in a batch with the records of
# concurrent read-only requests (AuditBatcher) before the reply; no BEGIN/SAVEPOINT/COMMIT round trips.
READ_ONLY = frozenset(
    {
        "match_service",
        "find_availability",
        "client_benefits",
        "spa_profile",
        "upcoming_bookings",
        "calendar",
        "client_bookings",
    }
)


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, *, read_only: bool) -> AsyncIterator[asyncpg.Connection]:
    if read_only:
        async with pool.acquire() as conn:
            yield conn
    else:
        async with transaction(pool) as conn:
            yield conn
