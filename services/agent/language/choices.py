"""Which of the offered options a client picked: "2", "#2", "ok just do 1", "the 2nd one", "2️⃣",
"option three", "la primera", "lets do the 3:15", "tuesday works", "the one with julia".

Pure: no I/O. A number counts as a choice only with words that choose ("1 pls", "I'll take 2"), never
when it counts something ("1 more question", "2 people", "I have 2 kids"); a day or time that none
of the options has asks for something else and is not a choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache

from .shifts import is_rejection
from .shorthand import plain

__all__ = ["offers_time", "parse_choice"]

ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "primera": 1, "primero": 1, "segunda": 2,
    "segundo": 2, "tercera": 3, "tercero": 3, "cuarta": 4, "cuarto": 4, "uno": 1, "una": 1, "dos": 2,
    "tres": 3,
}  # fmt: skip
_LAST = {"last": -1, "latter": -1, "ultima": -1, "ultimo": -1, "former": 0, "latest": -1, "earliest": 0}
# "the earlier one" / "the later one" pick between two options only.
_OF_TWO = {"earlier": 0, "later": -1}
# "either works", "whichever": any option will do, so the first.
_ANY = re.compile(
    r"^\W*(?:ok\W+|yes\W+)?(?:either|any|whichever|whatever|cualquiera)(?: one| of them| of those| time)?"
    r"(?: is fine| works| is good| is ok| sounds good| is great| is perfect)?(?: for me| with me| by me)?"
    # "either is fine lol", "any works tbh thanks": laughter and courtesy after it change nothing
    r"(?:\W+(?:lol|haha|lmao|tbh|honestly|really|thanks|thx|ty|please|pls|porfa|gracias))*\W*$"
)
# Words that take back what was said before them ("the first... actually no the second"); greedy, so
# the last one counts.
_TAKEN_BACK = re.compile(
    r"^.*\b(?:actually|i mean|i meant|scratch that|wait no|no wait|sorry|on second thought|mejor)\b"
    r"(?:\W+no\b)?"
)
# "whichever is with julia", "either of the thursday ones": several options fit, and any will do.
_ANY_OF = re.compile(r"\b(?:whichever|either|whatever|cualquiera)\b")
_WEEKDAY_KEYS = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun", "mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri",
    "sat": "sat", "sun": "sun", "lunes": "mon", "martes": "tue", "miercoles": "wed", "jueves": "thu",
    "viernes": "fri", "sabado": "sat", "domingo": "sun",
}  # fmt: skip
# Labels name the next two days "today" and "tomorrow" ("tomorrow at 11am"): days too.
_DAY_KEYS = frozenset({*_WEEKDAY_KEYS.values(), "today", "tomorrow", "hoy"})
_EXPLICIT_NUMBER = re.compile(
    r"(?:#|\b(?:option|number|no\.?|choice|slot|num|opcion|numero)\s*#?)\s*(\d{1,2})\b"
)
_ORDINAL_WORD = (
    r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|latter|former|middle|primera|primero|segunda|"
    r"segundo|tercera|tercero|ultima|ultimo|earliest|latest|earlier|later)"
)
# An ordinal chooses when it is "the second (one)", "second one", "take the first" or stands alone;
# "my first time", "how long does botox last" and "last week" do not choose.
_ORDINAL = re.compile(
    rf"(?:^\W*|\b(?:the|la|el|take|do|pick|want|choose|book|go with|prefer)\s+){_ORDINAL_WORD}\b"
    r"(?!\s+(?:of|week|time|thing|visit|appointment|treatment|question|vez|available|opening))"
    rf"|\b{_ORDINAL_WORD}\s+(?:one|option|slot|choice|works|is good|is fine|please|pls|opcion|por favor)\b"
    # "the first time works", "second time slot please": an option by its place, not "my first time"
    rf"|\b{_ORDINAL_WORD}\s+(?:time|day|spot)\s+(?:slot\s+)?(?:works|would work|is good|is fine|is perfect"
    r"|is great|sounds good|please|pls)\b"
    # "the first time you said", "the second one you mentioned": a time of the options, by its place
    rf"|\b{_ORDINAL_WORD}\s+(?:time|day|one|option|slot)\s+(?:that\s+)?(?:you|u)\s+"
    r"(?:said|mentioned|offered|gave|listed|sent|texted|suggested|had)\b"
)
_WORD_NUMBER = re.compile(
    r"^\W*(?:(?:ok|yes|sure)\W+)?(?:(?:option|number|opcion|numero|la|el)\s+)?(one|two|three|four|five|uno"
    r"|una|dos|tres)\W*"
    r"(?:please|por favor)?\W*$"
)
_BARE_HOUR = re.compile(r"(?:\b(?:at|around|the|la|las|a las)\s+|@\s*)(\d{1,2})\b(?!:)|\b(\d{1,2})\s+one\b")
_WITH_PERSON = re.compile(
    r"\b(?:with|con)\s+(?!(?:the|you|him|her|them|my|me|a|an|that|this|it)\b)([a-z]{3,})\b"
)
_GLUE = frozenset({"with", "and", "the", "at"})
_MAX_PICK_WORDS = 12
_NEGATED_WORD = re.compile(
    r"\b(?:not|no|except|without|but not|other than|anyone but|sin|no con)\s+(?:with\s+|con\s+|on\s+|"
    r"the\s+)?([a-z]+)"
)
_CLOCK_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?=\W|$)")
_NOON = re.compile(r"\b(?:noon|midday|mediodia)\b")
_CLOCKISH = re.compile(r"\d{1,2}:\d{2}\s*(?:am|pm)?|\d{1,2}\s*(?:am|pm|o'?clock)\b")
# Words that may stand around a chosen number without changing what it means.
_FILLER = frozenset(
    """
    the one please ok okay sure yes yeah yep i'll ill take want choose pick go with would like works work for
    me is fine good great perfect thanks thank you option number choice slot let's lets do no will that sounds
    book it confirm i a an just then um hmm so can we let's go gimme give can i have la el quiero opcion
    numero por favor esa ese si dale oh btw and great cool awesome sounds thx yes gracias porfa vale bueno
    perfecto perfecta muchas mil ok
    """.split()
)


@lru_cache(maxsize=512)
def _times(text: str) -> frozenset[tuple[int, int]]:
    """Clock times written in a text or label, as (hour 0-23, minute); bare hours in business hours."""
    out: set[tuple[int, int]] = set()
    text = _NOON.sub("12pm", text.lower())  # "noon works": the 12pm option
    for m in _CLOCKISH.finditer(text):
        inner = _CLOCK_TIME.match(m[0].strip())
        if not inner:
            continue
        hour, minute, meridiem = int(inner[1]), int(inner[2] or 0), inner[3] or ""
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        elif not meridiem and 1 <= hour <= 7:
            hour += 12
        out.add((hour, minute))
    return frozenset(out)


@lru_cache(maxsize=512)
def _words(text: str) -> frozenset[str]:
    return frozenset({_WEEKDAY_KEYS.get(w, w) for w in re.findall(r"[a-z][a-z']+", plain(text))})


def _digit_choice(flat: str, shared: frozenset[str] = frozenset()) -> int | None:
    """A digit with only choosing words around it ("2", "1 please", "ok just do 1", "la 2"), or words
    every option has (`shared`: "ok saturday is fine, 1" when all three are on Saturday)."""
    tokens = re.findall(r"[a-z']+|\d+(?::\d+)?", flat)
    digits = [t for t in tokens if t.isdigit()]
    if len(digits) != 1 or _CLOCKISH.search(flat):
        return None
    if all(t in _FILLER or _WEEKDAY_KEYS.get(t, t) in shared for t in tokens if not t.isdigit()):
        return int(digits[0])
    return None


def _shared_words(labels: list[str] | None, count: int) -> frozenset[str]:
    """The words every offered label has (the day, when all are on one day; "with" words excluded)."""
    if not labels:
        return frozenset()
    read = _read_labels(tuple(labels[:count]))
    return frozenset.intersection(*read.words) - _GLUE if read.words else frozenset()


def _hour_choice(hour: int, labels: list[str]) -> int | None:
    """The one option at that hour on the clock ("11 works" when 11am is offered), read in business hours."""
    hour = hour + 12 if 1 <= hour <= 7 else hour
    at = [i for i, label in enumerate(labels) if (hour, 0) in _times(label)]
    return at[0] if len(at) == 1 else None


def _ordinal_choice(flat: str, count: int) -> int | None:
    """1-based: "the second one", "option three", "la primera", "the last one", "either works"."""
    if _ANY.match(flat):
        return 1
    m = _WORD_NUMBER.match(flat)
    if m:
        return ORDINALS[m[1]]
    m = _ORDINAL.search(flat)
    if m is None:
        return None
    word = next(group for group in m.groups() if group)
    if word in _OF_TWO:
        return None if count != 2 else (1 if _OF_TWO[word] == 0 else 2)
    if word in _LAST:
        return count if _LAST[word] == -1 else 1
    if word == "middle":
        return 2 if count == 3 else None
    return ORDINALS[word]


def offers_time(label: str, at: time) -> bool:
    """Whether an option label shows this clock time ("Friday, Dec 4 at 2pm" shows 14:00)."""
    return (at.hour, at.minute) in _times(label)


def parse_choice(
    text: str, options_count: int, option_labels: list[str] | None = None, *, by_label: bool = True
) -> int | None:
    """Which offered option the client picked, as a 0-based index; None when unclear or out of range.

    With `by_label=False` only a number or an ordinal picks (the text asks for something, so a day
    or a provider it names is a request, not a pick).
    """
    if options_count < 1:
        return None
    flat = plain(text)
    if not flat or is_rejection(flat, already_plain=True):
        return None
    if (m := _TAKEN_BACK.search(flat)) is not None and flat[m.end() :].strip():
        # "the first... actually no the second": what is said after taking a pick back is the pick
        later = parse_choice(flat[m.end() :], options_count, option_labels, by_label=by_label)
        if later is not None:
            return later
    m = _EXPLICIT_NUMBER.search(flat)
    shared = _shared_words(option_labels, options_count)
    number = int(m[1]) if m else _digit_choice(flat, shared) or _ordinal_choice(flat, options_count)
    if number is not None and 1 <= number <= options_count:
        return number - 1
    if number is not None and option_labels and not m:
        return _hour_choice(number, option_labels[:options_count])  # "11 works": the 11am option
    if number is not None:
        return None
    if option_labels and by_label:
        return _match_label(flat, option_labels[:options_count])
    return None


@dataclass(frozen=True)
class _Labels:
    """What the offered labels say, read once per set of labels."""

    words: tuple[frozenset[str], ...]
    times: tuple[frozenset[tuple[int, int]], ...]
    distinctive: tuple[frozenset[str], ...]  # words of one label that not every label has
    all_times: frozenset[tuple[int, int]]
    all_days: frozenset[str]
    people: frozenset[str]  # provider names after "with"


@lru_cache(maxsize=256)
def _read_labels(labels: tuple[str, ...]) -> _Labels:
    words = tuple(_words(label) for label in labels)
    times = tuple(_times(label) for label in labels)
    common = frozenset.intersection(*words) if words else frozenset()
    return _Labels(
        words=words,
        times=times,
        distinctive=tuple(
            frozenset(w for w in ws - common if len(w) >= 3 and w not in _GLUE) for ws in words
        ),
        all_times=frozenset().union(*times),
        all_days=frozenset().union(*words) & _DAY_KEYS,
        people=frozenset(m[1] for label in labels for m in _WITH_PERSON.finditer(plain(label))),
    )


def _asks_elsewhere(
    text: str, text_words: frozenset[str], text_times: frozenset[tuple[int, int]], labels: _Labels
) -> bool:
    """A day, time or provider none of the labels has ("Tuesday at 3 instead?"): a new request."""
    if text_times - labels.all_times and not text_times & labels.all_times:
        return True
    if labels.all_days and (text_words & _DAY_KEYS) - labels.all_days:
        return True
    if labels.people and any(m[1] not in labels.people for m in _WITH_PERSON.finditer(text)):
        return True  # "friday with priya" when no option is with Priya
    bare = re.search(r"\b(?:at|around|about|@)\s+(\d{1,2})\b(?!:)", text)
    if bare and not text_times:
        hour = int(bare[1])
        hour = hour + 12 if 1 <= hour <= 7 else hour
        return bool(labels.all_times) and not any(h == hour for h, _ in labels.all_times)
    return False


def _match_label(text: str, label_texts: list[str]) -> int | None:
    """The one label that the text's distinctive words and times point to."""
    if len(text.split()) > _MAX_PICK_WORDS:
        return None  # a long text is not a pick by a label's words
    labels = _read_labels(tuple(label_texts))
    text_words = _words(text) - _words(" ".join(_NEGATED_WORD.findall(text)))
    text_times = _times(text)
    if _asks_elsewhere(text, text_words, text_times, labels):
        return None
    if not text_times:  # "the 2 one", "at 2": a bare hour against the labels' times
        hours = [int(m[1] or m[2]) for m in _BARE_HOUR.finditer(text)]
        text_times = frozenset((h + 12 if 1 <= h <= 7 else h, 0) for h in hours)
    scores = [
        2 * len(distinctive & text_words) + 3 * len(times & text_times)
        for distinctive, times in zip(labels.distinctive, labels.times, strict=True)
    ]
    best = max(scores, default=0)
    if best == 0 or (scores.count(best) > 1 and not _ANY_OF.search(text)):
        return None
    return scores.index(best)  # "whichever's with julia" when two are: any of them, so the first
