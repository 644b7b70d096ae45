"""The scheduler's pure logic: the spa's catalog in memory, availability, labels. No I/O.

Times are stored and compared in UTC; a spa's hours and the client's preferences are in its IANA time
zone. Every conversion goes through `local_at` so daylight-saving days come out right: arithmetic on
aware local datetimes is wall-clock arithmetic in Python, so durations are added in UTC only.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from shared.contracts.tools import SlotOption, TimePreference

Interval = tuple[time, time]
"""A local wall-clock interval within one day, start < end (end may be 24:00 as time.max)."""

# Parts of the day as clients mean them, in the spa's local time.
PARTS_OF_DAY: dict[str, tuple[time, time]] = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time.max),
}
# "Monday around 2pm" means within this distance of 2pm; 9am is not "around 2pm".
TARGET_WINDOW = timedelta(hours=2)
# How many days of slots to gather before choosing when the client has no day in mind.
ASAP_DAYS_WITH_SLOTS = 2


@dataclass(frozen=True)
class Rules:
    """A spa's booking rules."""

    lead_minutes: int = 60
    horizon_days: int = 60
    slot_minutes: int = 15
    buffer_minutes: int = 0
    # A new client is offered a service's consultation before the service (the spa may turn it off).
    consult_first: bool = True


@dataclass(frozen=True)
class ServiceDef:
    """One catalog service."""

    id: UUID
    key: str
    name: str
    category: str
    duration_minutes: int
    price_cents: int
    is_consultation: bool
    free_consult: bool
    consult_service_id: UUID | None
    requires: str
    words: tuple[str, ...] = ()
    about: str = ""  # what it is and is for, as the front desk says it


@dataclass(frozen=True)
class ProviderDef:
    """A provider: what they are qualified for and when they work."""

    id: UUID
    key: str
    name: str
    first_name: str
    qualifications: frozenset[str]
    weekly: Mapping[int, Sequence[Interval]]
    exceptions: Mapping[date, Sequence[Interval]] = field(default_factory=dict)
    credentials: tuple[str, ...] = ()

    def hours_on(self, day: date) -> Sequence[Interval]:
        """Working hours that day: a dated exception (time off, extra shift) replaces the week's."""
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.weekday(), ())

    def can_perform(self, service: ServiceDef) -> bool:
        """Qualified for the service."""
        return service.requires in self.qualifications


@dataclass(frozen=True)
class MembershipDef:
    """A membership the spa sells."""

    name: str
    monthly_price_cents: int
    discount_percent: int
    covered_service_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class Closure:
    """A day the spa closes, or keeps other hours (a holiday, a short day): replaces the week's."""

    day: date
    hours: tuple[Interval, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class SpaCatalog:
    """Everything static about a spa, cached in memory by the service."""

    id: str
    name: str
    timezone: str
    opening: Mapping[int, Sequence[Interval]]
    rules: Rules
    services: Mapping[UUID, ServiceDef]
    providers: Mapping[UUID, ProviderDef]
    address: str = ""
    parking_note: str = ""
    help_text: str = ""
    languages: tuple[str, ...] = ("en",)
    version: int = 0
    memberships: tuple[MembershipDef, ...] = ()
    closures: Mapping[date, Closure] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def open_on(self, day: date) -> Sequence[Interval]:
        """The spa's opening hours that day: a closure replaces the week's."""
        closure = self.closures.get(day)
        return closure.hours if closure is not None else self.opening.get(day.weekday(), ())

    def qualified(self, service: ServiceDef) -> list[ProviderDef]:
        """Providers qualified for the service, in a stable order."""
        return sorted((p for p in self.providers.values() if p.can_perform(service)), key=lambda p: p.key)


class Candidate(NamedTuple):
    """An open slot before selection; sorts by score (lower is better), then time, then provider.

    A named tuple, not a dataclass: a busy day makes thousands of them per request.
    """

    score: float
    start: datetime
    provider_key: str
    provider_id: UUID
    provider_first_name: str
    end: datetime


Busy = Mapping[UUID, Sequence[tuple[datetime, datetime]]]
"""Per provider: blocked UTC ranges (bookings and live holds, buffer included), from merge_busy."""


# ----- time helpers -----


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time; time.max means midnight at the end of the day.

    A wall time skipped by spring-forward resolves forward (fold=0 gives the pre-transition offset,
    so 2:30am on that day is 3:30am EDT); a repeated one (fall-back) takes its first occurrence.
    """
    if at == time.max:
        return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return datetime.combine(day, at, tz).astimezone(UTC)


def local_label(instant: datetime, tz: ZoneInfo) -> str:
    """A human label in the spa's zone: 'Monday, Mar 9 at 1:30pm'."""
    local = instant.astimezone(tz)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local:%A}, {local:%b} {local.day} at {hour}{minutes}{suffix}"


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sets of same-day intervals."""
    out: list[Interval] = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)


def hours_summary(opening: Mapping[int, Sequence[Interval]]) -> str:
    """'Mon-Fri 9am-7pm; Sat 9am-5pm; Sun closed' from the spa's opening hours."""
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    def fmt(t: time) -> str:
        if t == time.max:
            return "midnight"
        hour = t.hour % 12 or 12
        return f"{hour}{f':{t.minute:02d}' if t.minute else ''}{'am' if t.hour < 12 else 'pm'}"

    def day_text(wd: int) -> str:
        spans = opening.get(wd, ())
        return ", ".join(f"{fmt(a)}-{fmt(b)}" for a, b in spans) or "closed"

    parts: list[str] = []
    wd = 0
    while wd < 7:
        text = day_text(wd)
        end = wd
        while end + 1 < 7 and day_text(end + 1) == text:
            end += 1
        label = names[wd] if end == wd else f"{names[wd]}-{names[end]}"
        parts.append(f"{label} {text}")
        wd = end + 1
    return "; ".join(parts)


