"""The deterministic brain's dialogue policy, as pure functions: what to do next and how to say it.

No I/O. The brain (deterministic.py) gathers the facts of a turn, then asks this module for the next
step, the search a new constraint calls for, and the reply's sentences; wording comes from the
reply tables (replies.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from shared.contracts.conversation import Asked, ProposedOption, ServiceCandidate
from shared.contracts.tools import (
    ClientBenefits,
    ClosedDay,
    OpeningDay,
    ServiceInfo,
    SlotOption,
    SpaProfile,
    TimePreference,
)

from .domain import MAX_REPLY_CHARS, ConversationState
from .frontdesk_answers import service_info, sessions_unit
from .language.choices import offers_time
from .language.intents import only_acknowledges, only_thanks
from .language.shorthand import plain
from .language.understanding import Understanding
from .replies import article, join_or, money, say, when_label

Step = Literal[
    "greet",  # nothing known yet: what treatment, and when
    "ask_service",
    "ask_service_choice",
    "ask_time",
    "propose",  # search, hold and offer options
    "await_choice",  # options are on the table and still stand
    "booked_followup",
    "welcome",  # a thank-you or goodbye after a booking
]


def next_step(
    state: ConversationState, *, fresh_search: bool = False, u: Understanding | None = None
) -> Step:
    """What the conversation needs next, once this turn's facts are in the state.

    The name is never a gate: with a service and a time the client gets options.
    """
    if state.just_booked:
        return "welcome" if u is not None and signs_off(u) else "booked_followup"
    if state.service is None:
        if state.candidates:
            return "ask_service_choice"
        return "ask_service" if state.greeted or state.staff_involved else "greet"
    if state.preference is None:
        return "ask_time"
    if state.proposals and not fresh_search:
        return "await_choice"
    return "propose"


def signs_off(u: Understanding) -> bool:
    """After a booking: thanks, bye, no, or 👍; "see you saturday!" names the day booked to sign off,
    not to book again."""
    closes = u.thanks or u.goodbye or u.negate or only_acknowledges(u.text)
    return closes and (u.preference is None or u.goodbye)


def thanks_for_name(step: Step, state: ConversationState, u: Understanding) -> bool:
    """'Iris' alone after options that also asked for a name: thank them before asking for the pick."""
    return step == "await_choice" and u.choice is None and bool(u.name) and u.name == state.first_name


def declines_for_now(step: Step, state: ConversationState, u: Understanding) -> bool:
    """'ok thanks, i'll have a think' / 'no thanks, bye' to a question about booking: a polite no."""
    if step not in ("ask_time", "ask_service", "greet") or not state.greeted:
        return False
    if u.preference is not None and not u.goodbye:  # "have a good night!" is no time to book
        return False
    return u.defers or u.goodbye or (u.negate and u.thanks) or only_thanks(u.text)


def one_date(preference: TimePreference | None) -> date | None:
    """The one date a text names ("christmas eve", "the 24th"), if it names exactly one."""
    return preference.dates[0] if preference is not None and len(preference.dates) == 1 else None


def question_beside_a_booking(state: ConversationState, u: Understanding) -> bool:
    """A question for staff beside a booking (a treatment named or under way, options out, or a wish to
    come in) is noted for them and the booking goes on. A day alone is no booking ("a gift card for my
    mom for xmas"), nor a booking already made ("anything i should avoid before?" after it)."""
    asks_to_come = u.booking_ask or (u.preference is not None and u.availability_request)
    under_way = state.service is not None and not state.just_booked
    return under_way or bool(state.proposals) or asks_to_come


def only_acknowledged(u: Understanding) -> bool:
    """'👍', 'ok great' (no thanks, no goodbye, no 'no'): a booking's confirmation acknowledged."""
    return not (u.thanks or u.goodbye or u.negate) and only_acknowledges(u.text)


