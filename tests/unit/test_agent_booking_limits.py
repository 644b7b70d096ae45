"""Which parts of day are the client's limits rather than their wish (booking.ONLY)."""

from __future__ import annotations

import pytest

from services.agent.booking import ONLY

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "mornings only",
        "i can only do mornings",
        "just afternoons for me",
        "i work afternoons, tmrw morning?",
        "can't do afternoons",
        "solo en la mañana",
        "no puedo en la tarde",
    ],
)
def test_a_part_of_day_the_client_can_only_make_is_a_limit(text: str) -> None:
    assert ONLY.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "whats open tmrw morning for a hydrafacial?",
        "tienen algo mañana en la mañana",
        "thursday morning - Kate",
    ],
)
def test_a_part_of_day_the_client_would_like_is_not(text: str) -> None:
    assert not ONLY.search(text)
