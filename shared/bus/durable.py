"""Durable JetStream consumers, declared one way by every service.

A handler that raises is never dropped: the message is nak'd with a pause that doubles each time
(`Delivery.retry_first` up to `Delivery.retry_max`) and delivered again, up to `max_deliver`
deliveries. When its last delivery fails too, a copy goes to the dead-letter stream
(`Topology.deadletter(service)`, stream `<PREFIX>_DEADLETTERS`) with where it came from and the
error's type, and only then is it acknowledged. A message that cannot be decoded (a pydantic
`ValidationError`), or whose handler raises `Unprocessable`, can never succeed, so it is
dead-lettered at its first delivery. Staff see every dead letter in the inbox (the escalation
service consumes that stream). The policy for operators: docs/operations.md.

Usage, in a service's `app.py`::

    @durable_subscriber(
        broker, topology, service="gateway", subject=topology.all_sms_outbound,
        stream=topology.stream_sms_outbound, durable="gateway-outbound",
        delivery=Delivery(max_deliver=5, ack_wait=120),
    )
    async def send_requested(command: SendSms) -> None: ...

A consumer that fetches several messages at once (`batch_size` > 1) handles them side by side.
With `Delivery(in_order=True)` messages on one subject (one conversation's) are still handled one
after another, in the order they were fetched, while other subjects go ahead: per-client lanes.

A handler that needs the message itself reads it with `shared.bus.current_message(broker)` (a
`NatsMessage` parameter would cost a worker-thread round trip per message). It may settle the
message itself (`await message.nack(delay=...)` to look again later); the helper acknowledges a
message the handler returned from without settling.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import structlog
from faststream import AckPolicy as HandlerAckPolicy
from faststream.exceptions import HandlerException
from faststream.middlewares import BaseMiddleware
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, DeliverPolicy
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import ValidationError

from shared.subjects import MAX_DELIVERIES_ADVISORY_PREFIX, StreamSpec, Topology

log = structlog.get_logger()

MSG_ID = "Nats-Msg-Id"
# Headers of a dead letter: where the message was, which consumer gave up, after how many tries, why.
DL_STREAM = "Frontdesk-Stream"
DL_CONSUMER = "Frontdesk-Consumer"
DL_SEQ = "Frontdesk-Seq"
DL_DELIVERIES = "Frontdesk-Deliveries"
DL_SUBJECT = "Frontdesk-Subject"
DL_REASON = "Frontdesk-Reason"


class Unprocessable(Exception):
    """Raised by a handler for a message that can never succeed: dead-lettered at once, not retried."""


@dataclass(frozen=True)
class Delivery:
    """How a durable consumer delivers: attempts, pauses between them, and how much is in flight.

    `max_deliver=-1` retries for ever (and never dead-letters): only for the consumer of the
    dead-letter stream itself, whose messages have nowhere further to go.
    """

    max_deliver: int = 5
    ack_wait: float = 30.0
    retry_first: float = 1.0
    retry_max: float = 30.0
    batch_size: int = 1
    max_workers: int = 1
    max_ack_pending: int | None = None
    # Within a fetched batch, one subject's messages wait for each other (see the module's doc).
    in_order: bool = False

    def __post_init__(self) -> None:
        if self.max_deliver == 0 or self.max_deliver < -1:
            raise ValueError(f"max_deliver must be -1 (unbounded) or at least 1, not {self.max_deliver}")
        if self.retry_first <= 0 or self.retry_max < self.retry_first:
            raise ValueError("retry pauses must be positive, with retry_max at least retry_first")
        if self.in_order and self.max_workers != 1:
            # Lanes are taken in fetch order within one batch; a worker pool reorders before that.
            raise ValueError("in_order needs max_workers=1 (set batch_size for messages side by side)")

    @property
    def bounded(self) -> bool:
        """Whether a message that keeps failing ends as a dead letter."""
        return self.max_deliver > 0

    def pause(self, attempt: int) -> float:
        """Seconds to wait before delivery `attempt + 1`: retry_first, doubled each time, capped."""
        return min(self.retry_max, self.retry_first * 2 ** max(0, min(attempt - 1, 30)))

    def consumer_config(self, durable: str, subject: str) -> ConsumerConfig:
        """The JetStream consumer: durable, explicit acks, `max_deliver` deliveries."""
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.max_deliver,
            ack_wait=self.ack_wait,
            filter_subject=subject,
        )
        if self.max_ack_pending is not None:
            config.max_ack_pending = self.max_ack_pending
        return config


@dataclass(frozen=True)
class DurableConsumer:
    """One consumer declared through `durable_subscriber`: what the guard needs to settle its messages."""

    service: str
    durable: str
    subject: str
    stream: str
    deadletter_subject: str
    delivery: Delivery


@dataclass(frozen=True)
class DeadLetter:
    """What staff are told about a message a consumer gave up on (never its content)."""

    stream: str
    consumer: str
    stream_seq: int
    deliveries: int | None
    reason: str


def durable_subscriber(
    broker: NatsBroker,
    topology: Topology,
    *,
    service: str,
    subject: str,
    stream: StreamSpec,
    durable: str,
    delivery: Delivery = Delivery(),
    title: str | None = None,
    description: str | None = None,
) -> Any:
    """A durable pull subscriber that retries with backoff, then dead-letters; use as a decorator."""
    consumer = DurableConsumer(
        service=service,
        durable=durable,
        subject=subject,
        stream=stream.name,
        deadletter_subject=topology.deadletter(service),
        delivery=delivery,
    )
    subscriber = broker.subscriber(
        subject,
        stream=JStream(stream.name, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=delivery.batch_size, timeout=1.0),
        max_workers=delivery.max_workers,
        # A failure the guard could not settle (the bus went away mid-way) is nak'd, never dropped.
        ack_policy=HandlerAckPolicy.NACK_ON_ERROR,
        config=delivery.consumer_config(durable, subject),
        title=title,
        description=description,
    )
    _guard(broker).consumers[subscriber] = consumer
    return subscriber


def durable_consumers(broker: NatsBroker) -> list[DurableConsumer]:
    """Every consumer declared on this broker through `durable_subscriber`."""
    return list(_guard(broker).consumers.values())


async def update_consumers(js: JetStreamContext, broker: NatsBroker) -> None:
    """Bring existing durable consumers to this version's delivery settings, before subscribing.

    FastStream binds to an existing durable as it is; one that does not exist yet is left for the
    subscriber to create.
    """
    for consumer in durable_consumers(broker):
        try:
            await js.consumer_info(consumer.stream, consumer.durable)
        except NotFoundError:
            continue
        config = consumer.delivery.consumer_config(consumer.durable, consumer.subject)
        try:
            await js.add_consumer(consumer.stream, config=config)
        except BadRequestError as exc:
            log.warning("bus.consumer_not_updated", consumer=consumer.durable, code=exc.err_code)


class SubjectLanes:
    """One subject's messages one after another, in the order they joined; other subjects alongside.

    `join` is synchronous, so a batch's messages take their places in the order they were fetched
    (FastStream starts one task per message, in order, and builds the middlewares before anything
    in a task waits).
    """

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Future[None]] = {}

    def join(self, subject: str) -> tuple[asyncio.Future[None] | None, asyncio.Future[None]]:
        """The place of the message before this one on `subject` (None: go now), and this one's."""
        ahead = self._tails.get(subject)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[subject] = mine
        return ahead, mine

    def leave(self, subject: str, mine: asyncio.Future[None]) -> None:
        """This message is done (or given up): the next one on its subject may go."""
        if not mine.done():
            mine.set_result(None)
        if self._tails.get(subject) is mine:
            del self._tails[subject]

    def give_up(self, subject: str, mine: asyncio.Future[None], ahead: asyncio.Future[None]) -> None:
        """This message was given up before its turn (cancelled): the next one still waits for the one
        ahead of it."""
        ahead.add_done_callback(lambda _done: self.leave(subject, mine))

    def __len__(self) -> int:
        return len(self._tails)


