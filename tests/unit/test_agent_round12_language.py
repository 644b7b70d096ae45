"""Texts from round twelve's held-out conversations: picks typed a letter wrong ("the frist one"),
options topped up outside the part of day asked for."""

from __future__ import annotations

import pytest

from services.agent.language.choices import parse_choice

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
