"""When a client hears "one moment": soon when the scheduler is down, later when it is only slow."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

import pytest
from nats.errors import NoRespondersError

from services.agent.domain import ConversationState
from services.agent.handlers import AgentPorts, _holding_language, holding_after
from services.agent.replies import LANGS, say
from services.agent.tools import ToolUnavailable
from shared.bus import ToolCallFailed
from shared.contracts.sms import SmsReceived
from shared.subjects import Topology

pytestmark = pytest.mark.unit

PORTS = AgentPorts(
    store=cast(Any, None),
    broker=cast(Any, None),
    topology=Topology(),
    brain=cast(Any, None),
    tool_timeout=5.0,
)


def _unavailable(cause: Exception) -> ToolUnavailable:
    """A ToolUnavailable as the tools raise it, from what the call met."""
    try:
        raise ToolUnavailable("find_availability") from cause
    except ToolUnavailable as exc:
        return exc


def test_a_scheduler_that_is_down_gets_one_moment_after_three_seconds() -> None:
    assert holding_after(_unavailable(NoRespondersError()), PORTS) == timedelta(seconds=3)


def test_a_scheduler_that_does_not_answer_in_time_gets_one_moment_after_fifteen_seconds() -> None:
    slow = _unavailable(ToolCallFailed("find_availability: no reply within 5.0s"))
    assert holding_after(slow, PORTS) == timedelta(seconds=15)


def test_the_holding_text_is_short_and_said_in_each_language() -> None:
    texts = {lang: say(lang, "holding") for lang in LANGS}
    assert texts["en"] == "One moment, I'm checking that for you."
    assert texts["es"] != texts["en"] and all(len(t) <= 60 for t in texts.values())


def _text(body: str) -> SmsReceived:
    return SmsReceived(
        tenant_id="glow-medspa",
        message_sid="SM1",
        conversation_id="c0123456789abcdef",
        from_number="+14155550123",
        to_number="+14155550199",
        body=body,
    )


def test_a_new_client_hears_one_moment_in_the_language_of_their_text() -> None:
    new = ConversationState()
    assert _holding_language(_text("Hola, quiero una cita para botox el sábado"), new) == "es"
    assert _holding_language(_text("hi can i get botox saturday"), new) == "en"


def test_once_the_agent_has_replied_one_moment_keeps_the_conversation_language() -> None:
    spanish = replace(ConversationState(), replies=2, language="es")
    assert _holding_language(_text("ok"), spanish) == "es"
    english = replace(ConversationState(), replies=1, language="en")
    assert _holding_language(_text("Hola, quiero una cita"), english) == "en"
