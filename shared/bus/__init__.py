"""NATS plumbing: the broker factory, idempotent stream creation, publish with dedupe, requests.

Durable consumers are declared with `durable_subscriber` (shared.bus.durable): retries with
backoff, then a dead letter staff see.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any, TypeVar

import structlog
from faststream.nats import NatsBroker, NatsMessage, NatsUserPassword
from nats.aio.client import Client as NatsClient
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import BaseModel

from shared.bus.durable import (
    DeadLetter,
    Delivery,
    DurableConsumer,
    Unprocessable,
    durable_consumers,
    durable_subscriber,
    read_dead_letter,
    update_consumers,
)
from shared.contracts.tools import ToolError, ToolReply, ToolRequest, reply_of
from shared.settings import NatsLogin
from shared.subjects import StreamSpec, Topology

__all__ = [
    "DeadLetter",
    "Delivery",
    "DurableConsumer",
    "ToolCallFailed",
    "Unprocessable",
    "current_message",
    "durable_consumers",
    "durable_subscriber",
    "encode",
    "ensure_stream",
    "ensure_streams",
    "jetstream",
    "make_broker",
    "nats_client",
    "publish_event",
    "publish_in_order",
    "read_dead_letter",
    "request_tool",
    "tool_error",
    "update_consumers",
]

log = structlog.get_logger()

ResultT = TypeVar("ResultT", bound=BaseModel)

MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence"


def make_broker(nats_url: str, *, name: str, **kwargs: Any) -> NatsBroker:
    """A FastStream NatsBroker that reconnects forever and drains on close."""
    servers = [u.strip() for u in nats_url.split(",") if u.strip()]
    # FastStream logs through our stdlib logger (so through redaction); its per-message access
    # lines are DEBUG, its errors stay errors.
    kwargs.setdefault("logger", logging.getLogger("frontdesk.bus"))
    kwargs.setdefault("log_level", logging.DEBUG)
    login = NatsLogin()
    kwargs.setdefault("inbox_prefix", login.nats_inbox_prefix)
    if login.nats_user:
        kwargs.setdefault(
            "security", NatsUserPassword(login.nats_user, login.nats_password.get_secret_value())
        )
    broker = NatsBroker(
        servers,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        drain_timeout=15,
        **kwargs,
    )
    _fetch_into_own_inbox(broker, str(kwargs["inbox_prefix"]))
    return broker


def _fetch_into_own_inbox(broker: NatsBroker, prefix: str) -> None:
    """FastStream pulls into `_INBOX.` whatever the connection's prefix; a NATS user may read only
    its own inbox prefix, so every subscriber of this broker fetches into it."""
    register = broker.subscriber

    def subscriber(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("inbox_prefix", f"{prefix}.".encode())
        return register(*args, **kwargs)

    broker.subscriber = subscriber  # type: ignore[method-assign]


def nats_client(broker: NatsBroker) -> NatsClient | None:
    """The nats-py client under a started broker (None before start or after stop)."""
    return broker._connection  # type: ignore[no-any-return]


def current_message(broker: NatsBroker) -> NatsMessage:
    """The message the calling handler is processing, read from FastStream's context.

    Asking for it as a handler parameter (`msg: NatsMessage`) costs a worker-thread round trip on
    every message: FastStream resolves context parameters with a synchronous call, which
    fast-depends runs in a thread pool. This reads the same context directly.
    """
    message = broker.context.get_local("message")
    if message is None:
        raise RuntimeError("no message is being handled")
    return message  # type: ignore[no-any-return]


def jetstream(broker: NatsBroker) -> JetStreamContext:
    """The JetStream context of a started broker."""
    client = nats_client(broker)
    if client is None:
        raise RuntimeError("broker is not connected")
    return client.jetstream()


async def ensure_stream(js: JetStreamContext, spec: StreamSpec, replicas: int = 1) -> None:
    """Create the stream, or bring an existing one to this configuration; safe to call concurrently."""
    config = spec.config(replicas)
    try:
        await js.stream_info(spec.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
            log.info("stream.created", stream=spec.name)
            return
        except BadRequestError as exc:
            # Another replica created it between our look and our add.
            if getattr(exc, "err_code", None) != 10058:
                raise
    await js.update_stream(config)


async def ensure_streams(js: JetStreamContext, topology: Topology, replicas: int = 1) -> None:
    """Create every stream of the topology, idempotently."""
    for spec in topology.streams():
        await ensure_stream(js, spec, replicas)


def encode(model: BaseModel) -> bytes:
    """The wire form of a contract: JSON."""
    return model.model_dump_json().encode()


async def publish_event(
    js: JetStreamContext,
    subject: str,
    message: BaseModel,
    *,
    msg_id: str | None = None,
    expected_last_subject_seq: int | None = None,
    timeout: float = 5.0,
) -> int:
    """Publish to JetStream and wait for its acknowledgement; returns the stream sequence.

    `msg_id` (default: the message's own id) makes a retried publish one message.
    """
    headers = {MSG_ID: msg_id or str(getattr(message, "id", ""))}
    if expected_last_subject_seq is not None:
        headers[EXPECTED_LAST_SUBJECT_SEQ] = str(expected_last_subject_seq)
    ack = await js.publish(subject, encode(message), timeout=timeout, headers=headers)
    return ack.seq


async def publish_in_order(
    js: JetStreamContext,
    subject: str,
    messages: Sequence[tuple[BaseModel, str]],
    *,
    timeout: float = 5.0,
) -> list[int]:
    """Publish (message, msg id) pairs to one subject without waiting for each acknowledgement.

    They are written to the connection in order, so the stream stores them in order; their
    acknowledgements are awaited together (one round trip, not one each). Returns their stream
    sequences; a msg id the stream already held answers with the earlier sequence.
    """
    futures = [
        await js.publish_async(subject, encode(message), headers={MSG_ID: msg_id})
        for message, msg_id in messages
    ]
    try:
        acks = await asyncio.wait_for(asyncio.gather(*futures), timeout)
    except TimeoutError:
        raise NatsTimeoutError from None
    return [ack.seq for ack in acks]


class ToolCallFailed(Exception):
    """A tool call got no usable reply (timeout, no responder, malformed)."""


async def request_tool(
    broker: NatsBroker,
    topology: Topology,
    name: str,
    request: ToolRequest,
    result_type: type[ResultT],
    *,
    timeout: float,
) -> ToolReply[ResultT]:
    """Call a scheduler tool over request/reply with an explicit timeout; returns result or error."""
    client = nats_client(broker)
    if client is None:
        raise ToolCallFailed(f"{name}: not connected")
    try:
        # The plain client's request: FastStream's adds a publish pipeline a tool call does not use.
        response = await client.request(topology.tool(name), encode(request), timeout=timeout)
    except TimeoutError as exc:
        raise ToolCallFailed(f"{name}: no reply within {timeout}s") from exc
    body = response.data
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ToolCallFailed(f"{name}: reply is not JSON") from exc
    return reply_of(result_type).model_validate(data)  # type: ignore[return-value]


def tool_error(code: str, message: str, field: str | None = None) -> ToolReply[Any]:
    """A typed error reply."""
    return reply_of(Any)(ok=False, error=ToolError(code=code, message=message, field=field))  # type: ignore[arg-type]
