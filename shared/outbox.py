"""The transactional outbox: a message written with its effect is published even if we die next."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog
from nats.js import JetStreamContext
from pydantic import BaseModel

from shared.bus import MSG_ID, encode

log = structlog.get_logger()


async def enqueue(
    conn: asyncpg.Connection, subject: str, message: BaseModel, *, message_id: str | None = None
) -> None:
    """Add a message to the outbox inside the caller's transaction (idempotent by message id)."""
    await conn.execute(
        "INSERT INTO outbox (message_id, subject, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        message_id or str(getattr(message, "id")),  # noqa: B009
        subject,
        encode(message),
    )


async def enqueue_with(
    conn: asyncpg.Connection,
    effect: str,
    *args: object,
    subject: str,
    message: BaseModel,
    message_id: str,
) -> None:
    """One data-modifying statement (parameters $1..$n) and its outbox row, as one statement.

    Outside a transaction the statement is its own: the effect and the message commit together in
    one round trip instead of BEGIN, two statements and COMMIT.
    """
    n = len(args)
    await conn.execute(
        f"WITH effect AS ({effect}) INSERT INTO outbox (message_id, subject, payload) "
        f"VALUES (${n + 1}, ${n + 2}, ${n + 3}) ON CONFLICT DO NOTHING",
        *args,
        message_id,
        subject,
        encode(message),
    )


async def enqueue_many(conn: asyncpg.Connection, messages: list[tuple[str, BaseModel, str]]) -> None:
    """Add (subject, message, message_id) rows in one statement: one round trip, one commit."""
    await conn.execute(
        "INSERT INTO outbox (message_id, subject, payload) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) ON CONFLICT DO NOTHING",
        [m[2] for m in messages],
        [m[0] for m in messages],
        [encode(m[1]) for m in messages],
    )


_ANY_PENDING = "SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)"


class OutboxRelay:
    """Publishes outbox rows to JetStream (deduplicated by message id) and marks them published.

    Every commit that enqueues kicks the relay, which publishes at once. Between kicks it looks every
    `interval` seconds for rows nobody kicked for (a process that died between its commit and its
    kick, a publish that failed), with one cheap read; only rows found take the publishing
    transaction.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        js: JetStreamContext,
        *,
        interval: float = 1.0,
        batch: int = 200,
        settle: float = 0.0,
    ) -> None:
        """`settle`: after a kick, wait this long so the rows of concurrent commits go in one batch."""
        self._settle = settle
        self._pool = pool
        self._js = js
        self._interval = interval
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Publish soon: call after committing a transaction that enqueued."""
        self._wake.set()

    async def flush(self) -> int:
        """Publish every pending row now; returns how many were published."""
        total = 0
        while True:
            async with self._pool.acquire() as conn, conn.transaction():
                # Taken and marked in one statement; a publish that fails rolls the mark back.
                taken = await conn.fetch(
                    "UPDATE outbox SET published_at = now() WHERE seq IN (SELECT seq FROM outbox "
                    "WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) "
                    "RETURNING seq, message_id, subject, payload",
                    self._batch,
                )
                if not taken:
                    return total
                rows = sorted(taken, key=lambda r: r["seq"])
                acks = [
                    self._js.publish(r["subject"], bytes(r["payload"]), headers={MSG_ID: r["message_id"]})
                    for r in rows
                ]
                await asyncio.gather(*acks)
                total += len(rows)
            if len(rows) < self._batch:
                return total  # that was all of it: no second look (three round trips) for nothing

    async def pending(self) -> bool:
        """Whether any row waits to be published (one read, no transaction)."""
        async with self._pool.acquire() as conn:
            return bool(await conn.fetchval(_ANY_PENDING))

    async def _run(self) -> None:
        kicked = True  # at start: rows a previous process may have left
        while True:
            try:
                if kicked or await self.pending():
                    await self.flush()
            except Exception as exc:  # the bus or database is away: try again, lose nothing
                log.warning("outbox.publish_failed", error=type(exc).__name__)
                await asyncio.sleep(1.0)
                kicked = True
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            kicked = self._wake.is_set()
            if self._settle and kicked:
                # Under load every request kicks; one flush per settle period instead of one per
                # commit keeps the relay from competing with the requests for connections.
                await asyncio.sleep(self._settle)
            self._wake.clear()

    def start(self) -> None:
        """Run in the background until stop()."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Publish what is pending and stop."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()