# ----- availability -----


@dataclass(frozen=True)
class Window:
    """The bookable instants for a request: after the lead time, before the horizon."""

    earliest: datetime
    latest: datetime
    today: date
    last_day: date

    @classmethod
    def of(cls, spa: SpaCatalog, now: datetime, after: datetime | None = None) -> Window:
        """The window at `now`; with `after`, only starts strictly after that instant."""
        earliest = now + timedelta(minutes=spa.rules.lead_minutes)
        if after is not None and after >= earliest:
            earliest = after + timedelta(microseconds=1)
        latest = now + timedelta(days=spa.rules.horizon_days)
        tz = spa.tz
        return cls(earliest, latest, earliest.astimezone(tz).date(), latest.astimezone(tz).date())


def has_day_constraint(pref: TimePreference) -> bool:
    """The client named days (dates, a range or weekdays), so a full day means alternatives."""
    return bool(pref.dates or pref.date_from or pref.date_to or pref.weekdays)


def requested_days(pref: TimePreference, window: Window) -> list[date]:
    """The local days the client asked for, inside the bookable window, in order."""
    if pref.dates:
        days = sorted(set(pref.dates))
    else:
        first = max(pref.date_from or window.today, window.today)
        last = min(pref.date_to or window.last_day, window.last_day)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if pref.weekdays:
        wanted = set(pref.weekdays)
        days = [d for d in days if d.weekday() in wanted]
    return [d for d in days if window.today <= d <= window.last_day]


def alternative_days(pref: TimePreference, window: Window) -> list[date]:
    """Other days, nearest to the asked ones first (later before earlier at equal distance)."""
    asked = set(requested_days(pref, window)) | set(pref.dates)
    if pref.date_from:
        asked.add(pref.date_from)
    anchors = sorted(asked) or [window.today]
    span = (window.last_day - window.today).days + 1
    all_days = [window.today + timedelta(days=i) for i in range(span)]

    def distance(d: date) -> tuple[int, int]:
        gap = min(abs((d - a).days) for a in anchors)
        return gap, 0 if d > anchors[0] else 1

    return sorted((d for d in all_days if d not in asked), key=distance)


def time_bounds(pref: TimePreference) -> tuple[time, time]:
    """The local start-time bounds from the part of day and earliest/latest times."""
    lo, hi = time(0, 0), time.max
    if pref.part_of_day:
        lo, hi = PARTS_OF_DAY[pref.part_of_day]
    if pref.earliest_time:
        lo = max(lo, pref.earliest_time)
    if pref.latest_time:
        hi = min(hi, pref.latest_time)
    return lo, hi


