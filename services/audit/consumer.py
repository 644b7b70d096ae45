"""The recorder: a durable JetStream pull consumer that appends audit records in batches.

nats-py directly rather than a FastStream subscriber: a batch must be acknowledged message by
message after its transaction commits, and a record that can never be stored must be set aside
without failing the records fetched with it. The recorder has its own connection so that it stops
(finishing or abandoning its batch) before anything else drains: a pending pull would otherwise
hold the broker's drain until its timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg
import nats
import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from services.audit.domain import InvalidRecord, Row, prepare
from services.audit.handlers import AppendResult, Partitions, Signer, append_records
from shared import metrics
from shared.contracts.audit import AuditRecorded
from shared.settings import NatsLogin
from shared.subjects import Topology

log = structlog.get_logger()

DURABLE = "audit-recorder"
# Unlimited, unlike the other consumers' 5: a record that can never be stored is dead-lettered by the
# recorder itself, so what is retried is only a batch that met an outage (database away, ...), and
# giving up on that after a few attempts would drop audit records from the consumer for good.
MAX_DELIVER = -1
MAX_NAK_DELAY = 30.0
# Errors of the data itself: retrying the same record would fail the same way.
_DATA_ERRORS = (asyncpg.DataError,)


class Recorder:
    """Pulls AuditRecorded batches from the AUDIT stream and appends them, acking after commit."""

    def __init__(
        self,
        nats_url: str,
        pool: asyncpg.Pool,
        topology: Topology,
        *,
        writer_role: str,
        partitions: Partitions,
        signer: Signer | None = None,
        batch_size: int = 1000,
        now: Callable[[], datetime],
        on_appended: Callable[[AppendResult], None] | None = None,
    ) -> None:
        self._nats_url = nats_url
        self._nc: NatsClient | None = None
        self._js: JetStreamContext
        self._pool = pool
        self._topology = topology
        self._writer_role = writer_role
        self._partitions = partitions
        self._signer = signer
        self._batch_size = batch_size
        self._now = now
        self._on_appended = on_appended
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._sub: JetStreamContext.PullSubscription | None = None

    def consumer_config(self) -> ConsumerConfig:
        """Durable, explicit acks, retried until stored, room for a few batches in flight."""
        return ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=MAX_DELIVER,
            ack_wait=60,
            max_ack_pending=max(20_000, self._batch_size * 4),
            filter_subject=self._topology.all_audit,
        )

    async def start(self) -> None:
        """Connect, bind the durable consumer and start pulling in the background."""
        servers = [u.strip() for u in self._nats_url.split(",") if u.strip()]
        self._nc = await nats.connect(
            servers,
            name="audit-recorder",
            **NatsLogin().connect_options(),  # type: ignore[arg-type]
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=5,
        )
        self._js = self._nc.jetstream()
        self._sub = await self._js.pull_subscribe(
            self._topology.all_audit,
            durable=DURABLE,
            stream=self._topology.stream_audit.name,
            config=self.consumer_config(),
        )
        self._task = asyncio.create_task(self._run(), name="audit-recorder")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop pulling after the batch in progress (cut short after `grace`: it is redelivered)."""
        self._stopping = True
        if self._task:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()

    async def _run(self) -> None:
        assert self._sub is not None
        pending: asyncio.Task[list[Msg]] | None = None
        try:
            while not self._stopping:
                try:
                    batch = await (pending or self._fetch())
                except Exception as exc:  # the bus is away: try again
                    log.warning("audit.fetch_failed", error=type(exc).__name__)
                    pending = None
                    await asyncio.sleep(1.0)
                    continue
                # Fetch the next batch while this one is written: the network and the database overlap.
                pending = None if self._stopping else asyncio.create_task(self._fetch())
                if not batch:
                    continue
                try:
                    await self.handle(batch)
                except Exception as exc:  # never let the loop die: the batch was nak'd and comes back
                    log.warning("audit.batch_failed", error=type(exc).__name__, detail=str(exc)[:200])
                    await asyncio.sleep(1.0)
        finally:
            if pending:
                pending.cancel()

    async def _fetch(self) -> list[Msg]:
        assert self._sub is not None
        try:
            return await self._sub.fetch(self._batch_size, timeout=1.0)
        except TimeoutError:
            return []

    async def handle(self, msgs: Sequence[Msg]) -> AppendResult:
        """Decode, append in one transaction, then ack; a record that cannot be stored is dead-lettered."""
        now = self._now()
        good: list[tuple[Msg, Row]] = []
        for msg in msgs:
            try:
                row = prepare(AuditRecorded.model_validate_json(msg.data), now=now)
            except (ValidationError, InvalidRecord) as exc:
                await self._dead_letter(msg, _reason(exc))
                continue
            good.append((msg, row))
        try:
            result = await append_records(
                self._pool,
                [row for _, row in good],
                writer_role=self._writer_role,
                partitions=self._partitions,
                signer=self._signer,
            )
        except _DATA_ERRORS as exc:
            # One bad record must not hold back the others: write them one at a time.
            log.warning("audit.batch_rejected", error=type(exc).__name__, records=len(good))
            result = await self._one_by_one(good)
        except BaseException:
            for msg, _ in good:
                with contextlib.suppress(Exception):
                    await msg.nak(delay=_backoff(msg))
            raise
        else:
            for msg, _ in good:
                await msg.ack()
            metrics.audit_appended(row.occurred_at for _, row in good)
        if self._on_appended:
            self._on_appended(result)
        if result.inserted or result.duplicates:
            log.debug("audit.appended", inserted=result.inserted, duplicates=result.duplicates)
        return result

    async def _one_by_one(self, good: Sequence[tuple[Msg, Row]]) -> AppendResult:
        inserted = duplicates = 0
        for msg, row in good:
            try:
                one = await append_records(
                    self._pool, [row], writer_role=self._writer_role, partitions=self._partitions,
                    signer=self._signer,
                )  # fmt: skip
            except _DATA_ERRORS as exc:
                await self._dead_letter(msg, f"{type(exc).__name__}: {str(exc)[:200]}")
                continue
            inserted += one.inserted
            duplicates += one.duplicates
            await msg.ack()
        return AppendResult(inserted, duplicates)

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        """Park a record that can never be stored where staff see it, then ack it."""
        headers = {"Frontdesk-Reason": reason[:500], "Frontdesk-Subject": msg.subject}
        await self._js.publish(self._topology.deadletter("audit"), msg.data, headers=headers)
        await msg.ack()
        log.error("audit.record_dead_lettered", reason=reason[:200])


def _backoff(msg: Msg) -> float:
    """1, 2, 4, ... up to 30 seconds with each delivery: an outage is waited out, not hammered."""
    try:
        attempts = msg.metadata.num_delivered or 1
    except Exception:
        attempts = 1
    return min(MAX_NAK_DELAY, 2.0 ** min(attempts - 1, 5))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"invalid record: {where}: {first.get('msg', 'invalid')}"
    return f"invalid record: {exc}"
