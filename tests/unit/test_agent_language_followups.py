"""Short follow-ups to offered options: a pick by place or clock time, a new day or hour in a word
or two, a bare time range after a short day name."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from services.agent.language.understanding import understand

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)  # Tuesday 10am in San Francisco
TZ = "America/Los_Angeles"
LABELS = (
    "Tuesday, Dec 8 at 10am with Sloane",
    "Tuesday, Dec 8 at 2:15pm with Priya",
    "Wednesday at 1pm with Sloane",
)


def read(text: str, labels: tuple[str, ...] = LABELS):
    return understand(text, now=NOW, tz=TZ, option_labels=labels, provider_names=["Julia", "Priya", "Sloane"])


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the first time you said works", 0),
        ("the second one you mentioned pls", 1),
        ("the 10 works", 0),
        ("2:15 works", 1),
    ],
)
def test_an_option_is_picked_by_its_place_or_clock_time(text: str, index: int) -> None:
    assert read(text).choice == index


def test_my_first_time_picks_nothing() -> None:
    assert read("it's my first time doing this").choice is None


@pytest.mark.parametrize(
    ("text", "day", "earliest", "latest"),
    [
        ("wed (12-1)", date(2026, 12, 9), time(12), time(13)),
        ("wed 12-1", date(2026, 12, 9), time(12), time(13)),
        ("can i do tues 11-1?", date(2026, 12, 8), time(11), time(13)),
    ],
)
def test_a_short_day_name_with_a_bare_range_keeps_both(
    text: str, day: date, earliest: time, latest: time
) -> None:
    p = read(text, ()).preference
    assert p is not None and p.dates == [day]
    assert (p.earliest_time, p.latest_time) == (earliest, latest)


@pytest.mark.parametrize(
    ("text", "hour"), [("11 instead", 11), ("can we do 3 instead?", 15), ("sat 10am", 10)]
)
def test_a_bare_hour_put_in_place_of_the_offer_is_a_time(text: str, hour: int) -> None:
    p = read(text, ()).preference
    assert p is not None and p.target_time == time(hour)


@pytest.mark.parametrize("text", ["we wed in june", "the sun is out", "2 people"])
def test_common_words_and_counts_are_no_time(text: str) -> None:
    p = read(text, ()).preference
    assert p is None or (not p.dates and p.target_time is None)
