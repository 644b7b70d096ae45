"""Judging a played conversation against its scenario (pure: no I/O, the clock is passed in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.agent.scenarios.spa import SpaFacts
from services.agent.scenarios.spec import DAYS, PARTS_OF_DAY, Expect, Scenario, Turn
from shared.text import for_matching

# A reply that says a booking was made (English and Spanish; matched on `key` text).
CONFIRMATION_MARKERS = (
    "you're booked", "you are booked", "you're all set", "you are all set", "is booked for", "is confirmed",
    "booked you", "have you down", "confirmed for", "tienes cita", "cita confirmada", "quedo reservad",
    "reservado", "todo listo",
)  # fmt: skip
# Words that make a reply with times an answer about hours, not options.
HOURS_WORDS = ("open", "close", "closing", "abrimos", "cerramos", "horario")
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "hoy": 0, "manana": 1}
CLOCK = re.compile(r"\b(\d{1,2})(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)|\b([01]?\d|2[0-3]):([0-5]\d)\b")
CHOICE_PROMPT = re.compile(r"\b(reply|responde|text back)( with)? #?\d")
# "mañana" is tomorrow, but "por la mañana" is the morning (compared accent-folded: "manana").
DAY_WORD = re.compile(r"\b(?<!la )(" + "|".join([*WEEKDAYS, *RELATIVE_DAYS]) + r")\b")


def key(text: str) -> str:
    """Text as facts are compared: normalised, case- and accent-folded, clock times in one spelling."""
    out = for_matching(text, accents=False)
    out = re.sub(r"\b(\d{1,2}):00\s*([ap])\.?m\.?", r"\1\2m", out)
    return re.sub(r"\b(\d{1,2}(?::\d{2})?)\s*([ap])\.?m\b\.?", r"\1\2m", out)


@dataclass(frozen=True)
class Reply:
    """A text the spa sent (or tried to: `sent` is False when the carrier side refused it)."""

    body: str
    sent: bool = True


@dataclass
class TurnLog:
    """A client text and the spa's texts that followed it."""

    text: str
    replies: list[Reply] = field(default_factory=list)


@dataclass
class Transcript:
    """What the system did in a conversation, as the player observed it."""

    turns: list[TurnLog] = field(default_factory=list)
    escalations: list[dict[str, object]] = field(default_factory=list)
    probe: list[Reply] | None = None  # replies to a text sent after an opt-out
    error: str | None = None  # the conversation could not be played (gateway down, ...)

    def replies(self) -> list[Reply]:
        """Every reply, in order."""
        return [r for t in self.turns for r in t.replies]


@dataclass(frozen=True)
class Booking:
    """What a confirmation text says was booked (None where it does not say)."""

    text: str
    service: str | None
    weekday: int | None
    minutes: int | None
    provider: str | None


def clock_minutes(text: str) -> list[int]:
    """Clock times in a text as minutes after midnight ('2:30pm' -> 870, '14:30' -> 870)."""
    out = []
    for m in CLOCK.finditer(key(text)):
        if m.group(3):
            hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
            hour += 12 if m.group(3).startswith("p") else 0
        else:
            hour, minute = int(m.group(4)), int(m.group(5))
        out.append(hour * 60 + minute)
    return out


def is_confirmation(text: str) -> bool:
    """A reply saying a booking was made: a marker and a clock time, and no choice left to reply with."""
    k = key(text)
    if CHOICE_PROMPT.search(k) or not clock_minutes(text):
        return False
    return any(marker in k for marker in CONFIRMATION_MARKERS)


def offers_options(text: str) -> bool:
    """A reply offering slots: a day and a clock time close together, not a confirmation or opening hours."""
    k = key(text)
    hours = any(w in k for w in HOURS_WORDS) and "reply" not in k and "responde" not in k
    if hours or is_confirmation(text):
        return False
    days = [m.start() for m in DAY_WORD.finditer(k)]
    return any(any(abs(d - m.start()) <= 40 for d in days) for m in CLOCK.finditer(k))


def read_booking(text: str, spa: SpaFacts, today: date) -> Booking:
    """The service, weekday, time and provider a confirmation names."""
    k = key(text)
    names = sorted(spa.services.items(), key=lambda kv: -len(kv[1]))
    service = next((sk for sk, name in names if key(name) in k), None)
    day = DAY_WORD.search(k)
    weekday = None
    if day:
        word = day.group(1)
        weekday = WEEKDAYS[word] if word in WEEKDAYS else (today + timedelta(RELATIVE_DAYS[word])).weekday()
    times = clock_minutes(text)
    provider = next((pk for pk, first in spa.providers.items() if re.search(rf"\b{key(first)}\b", k)), None)
    return Booking(text, service, weekday, times[0] if times else None, provider)


def weekday_of(day: str, today: date) -> int:
    """'friday' -> 4; 'today'/'tomorrow' in the spa's local date."""
    if day in RELATIVE_DAYS:
        return (today + timedelta(RELATIVE_DAYS[day])).weekday()
    return DAYS.index(day)


