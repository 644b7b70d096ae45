"""Opt-out by meaning, bare CANCEL, opt-in words and the first-text notice, on the real bus.

The real gateway (simulator as the carrier, so the gateway answers keywords itself) with the real
scheduler (demo spa) and agent, on the test's NATS and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from faststream.nats import NatsBroker
from nats.aio.client import Client as NatsClient

from services.gateway.notices import OPT_OUT_NOTICE
from services.scheduler import spafile
from services.scheduler.cli import DEMO_SPA
from shared.bus import make_broker, publish_event, request_tool
from shared.contracts.sms import SendSms
from shared.contracts.tools import (
    TOOLS,
    Actor,
    ConfirmBooking,
    FindAvailability,
    HoldSlots,
    LookupOrCreateClient,
    TimePreference,
    UpcomingBookings,
)
from shared.ids import client_ref
from shared.subjects import Topology
from tests.integration.agent_harness import KEY, TENANT, Phone, System
from tests.support.gateway_harness import (
    RunningGateway,
    gateway_settings,
    noticed,
    running_gateway,
    sms_form,
    stream_messages,
    subject_count,
    write_spa,
)

pytestmark = pytest.mark.integration

AGENT = Actor(service="agent", instance="test", conversation_id="c-test")


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, system: System
) -> AsyncIterator[RunningGateway]:
    """The gateway serving the demo spa's number, beside the scheduler and agent of `system`."""
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas", TENANT, phone_display="(415) 555-0199")
    settings = gateway_settings(nats_url, database_url, topology, tmp_path, id_hash_key=KEY)
    async with running_gateway(settings) as gw:
        yield gw


@pytest.fixture
async def caller(nats_url: str) -> AsyncIterator[NatsBroker]:
    """A broker calling scheduler tools the way the agent does."""
    broker = make_broker(nats_url, name="test-caller")
    await broker.start()
    yield broker
    await broker.stop()


async def thread(gw: RunningGateway, number: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The simulated phone's texts once at least `count` are there."""
    async with asyncio.timeout(timeout):
        while True:
            texts = (await gw.http.get("/simulator/messages", params={"number": number})).json()
            if len(texts) >= count:
                return texts  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)


async def type_on_phone(gw: RunningGateway, number: str, body: str) -> None:
    """The client types a text on the simulated phone (the simulator is the carrier)."""
    resp = await gw.http.post(
        "/simulator/messages", json={"from_number": number, "body": body, "spa_id": TENANT}
    )
    assert resp.status_code == 202, resp.text


async def received(nc: NatsClient, topology: Topology, phone: Phone, number: str) -> dict[str, Any]:
    [msg] = await stream_messages(nc.jetstream(), topology.sms_inbound(TENANT, phone.conversation(number)), 1)
    return msg["data"]  # type: ignore[no-any-return]


async def opted_out(gw: RunningGateway, number: str) -> bool | None:
    async with gw.ports.pool.acquire() as conn:
        return await conn.fetchval(  # type: ignore[no-any-return]
            "SELECT opted_out FROM gateway.opt_outs WHERE tenant_id = $1 AND phone_ref = $2",
            TENANT,
            client_ref(KEY, TENANT, number),
        )


async def book(caller: NatsBroker, topology: Topology, number: str) -> None:
    """A booking ahead for the number, made through the scheduler's tools."""

    async def call(name: str, request: Any) -> Any:
        reply = await request_tool(caller, topology, name, request, TOOLS[name][1], timeout=10)
        assert reply.ok, reply.error
        return reply.result

    client = await call(
        "lookup_or_create_client", LookupOrCreateClient(tenant_id=TENANT, actor=AGENT, phone=number)
    )
    service = spafile.read(DEMO_SPA).service_id("hydrafacial")
    found = await call(
        "find_availability",
        FindAvailability(
            tenant_id=TENANT, actor=AGENT, service_id=service, preference=TimePreference(asap=True), limit=1
        ),
    )
    held = await call(
        "hold_slots",
        HoldSlots(tenant_id=TENANT, actor=AGENT, client_id=client.client_id, options=found.options),
    )
    await call(
        "confirm_booking",
        ConfirmBooking(
            tenant_id=TENANT, actor=AGENT, client_id=client.client_id, hold_id=held.holds[0].hold_id
        ),
    )


