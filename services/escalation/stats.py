"""The owner's figures, per day and per week, from the inbox's read model (pure: no I/O).

- conversations handled: conversations with a client's text in the day or week (each counted once);
- after hours: those where the first text of a day came while the spa was closed (the spa's own
  opening hours, `spa_hours`);
- bookings by the agent, and the revenue they recovered: a session a package paid for, and a free
  consultation, are bookings but not revenue;
- escalations by category;
- first response: from a client's text that waited for an answer to the spa's next text (agent or
  staff), median in seconds.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.escalation import spa_hours

MAX_DAYS = 120


@dataclass(frozen=True)
class SpaClock:
    """The spa's time zone and opening hours (and the inbox-wide fallback hours)."""

    timezone: str
    opening_hours: Mapping[str, str | list[str]]
    fallback_hours: str = "09:00-18:00"

    def day(self, at: datetime) -> date:
        """The spa-local calendar day of a moment."""
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def closed(self, at: datetime) -> bool:
        """Whether the spa was closed at a moment."""
        return not spa_hours.is_open(at, self.timezone, dict(self.opening_hours), self.fallback_hours)


@dataclass(frozen=True)
class Text:
    """One text in or out of a conversation."""

    conversation_id: str
    direction: str
    at: datetime


@dataclass(frozen=True)
class Booking:
    """One booking the agent made."""

    price_cents: int
    covered_by_package: str | None
    at: datetime

    @property
    def revenue_cents(self) -> int:
        """What it brought in: nothing when a package paid for it or it is free."""
        return 0 if self.covered_by_package else max(0, self.price_cents)


@dataclass
class Bucket:
    """The figures of one day or one week."""

    start: date
    conversations: set[str] = field(default_factory=set)
    after_hours: set[str] = field(default_factory=set)
    bookings: int = 0
    revenue_cents: int = 0
    package_sessions: int = 0
    free_bookings: int = 0
    escalations: Counter[str] = field(default_factory=Counter)
    responses: list[float] = field(default_factory=list)

    def out(self) -> dict[str, Any]:
        """As the owner page reads it."""
        handled = len(self.conversations)
        return {
            "start": self.start.isoformat(),
            "conversations": handled,
            "after_hours_conversations": len(self.after_hours),
            "after_hours_share": round(len(self.after_hours) / handled, 3) if handled else 0.0,
            "bookings": self.bookings,
            "revenue_cents": self.revenue_cents,
            "package_sessions": self.package_sessions,
            "free_bookings": self.free_bookings,
            "escalations": dict(sorted(self.escalations.items())),
            "median_first_response_seconds": _median(self.responses),
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def week_start(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def first_responses(texts: Iterable[Text]) -> list[tuple[datetime, float]]:
    """(when the client wrote, seconds until the spa's next text) for each text that waited.

    A client's text waits when the conversation's previous text was the spa's (or there was none);
    further texts before the answer are the same wait. A wait never answered is not counted.
    """
    answered: list[tuple[datetime, float]] = []
    waiting: dict[str, datetime] = {}
    for text in sorted(texts, key=lambda t: (t.conversation_id, t.at)):
        if text.direction == "in":
            waiting.setdefault(text.conversation_id, text.at)
        elif text.conversation_id in waiting:
            since = waiting.pop(text.conversation_id)
            answered.append((since, (text.at - since).total_seconds()))
    return answered


@dataclass(frozen=True)
class _Dated:
    """The period's facts, each on its spa-local day (worked out once, then bucketed by day and week)."""

    first_texts: list[tuple[date, str, bool]]  # (day, conversation, came while closed)
    responses: list[tuple[date, float]]
    bookings: list[tuple[date, Booking]]
    escalations: list[tuple[date, str]]


def figures(
    clock: SpaClock,
    *,
    texts: Iterable[Text],
    bookings: Iterable[Booking],
    escalations: Iterable[tuple[str, datetime]],
    first_day: date,
    last_day: date,
) -> dict[str, Any]:
    """Per-day and per-week figures (every day and week of the period, empty ones too) and totals."""
    if last_day < first_day or (last_day - first_day).days >= MAX_DAYS:
        raise ValueError(f"a period is 1 to {MAX_DAYS} days, first day not after the last")
    dated = _date(clock, list(texts), bookings, escalations)
    series: dict[str, list[dict[str, Any]]] = {}
    for name, bucket_of in (("days", lambda d: d), ("weeks", week_start)):
        series[name] = [b.out() for b in _fill(dated, bucket_of, first_day, last_day)]
    whole = _fill(dated, lambda d: first_day, first_day, last_day)[0]
    return {
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        **series,
        "total": whole.out(),
    }


def _date(
    clock: SpaClock,
    texts: list[Text],
    bookings: Iterable[Booking],
    escalations: Iterable[tuple[str, datetime]],
) -> _Dated:
    first_text: dict[tuple[str, date], datetime] = {}
    for text in texts:
        if text.direction != "in":
            continue
        key = (text.conversation_id, clock.day(text.at))
        if key not in first_text or text.at < first_text[key]:
            first_text[key] = text.at
    return _Dated(
        first_texts=[(day, conversation, clock.closed(at)) for (conversation, day), at in first_text.items()],
        responses=[(clock.day(since), seconds) for since, seconds in first_responses(texts)],
        bookings=[(clock.day(b.at), b) for b in bookings],
        escalations=[(clock.day(at), category) for category, at in escalations],
    )


def _fill(dated: _Dated, bucket_of: Callable[[date], date], first_day: date, last_day: date) -> list[Bucket]:
    """The period's facts summed into its days, its weeks, or one bucket (by `bucket_of`)."""
    buckets: dict[date, Bucket] = {}
    day = first_day
    while day <= last_day:
        buckets.setdefault(bucket_of(day), Bucket(bucket_of(day)))
        day += timedelta(days=1)

    def bucket(local: date) -> Bucket | None:
        return buckets.get(bucket_of(local)) if first_day <= local <= last_day else None

    for local, conversation, closed in dated.first_texts:
        if (b := bucket(local)) is not None:
            b.conversations.add(conversation)
            if closed:
                b.after_hours.add(conversation)
    for local, seconds in dated.responses:
        if (b := bucket(local)) is not None:
            b.responses.append(seconds)
    for local, booking in dated.bookings:
        if (b := bucket(local)) is not None:
            b.bookings += 1
            b.revenue_cents += booking.revenue_cents
            b.package_sessions += 1 if booking.covered_by_package else 0
            b.free_bookings += 1 if not booking.covered_by_package and booking.price_cents <= 0 else 0
    for local, category in dated.escalations:
        if (b := bucket(local)) is not None:
            b.escalations[category] += 1
    return [buckets[k] for k in sorted(buckets)]
