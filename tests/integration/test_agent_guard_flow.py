"""The inbound guard through the real agent on a real bus: a curly-apostrophe reschedule and an
overdose text are handed to staff with their category, and the overdose as urgent with 911 advice."""

from __future__ import annotations

import pytest

from services.agent.language.guard import URGENT_HANDOFF_TEXT
from shared.contracts.conversation import EscalationRaised, TurnCompleted
from tests.integration.agent_harness import Phone, System

pytestmark = pytest.mark.integration

CLIENT = "+14155550160"
OTHER = "+14155550161"


async def test_curly_apostrophe_reschedule_goes_to_staff(system: System, phone: Phone) -> None:
    await phone.text(CLIENT, "I can\u2019t make it to my appointment tomorrow")
    raised = await phone.escalation()
    assert raised.category == "reschedule" and raised.priority == "normal"
    assert raised.conversation_id == phone.conversation(CLIENT)
    assert raised.handoff_text and "911" not in raised.handoff_text
    assert "cannot_make_it" in raised.reason
    events = await phone.wait_for_turns(CLIENT, 1)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["escalated"]
    assert await phone.outbound_count(CLIENT) == 0, "the agent itself never answered"


async def test_overdose_text_is_an_urgent_handoff_with_911_advice(system: System, phone: Phone) -> None:
    await phone.text(OTHER, "Um...i took 25 iron pills...what do i do...this was last night")
    raised = await phone.escalation()
    assert raised.category == "medical" and raised.priority == "urgent"
    assert raised.handoff_text == URGENT_HANDOFF_TEXT
    assert "call 911" in raised.handoff_text
    events = await phone.wait_for_turns(OTHER, 1)
    recorded = [e for e in events if isinstance(e, EscalationRaised)]
    assert len(recorded) == 1 and recorded[0].priority == "urgent", "the conversation log keeps the priority"
    assert await phone.outbound_count(OTHER) == 0, "the agent itself never answered"
