"""Picks by the offered options' clock rather than their place in the list: "the later one", "the
earliest pls", "whichever is earlier", "la más temprana", "the one closest to noon".

Pure: no I/O. The options are listed nearest the time asked first (3pm, 3:15pm, 2:45pm), so "the
later one" is the latest start, not the last line. Each row holds examples and counter-examples
(checked by the unit tests); "anything later?" asks for new options and is no pick.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = ["CLOCK_PICKS", "ClockPick", "find_clock_pick", "option_by_clock"]

Way = Literal["earliest", "latest", "nearest"]


@dataclass(frozen=True)
class ClockPick:
    """Which option by its start: the earliest, the latest, or the one nearest `at`."""

    way: Way
    at: time | None = None


@dataclass(frozen=True)
class ClockPickRow:
    """One way of picking by the clock, with texts it reads and texts it must leave alone."""

    way: Way
    pattern: str
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


# Words that make what follows a pick of the options on the table ("the", "whichever is", "la de").
_PICKER = (
    r"(?:^\W*(?=[a-z ]+\s+(?:one|option|time|slot)\b)"
    r"|\b(?:the|la|el|la de|el de|whichever(?:'s| is| one is)?)\s+)"
)
# After the word: "one", "option", "time"..., or the end of the text ("the later one pls", "the earliest").
_AS_PICK = (
    r"(?=\s+(?:one|option|slot|time|appointment|una|uno|opcion|hora)\b(?!\s+day)"
    r"|\s*(?:please|pls|por favor|porfa)?\W*$)"
)
_AT = r"(?P<at>noon|midday|mediodia|\d{1,2}(?::\d{2})?\s*(?:am|pm)?)"

CLOCK_PICKS: tuple[ClockPickRow, ...] = (
    ClockPickRow(
        "earliest",
        rf"{_PICKER}(?:early|earlier|earliest|sooner|soonest|mas temprana|mas temprano)\b{_AS_PICK}",
        (
            "the earlier one",
            "earliest one pls",
            "whichever is earlier",
            "la mas temprana",
            "book the sooner one",
            "the early one",
        ),
        ("anything earlier?", "do you have earlier", "the earliest you have", "earlier in the day"),
    ),
    ClockPickRow(
        "latest",
        rf"{_PICKER}(?:late|later|latest|mas tarde)\b{_AS_PICK}",
        (
            "the later one pls",
            "the latest",
            "whichever's later",
            "la de mas tarde",
            "the later time works",
            "the late one",
        ),
        ("anything later?", "later that day", "the later the better", "i'll book later", "later one day"),
    ),
    ClockPickRow(
        "nearest",
        rf"\b(?:the one|one|whichever(?: one)?(?:'s| is)?|the time|la que (?:este|esta) mas cerca de)\s+"
        rf"(?:closest|nearest|closer)?\s*(?:to\s+)?{_AT}"
        r"(?!\w)",
        ("the one closest to noon", "whichever is nearest to 3", "one closest to 1pm"),
        ("anything closer to noon?", "closest to 5 please", "the one at 3"),
    ),
)
_COMPILED = tuple((re.compile(row.pattern), row.way) for row in CLOCK_PICKS)
_NEAR_WORD = re.compile(r"\b(?:closest|nearest|closer|mas cerca)\b")


def _clock(word: str) -> time | None:
    """ "noon", "3", "1pm", "2:30" as a time in business hours (a bare 1-7 is afternoon)."""
    if word in ("noon", "midday", "mediodia"):
        return time(12)
    m = re.match(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", word)
    if m is None:
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if (m[3] == "pm" and hour < 12) or (m[3] is None and 1 <= hour <= 7):
        hour += 12
    return time(hour, minute) if hour < 24 and minute < 60 else None


def find_clock_pick(text: str) -> ClockPick | None:
    """The pick by the clock a plain text makes, if any."""
    for pattern, way in _COMPILED:
        m = pattern.search(text)
        if m is None:
            continue
        if way != "nearest":
            return ClockPick(way)
        if _NEAR_WORD.search(m[0]) and (at := _clock(m["at"])) is not None:
            return ClockPick(way, at)
    return None


def option_by_clock(pick: ClockPick, starts: Sequence[datetime], tz: str | ZoneInfo) -> int | None:
    """The 0-based option the pick names among options starting at `starts`."""
    if not starts:
        return None
    if pick.way == "earliest":
        return starts.index(min(starts))
    if pick.way == "latest":
        return starts.index(max(starts))
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    target = pick.at.hour * 60 + pick.at.minute if pick.at else 0
    gaps = [abs(s.astimezone(zone).hour * 60 + s.astimezone(zone).minute - target) for s in starts]
    return gaps.index(min(gaps))