def polite_close(u: Understanding) -> str:
    """The reply key for a polite end to the booking question: goodbye, a no, a thank-you, or noted."""
    if u.goodbye:
        return "goodbye"
    if u.negate or u.defers:
        return "no_rush"
    return "welcome_book" if u.thanks else "noted_book"


def step_text(
    step: Step,
    state: ConversationState,
    lang: str,
    *,
    two_services: bool = False,
    short: bool = False,
    goodbye: bool = False,
    tz: ZoneInfo | None = None,
    acknowledged: bool = False,
) -> tuple[str, Asked | None]:
    """The sentence of a step that asks the client something, and what it asked."""
    service = state.service.name if state.service else ""
    name = f", {state.first_name}" if state.first_name else ""
    if step == "greet" and state.preference is None:
        return say(lang, "ask_what"), "service"
    if step == "greet":
        return say(lang, "ask_service"), "service"
    if step == "ask_service":
        return say(lang, "ask_service"), "service"
    if step == "ask_service_choice":
        choices = join_or([c.name for c in state.candidates[:3]], lang)
        return say(
            lang, "ask_one_service" if two_services else "ask_service_choice", choices=choices
        ), "service_choice"
    if step == "ask_time":
        key = "ask_time_short" if short else "ask_time"
        return say(lang, key, service=article(service) if lang == "en" else service), "time"
    if step == "await_choice":
        return say(
            lang, "reply_to_book", numbers=join_or([str(i + 1) for i in range(len(state.proposals))], lang)
        ), "choice"
    if step == "welcome":
        key = "goodbye" if goodbye else "see_you" if acknowledged else "welcome"
        return say(lang, key, name=name), None
    if step == "booked_followup" and state.bookings:
        last = state.bookings[-1]
        return say(
            lang,
            "booked_followup",
            name=name,
            service=last.service_name,
            # the booking's label is the scheduler's English; a Spanish reply says the day in Spanish
            label=when_label(last.start, tz, lang) if tz is not None and lang != "en" else last.local_label,
            provider=last.provider_first_name,
        ), "anything"
    return say(lang, "ask_time", service=service), "time"


def opening(state: ConversationState, spa_name: str, lang: str) -> str:
    """The first AI reply of a conversation says it is an automated assistant; later ones say nothing."""
    if state.greeted:
        return ""
    if state.staff_involved:
        return say(lang, "disclosure_after_staff", spa=spa_name)
    if state.first_name:
        return say(lang, "disclosure_named", spa=spa_name, name=state.first_name.split()[0])
    return say(lang, "disclosure", spa=spa_name)


def fits(opening: str, lead: Sequence[str], body: Sequence[str], limit: int = MAX_REPLY_CHARS) -> bool:
    """Whether opening, answers and the booking step go in one text with nothing dropped."""
    return len(" ".join(p for p in [opening, *lead, *body] if p)) <= limit


def option_to_drop(labels: Sequence[str], asked: time | None) -> int:
    """Which option goes when fewer must be offered: the last one not at the time asked for."""
    at_time = [asked is not None and offers_time(label, asked) for label in labels]
    return max((i for i, hit in enumerate(at_time) if not hit), default=len(labels) - 1)


def fit(
    opening: str,
    lead: Sequence[str],
    body: Sequence[str],
    optional: Sequence[str] = (),
    limit: int = MAX_REPLY_CHARS,
) -> str:
    """One text: opening, answers, the booking step and optional sentences; when it is too long the
    optional sentences go first, then answers from the last, never the opening or the step."""
    answers = [p for p in lead if p]
    extra = [p for p in optional if p]
    while True:
        text = " ".join(p for p in [opening, *answers, *body, *extra] if p)
        if len(text) <= limit:
            return text
        if extra:
            extra.pop()
        elif answers:
            answers.pop()
        else:
            return text[:limit]


# ----- new constraints on options already offered ("later", "another day", "with julia")


