"""FastStream wiring against a real nats-server: JetStream consumers and request/reply tools."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from faststream import AckPolicy as HandlerAckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from nats.js.api import AckPolicy

from shared.bus import ensure_streams, jetstream, make_broker, publish_event, request_tool
from shared.contracts.sms import SmsReceived
from shared.contracts.tools import Actor, ClientRecord, LookupOrCreateClient, ToolReply
from shared.subjects import Topology

pytestmark = pytest.mark.integration


async def test_failed_handler_gets_the_typed_event_again(nats_url: str, topology: Topology) -> None:
    broker = make_broker(nats_url, name="test")
    got: asyncio.Queue[SmsReceived] = asyncio.Queue()
    attempts: list[str] = []

    @broker.subscriber(
        topology.all_sms_inbound,
        stream=JStream(topology.stream_sms_inbound.name, declare=False),
        durable="test-agent",
        pull_sub=PullSub(batch_size=10, timeout=1.0),
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=5, ack_wait=30),
        ack_policy=HandlerAckPolicy.NACK_ON_ERROR,
    )
    async def on_sms(message: SmsReceived) -> None:
        attempts.append(message.message_sid)
        if len(attempts) == 1:
            raise RuntimeError("the first attempt fails: the message must come back")
        await got.put(message)

    await broker.connect()
    await ensure_streams(jetstream(broker), topology)
    await broker.start()
    try:
        msg = SmsReceived(
            tenant_id="demo-spa",
            message_sid="SM1",
            conversation_id="c1",
            from_number="+14155550100",
            to_number="+14155550199",
            body="hi",
        )
        await publish_event(jetstream(broker), topology.sms_inbound("demo-spa", "c1"), msg)
        received = await asyncio.wait_for(got.get(), 10)
        assert received == msg
        assert attempts == ["SM1", "SM1"]
    finally:
        await broker.stop()


async def test_request_reply_tool_round_trip(nats_url: str, topology: Topology) -> None:
    broker: NatsBroker = make_broker(nats_url, name="test")
    client_id = uuid4()

    @broker.subscriber(topology.tool("lookup_or_create_client"), queue="scheduler")
    async def lookup(request: LookupOrCreateClient) -> ToolReply[ClientRecord]:
        return ToolReply[ClientRecord](ok=True, result=ClientRecord(client_id=client_id, is_new=True))

    await broker.start()
    try:
        reply = await request_tool(
            broker,
            topology,
            "lookup_or_create_client",
            LookupOrCreateClient(tenant_id="demo-spa", actor=Actor(service="agent"), phone="+14155550100"),
            ClientRecord,
            timeout=5,
        )
        assert reply.ok and reply.result is not None
        assert reply.result.client_id == client_id
    finally:
        await broker.stop()