async def audited(nc: NatsClient, topology: Topology, action: str, timeout: float = 10.0) -> dict[str, Any]:
    """The first audit record of an action on the AUDIT stream, once it is there."""
    async with asyncio.timeout(timeout):
        while True:
            for msg in await stream_messages(nc.jetstream(), topology.all_audit, 1, timeout=timeout):
                if msg["data"]["action"] == action:
                    return msg["data"]  # type: ignore[no-any-return]
            await asyncio.sleep(0.1)


async def test_stop_texting_me_opts_out_answers_once_and_the_agent_stays_quiet(
    gateway: RunningGateway, phone: Phone, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550171"
    form = sms_form("SMopt0001", "Stop texting me", from_number=number)
    for _ in range(2):  # Twilio retrying the webhook is one text
        assert (await gateway.post_sms(form)).status_code == 200
    assert (await received(nc, topology, phone, number))["keyword"] == "stop"
    assert await opted_out(gateway, number) is True
    [confirmation] = await thread(gateway, number, 1)
    assert "unsubscribed" in confirmation["body"] and "START" in confirmation["body"]
    # The agent saw the text and stayed quiet: its turn ended as a keyword, nothing else was sent.
    events = await phone.wait_for_turns(number, 1)
    assert [e.outcome for e in events if e.type == "turn_completed"] == ["keyword"]  # type: ignore[union-attr]
    # A booking reply that comes later is refused, not sent.
    later = SendSms(
        tenant_id=TENANT,
        idempotency_key="reply:after-optout",
        conversation_id=phone.conversation(number),
        to_number=number,
        body="You're booked for Friday at 3pm.",
        purpose="confirmation",
    )
    await publish_event(nc.jetstream(), topology.sms_outbound(TENANT, later.conversation_id), later)
    [failed] = await stream_messages(nc.jetstream(), topology.sms_event(TENANT, "failed"), 1)
    assert (
        failed["data"]["idempotency_key"] == "reply:after-optout" and failed["data"]["reason"] == "opted_out"
    )
    assert [t["body"] for t in await thread(gateway, number, 1) if t["direction"] == "out"] == [
        confirmation["body"]
    ]
    assert await phone.outbound_count(number) == 2  # the gateway's answer and the refused reply


async def test_bare_cancel_with_a_booking_ahead_says_how_to_cancel_and_alerts_staff(
    gateway: RunningGateway, phone: Phone, caller: NatsBroker, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550172"
    await book(caller, topology, number)
    await type_on_phone(gateway, number, "CANCEL")
    assert (await received(nc, topology, phone, number))["keyword"] == "stop"
    assert await opted_out(gateway, number) is True
    # The carrier answers its keyword (configured with the spa's wording), not the spa's pipeline.
    [typed, reply] = await thread(gateway, number, 2)
    assert (typed["direction"], reply["direction"]) == ("in", "out")
    assert "cancel an appointment" in reply["body"] and "(415) 555-0199" in reply["body"]
    alert = await phone.escalation()
    assert alert.category == "cancellation" and alert.source == "gateway"
    assert alert.conversation_id == phone.conversation(number) and alert.handoff_text is None
    assert "1 upcoming booking" in alert.reason and alert.client_number == number
    record = await audited(nc, topology, "upcoming_bookings")
    assert record["actor"]["service"] == "gateway" and record["outcome"] == "ok"
    assert record["actor"]["client_ref"] == client_ref(KEY, TENANT, number)
    assert number not in json.dumps(record)


async def test_bare_cancel_without_bookings_alerts_nobody(
    gateway: RunningGateway, phone: Phone, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550173"
    # Through Twilio's webhook: Twilio answers CANCEL itself, so the spa sends nothing.
    assert (await gateway.post_sms(sms_form("SMopt0003", "cancel", from_number=number))).status_code == 200
    assert (await received(nc, topology, phone, number))["keyword"] == "stop"
    record = await audited(nc, topology, "upcoming_bookings")
    assert record["result_summary"] == {"count": 0}
    if gateway.ports.tasks:  # the check's answer reached the gateway and was acted on
        await asyncio.wait(set(gateway.ports.tasks), timeout=5)
    assert (
        await subject_count(nc.jetstream(), topology.stream_escalations.name, topology.all_escalations) == 0
    )
    assert await phone.outbound_count(number) == 0


async def test_yes_from_a_number_that_never_opted_out_reaches_the_agent(
    gateway: RunningGateway, phone: Phone, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550174"
    assert (await gateway.post_sms(sms_form("SMopt0004", "YES", from_number=number))).status_code == 200
    assert (await received(nc, topology, phone, number))["keyword"] is None
    answer = await phone.reply(number)
    assert answer.purpose != "system" and answer.body
    assert await opted_out(gateway, number) is None  # nothing recorded: "yes" was an answer


async def test_start_and_yes_after_stop_opt_back_in(
    gateway: RunningGateway, phone: Phone, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550175"
    states = []
    for i, body in enumerate(["STOP", "Start", "no more texts", "yes"], start=1):
        await type_on_phone(gateway, number, body)
        states.append(await opted_out(gateway, number))
        await thread(gateway, number, 2 * i)  # each answer is on the phone before the next text
    assert states == [True, False, True, False]
    keywords = [
        m["data"]["keyword"]
        for m in await stream_messages(
            nc.jetstream(), topology.sms_inbound(TENANT, phone.conversation(number)), 4
        )
    ]
    assert keywords == ["stop", "start", "stop", "start"]
    answers = [t["body"] for t in await thread(gateway, number, 8) if t["direction"] == "out"]
    assert [("unsubscribed" in t, "resubscribed" in t) for t in answers] == [
        (True, False),
        (False, True),
        (True, False),
        (False, True),
    ]
    # Only "no more texts" was answered by the spa (the carrier knows STOP, START and YES).
    assert await phone.outbound_count(number) == 1


async def test_the_first_text_to_a_new_number_carries_the_notice_once(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    number = "+14155550176"
    conv = "c-first-notice"

    def cmd(key: str, body: str) -> SendSms:
        return SendSms(
            tenant_id=TENANT, idempotency_key=key, conversation_id=conv, to_number=number, body=body
        )

    first = cmd("first:1", "Hi! What can we book for you?")
    for _ in range(2):  # a redelivered first text is one text, with one notice
        await publish_event(
            nc.jetstream(), topology.sms_outbound(TENANT, conv), first, msg_id=str(uuid.uuid4())
        )
    await publish_event(
        nc.jetstream(), topology.sms_outbound(TENANT, conv), cmd("first:2", "Friday at 3pm works.")
    )
    texts = [t["body"] for t in await thread(gateway, number, 2)]
    assert texts == [noticed(first.body), "Friday at 3pm works."]
    assert sum(t.count(OPT_OUT_NOTICE) for t in texts) == 1
    sent = await stream_messages(nc.jetstream(), topology.sms_event(TENANT, "sent"), 2)
    assert [m["data"]["segments"] for m in sent] == [1, 1]


async def test_the_agent_cannot_ask_for_another_numbers_bookings(
    gateway: RunningGateway, caller: NatsBroker, nc: NatsClient, topology: Topology
) -> None:
    request = UpcomingBookings(tenant_id=TENANT, actor=AGENT, phone="+14155550177")
    reply = await request_tool(
        caller, topology, "upcoming_bookings", request, TOOLS["upcoming_bookings"][1], timeout=10
    )
    assert not reply.ok and reply.error is not None and reply.error.field == "actor.service"
    record = await audited(nc, topology, "upcoming_bookings")
    assert record["actor"]["service"] == "agent" and record["outcome"] == "invalid_request"
