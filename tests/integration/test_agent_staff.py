"""Staff commands reach the agent: pause, resume and reply, from the staff inbox to the conversation log.

The escalation service (real, in-process) publishes PauseAi / ResumeAi / StaffReply on
`Topology.staff(tenant, "pause" | "resume" | "reply")` through its outbox; the agent records them
in the conversation stream and acts on them. NATS and PostgreSQL are real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from nats.aio.client import Client as NatsClient
from nats.js.errors import NotFoundError

from services.escalation.app import build as build_escalation
from services.escalation.settings import EscalationSettings
from shared.bus import publish_event
from shared.contracts.conversation import (
    AiPaused,
    AiResumed,
    AnyConversationEvent,
    ReplySent,
    StaffReplied,
    TurnCompleted,
)
from shared.contracts.escalation import PauseAi, ResumeAi
from shared.contracts.sms import SendSms
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.integration.agent_harness import TENANT, Phone, System
from tests.support.staff_accounts import create_staff, sign_in
from tests.support.waiting import until

pytestmark = pytest.mark.integration

CLIENT = "+14155550170"
EventT = TypeVar("EventT")


@pytest.fixture
async def inbox(
    system: System, nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The escalation service (the staff inbox), reached through its HTTP API."""
    spa = tmp_path / "spa.yaml"
    spa.write_text(f"id: {TENANT}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\n")
    settings = EscalationSettings(
        nats_url=nats_url, database_url=database_url, subject_prefix=topology.prefix, spa_files=str(spa)
    )
    spec, ctx = build_escalation(settings)
    await start_context(spec, ctx)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
    assert ctx.pool is not None
    maria = await create_staff(ctx.pool, TENANT)
    client.headers.update(await sign_in(client, maria.email))
    yield client
    await client.aclose()
    await stop_context(spec, ctx)


def of_type(events: list[AnyConversationEvent], cls: type[EventT]) -> list[EventT]:
    """The events of one type, in stream order."""
    return [e for e in events if isinstance(e, cls)]


async def signed_in_user(inbox: httpx.AsyncClient) -> str:
    """The user id of the inbox's signed-in account (what staff commands carry)."""
    return str((await inbox.get("/api/me")).json()["user_id"])


async def staff_action(inbox: httpx.AsyncClient, phone: Phone, action: str, **body: str) -> None:
    """Press a staff button in the inbox once it knows the conversation."""
    path = f"/api/conversations/{TENANT}/{phone.conversation(CLIENT)}"

    async def known() -> bool:
        return (await inbox.get(path)).status_code == 200

    await until(known, "the inbox to know the conversation")
    response = await inbox.post(f"{path}/{action}", json=body or None)
    assert response.status_code == 200, response.text


async def test_staff_pause_stops_ai_replies_from_the_next_text(
    system: System, inbox: httpx.AsyncClient, phone: Phone
) -> None:
    first = await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    assert "HydraFacial" in first
    await staff_action(inbox, phone, "pause")
    paused = await until(lambda: _events_with(phone, AiPaused), "the agent to record the pause")
    assert paused[0].by == "staff" and paused[0].staff_user == await signed_in_user(inbox)
    await phone.text(CLIENT, "Friday afternoon please")
    events = await phone.wait_for_turns(CLIENT, 2)
    assert [e.outcome for e in of_type(events, TurnCompleted)] == ["replied", "paused"]
    assert len(of_type(events, ReplySent)) == 1
    assert await phone.outbound_count(CLIENT) == 1, "no AI reply after the pause"


async def test_staff_resume_picks_up_from_the_current_state(
    system: System, inbox: httpx.AsyncClient, phone: Phone
) -> None:
    await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    await staff_action(inbox, phone, "pause")
    await until(lambda: _events_with(phone, AiPaused), "the agent to record the pause")
    await phone.text(CLIENT, "are you there?")
    await phone.wait_for_turns(CLIENT, 2)
    await staff_action(inbox, phone, "resume")
    await until(lambda: _events_with(phone, AiResumed), "the agent to record the resume")
    # Name and service are known from before the pause: the next text goes straight to options.
    offer = await phone.say(CLIENT, "Friday afternoon")
    assert offer.startswith("For your HydraFacial I have ") and "Reply 1" in offer, offer
    assert "automated assistant" not in offer, "a resumed conversation does not start over"
    events = await phone.events(CLIENT)
    assert [e.outcome for e in of_type(events, TurnCompleted)] == ["replied", "paused", "replied"]