@dataclass(frozen=True)
class Search:
    """What a search for options asks the scheduler."""

    preference: TimePreference
    provider_id: Any = None
    after: datetime | None = None
    exclude_starts: tuple[datetime, ...] = ()
    ruled_out: tuple[Any, ...] = ()  # providers the client does not want

    @classmethod
    def of(cls, state: ConversationState) -> Search:
        """The search the conversation's state calls for."""
        s = state.search
        preference = state.preference or TimePreference(asap=True)
        if s is None:
            return cls(preference)
        return cls(preference, s.provider_id, s.after, tuple(s.exclude_starts), tuple(s.exclude_provider_ids))

    @property
    def narrowed(self) -> bool:
        """Anything beyond the client's time preference narrows it."""
        return self.provider_id is not None or self.after is not None


# "Anything later?" means clearly later than the options offered; "earlier" a little earlier.
LATER_GAP_MINUTES = 60
EARLIER_GAP_MINUTES = 30
PART_ENDS = {"morning": time(12), "afternoon": time(17)}
_DAY_FIELDS = ("dates", "date_from", "date_to", "weekdays")


def merged(new: TimePreference, old: TimePreference | None) -> TimePreference:
    """A time of day alone ("anything after 5?") keeps the days the client asked for before; a day
    alone ("friday works", "actually wednesday") keeps the time of day asked for before."""
    if old is None or new.asap:
        return new
    if any(getattr(new, f) for f in _DAY_FIELDS):
        if _has_time(new) or not _has_time(old):
            return new
        return new.model_copy(update={f: getattr(old, f) for f in OPEN_DAY})
    if not any(getattr(old, f) for f in _DAY_FIELDS):
        return new
    return new.model_copy(update={f: getattr(old, f) for f in _DAY_FIELDS})


OPEN_DAY = {"part_of_day": None, "target_time": None, "earliest_time": None, "latest_time": None}
# "this thursday", "next thursday", "thursday the 3rd": a weekday the client pins to a week themselves.
_PINNED_WEEKDAY = re.compile(
    r"\b(?:this|next|coming|following)\s+\w+day\b|\bweek\b|\d|\bafter (?:next|that|this)\b|\bfrom\b"
)


def as_asked_before(new: TimePreference, old: TimePreference | None, text: str) -> TimePreference:
    """ "the thursday one" after asking for "next week, wed or thu": the Thursday asked for before,
    not this week's, unless the client pins the week themselves."""
    if old is None or len(new.dates) != 1 or _PINNED_WEEKDAY.search(plain(text)):
        return new
    day = new.dates[0]
    same = [d for d in old.dates if d.weekday() == day.weekday() and d != day and abs((d - day).days) <= 14]
    return new.model_copy(update={"dates": same[:1]}) if same else new


def shifted(u: Understanding, state: ConversationState, tz: ZoneInfo) -> dict[str, Any] | None:
    """The PreferenceUnderstood fields for a new constraint on the options on the table, or None."""
    if not (state.proposals or state.unavailable) or not (u.shift or u.reject_options):
        return None
    starts = [p.option.start for p in state.proposals]
    if u.shift == "week_later" and u.preference is not None and _only_a_week(u.preference):
        u = replace(u, preference=None)  # "same time next week": the week is the shift, not a new range
    old = state.search
    exclude = [*(old.exclude_starts if old else []), *starts][-20:]
    base = merged(u.preference, state.preference) if u.preference else state.preference
    base = base or TimePreference(asap=True)
    fields: dict[str, Any] = {"exclude_starts": exclude, "exclude_provider_ids": ruled_out(u, state)}
    if old is not None and u.shift != "other_provider":
        fields["provider_id"], fields["provider_first_name"] = old.provider_id, old.provider_first_name
    times = sorted(start.astimezone(tz).time() for start in starts)
    if u.shift == "later" and times and not _has_time(u.preference):
        # Clearly later in the day than every option offered (past the part of day asked for), on
        # the days asked for.
        earliest = max(_plus(times[-1], LATER_GAP_MINUTES), PART_ENDS.get(base.part_of_day or "", time(0)))
        base = base.model_copy(update={**OPEN_DAY, "earliest_time": earliest})
    elif u.shift == "earlier" and times and not _has_time(u.preference):
        base = base.model_copy(update={**OPEN_DAY, "latest_time": _plus(times[0], -EARLIER_GAP_MINUTES)})
    elif u.shift == "another_day" and starts and u.preference is None:
        last_day = max(starts).astimezone(tz).date() + timedelta(days=1)
        base = TimePreference(asap=True)
        fields["after"] = datetime.combine(last_day, time(0), tzinfo=tz)
    elif u.shift == "week_later" and starts and u.preference is None:
        # "what about the week after?": the days offered, a week on, at the time asked for.
        days = sorted({start.astimezone(tz).date() + timedelta(days=7) for start in starts})
        base = base.model_copy(update={"dates": days, "date_from": None, "date_to": None, "weekdays": []})
    elif u.reject_options and starts and u.preference is None and u.shift is None:
        # "none of those": other times, after the ones offered.
        fields["after"] = max(starts)
    fields["preference"] = base
    return fields


