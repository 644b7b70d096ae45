"""The scheduler away during a turn: "one moment" once, then the answer when it is back, or staff."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from nats.aio.client import Client as NatsClient

from services.agent.app import INBOUND_DURABLE, AgentRuntime
from services.agent.domain import HANDOFF_TEXT
from services.agent.handlers import holding_key, reply_key
from services.agent.replies import say
from shared.contracts.conversation import AiPaused, TurnCompleted
from shared.contracts.sms import SendSms, SmsReceived
from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System
from tests.support.fake_anthropic import FakeAnthropic, text

pytestmark = pytest.mark.integration

CLIENT = "+14155550160"
# Quick retries (0.1 s, doubling); a client hears "one moment" once their text has waited 0.2 s.
FAST = {"request_timeout_seconds": 0.5, "retry_delay_seconds": 0.1}


async def _agent_without_scheduler(system: System, **settings: Any) -> None:
    await system.add_agent(**{**FAST, **settings})
    _, ctx = system.services[-1]
    runtime = ctx.extras["runtime"]
    assert isinstance(runtime, AgentRuntime) and runtime.ports is not None
    runtime.ports.holding_after = timedelta(seconds=0.2)


async def _tried(nc: NatsClient, topology: Topology, times: int) -> None:
    """JetStream is the witness: the (only) text was delivered again `times` times."""
    js = nc.jetstream()
    stream = topology.stream_sms_inbound.name
    async with asyncio.timeout(15):
        while True:
            # The consumer's sequence counts every delivery, the text's redeliveries included.
            if (await js.consumer_info(stream, INBOUND_DURABLE)).delivered.consumer_seq > times:
                return
            await asyncio.sleep(0.05)


async def _texts_to(phone: Phone, number: str, timeout: float) -> list[SendSms]:
    """Every SendSms for the number published until none came for `timeout` seconds."""
    out: list[SendSms] = []
    while True:
        try:
            out.append(await phone.reply(number, timeout=timeout))
        except TimeoutError:
            return out


async def _one_moment_then_the_answer(
    system: System, phone: Phone, nc: NatsClient, topology: Topology
) -> None:
    """With the agent up and the scheduler away: one holding text, then the answer once it is back."""
    sms: SmsReceived = await phone.text(CLIENT, "Hi, I'd like a HydraFacial")
    holding = await phone.reply(CLIENT, timeout=10)
    assert holding.body == say("en", "holding") == "One moment, I'm checking that for you."
    assert holding.idempotency_key == holding_key(sms.id)
    await _tried(nc, topology, 3)  # failed attempts before and after the holding text
    await system.start_scheduler()
    texts = [await phone.reply(CLIENT, timeout=15)]
    while texts[-1].idempotency_key != reply_key(sms.id):  # holding copies, one per failed attempt
        texts.append(await phone.reply(CLIENT, timeout=15))
    texts += await _texts_to(phone, CLIENT, timeout=1.0)  # anything after the answer shows up now
    answers = [t for t in texts if t.idempotency_key == reply_key(sms.id)]
    assert len(answers) == 1 and "HydraFacial" in answers[0].body
    assert {t.idempotency_key for t in texts} <= {holding.idempotency_key, answers[0].idempotency_key}
    # Published once per attempt under one message id: the outbound stream holds one of each.
    assert await phone.outbound_count(CLIENT) == 2
    events = await phone.wait_for_turns(CLIENT, 1)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["replied"]


async def test_client_hears_one_moment_once_while_the_scheduler_is_away_then_the_answer(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, nc: NatsClient
) -> None:
    system = System(nats_url, database_url, topology)
    await _agent_without_scheduler(system, max_deliver=20)
    try:
        await _one_moment_then_the_answer(system, phone, nc, topology)
    finally:
        await system.stop()


async def test_the_claude_brain_holds_on_and_answers_the_same_way(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, nc: NatsClient
) -> None:
    fake = await FakeAnthropic().start()
    fake.play(text("When would you like to come in for your HydraFacial?"))
    system = System(nats_url, database_url, topology)
    claude = {"brain": "claude", "model_route": "self-hosted", "model_base_url": fake.base_url}
    try:
        await _agent_without_scheduler(system, max_deliver=20, model_max_retries=0, **claude)
        await _one_moment_then_the_answer(system, phone, nc, topology)
        assert len(fake.messages_requests()) == 1, "the model was asked once, when the scheduler was back"
    finally:
        await system.stop()
        await fake.stop()


async def test_a_text_still_unanswered_after_its_last_attempt_goes_to_staff_with_the_handoff_text(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, nc: NatsClient
) -> None:
    system = System(nats_url, database_url, topology)
    await _agent_without_scheduler(system, max_deliver=4)
    try:
        sms = await phone.text(CLIENT, "Hi, I'd like a HydraFacial")
        escalation = await phone.escalation(timeout=15)
        assert escalation.category == "other" and "scheduler" in escalation.reason
        assert escalation.handoff_text == HANDOFF_TEXT and escalation.client_number == CLIENT
        events = await phone.wait_for_turns(CLIENT, 1)
        assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["failed"]
        assert any(isinstance(e, AiPaused) for e in events), "staff hold the conversation now"
        texts = await _texts_to(phone, CLIENT, timeout=1)
        assert {t.idempotency_key for t in texts} == {holding_key(sms.id)}, "no reply of the agent's own"
        # One alert for staff: the text is settled by its handoff, not also parked as a dead letter.
        info = await nc.jetstream().stream_info(topology.stream_deadletters.name)
        assert info.state.messages == 0
        consumer = await nc.jetstream().consumer_info(topology.stream_sms_inbound.name, INBOUND_DURABLE)
        assert consumer.num_ack_pending == 0  # acknowledged: settled, not waiting for another try
    finally:
        await system.stop()