def _minutes(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def _fmt(minutes: int | None) -> str:
    return "no time" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def booking_failures(expect: Expect, booking: Booking, spa: SpaFacts, today: date) -> list[str]:
    """Each constraint of a `booked` outcome the confirmation breaks."""
    out: list[str] = []
    keys = [s for s in expect.service if s in spa.services]
    words = [s for s in expect.service if s not in spa.services]
    if not (booking.service in keys or any(key(w) in key(booking.text) for w in words)):
        got = booking.service or "an unnamed service"
        out.append(f"booked {got}, expected {' or '.join(expect.service)}")
    if expect.day:
        wanted = {weekday_of(d, today) for d in expect.day}
        if booking.weekday not in wanted:
            got = "no day" if booking.weekday is None else DAYS[booking.weekday]
            out.append(f"booked on {got}, expected {' or '.join(expect.day)}")
    low, high = PARTS_OF_DAY[expect.part_of_day] if expect.part_of_day else (0, 24 * 60)
    if expect.after:
        low = max(low, _minutes(expect.after))
    if expect.before:
        high = min(high, _minutes(expect.before))
    if (expect.part_of_day or expect.after or expect.before) and not (
        booking.minutes is not None and low <= booking.minutes < high + (1 if expect.before else 0)
    ):
        out.append(f"booked at {_fmt(booking.minutes)}, expected between {_fmt(low)} and {_fmt(high)}")
    first = key(spa.providers.get(booking.provider or "", ""))
    if expect.provider and expect.provider not in (booking.provider, first):
        out.append(f"booked with {booking.provider or 'no named provider'}, expected {expect.provider}")
    return out


def turn_failures(turn: Turn, log: TurnLog, number: int) -> list[str]:
    """What a turn's replies break of the turn's own checks."""
    sent = [r.body for r in log.replies if r.sent]
    joined = key(" ".join(sent))
    where = f"turn {number} ({turn.text!r})"
    if turn.no_reply:
        return [f"{where}: expected no reply, got {len(sent)}"] if sent else []
    out = [f"{where}: no reply"] if not sent else []
    out += [f"{where}: reply lacks {fact!r}" for fact in turn.reply_has if sent and key(fact) not in joined]
    if turn.options is not None and sent and any(offers_options(b) for b in sent) != turn.options:
        out.append(f"{where}: expected {'options' if turn.options else 'no options'}")
    return out + forbidden(turn.reply_must_not, turn.reply_must_not_only, sent, where)


def forbidden(
    must_not: tuple[str, ...], must_not_only: tuple[str, ...], bodies: list[str], where: str
) -> list[str]:
    """Replies containing a forbidden text, or asking a `must_not_only` text without offering options."""
    out = []
    for body in bodies:
        k = key(body)
        out += [f"{where}: reply contains {p!r}" for p in must_not if key(p) in k]
        gate = not offers_options(body)
        out += [f"{where}: reply only asks {p!r}" for p in must_not_only if gate and key(p) in k]
    return out


def outcome_failures(s: Scenario, t: Transcript, spa: SpaFacts, today: date) -> list[str]:
    """Whether the conversation reached the scenario's outcome."""
    e = s.expect
    sent = [r.body for r in t.replies() if r.sent]
    out = [f"no reply contains {f!r}" for f in e.facts if not any(key(f) in key(b) for b in sent)]
    if e.outcome == "booked":
        confirmations = [b for b in sent if is_confirmation(b)]
        if not confirmations:
            return [*out, "no booking confirmation"]
        return out + booking_failures(e, read_booking(confirmations[-1], spa, today), spa, today)
    if e.outcome == "handed_off":
        return out + handoff_failures(e, t)
    if e.outcome == "opted_out":
        return out + optout_failures(t)
    return out


def handoff_failures(e: Expect, t: Transcript) -> list[str]:
    """An escalation of an expected category (and priority, where the inbox shows it), and a reply."""
    replied = bool(t.turns) and any(r.sent for r in t.turns[-1].replies)
    out = [] if replied else ["no handoff reply to the last text"]
    matching = [x for x in t.escalations if x.get("category") in e.category]
    if not matching:
        got = ", ".join(str(x.get("category")) for x in t.escalations) or "none"
        return [*out, f"escalation category {got}, expected {' or '.join(e.category)}"]
    if e.priority and all("priority" in x and x["priority"] != e.priority for x in matching):
        out.append(f"escalation priority is not {e.priority}")
    return out


def optout_failures(t: Transcript) -> list[str]:
    """At most the confirmation after the last text, and nothing sent in answer to a later text."""
    out = []
    last = [r for r in t.turns[-1].replies if r.sent] if t.turns else []
    if len(last) > 1:
        out.append(f"{len(last)} texts sent after the opt-out")
    if t.probe is None:
        out.append("the opt-out was not probed")
    elif any(r.sent for r in t.probe):
        out.append("a text was sent to the number after it opted out")
    return out


def judge(s: Scenario, t: Transcript, spa: SpaFacts, today: date) -> list[str]:
    """Every failure of a played scenario (empty: it passed); `today` is the spa's local date."""
    if t.error:
        return [t.error]
    out: list[str] = []
    for number, (turn, log) in enumerate(zip(s.turns, t.turns, strict=False), 1):
        out += [] if turn.staff or turn.resume else turn_failures(turn, log, number)
    sent = [r.body for r in t.replies() if r.sent]
    out += forbidden(s.reply_must_not, s.reply_must_not_only, sent, "a reply")
    return out + outcome_failures(s, t, spa, today)