def ruled_out(u: Understanding, state: ConversationState, named: Any = None) -> list[Any]:
    """The providers ruled out after this text: those ruled out before, the one named ("anyone but
    julia": `named`, her id), or for "someone else" the one provider every option was with."""
    before = list(state.search.exclude_provider_ids) if state.search is not None else []
    if named is not None:
        return [*before, named] if named not in before else before
    if u.shift == "other_provider" and u.ruled_out is None:
        offered = {p.option.provider_id for p in state.proposals}
        if len(offered) == 1 and (only := offered.pop()) not in before:
            return [*before, only]
    return before


def days_not_offered(preference: TimePreference, options: Sequence[SlotOption], tz: ZoneInfo) -> list[date]:
    """The days the client named ("wed or thu") that none of two or more options falls on, when they
    all fall on one of them; empty otherwise."""
    if len(preference.dates) < 2 or len(options) < 2:
        return []
    offered = {o.start.astimezone(tz).date() for o in options}
    if len(offered) > 1:
        return []
    return [d for d in preference.dates if d not in offered]


def inexact_options_key(
    preference: TimePreference, held: Sequence[ProposedOption], tz: ZoneInfo, shift: str | None = None
) -> str:
    """How options that miss the request are introduced: none on the days asked for ("this coming sat"
    and Saturdays are full) says the day is full; otherwise, or after "anything later?" (nothing later
    that day is no full day), the time asked for is not open."""
    if shift is not None:
        return "options_not_exact"
    asked = {d.weekday() for d in preference.dates} | set(preference.weekdays)
    offered = {p.option.start.astimezone(tz).weekday() for p in held}
    return "options_other_days" if asked and not asked & offered else "options_not_exact"


# Where each part of day a client asks for begins and ends (the end not included).
PART_BOUNDS = {
    "morning": (time(0), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(23, 59)),
}
_FIRST_IN_PART = {1: "part_only_first", 2: "part_only_first_two"}


def part_of_day_note_key(
    preference: TimePreference, held: Sequence[ProposedOption], tz: ZoneInfo
) -> str | None:
    """Options topped up outside the part of day asked for ("thurs morning": 11:30am, 12:30pm,
    12:45pm) say which are in it: the reply-table key, or None when all are in it (or none, or the
    ones in it are not the first)."""
    if preference.part_of_day is None:
        return None
    start, end = PART_BOUNDS[preference.part_of_day]
    inside = [start <= p.option.start.astimezone(tz).time() < end for p in held]
    count = inside.index(False) if False in inside else len(inside)
    if count == len(inside) or any(inside[count:]):
        return None
    return _FIRST_IN_PART.get(count)


