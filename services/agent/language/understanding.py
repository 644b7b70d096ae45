"""Everything one text gives the deterministic brain, read once: the brain acts on what it has.

Pure: no I/O. `understand` runs every detector of the language package over the text and returns
one `Understanding`; the brain never re-reads the raw text itself. A text can carry several things
at once ("how much is botox? can I come sat morning - Jess" is a price question, a service, a time
and a name), so every field is filled independently. The detectors read `shorthand.plain(text)`
(case-folded, accent-free, shorthand spelled out); names read `shared.text.normalise(text)`,
where a capital letter still tells "It's Mia" from "it's fine".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from shared.contracts.tools import TimePreference
from shared.text import normalise

from . import intents
from .choices import offers_time, parse_choice
from .clock_picks import ClockPick, find_clock_pick
from .corrections import without_taken_back
from .language_id import Language, identify
from .names import NameFound, about_someone_else, find_name
from .providers import find_provider, find_ruled_out, spelled_out
from .questions import Question, find_questions, question_weekday, staff_topic
from .shifts import Shift, find_shift, is_rejection
from .shorthand import plain
from .timeparse import alternatives, parse_preference
from .vocabulary import LOGISTICS_WORDS

__all__ = ["Language", "Question", "Shift", "Understanding", "understand"]


@dataclass(frozen=True)
class Understanding:
    """What one text says, as far as the deterministic brain needs it."""

    text: str  # the normalised text (shared.text.normalise)
    language: Language = "en"
    greeting: bool = False
    thanks: bool = False
    goodbye: bool = False
    affirm: bool = False
    negate: bool = False
    name: str | None = None  # the client's own first name, never a third party's
    about_someone_else: bool = False  # "this is Ava's husband", "booking for my daughter"
    provider: str | None = None  # a provider first name the client asked for, as in the profile
    ruled_out: str | None = None  # a provider first name the client does not want ("anyone but julia")
    choice: int | None = None  # 0-based index among the offered option labels
    clock_pick: ClockPick | None = None  # "the later one", "the one closest to noon": by the options' starts
    questions: frozenset[Question] = frozenset()
    question_weekday: int | None = None  # the weekday a question is about (0 = Monday)
    reject_options: bool = False  # "none of those work"
    shift: Shift | None = None
    price_objection: bool = False
    preference: TimePreference | None = None
    service_text: str = ""  # the text with names, signatures and time words left for catalog matching
    small_talk: bool = False  # only greets and/or gives a name: no treatment can be in it
    notes: tuple[str, ...] = field(default=())  # what was understood, for logs (no client words)
    availability_request: bool = False  # "whats the soonest you have?", "any openings thursday?"
    booking_ask: bool = False  # "can i come in thursday", "I'd like to book": a day in it is for booking
    defers: bool = False  # "let me check my calendar and get back to you"
    language_sure: bool = False  # two or more words of `language` ("gracias" alone is Spanish, not sure)
    staff_topic: str | None = None  # a question staff answer: "memberships", "gift cards", ...
    alternatives: tuple[tuple[date, time], ...] = ()  # "tues at 4 or wed at 5": each day's own time


_TIME_TOKEN = re.compile(
    r"^\d{1,2}(?::\d{2})?(?:am|pm)?$|^\d+(?:st|nd|rd|th)?$|^\d{1,2}/\d{1,2}(?:/\d{2,4})?$"
)


# "the glow club membership": the name of a membership or club, never a treatment's words.
_MEMBERSHIP_NAME = re.compile(r"\b[a-z]+ (?:club|membership|member program|rewards)\b")
# "around eleven", "at two thirty": a clock time spelled out ("eleven" is no "elevens" for botox).
_SPELLED_TIME = re.compile(
    r"\b(?:at|around|about|by|before|after|till|until|like|say|from)\s+(?:like\s+)?"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"(?:\s+(?:o'?clock|thirty|fifteen|forty five|ish))?\b"
)


def service_words(text: str, name: NameFound | None, provider_names: Sequence[str]) -> str:
    """The words of the text that may name a treatment: no signature, name, provider or time words."""
    flat = normalise(text)
    if name is not None:
        flat = flat[: name.start] + " " + flat[name.end :]
    providers = {p.split(" ")[0].casefold() for p in provider_names if p}
    kept = []
    words = _MEMBERSHIP_NAME.sub(" ", without_taken_back(plain(flat), LOGISTICS_WORDS))
    words = _SPELLED_TIME.sub(" ", words)
    for token in re.findall(r"[^\W_][\w'&+-]*", words):
        word = token.strip("'-")
        if word in LOGISTICS_WORDS or word in providers or _TIME_TOKEN.match(word):
            continue
        kept.append(word)
    return " ".join(kept)


def _notes(u: dict[str, object]) -> tuple[str, ...]:
    """Labels of what was understood (never the client's words), for logs."""
    notes = [f"language:{u['language']}"]
    notes += [f"question:{q}" for q in sorted(u["questions"])]  # type: ignore[arg-type]
    for key in ("name", "provider", "choice", "shift", "preference", "staff_topic"):
        if u.get(key) is not None:
            notes.append(key if key != "shift" else f"shift:{u[key]}")
    for key in ("about_someone_else", "reject_options", "price_objection", "affirm", "negate", "greeting"):
        if u.get(key):
            notes.append(key)
    return tuple(notes)


def understand(
    text: str,
    *,
    now: datetime,
    tz: str,
    option_labels: Sequence[str] = (),
    provider_names: Sequence[str] = (),
    name_asked: bool = False,
    service_names: Sequence[str] = (),
    provider_in_mind: str | None = None,
) -> Understanding:
    """Read one text: every field of `Understanding` that the text gives.

    `provider_names` are the spa's providers (first names or full names); `service_names` the
    catalog's words, which are never taken for a client's name; `provider_in_mind` the provider the
    client asked for earlier, whom "is she in friday?" is about.
    """
    flat = normalise(text)
    words = _pronoun_named(plain(flat), provider_in_mind)
    firsts = [p.split(" ")[0] for p in provider_names if p]
    found = find_name(flat, asked=name_asked, providers=firsts, service_words=_words_of(service_names))
    # The name is no time: "- Eve" is not the evening, "Dawn here" not the morning.
    parsed = parse_preference(f"{flat[: found.start]} {flat[found.end :]}" if found else flat, now, tz)
    today = (now.astimezone(ZoneInfo(tz)) if now.tzinfo else now).date()
    provider = find_provider(words, firsts, found.name if found else None)
    if provider is not None:
        words = spelled_out(words, provider)  # "is juila in friday?" asks about Julia's schedule
    questions = find_questions(words, firsts, already_plain=True)
    language, language_sure = identify(flat)
    fields: dict[str, object] = {
        **_small_talk_and_sales(words),
        "language": language,
        "language_sure": language_sure,
        "name": found.name if found else None,
        "about_someone_else": about_someone_else(words),
        "provider": provider,
        "questions": questions,
        "staff_topic": staff_topic(words, already_plain=True),
        "question_weekday": _asked_weekday(
            words,
            today,
            parsed.preference if parsed else None,
            about_provider="provider_schedule" in questions,
        )
        if questions
        else None,
        "reject_options": is_rejection(words, already_plain=True),
        "shift": find_shift(words, firsts, already_plain=True),
        "ruled_out": find_ruled_out(words, firsts),
        "preference": parsed.preference if parsed else None,
        "small_talk": intents.is_small_talk(flat, found.name if found else None),
    }
    if fields["ruled_out"] and fields["shift"] is None:
        fields["shift"] = "other_provider"  # "i don't want julia": someone else, whatever else it says
    fields["choice"] = _choice(flat, found, _with_weekdays(option_labels, today), fields)
    fields["clock_pick"] = find_clock_pick(words) if option_labels else None
    if parsed is not None and parsed.preference.dates:  # each day its time, or one day two times
        fields["alternatives"] = alternatives(
            f"{flat[: found.start]} {flat[found.end :]}" if found else flat, now, tz
        )
    return Understanding(
        text=flat, service_text=service_words(flat, found, provider_names), notes=_notes(fields), **fields
    )  # type: ignore[arg-type]


# "what days is she in?", "does he work saturdays": a question about the provider asked for earlier.
_PRONOUN_ASKS = re.compile(
    r"\b(?:is|does|will|when (?:is|does|will)|what days? (?:is|does|will)|which days? (?:is|does|will))"
    r"\s+(she|he|they)\b"
)


def _pronoun_named(words: str, provider: str | None) -> str:
    """The text with the pronoun of a schedule question written as the provider in mind."""
    if provider is None:
        return words
    m = _PRONOUN_ASKS.search(words)
    return words if m is None else f"{words[: m.start(1)]}{provider.casefold()}{words[m.end(1) :]}"


def _asked_weekday(
    words: str, today: date, preference: TimePreference | None, *, about_provider: bool = False
) -> int | None:
    """The weekday a question is about: a day's name, or the one date it names ("open christmas eve?")."""
    named = question_weekday(words, today, already_plain=True)
    if named is None and preference is not None and len(preference.dates) == 1:
        return preference.dates[0].weekday()
    if named is None and preference is not None and len(preference.weekdays) == 1 and about_provider:
        return preference.weekdays[0]  # "is julia in on saturdays?" ("open late thursdays?" is the week)
    return named


def _small_talk_and_sales(words: str) -> dict[str, object]:
    """The yes/no, courtesy, price-objection and "what's open" detectors over the plain text."""
    return {
        "greeting": intents.is_greeting(words, already_plain=True),
        "thanks": intents.is_thanks(words, already_plain=True),
        "goodbye": intents.is_goodbye(words, already_plain=True),
        "affirm": intents.is_affirmative(words, already_plain=True),
        "negate": intents.is_negative(words, already_plain=True),
        "price_objection": intents.is_price_objection(words, already_plain=True),
        "availability_request": intents.is_availability_request(words, already_plain=True),
        "booking_ask": intents.is_booking_ask(words, already_plain=True),
        "defers": intents.defers(words, already_plain=True),
    }


# Labels name the next two days by how near they are ("tomorrow at 5pm"); a client may name the weekday.
_NEAR_DAYS = ((re.compile(r"\b(?:today|hoy)\b"), 0), (re.compile(r"\b(?:tomorrow|manana)\b"), 1))
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _with_weekdays(labels: Sequence[str], today: date) -> list[str]:
    """The labels with the weekday of "today" and "tomorrow" written beside them, so "the thursday
    one" picks "tomorrow at 5pm" on a Wednesday."""
    out = []
    for label in labels:
        flat = plain(label)
        days = [today + timedelta(days=ahead) for pattern, ahead in _NEAR_DAYS if pattern.search(flat)]
        out.append(f"{label} ({_WEEKDAY_NAMES[days[0].weekday()]})" if days else label)
    return out


def _choice(
    flat: str, found: NameFound | None, labels: Sequence[str], fields: dict[str, object]
) -> int | None:
    """The option picked, read without the name that signs it ("1 - dana", "first one, Jen")."""
    if not labels:
        return None
    # A text that asks ("any spots this week w julia?") names a day or provider as a request, not a pick.
    by_label = not (fields["availability_request"] or fields["questions"] or flat.rstrip().endswith("?"))
    pick = f"{flat[: found.start]} {flat[found.end :]}" if found else flat
    if fields["provider"] is not None:
        pick = spelled_out(plain(pick), str(fields["provider"]))  # "the one with lil": Lilian's option
    choice = parse_choice(pick, len(labels), list(labels), by_label=by_label)
    if choice is None or parse_choice(pick, len(labels), list(labels), by_label=False) == choice:
        return choice  # a number or an ordinal picks whatever time the text also names
    return _consistent_choice(choice, fields["preference"], labels)  # type: ignore[arg-type]


def _consistent_choice(
    choice: int | None, preference: TimePreference | None, labels: Sequence[str]
) -> int | None:
    """A pick by a label's day is no pick when the text asks for a time that option does not have
    ("el viernes a las 4 de la tarde" while Friday is offered at 3:15)."""
    if choice is None or preference is None or preference.target_time is None:
        return choice
    return choice if offers_time(labels[choice], preference.target_time) else None


def _words_of(service_names: Sequence[str]) -> tuple[str, ...]:
    return _catalog_words(tuple(service_names))


@lru_cache(maxsize=64)
def _catalog_words(service_names: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog's words, read once per catalog rather than once per text."""
    return tuple(w for name in service_names for w in re.findall(r"[^\W\d_]+", name.casefold()))
