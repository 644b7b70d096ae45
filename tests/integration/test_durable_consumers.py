"""Every durable consumer of every service: a handler error is retried, then dead-lettered.

Real nats-server. Each service's own `register_bus` declares its consumers; none of them is started,
so every handler fails (its ports are missing), which is exactly a handler error on every delivery.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from faststream.nats import NatsBroker
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig
from pydantic import BaseModel

from shared.bus import (
    Delivery,
    durable_consumers,
    durable_subscriber,
    encode,
    ensure_streams,
    jetstream,
    make_broker,
    read_dead_letter,
    update_consumers,
)
from shared.contracts.escalation import EscalationRaised, EscalationResolved, PauseAi
from shared.contracts.sms import ClientOptedIn, ClientOptedOut, SendSms, SmsReceived
from shared.subjects import Topology

pytestmark = pytest.mark.integration

FAST = Delivery(max_deliver=3, retry_first=0.05, retry_max=0.1, ack_wait=5)


def _agent(broker: NatsBroker, topology: Topology) -> None:
    from services.agent.app import AgentRuntime, register_bus
    from services.agent.settings import AgentSettings

    settings = AgentSettings(max_deliver=FAST.max_deliver, retry_delay_seconds=FAST.retry_first)
    register_bus(broker, topology, AgentRuntime(settings=settings), delivery=FAST)


def _escalation(broker: NatsBroker, topology: Topology) -> None:
    from services.escalation.app import register_bus

    register_bus(broker, topology, None, delivery=FAST)


def _gateway(broker: NatsBroker, topology: Topology) -> None:
    from services.gateway.app import register_bus

    register_bus(broker, topology, delivery=FAST)


# The scheduler answers core request/reply (no durable consumer); the audit recorder is a batch
# consumer that retries an outage for ever and dead-letters a record that can never be stored
# (tests/integration/test_audit_log.py).
SERVICES: dict[str, Callable[[NatsBroker, Topology], None]] = {
    "agent": _agent,
    "escalation": _escalation,
    "gateway": _gateway,
}

TENANT = "glow-medspa"
CONV = "c1"
CLIENT = "+14155550100"


def _message(subject: str, topology: Topology) -> bytes:
    """A valid message for the consumer of `subject`: the failure must be the handler's, not the decoder's."""
    p = f"{topology.prefix}."
    examples: list[tuple[str, Callable[[], BaseModel]]] = [
        (p + "staff.", lambda: PauseAi(tenant_id=TENANT, conversation_id=CONV, staff_user="dana")),
        (
            p + "escalation.*.resolved",
            lambda: EscalationResolved(tenant_id=TENANT, escalation_id=uuid4(), staff_user="dana"),
        ),
        (p + "escalation.", lambda: EscalationRaised(tenant_id=TENANT, category="complaint", reason="r")),
        (
            p + "sms.outbound.",
            lambda: SendSms(
                tenant_id=TENANT, idempotency_key="k1", conversation_id=CONV, to_number=CLIENT, body="hi"
            ),
        ),
        (
            p + "sms.events.*.optin",
            lambda: ClientOptedIn(tenant_id=TENANT, conversation_id=CONV, phone_ref="r1"),
        ),
        (p + "sms.events.", lambda: ClientOptedOut(tenant_id=TENANT, conversation_id=CONV, phone_ref="r1")),
        (
            p + "sms.inbound.",
            lambda: SmsReceived(
                tenant_id=TENANT,
                message_sid="SM1",
                conversation_id=CONV,
                from_number=CLIENT,
                to_number="+14155550199",
                body="hello",
            ),
        ),
    ]
    if subject.startswith(p + "conv."):
        return json.dumps({"type": "turn_completed", "tenant_id": TENANT}).encode()
    for prefix, make in examples:
        if subject.startswith(prefix):
            return encode(make())
    raise AssertionError(f"no example message for {subject}")


def _concrete(subject: str, topology: Topology) -> str:
    """A subject inside a consumer's filter."""
    last = "pause" if subject.startswith(f"{topology.prefix}.staff.") else CONV
    return subject.replace("*", TENANT).replace(">", f"{TENANT}.{last}")