class DeliveryGuard:
    """The broker middleware that settles every durable consumer's failures (one per broker)."""

    def __init__(self) -> None:
        self.consumers: dict[Any, DurableConsumer] = {}
        self.lanes: dict[Any, SubjectLanes] = {}

    def __call__(self, msg: Any, /, *, context: Any) -> _GuardScope:
        return _GuardScope(msg, context=context, guard=self)


class _GuardScope(BaseMiddleware):  # type: ignore[type-arg]
    """One message through one subscriber: in its lane if ordered; a failure is nak'd or dead-lettered."""

    def __init__(self, msg: Any, /, *, context: Any, guard: DeliveryGuard) -> None:
        super().__init__(msg, context=context)
        self.guard = guard
        handler = context.get_local("handler_")
        self.consumer = guard.consumers.get(handler)
        self.lane: tuple[SubjectLanes, str, asyncio.Future[None] | None, asyncio.Future[None]] | None = None
        if self.consumer is not None and self.consumer.delivery.in_order and isinstance(msg, Msg):
            lanes = guard.lanes.setdefault(handler, SubjectLanes())
            self.lane = (lanes, msg.subject, *lanes.join(msg.subject))

    async def on_receive(self) -> None:
        if self.lane is None:
            return
        lanes, subject, ahead, mine = self.lane
        if ahead is None:
            return
        try:
            await asyncio.shield(ahead)
        except BaseException:
            lanes.give_up(subject, mine, ahead)  # cancelled while waiting: never leave the next one stuck
            raise

    async def after_processed(
        self, exc_type: Any = None, exc_val: BaseException | None = None, exc_tb: Any = None
    ) -> bool | None:
        try:
            return await self._settle(exc_val)
        finally:
            if self.lane is not None:
                self.lane[0].leave(self.lane[1], self.lane[3])

    async def _settle(self, exc_val: BaseException | None) -> bool:
        consumer = self.consumer
        if consumer is None or not isinstance(self.msg, Msg):
            return False  # not a durable consumer of ours: FastStream's own handling applies
        if exc_val is None or isinstance(exc_val, asyncio.CancelledError | HandlerException):
            return False  # success (acked by FastStream), a stop, or the handler's own explicit ack/nack
        await settle_failure(self.msg, exc_val, consumer)
        return True


