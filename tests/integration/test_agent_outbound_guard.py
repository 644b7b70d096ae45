"""A reply the outbound guard blocks is never sent: the conversation goes to staff instead."""

from __future__ import annotations

import pytest

import services.agent.app as agent_app
from services.agent.brain import Decision, TurnContext
from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System

pytestmark = pytest.mark.integration

CLIENT = "+14155550160"


class ClinicalBrain:
    """A brain that goes wrong: it answers with dosage advice, which a booking agent must never send."""

    name = "clinical-test-brain"

    async def decide(self, ctx: TurnContext) -> Decision:
        """Always the same unsafe reply."""
        return Decision(reply="For your migraines take 20 units of Botox and 400 mg ibuprofen.")


async def test_a_blocked_reply_escalates_instead_of_sending(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agent_app, "make_brain", lambda _settings: ClinicalBrain())
    system = System(nats_url, database_url, topology)
    await system.start()
    try:
        await phone.text(CLIENT, "Hi, I'd like to book a facial")
        raised = await phone.escalation()
        assert raised.category == "blocked_reply"
        assert raised.conversation_id == phone.conversation(CLIENT)
        assert "units" not in raised.reason and "ibuprofen" not in raised.reason
        await phone.wait_for_turns(CLIENT, 1)
        assert await phone.outbound_count(CLIENT) == 0, "the blocked reply must not reach the client"
    finally:
        await system.stop()
