"""A turn a crash left half-written is finished on redelivery, never decided on facts the client never saw."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from shared.bus import publish_event
from shared.contracts.conversation import (
    BookingConfirmed,
    ConversationEvent,
    InboundReceived,
    ProposedOption,
    ReplySent,
    ServiceMatched,
    SlotsProposed,
    TurnCompleted,
)
from shared.contracts.envelope import utcnow
from shared.contracts.sms import SmsReceived
from shared.contracts.tools import SlotOption
from tests.integration.agent_harness import TENANT, Phone, System

pytestmark = pytest.mark.integration

CLIENT = "+14155550180"


async def crash_mid_turn(phone: Phone, system: System, body: str) -> tuple[SmsReceived, InboundReceived]:
    """The agent dies after recording a text's InboundReceived (a minute ago); the text is pending."""
    await system.stop_agents()
    sms = await phone.text(CLIENT, body)
    subject = phone.topology.sms_inbound(TENANT, phone.conversation(CLIENT))
    seq = int((await phone.js.get_msg(phone.topology.stream_sms_inbound.name, subject=subject)).seq or 0)
    inbound = InboundReceived(
        tenant_id=TENANT,
        conversation_id=sms.conversation_id,
        correlation_id=sms.correlation_id,
        occurred_at=utcnow() - timedelta(minutes=1),
        inbound_id=sms.id,
        message_sid=sms.message_sid,
        inbound_seq=seq,
        body=body,
    )
    await record(phone, inbound)
    return sms, inbound


async def record(phone: Phone, event: ConversationEvent) -> None:
    """Append an event to the client's conversation, as the dead agent did."""
    subject = phone.topology.conversation(TENANT, phone.conversation(CLIENT))
    await publish_event(phone.js, subject, event)


async def test_half_written_turn_is_decided_again_from_before_it_opened(system: System, phone: Phone) -> None:
    await phone.say(CLIENT, "Hi I'm Erin, I'd like a HydraFacial")
    [matched] = [e for e in await phone.events(CLIENT) if isinstance(e, ServiceMatched)]
    sms, inbound = await crash_mid_turn(phone, system, "Friday afternoon")
    # The dead attempt held two options but never told the client about them.
    start = utcnow() + timedelta(days=3)
    options = [
        ProposedOption(
            hold_id=uuid4(),
            option=SlotOption(
                service_id=matched.service.service_id,
                provider_id=uuid4(),
                provider_first_name=name,
                start=start,
                end=start + timedelta(hours=1),
            ),
            expires_at=utcnow() + timedelta(minutes=10),
            label=label,
        )
        for name, label in (("Julia", "Friday at 2pm with Julia"), ("Lilian", "Saturday at 10am with Lilian"))
    ]
    await record(
        phone,
        SlotsProposed(
            tenant_id=TENANT,
            conversation_id=sms.conversation_id,
            correlation_id=sms.correlation_id,
            service_id=matched.service.service_id,
            options=options,
        ),
    )
    await system.add_agent()
    reply = (await phone.reply(CLIENT)).body
    # Deciding on the unseen options would read "Friday afternoon" as choosing the first of them.
    assert reply.startswith("For your HydraFacial I have ") and "Reply 1" in reply, reply
    events = await phone.wait_for_turns(CLIENT, 2)
    assert not any(isinstance(e, BookingConfirmed) for e in events)
    assert [e.inbound_id for e in events if isinstance(e, InboundReceived)].count(inbound.inbound_id) == 1


async def test_half_written_turn_with_its_reply_recorded_sends_that_reply(
    system: System, phone: Phone
) -> None:
    await phone.say(CLIENT, "Hi I'm Erin, I'd like a HydraFacial")
    sms, _ = await crash_mid_turn(phone, system, "what times do you have friday?")
    recorded = ReplySent(
        tenant_id=TENANT,
        conversation_id=sms.conversation_id,
        correlation_id=sms.correlation_id,
        caused_by=sms.id,
        idempotency_key=f"reply:{sms.id}",
        body="The reply the dead agent had decided on.",
        asks="time",
    )
    await record(phone, recorded)
    await system.add_agent()
    reply = await phone.reply(CLIENT)
    assert reply.body == recorded.body and reply.idempotency_key == recorded.idempotency_key
    events = await phone.wait_for_turns(CLIENT, 2)
    assert sum(isinstance(e, ReplySent) for e in events) == 2, "the turn was not decided a second time"
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["replied", "replied"]