def _guard(broker: NatsBroker) -> DeliveryGuard:
    for middleware in broker.middlewares:
        if isinstance(middleware, DeliveryGuard):
            return middleware
    guard = DeliveryGuard()
    broker.add_middleware(guard)
    return guard


async def settle_failure(msg: Msg, exc: BaseException, consumer: DurableConsumer) -> None:
    """Nak a failed message with a growing pause, or dead-letter it after its last delivery."""
    if msg._ackd:  # the handler settled it before raising (FastStream itself reads this flag)
        log.warning("bus.failed_after_settling", consumer=consumer.durable, error=type(exc).__name__)
        return
    delivery = consumer.delivery
    meta = msg.metadata
    attempt = meta.num_delivered or 1
    permanent = isinstance(exc, ValidationError | Unprocessable)
    fields = {"consumer": consumer.durable, "attempt": attempt, "error": type(exc).__name__}
    if delivery.bounded and (permanent or attempt >= delivery.max_deliver):
        try:
            await publish_dead_letter(msg, consumer, attempt, reason=type(exc).__name__)
        except Exception as publish_exc:
            # Nowhere to park it right now: leave it to the server, which gives up after max_deliver
            # and raises an advisory the dead-letter stream captures.
            log.error("bus.dead_letter_failed", **fields, cause=type(publish_exc).__name__)
            await msg.nak(delay=delivery.pause(attempt))
            return
        await msg.ack()
        log.error("bus.dead_lettered", **fields, stream_seq=meta.sequence.stream)
        return
    pause = delivery.pause(attempt)
    await msg.nak(delay=pause)
    log.warning("bus.retry", **fields, delay_s=pause)


async def publish_dead_letter(msg: Msg, consumer: DurableConsumer, attempts: int, *, reason: str) -> None:
    """Copy a message to the dead-letter stream with where it came from; one copy per message."""
    meta = msg.metadata
    stream, seq = meta.stream or consumer.stream, meta.sequence.stream
    headers = {
        MSG_ID: f"deadletter:{stream}:{consumer.durable}:{seq}",
        DL_STREAM: stream,
        DL_CONSUMER: consumer.durable,
        DL_SEQ: str(seq),
        DL_DELIVERIES: str(attempts),
        DL_SUBJECT: msg.subject,
        DL_REASON: reason[:500],
    }
    js = msg._client.jetstream()  # the connection the message came on: nats-py keeps it on the Msg
    await js.publish(consumer.deadletter_subject, msg.data, headers=headers, timeout=5.0)


def read_dead_letter(msg: Msg) -> DeadLetter:
    """A stored dead letter: one a consumer parked, or a max-deliveries advisory the stream captured.

    A letter without its origin in the headers (parked by hand, or by an older version) is
    described by its own place in the dead-letter stream.
    """
    headers = msg.headers or {}
    if msg.subject.startswith(MAX_DELIVERIES_ADVISORY_PREFIX):
        advisory = json.loads(msg.data or b"{}")
        return DeadLetter(
            stream=str(advisory.get("stream", "")),
            consumer=str(advisory.get("consumer", "")),
            stream_seq=int(advisory.get("stream_seq", 0)),
            deliveries=advisory.get("deliveries"),
            reason="not acknowledged in time on its last delivery",
        )
    if DL_STREAM in headers and DL_SEQ in headers:
        deliveries = headers.get(DL_DELIVERIES)
        return DeadLetter(
            stream=headers[DL_STREAM],
            consumer=headers.get(DL_CONSUMER, ""),
            stream_seq=int(headers[DL_SEQ]),
            deliveries=int(deliveries) if deliveries else None,
            reason=headers.get(DL_REASON, ""),
        )
    meta = msg.metadata
    return DeadLetter(
        stream=meta.stream,
        consumer=msg.subject.rsplit(".", 1)[-1],
        stream_seq=meta.sequence.stream,
        deliveries=None,
        reason=headers.get(DL_REASON, ""),
    )
