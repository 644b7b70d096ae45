"""Live inbox updates: PostgreSQL LISTEN fans each committed change out to every open browser.

NOTIFY is sent inside the transaction of the change, so a browser hears of a change only once it
is committed, and every inbox replica hears it whichever replica's consumer made it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import structlog

from services.escalation.repo import LIVE_CHANNEL

log = structlog.get_logger()


class LiveHub:
    """Holds one listening connection and a queue per connected browser."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if not self._queues:
            return  # no browser open here: every change of every replica arrives, none is read
        try:
            change = json.loads(payload)
        except ValueError:
            return
        for queue in list(self._queues):
            # A browser that does not read is dropped a change, not allowed to grow memory.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(change)

    async def _connect(self) -> None:
        self._conn = await asyncpg.connect(self._dsn)
        self._conn.add_termination_listener(lambda _c: self._lost.set())
        await self._conn.add_listener(LIVE_CHANNEL, self._on_notify)

    async def _keep_listening(self) -> None:
        while True:
            await self._lost.wait()
            self._lost.clear()
            while True:
                try:
                    await self._connect()
                    # Changes may have been missed while away: tell browsers to refresh.
                    self._on_notify(None, 0, LIVE_CHANNEL, json.dumps({"kind": "resync"}))
                    break
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("inbox.listen_reconnect_failed", error=type(exc).__name__)
                    await asyncio.sleep(1.0)

    async def start(self) -> None:
        """Connect and listen."""
        await self._connect()
        self._task = asyncio.create_task(self._keep_listening(), name="inbox-live")

    async def stop(self) -> None:
        """Close every browser stream and the listening connection."""
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any] | None]]:
        """A queue of changes for one browser; None means the service is stopping."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=256)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)
