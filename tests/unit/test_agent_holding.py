"""When a client hears "one moment": soon when the scheduler is down, later when it is only slow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from nats.errors import NoRespondersError

from services.agent.handlers import AgentPorts, holding_after
from services.agent.replies import LANGS, say
from services.agent.tools import ToolUnavailable
from shared.bus import ToolCallFailed
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
