"""Texts from round twelve's held-out conversations: picks typed a letter wrong ("the frist one"),
options topped up outside the part of day asked for."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from services.agent import policy
from services.agent.domain import ConversationState
from services.agent.language.choices import parse_choice
from services.agent.language.understanding import Understanding, understand
from services.agent.replies import say

pytestmark = pytest.mark.unit

LABELS = ["today at 12pm with Priya", "today at 1:30pm with Sloane", "today at 3pm with Priya"]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the frist one", 0),
        ("fisrt one pls", 0),
        ("the secnd one", 1),
        ("thrid one please", 2),
        ("my frist time, does it hurt?", None),
    ],
)
def test_a_pick_typed_a_letter_wrong_is_still_a_pick(text: str, index: int | None) -> None:
    assert parse_choice(text, 3, LABELS) == index


def _named(text: str) -> tuple[ConversationState, Understanding]:
    now = datetime(2026, 12, 2, 10, 0)
    u = understand(text, now=now, tz="America/Los_Angeles", option_labels=LABELS, name_asked=True)
    state = ConversationState(conversation_id="c", tenant_id="t", first_name="Iris")
    return state, u


def test_a_name_alone_after_options_is_thanked_before_the_pick_is_asked() -> None:
    state, u = _named("Iris")
    assert u.name == "Iris" and policy.thanks_for_name("await_choice", state, u)
    assert say("en", "thanks_name", name=", Iris") == "Thanks, Iris!"
    assert say("es", "thanks_name", name=", Iris") == "¡Gracias, Iris!"


def test_a_name_with_a_pick_or_before_any_options_is_not_thanked_separately() -> None:
    state, u = _named("1 - Iris")
    assert u.choice == 0 and not policy.thanks_for_name("await_choice", state, u)
    state, u = _named("Iris")
    assert not policy.thanks_for_name("ask_time", state, u)
    state, u = _named("Iris")
    known = replace(state, first_name="Ana")  # a name the client did not just give
    assert not policy.thanks_for_name("await_choice", known, u)
