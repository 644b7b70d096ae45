"""A live smoke test of the Claude brain on the real Anthropic API: runs only with ANTHROPIC_API_KEY.

Without a key it is skipped, with the reason shown in the report (`-ra`); a skip is not a pass. With
one, a real model answers a booking text through the real agent and scheduler, and the turn must be
the model's (no fallback recorded).
"""

from __future__ import annotations

import os

import pytest

from shared.contracts.conversation import ModelConsulted
from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("ANTHROPIC_API_KEY"),
        reason="live model smoke test: set ANTHROPIC_API_KEY (and MODEL_NAME) to run it against the API",
    ),
]


async def test_a_real_model_answers_a_booking_text_without_falling_back(
    nats_url: str, database_url: str, topology: Topology, phone: Phone
) -> None:
    system = System(nats_url, database_url, topology)
    await system.start(brain="claude", model_route="anthropic")
    try:
        number = "+14155550190"
        reply = await phone.say(number, "hi! do you have anything for a hydrafacial next week?", timeout=60)
        assert reply and len(reply) <= 320
        events = await phone.wait_for_turns(number, 1, timeout=60)
        consulted = [e for e in events if isinstance(e, ModelConsulted)]
        assert consulted and consulted[0].fallback is None, consulted
        assert consulted[0].input_tokens > 0
    finally:
        await system.stop()
