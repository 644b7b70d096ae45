"""The playing model (tests/support/playing_model.py) behind the fake Messages API, with the real agent
and scheduler: each of the brain's tools is reached through the executor by a model that reads the
requests, not by a scripted sequence, and no turn falls back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.contracts.conversation import BookingConfirmed, EscalationRaised, ModelConsulted
from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.playing_model import PlayingModel

pytestmark = pytest.mark.integration

BEN = "+14155550102"  # demo spa client with a HydraFacial package


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    """The fake Messages API, answered by the playing model."""
    server = await FakeAnthropic(default=PlayingModel()).start()
    yield server
    await server.stop()


@pytest.fixture
async def claude(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> AsyncIterator[System]:
    """The scheduler (demo spa) and one agent with AGENT_BRAIN=claude on the playing model."""
    system = System(nats_url, database_url, topology)
    await system.start(
        brain="claude", model_route="self-hosted", model_base_url=fake.base_url, model_max_retries=0
    )
    yield system
    await system.stop()


async def _consulted(phone: Phone, number: str, turns: int) -> list[ModelConsulted]:
    events = await phone.wait_for_turns(number, turns)
    return [e for e in events if isinstance(e, ModelConsulted)]


async def test_the_playing_model_books_with_match_find_hold_and_confirm(claude: System, phone: Phone) -> None:
    number = "+14155550180"
    offer = await phone.say(number, "hi can i book a hydrafacial friday afternoon? - Jess")
    assert "For your HydraFacial I have 1) " in offer and "Friday" in offer, offer
    booked = await phone.say(number, "2")
    assert booked.startswith("You're booked: HydraFacial on Friday"), booked
    consulted = await _consulted(phone, number, 2)
    assert [c.tool_calls for c in consulted] == [
        ["match_service", "find_availability", "hold_options"],
        ["confirm_choice"],
    ]
    assert [c.fallback for c in consulted] == [None, None]
    events = await phone.events(number)
    assert len([e for e in events if isinstance(e, BookingConfirmed)]) == 1


async def test_the_playing_model_answers_from_the_spa_profile_and_the_clients_benefits(
    claude: System, phone: Phone
) -> None:
    asked = await phone.say("+14155550181", "how much is botox? and where are you?")
    assert "$350" in asked and "Chestnut" in asked, asked
    balance = await phone.say(BEN, "do i have any hydrafacial sessions left on my package?")
    assert "session(s) left" in balance, balance
    first = (await _consulted(phone, "+14155550181", 1))[0]
    assert first.tool_calls == ["match_service", "spa_profile"] and first.fallback is None
    ben = (await _consulted(phone, BEN, 1))[0]
    assert "read_benefits" in ben.tool_calls and ben.fallback is None


async def test_the_playing_model_hands_off_a_language_the_spa_does_not_text_in(
    claude: System, phone: Phone
) -> None:
    number = "+14155550182"
    await phone.text(number, "你好，我想预约一个面部护理")
    assert (await phone.escalation()).category == "other"
    consulted = await _consulted(phone, number, 1)
    assert consulted[0].tool_calls == ["hand_off"] and consulted[0].fallback is None
    raised = [e for e in await phone.events(number) if isinstance(e, EscalationRaised)]
    assert [e.category for e in raised] == ["other"]
    assert raised[0].reason.startswith("The model handed off")