async def _settled(js: JetStreamContext, stream: str, durable: str, timeout: float = 5.0) -> bool:
    """Whether the consumer has nothing left waiting for an ack within `timeout` (acks are async)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if not (await js.consumer_info(stream, durable)).num_ack_pending:
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_consumer_retries_a_failing_handler_then_dead_letters_it(
    service: str, nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    broker = make_broker(nats_url, name=f"test-{service}")
    SERVICES[service](broker, topology)
    consumers = durable_consumers(broker)
    assert consumers, f"{service} declares no durable consumer through the helper"
    consumers = [c for c in consumers if c.delivery.bounded]
    assert all(c.delivery.max_deliver == FAST.max_deliver for c in consumers)
    js = nc.jetstream()
    dead: asyncio.Queue[Msg] = asyncio.Queue()
    await broker.connect()
    await ensure_streams(jetstream(broker), topology)
    letters = await js.subscribe(
        topology.deadletter(service), stream=topology.stream_deadletters.name, cb=dead.put
    )
    await broker.start()
    try:
        published: dict[str, int] = {}
        for consumer in consumers:
            body = _message(consumer.subject, topology)
            ack = await js.publish(_concrete(consumer.subject, topology), body)
            published[consumer.durable] = ack.seq
        got: dict[str, Any] = {}
        async with asyncio.timeout(20):
            while set(got) != set(published):
                letter = read_dead_letter(await dead.get())
                got[letter.consumer] = letter
        for consumer in consumers:
            letter = got[consumer.durable]
            assert letter.stream == consumer.stream
            assert letter.deliveries == FAST.max_deliver, "nak'd and redelivered until its last attempt"
            assert letter.reason  # the error's type, never its text
            assert await _settled(js, consumer.stream, consumer.durable), "acked once dead-lettered"
    finally:
        await letters.unsubscribe()
        await broker.stop()


async def test_a_message_that_cannot_be_decoded_is_dead_lettered_at_once(
    nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    broker = make_broker(nats_url, name="test-decode")
    calls: list[SmsReceived] = []

    @durable_subscriber(
        broker,
        topology,
        service="test",
        subject=topology.all_sms_inbound,
        stream=topology.stream_sms_inbound,
        durable="test-decode",
        delivery=FAST,
    )
    async def on_sms(message: SmsReceived) -> None:
        calls.append(message)

    js = nc.jetstream()
    await broker.connect()
    await ensure_streams(jetstream(broker), topology)
    dead = await js.subscribe(topology.deadletter("test"), stream=topology.stream_deadletters.name)
    await broker.start()
    try:
        ack = await js.publish(topology.sms_inbound("glow-medspa", "c1"), b'{"tenant_id": "glow-medspa"}')
        letter = read_dead_letter(await dead.next_msg(timeout=10))
        assert (letter.stream_seq, letter.deliveries, letter.reason) == (ack.seq, 1, "ValidationError")
        assert calls == []
    finally:
        await dead.unsubscribe()
        await broker.stop()


async def test_a_handler_that_recovers_gets_its_message_on_a_later_delivery(
    nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    broker = make_broker(nats_url, name="test-recover")
    attempts: list[int] = []
    done = asyncio.Event()

    @durable_subscriber(
        broker,
        topology,
        service="test",
        subject=topology.all_audit,
        stream=topology.stream_audit,
        durable="test-recover",
        delivery=FAST,
    )
    async def on_record(body: dict[str, Any]) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) < FAST.max_deliver:
            raise RuntimeError("the database is away")
        done.set()

    await broker.connect()
    await ensure_streams(jetstream(broker), topology)
    await broker.start()
    try:
        await nc.jetstream().publish(topology.audit("glow-medspa"), b'{"n": 1}')
        await asyncio.wait_for(done.wait(), 10)
        assert attempts == [1, 2, 3]
    finally:
        await broker.stop()


async def test_a_max_deliveries_advisory_is_kept_in_the_dead_letter_stream(
    topology: Topology, nc: NatsClient
) -> None:
    js = nc.jetstream()
    await ensure_streams(js, topology)
    stream = topology.stream_sms_inbound.name
    ack = await js.publish(topology.sms_inbound("glow-medspa", "c1"), b"{}")
    sub = await js.pull_subscribe(
        topology.all_sms_inbound,
        durable="always-late",
        stream=stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=1, ack_wait=30),
    )
    kept = await js.pull_subscribe(
        topology.max_deliveries_advisory(stream), stream=topology.stream_deadletters.name
    )
    try:
        [msg] = await sub.fetch(1, timeout=5)
        await msg.nak()
        with pytest.raises(TimeoutError):
            await sub.fetch(1, timeout=0.5)  # asking again makes the server notice it is exhausted
        [advisory] = await kept.fetch(1, timeout=5)
    finally:
        await sub.unsubscribe()
        await kept.unsubscribe()
    letter = read_dead_letter(advisory)
    assert (letter.stream, letter.consumer, letter.stream_seq) == (stream, "always-late", ack.seq)


async def test_an_existing_consumer_takes_the_new_delivery_settings_at_start(
    nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    js = nc.jetstream()
    await ensure_streams(js, topology)

    def declare(delivery: Delivery) -> NatsBroker:
        broker = make_broker(nats_url, name="test-update")

        @durable_subscriber(
            broker,
            topology,
            service="test",
            subject=topology.all_audit,
            stream=topology.stream_audit,
            durable="test-update",
            delivery=delivery,
        )
        async def on_record(body: dict[str, Any]) -> None:
            pass

        return broker

    first = declare(Delivery(max_deliver=5, ack_wait=30))
    await first.start()
    await first.stop()
    second = declare(Delivery(max_deliver=8, ack_wait=45))
    await second.connect()
    try:
        await update_consumers(jetstream(second), second)
        info = await js.consumer_info(topology.stream_audit.name, "test-update")
        assert (info.config.max_deliver, info.config.ack_wait) == (8, 45)
    finally:
        await second.stop()


async def _fetched_together(
    nats_url: str, topology: Topology, nc: NatsClient, *, in_order: bool
) -> list[tuple[str, str]]:
    """Three texts of one conversation and one of another, fetched in one batch; what the handler saw.

    The conversation's first text is slow to handle: with lanes its next two wait for it, while the
    other conversation's text goes ahead.
    """
    broker = make_broker(nats_url, name=f"test-lanes-{in_order}")
    seen: list[tuple[str, str]] = []
    done = asyncio.Event()

    @durable_subscriber(
        broker,
        topology,
        service="test",
        subject=topology.all_audit,
        stream=topology.stream_audit,
        durable=f"test-lanes-{uuid4().hex[:8]}",
        delivery=replace(FAST, batch_size=10, in_order=in_order),
    )
    async def on_text(body: dict[str, Any]) -> None:
        seen.append(("start", body["n"]))
        if body["n"] == "a1":
            await asyncio.sleep(0.3)
        seen.append(("end", body["n"]))
        if len(seen) == 8:
            done.set()

    await broker.connect()
    await ensure_streams(jetstream(broker), topology)
    js = nc.jetstream()  # stored before the consumer starts, so one fetch takes all four
    for spa, n in (("spa-a", "a1"), ("spa-a", "a2"), ("spa-b", "b1"), ("spa-a", "a3")):
        await js.publish(topology.audit(spa), json.dumps({"n": n}).encode())
    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await broker.stop()
    return seen


async def test_lanes_keep_one_subjects_messages_in_order_while_other_subjects_go_ahead(
    nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    seen = await _fetched_together(nats_url, topology, nc, in_order=True)
    one = [event for event in seen if event[1].startswith("a")]
    assert one == [(step, n) for n in ("a1", "a2", "a3") for step in ("start", "end")]
    # The other subject did not wait for the slow one.
    assert seen.index(("end", "b1")) < seen.index(("end", "a1"))


async def test_without_lanes_a_batch_is_handled_side_by_side(
    nats_url: str, topology: Topology, nc: NatsClient
) -> None:
    """The control: what the lanes prevent (FastStream starts a fetched batch all at once)."""
    seen = await _fetched_together(nats_url, topology, nc, in_order=False)
    assert seen.index(("start", "a2")) < seen.index(("end", "a1"))
