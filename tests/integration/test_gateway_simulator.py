"""The local SMS simulator goes through the same pipeline: same events, same idempotency, same cap."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient

from shared.bus import publish_event
from shared.contracts.sms import SendSms
from shared.subjects import Topology
from tests.support.gateway_harness import (
    SPA_ID,
    RunningGateway,
    gateway_settings,
    noticed,
    running_gateway,
    stream_messages,
    write_spa,
)

pytestmark = pytest.mark.integration

PHONE = "+14155550142"


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[RunningGateway]:
    """A gateway on the simulator (no Twilio credentials), cap of 2."""
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas", cap=2)
    settings = gateway_settings(
        nats_url,
        database_url,
        topology,
        tmp_path,
        sms_provider="",
        twilio_account_sid="",
        twilio_auth_token="",
    )
    assert settings.provider == "simulator"
    async with running_gateway(settings) as gw:
        yield gw


async def test_simulated_text_is_published_like_a_twilio_one_and_replies_land_on_the_phone(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    page = await gateway.http.get("/simulator")
    assert page.status_code == 200 and "EventSource" in page.text
    resp = await gateway.http.post(
        "/simulator/messages", json={"from_number": "(415) 555-0142", "body": "hi 👋"}
    )
    assert resp.status_code == 202 and resp.json()["outcome"] == "acked"
    [received] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
    data = received["data"]
    assert data["provider"] == "simulator" and data["from_number"] == PHONE and data["body"] == "hi 👋"

    reply = SendSms(
        tenant_id=SPA_ID,
        idempotency_key=f"reply:{data['message_sid']}",
        conversation_id=data["conversation_id"],
        to_number=PHONE,
        body="Hi! What can we book for you?",
    )
    subject = topology.sms_outbound(SPA_ID, data["conversation_id"])
    for _ in range(2):  # a redelivery is the same text
        await publish_event(nc.jetstream(), subject, reply, msg_id=str(uuid.uuid4()))
    [sent] = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, "sent"), 1)
    assert sent["data"]["provider"] == "simulator" and sent["data"]["segments"] == 1

    thread = (await gateway.http.get("/simulator/messages", params={"number": PHONE})).json()
    first = noticed(reply.body)
    assert [(m["direction"], m["body"]) for m in thread] == [("in", "hi 👋"), ("out", first)]
    after = thread[0]["seq"]
    newer = (await gateway.http.get("/simulator/messages", params={"number": PHONE, "after": after})).json()
    assert [m["body"] for m in newer] == [first]


async def test_simulator_honours_the_daily_cap(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    for i in range(3):
        cmd = SendSms(
            tenant_id=SPA_ID,
            idempotency_key=f"sim-cap:{i}",
            conversation_id="c1",
            to_number=PHONE,
            body=f"t{i}",
        )
        await publish_event(nc.jetstream(), topology.sms_outbound(SPA_ID, "c1"), cmd)
    [deferred] = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, "deferred"), 1)
    assert deferred["data"]["idempotency_key"] == "sim-cap:2"
    thread = (await gateway.http.get("/simulator/messages", params={"number": PHONE})).json()
    assert [m["body"] for m in thread] == [noticed("t0"), "t1"]


async def test_simulator_rejects_bad_input_clearly(gateway: RunningGateway) -> None:
    assert (
        await gateway.http.post("/simulator/messages", json={"from_number": "abc", "body": "x"})
    ).status_code == 400
    assert (await gateway.http.post("/simulator/messages", json={"from_number": PHONE})).status_code == 422
    too_long = {"from_number": PHONE, "body": "x" * 1601}
    assert (await gateway.http.post("/simulator/messages", json=too_long)).status_code == 422
    unknown = {"from_number": PHONE, "body": "x", "spa_id": "nope"}
    assert (await gateway.http.post("/simulator/messages", json=unknown)).status_code == 404
