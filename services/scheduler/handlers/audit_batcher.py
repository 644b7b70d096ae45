"""One commit for the audit records of many concurrent read-only requests."""

from __future__ import annotations

import asyncio

import asyncpg

from shared.audit import record_many
from shared.contracts.audit import AuditRecorded
from shared.subjects import Topology


class AuditBatcher:
    """Commits the audit records of concurrent read-only requests together, each before its reply.

    A caller waits until the one INSERT holding its record has committed, so invariant 5 holds as
    if it had written alone; under load one commit (one WAL flush) serves many requests.
    """

    def __init__(self, pool: asyncpg.Pool, topology: Topology, *, max_batch: int = 500) -> None:
        self._pool = pool
        self._topology = topology
        self._max_batch = max_batch
        self._pending: list[tuple[AuditRecorded, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def record(self, entry: AuditRecorded) -> None:
        """Return once `entry` is committed to the outbox; raise if it could not be."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="scheduler-audit-batch")
        await future

    async def _drain(self) -> None:
        # While one INSERT is in flight the next requests queue up; the next INSERT takes them all.
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                async with self._pool.acquire() as conn:
                    await record_many(conn, self._topology, [entry for entry, _ in batch])
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else ConnectionError())
                if not isinstance(exc, Exception):
                    raise
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)