async def test_staff_reply_is_recorded_and_gets_no_ai_reply(
    system: System, inbox: httpx.AsyncClient, phone: Phone
) -> None:
    await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    await staff_action(inbox, phone, "reply", body="Hi Erin, this is Maria from the front desk.")
    replied = await until(lambda: _events_with(phone, StaffReplied), "the agent to record the staff reply")
    assert replied[0].staff_user == await signed_in_user(inbox)
    assert replied[0].body.startswith("Hi Erin, this is Maria")
    events = await phone.events(CLIENT)
    # Replying takes the conversation over: the inbox pauses the AI first, and the agent records both.
    assert [e.type for e in events if e.type in ("ai_paused", "staff_replied")] == [
        "ai_paused",
        "staff_replied",
    ]
    await phone.text(CLIENT, "Thanks Maria! Friday afternoon?")
    after = await phone.wait_for_turns(CLIENT, 2)
    assert [e.outcome for e in of_type(after, TurnCompleted)] == ["replied", "paused"]
    assert len(of_type(after, ReplySent)) == 1, "the staff reply caused no AI reply"
    # The one outbound text besides the AI's first reply is the staff's own (sent by the inbox).
    await until(lambda: _outbound_at_least(phone, 2), "the staff's text on SMS_OUTBOUND")
    outbound = [s.purpose for s in await _outbound(phone)]
    assert sorted(outbound) == ["reply", "staff"]


async def test_pause_and_resume_in_quick_succession_are_recorded_in_order(
    system: System, phone: Phone, topology: Topology
) -> None:
    await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    conversation = phone.conversation(CLIENT)
    commands: list[PauseAi | ResumeAi] = []
    for _ in range(4):
        commands.append(PauseAi(tenant_id=TENANT, conversation_id=conversation, staff_user="maria"))
        commands.append(ResumeAi(tenant_id=TENANT, conversation_id=conversation, staff_user="maria"))
    commands.append(PauseAi(tenant_id=TENANT, conversation_id=conversation, staff_user="maria"))
    for command in commands:
        action = "pause" if isinstance(command, PauseAi) else "resume"
        await publish_event(phone.js, topology.staff(TENANT, action), command)

    async def recorded() -> list[AnyConversationEvent] | None:
        events = [e for e in await phone.events(CLIENT) if e.type in ("ai_paused", "ai_resumed")]
        return events if len(events) == len(commands) else None

    events = await until(recorded, "every command recorded")
    assert [e.command_id for e in events] == [c.id for c in commands]  # type: ignore[union-attr]
    await phone.text(CLIENT, "Friday afternoon")
    turns = await phone.wait_for_turns(CLIENT, 2)
    assert [e.outcome for e in of_type(turns, TurnCompleted)][-1] == "paused", "the last command was a pause"


async def _events_with(phone: Phone, cls: type[EventT]) -> list[EventT]:
    return of_type(await phone.events(CLIENT), cls)


async def _outbound_at_least(phone: Phone, count: int) -> bool:
    return await phone.outbound_count(CLIENT) >= count


async def _outbound(phone: Phone) -> list[SendSms]:
    """Every SendSms on SMS_OUTBOUND for the client's conversation, in stream order."""
    subject = phone.topology.sms_outbound(TENANT, phone.conversation(CLIENT))
    stream = phone.topology.stream_sms_outbound.name
    out: list[SendSms] = []
    seq = 0
    while True:
        try:
            msg = await phone.js.get_msg(stream, seq=seq + 1, subject=subject, next=True)
        except NotFoundError:
            return out
        out.append(SendSms.model_validate_json(msg.data or b""))
        seq = int(msg.seq or 0)


async def test_malformed_staff_commands_are_dropped_and_later_ones_still_apply(
    system: System, phone: Phone, topology: Topology
) -> None:
    await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    conversation = phone.conversation(CLIENT)
    await phone.js.publish(topology.staff(TENANT, "reply"), b'{"conversation_id": "c1", "body": 5}')
    await phone.js.publish(topology.staff(TENANT, "explode"), b"{}")
    pause = PauseAi(tenant_id=TENANT, conversation_id=conversation, staff_user="maria")
    await publish_event(phone.js, topology.staff(TENANT, "pause"), pause)
    paused = await until(lambda: _events_with(phone, AiPaused), "the valid pause recorded")
    assert paused[0].command_id == pause.id
    assert [e.type for e in await phone.events(CLIENT)].count("staff_replied") == 0


async def test_an_older_staff_consumer_is_brought_to_one_command_in_flight(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, nc: NatsClient
) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig

    from services.agent.app import STAFF_DURABLE

    js = nc.jetstream()
    stream = topology.stream_escalations.name
    # As an earlier version of the agent created it: up to a thousand commands in flight.
    await js.add_consumer(
        stream,
        config=ConsumerConfig(
            name=STAFF_DURABLE,
            durable_name=STAFF_DURABLE,
            filter_subject=topology.all_staff,
            ack_policy=AckPolicy.EXPLICIT,
            max_deliver=5,
            ack_wait=30,
        ),
    )
    system = System(nats_url, database_url, topology)
    await system.start()
    try:
        assert (await js.consumer_info(stream, STAFF_DURABLE)).config.max_ack_pending == 1
        await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
        pause = PauseAi(tenant_id=TENANT, conversation_id=phone.conversation(CLIENT), staff_user="maria")
        await publish_event(phone.js, topology.staff(TENANT, "pause"), pause)
        await until(lambda: _events_with(phone, AiPaused), "the pause recorded through the updated consumer")
    finally:
        await system.stop()