def merge_busy(ranges: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, non-overlapping blocked ranges (one client's own holds may overlap each other)."""
    merged: list[tuple[datetime, datetime]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _overlaps(
    busy: Sequence[tuple[datetime, datetime]], starts: list[datetime], s: datetime, e: datetime
) -> bool:
    # Merged ranges are disjoint and sorted, so their ends are sorted too: only the last range
    # starting before `e` can reach past `s`.
    i = bisect.bisect_left(starts, e)
    return i > 0 and busy[i - 1][1] > s


def day_candidates(
    spa: SpaCatalog,
    service: ServiceDef,
    providers: Iterable[ProviderDef],
    day: date,
    pref: TimePreference,
    window: Window,
    busy: Busy,
    excluded: frozenset[datetime] = frozenset(),
) -> list[Candidate]:
    """Open slots that day for the service, scored by the preference (lower is better).

    Starts in `excluded` (offered before and turned down) are skipped with every provider.
    """
    tz = spa.tz
    rules = spa.rules
    duration = timedelta(minutes=service.duration_minutes)
    buffer = timedelta(minutes=rules.buffer_minutes)
    step = timedelta(minutes=rules.slot_minutes)
    lo, hi = time_bounds(pref)
    lo_at, hi_at = local_at(day, lo, tz), local_at(day, hi, tz)
    target_at = local_at(day, pref.target_time, tz) if pref.target_time else None
    opening = spa.open_on(day)
    # Only starts inside every bound are walked: the preference's time of day, the lead time and
    # horizon, and the target window.
    # The upper bound is exclusive: a 12:00 start is not "morning", a 3pm start is not "before 3".
    first_at, last_at = max(lo_at, window.earliest), min(hi_at, window.latest) - timedelta(microseconds=1)
    if target_at is not None:
        first_at, last_at = max(first_at, target_at - TARGET_WINDOW), min(last_at, target_at + TARGET_WINDOW)
    out: list[Candidate] = []
    if first_at > last_at:
        return out
    for provider in providers:
        spans = intersect(provider.hours_on(day), opening)
        if not spans:
            continue
        blocked = busy.get(provider.id, ())
        starts = [b[0] for b in blocked]
        key, pid, first_name = provider.key, provider.id, provider.first_name
        for span_start, span_end in spans:
            start = local_at(day, span_start, tz)
            latest_start = min(local_at(day, span_end, tz) - duration, last_at)
            # Stay on the spa's slot grid, counted from the working span's start.
            if start < first_at:
                start += step * -((start - first_at) // step)
            while start <= latest_start:
                end = start + duration
                if not (blocked and _overlaps(blocked, starts, start, end + buffer)):
                    if target_at is None:
                        score = 0.0
                    else:
                        # At equal distance prefer the later slot: "around 2" leans afternoon.
                        score = abs((start - target_at).total_seconds()) - (0.5 if start > target_at else 0.0)
                    out.append(Candidate(score, start, key, pid, first_name, end))
                start += step
    # Filtered afterwards, not in the loop: a search without exclusions pays nothing for them.
    return [c for c in out if c.start not in excluded] if excluded else out


# Without a target time, options at least this far apart let the client pick a time of day.
SPREAD = timedelta(minutes=90)


def choose(candidates: Sequence[Candidate], limit: int, *, spread: bool = False) -> list[Candidate]:
    """Up to `limit` options, best first, spread over providers and distinct times.

    With `spread` (the client named no target time) the first picks are also SPREAD apart, so
    "Tuesday afternoon" offers early, mid and late afternoon rather than three quarter-hours.
    """
    ordered = sorted(candidates)
    chosen: list[Candidate] = []
    providers: set[UUID] = set()
    times: set[datetime] = set()
    gaps = (SPREAD, timedelta(0)) if spread else (timedelta(0),)
    # Passes: one option per provider, then any provider; each wide apart first when spreading.
    for gap in gaps:
        for distinct_provider in (True, False):
            for cand in ordered:
                if len(chosen) >= limit:
                    return chosen
                if cand.start in times or (distinct_provider and cand.provider_id in providers):
                    continue
                if gap and any(abs(cand.start - c.start) < gap for c in chosen):
                    continue
                chosen.append(cand)
                providers.add(cand.provider_id)
                times.add(cand.start)
    return sorted(chosen, key=lambda c: c.start) if spread else chosen


def to_option(spa: SpaCatalog, service: ServiceDef, cand: Candidate) -> SlotOption:
    """The wire form of a chosen slot, with its label in the spa's zone."""
    return SlotOption(
        service_id=service.id,
        provider_id=cand.provider_id,
        provider_first_name=cand.provider_first_name,
        start=cand.start,
        end=cand.end,
        local_label=local_label(cand.start, spa.tz),
    )


def enough(candidates: Sequence[Candidate], days_with_slots: int, limit: int) -> bool:
    """Stop gathering days (client has no day in mind): a full first day, or two days with room."""
    if days_with_slots >= ASAP_DAYS_WITH_SLOTS:
        return True
    return days_with_slots >= 1 and len({c.provider_id for c in candidates}) >= limit


def slot_fits_hours(spa: SpaCatalog, provider: ProviderDef, start: datetime, end: datetime) -> bool:
    """The slot lies inside the provider's working hours and the spa's opening hours that day."""
    tz = spa.tz
    day = start.astimezone(tz).date()
    for a, b in intersect(provider.hours_on(day), spa.open_on(day)):
        if local_at(day, a, tz) <= start and end <= local_at(day, b, tz):
            return True
    return False
