"""The spa's own opening hours (the `opening_hours` section of its spa file), as the inbox reads them.

The same section the scheduler books by: `mon: "09:00-19:00"`, `sun: closed`, or a list of ranges
(`tue: ["09:00-13:00", "14:00-18:00"]`), in the spa's time zone. A text or booking outside them is
"after hours". A spa file without the section falls back to `INBOX_BUSINESS_HOURS` every day.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "closed"

Ranges = tuple[tuple[time, time], ...]


def parse_range(spec: str) -> tuple[time, time]:
    """'09:00-18:00' → (09:00, 18:00); a closing time before the opening one is an error."""
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    except ValueError:
        raise ValueError(f"opening hours must look like 09:00-18:00, not {spec!r}") from None
    if closes <= opens:
        raise ValueError(f"opening hours {spec!r} close before they open")
    return opens, closes


def parse_day(value: str | list[str]) -> Ranges:
    """One day's hours: 'closed', one range, or a list of ranges."""
    if isinstance(value, str):
        return () if value.strip().lower() == CLOSED else (parse_range(value),)
    return tuple(parse_range(v) for v in value)


def check_week(week: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """A spa file's `opening_hours` section: known day names and readable ranges only."""
    unknown = sorted(set(week) - set(DAYS))
    if unknown:
        raise ValueError(f"opening_hours: unknown day(s) {unknown}; use {', '.join(DAYS)}")
    for value in week.values():
        parse_day(value)
    return week


OpeningHours = Annotated[dict[str, str | list[str]], AfterValidator(check_week)]


def is_open(at: datetime, timezone: str, week: dict[str, str | list[str]], fallback: str) -> bool:
    """Whether the spa is open at a moment, in its own time zone (a day not listed is closed).

    `fallback` ('09:00-18:00', every day) applies only when the spa file lists no hours at all.
    """
    local = at.astimezone(ZoneInfo(timezone))
    if week:
        ranges = parse_day(week.get(DAYS[local.weekday()], CLOSED))
    else:
        ranges = (parse_range(fallback),)
    moment = local.time()
    return any(opens <= moment < closes for opens, closes in ranges)