def _only_a_week(preference: TimePreference) -> bool:
    """A range of days and nothing else ("next week")."""
    return bool(preference.date_from) and not (
        preference.dates or preference.weekdays or _has_time(preference) or preference.asap
    )


def _plus(moment: time, minutes: int) -> time:
    total = min(max(0, moment.hour * 60 + moment.minute + minutes), 23 * 60 + 59)
    return time(total // 60, total % 60)


def _has_time(preference: TimePreference | None) -> bool:
    if preference is None:
        return False
    return bool(
        preference.part_of_day or preference.target_time or preference.earliest_time or preference.latest_time
    )


def exact_time_missing(
    preference: TimePreference, starts: Sequence[datetime], tz: ZoneInfo, *, within: int = 15
) -> bool:
    """A clock time was asked for ("sat 10am") and no option is within a quarter hour of it: the reply
    says so. With `within=AROUND_MINUTES`: no option is even near it ("around noon" and only 2pm)."""
    target = preference.target_time
    if target is None:
        return False
    wanted = target.hour * 60 + target.minute
    return all(abs(_minutes(s.astimezone(tz).time()) - wanted) > within for s in starts)


# "1pm is perfect" to options at 1:15, 1:30 and 1:45: a time the client accepts, with these words.
_ACCEPTS_TIME = re.compile(
    r"\b(?:perfect|great|good|fine|works?|ok|okay|sounds good|please|pls|book it|me apunto|perfecto|vale)\b"
)


def option_near_time_accepted(
    u: Understanding, proposals: Sequence[ProposedOption], tz: ZoneInfo, *, within: int = 15
) -> int | None:
    """The one option within a quarter hour of a clock time the client says works ("1pm is perfect"
    when 1:15 was offered as the time asked for), or None."""
    p = u.preference
    if p is None or p.target_time is None or p.dates or p.weekdays or p.part_of_day or u.questions:
        return None
    if not _ACCEPTS_TIME.search(plain(u.text)):
        return None
    wanted = _minutes(p.target_time)
    near = [
        i
        for i, option in enumerate(proposals)
        if abs(_minutes(option.option.start.astimezone(tz).time()) - wanted) <= within
    ]
    return near[0] if len(near) == 1 else None


# How far from a clock time an option still answers it ("around noon": 11am to 1pm).
AROUND_MINUTES = 60


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def closed_days(preference: TimePreference, hours: Sequence[OpeningDay]) -> list[int]:
    """The weekdays asked for on which the spa is closed (empty when it opens on any of them)."""
    if not hours:
        return []
    open_days = {d.weekday for d in hours if d.intervals}
    asked = {d.weekday() for d in preference.dates} | set(preference.weekdays)
    if not asked or asked & open_days:
        return []
    return sorted(asked)


def before_opening(preference: TimePreference, hours: Sequence[OpeningDay]) -> OpeningDay | None:
    """The one day asked for when the time asked for ends before the spa opens ("before 9 on friday"
    and Friday opens at 9): its opening hours; None otherwise."""
    days = {d.weekday() for d in preference.dates} | set(preference.weekdays)
    if preference.latest_time is None or len(days) != 1:
        return None
    weekday = days.pop()
    day = next((d for d in hours if d.weekday == weekday and d.intervals), None)
    if day is None or preference.latest_time > min(start for start, _ in day.intervals):
        return None
    return day


def from_opening(preference: TimePreference, day: OpeningDay) -> TimePreference:
    """The preference moved to the day's first times: "before 9" is as early as the spa opens."""
    opens = min(start for start, _ in day.intervals)
    return preference.model_copy(update={"latest_time": None, "earliest_time": None, "target_time": opens})


def closed_dates(preference: TimePreference, closures: Sequence[ClosedDay]) -> list[ClosedDay]:
    """The dates asked for on which the spa is closed all day (a holiday), when it opens on none of
    the dates asked for; "the 24th or 26th" with the 25th closed says nothing."""
    if not preference.dates:
        return []
    shut = {c.day: c for c in closures if not c.intervals}
    if not all(d in shut for d in preference.dates):
        return []
    return [shut[d] for d in sorted(set(preference.dates))]


def next_week(preference: TimePreference) -> TimePreference | None:
    """The same days a week later ("tuesday morning" said on a Tuesday afternoon, "this weekend" when it
    is full), when days or a range of at most a week were named."""
    week = timedelta(days=7)
    if preference.dates and not (preference.date_from or preference.date_to):
        return preference.model_copy(update={"dates": [d + week for d in preference.dates]})
    start, end = preference.date_from, preference.date_to
    if start and end and not preference.dates and (end - start).days < 7:
        return preference.model_copy(update={"date_from": start + week, "date_to": end + week})
    return None


# Right after a booking, a new time with one of these words moves that booking (a reschedule, for
# staff) rather than asking for a second one: (pattern, example that moves, example that does not).
BOOKING_CHANGES: tuple[tuple[str, str, str], ...] = (
    (r"\b(?:actually|instead|rather|switch|change|move|push|bump|meant)\b", "actually friday?", "friday too"),
    (r"\b(?:can|could) (?:i|we|u|you) (?:do|make it|go)\b", "could i do later? like 5", "also friday"),
    (r"\bmake (?:it|that)\b|\b(?:later|earlier) (?:that|the same) day\b", "make it 5", "another one friday"),
    (r"\b(?:cambiar|mover|mejor)\b", "mejor el viernes", "otra el viernes"),
)
_BOOKING_CHANGE = re.compile("|".join(f"(?:{p})" for p, _, _ in BOOKING_CHANGES))
_ANOTHER_BOOKING = re.compile(r"\b(?:also|too|another|as well|second|otra|tambien)\b")


# "wait no i meant 3", "oops wrong one, the first": the pick just booked, corrected (pattern, example,
# counter-example); only with an option's number or place in the text.
PICK_CORRECTIONS: tuple[tuple[str, str, str], ...] = (
    (r"\b(?:i )?meant\b", "wait no i meant 3", "i meant to say thanks"),
    (r"\bwrong (?:one|number|option|time)\b", "oops wrong one, the first", "was the wrong one for me"),
    (r"\bquise decir\b|\bme equivoque\b", "perdon, quise decir la 3", "me equivoque de numero"),
)
_PICK_CORRECTED = re.compile("|".join(f"(?:{p})" for p, _, _ in PICK_CORRECTIONS))
_OPTION_PLACE = re.compile(
    r"\b(?:[1-5]|two|three|first|second|third|last|primera|segunda|tercera|uno|dos|tres)\b(?!:|\s*(?:am|pm)\b)"
)


def corrects_the_pick(u: Understanding) -> bool:
    """'wait no i meant 3' right after a booking: another of the options was meant."""
    words = plain(u.text)
    return bool(_PICK_CORRECTED.search(words) and _OPTION_PLACE.search(words))


def changes_the_booking(state: ConversationState, u: Understanding, names_service: bool) -> bool:
    """'actually could i do later that day?' right after a booking: the client moves the booking."""
    if not state.just_booked or not state.bookings or names_service or u.questions:
        return False
    if corrects_the_pick(u):
        return True
    if u.preference is None and u.shift is None:
        return False
    words = plain(u.text)
    return bool(u.shift or _BOOKING_CHANGE.search(words)) and not _ANOTHER_BOOKING.search(words)


_BARE_DAY = re.compile(r"^\W*(?:on |this |next |open )*[a-z]+\W*\?[\W?]*$")


def bare_day_question(u: Understanding, state: ConversationState) -> int | None:
    """The weekday of a text that is only a day and a question mark ("sat?", "this sunday?") before any
    treatment: the client asks whether the spa is open then."""
    p = u.preference
    if p is None or state.service is not None or u.questions:
        return None
    if not _BARE_DAY.match(plain(u.text)) or _has_time(p):
        return None
    days = {d.weekday() for d in p.dates} | set(p.weekdays)
    return days.pop() if len(days) == 1 else None


# A booking said for the day a question is about: "that day", "the same day", "ese día".
_THAT_DAY = re.compile(r"\b(?:that|the same|that same) day\b|\b(?:ese|el mismo|ese mismo) dia\b")


def only_the_day_asked_about(u: Understanding) -> bool:
    """'what time do you close on thursday?': the day belongs to the question, not to a booking."""
    p = u.preference
    if p is None or u.question_weekday is None or not (u.questions & {"hours", "provider_schedule"}):
        return False
    if u.booking_ask:  # "can i come in thursday, is marco working then?": the day is for booking too
        return False
    if _THAT_DAY.search(plain(u.text)):  # "...close saturday? and i want a facial that day": booking too
        return False
    days = {d.weekday() for d in p.dates} | set(p.weekdays)
    return days <= {u.question_weekday} and not _has_time(p)


def constraint_words(u: Understanding | None, search: Search, lang: str, provider: str | None) -> str:
    """How the reply names the constraint nothing satisfied ("later than those", "with Julia then")."""
    if search.provider_id is not None and provider:
        return say(lang, "constraint_provider", provider=provider)
    shift = u.shift if u is not None else None
    if shift in ("later", "earlier", "another_day", "week_later", "other_provider"):
        return say(lang, f"constraint_{shift}")
    return say(lang, "constraint_time")


# ----- price objections


def objection_reply(
    service: ServiceCandidate | None, benefits: ClientBenefits, lang: str = "en"
) -> tuple[str, str]:
    """The answer to a price objection from the client's own benefits; never an invented discount."""
    name = service.name if service else "that"
    covering = [p for p in benefits.packages if p.covers_service and p.sessions_remaining > 0]
    if covering:
        pkg = max(covering, key=lambda p: p.sessions_remaining)
        text = say(
            lang,
            "objection_package_balance",
            package=pkg.package_name,
            count=pkg.sessions_remaining,
            unit=sessions_unit(pkg, lang),
            service=name,
        )
        return text, "package_balance"
    parts: list[str] = []
    answer = "price_only"
    m = benefits.membership
    if m and m.covers_service and m.discount_percent:
        parts.append(say(lang, "objection_membership", tier=m.tier, percent=m.discount_percent, service=name))
        answer = "membership"
    if benefits.package_offers:
        offer = min(benefits.package_offers, key=lambda o: o.per_session_cents)
        parts.append(
            say(
                lang,
                "objection_package_offer",
                package=offer.name,
                sessions=offer.sessions,
                price=money(offer.price_cents),
                per_session=money(offer.per_session_cents),
            )
        )
        answer = "package_offer" if answer == "price_only" else answer
    if benefits.free_consult_available:
        parts.append(say(lang, "objection_free_consult"))
        answer = "free_consult" if answer == "price_only" else answer
    if not parts:
        parts.append(say(lang, "objection_budget"))
    return " ".join(parts), answer


def candidate_of(info: ServiceInfo) -> ServiceCandidate:
    """The conversation's view of a catalog entry of the spa's profile."""
    return ServiceCandidate(
        service_id=info.service_id,
        name=info.name,
        price_cents=info.price_cents,
        duration_minutes=info.duration_minutes,
        is_consultation=info.is_consultation,
        free_consult=info.free_consult,
        consult_service_id=info.consult_service_id,
    )


def consult_to_offer(
    state: ConversationState, spa: SpaProfile, consult_service_id: object
) -> ServiceInfo | None:
    """The consultation a new client is offered before a service, when the spa's rules and catalog
    say so (a service with a consult, `consult_first` on, a new client with no booking yet)."""
    if consult_service_id is None or not spa.consult_first:
        return None
    if not state.new_client or state.bookings:
        return None
    return service_info(spa, consult_service_id)
