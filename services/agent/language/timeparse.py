"""When a client would like to come, from their own words, in the spa's time zone.

Pure: no I/O, no clock of its own (the caller passes `now`). The rules follow how people text a
spa: "Monday around 2pm", "tomorrow morning", "after work Thursday", "the 12th at 3", "ASAP".

Conventions (shared with the Schema-Guided Dialogue annotations the parser is scored on):
- "next Friday" is the first Friday strictly after today; "this Saturday" / a bare "Saturday" the
  first one on or after today; "Tuesday next week" is the Tuesday of the next Monday-to-Sunday week.
- "the 12th" is the next 12th on or after today; "March 9th" / "3/9" the next March 9th.
- A bare hour is read in business hours: 1-7 mean pm, 8-11 mean am, 12 is noon ("the 12th at 3" is
  15:00). A stated part of day ("4 in the evening", "morning 11:30") or am/pm always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.contracts.tools import PartOfDay, TimePreference

from .shorthand import plain
from .spanish_time import to_english

__all__ = ["ParsedPreference", "parse_preference"]


@dataclass(frozen=True)
class ParsedPreference:
    """A parsed time preference, plus the single date and clock time the text states, if any."""

    preference: TimePreference
    date: date | None = None
    time: time | None = None
    flexible: bool = False  # "anytime", "whenever": the client stated no constraint on purpose
    matched: tuple[str, ...] = field(default=())  # the phrases understood, for logs and debugging


# ----- vocabulary -----

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
MINUTE_WORDS = {
    "oh five": 5, "o five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25,
    "thirty": 30, "thirty five": 35, "forty": 40, "forty five": 45, "fifty": 50, "fifty five": 55,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty first": 21, "twenty second": 22, "twenty third": 23,
    "twenty fourth": 24, "twenty fifth": 25, "twenty sixth": 26, "twenty seventh": 27,
    "twenty eighth": 28, "twenty ninth": 29, "thirtieth": 30, "thirty first": 31,
}  # fmt: skip
COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _alt(words: object) -> str:
    """A regex alternation, longest first so "tuesday" wins over "tue"."""
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


WD = _alt(WEEKDAYS)
MON = _alt(MONTHS)
HW = _alt(HOUR_WORDS)
MW = _alt(MINUTE_WORDS)
OW = _alt(ORDINAL_WORDS)
PERIOD = r"morning|afternoon|evening|night|tonight"

# A bare number is an hour only after one of these words ("the 12th at 3", "around 2").
HOUR_CUES = (
    r"no later than|no earlier than|later than|earlier than|"
    r"at|around|about|after|before|by|until|till|til|from|between|@|say|or|~|"
    # a correction: "actually make that 4", "change it to 2"
    r"make (?:it|that)|change (?:it|that) to|switch (?:it|that) to|move (?:it|that) to"
)
# ...and not when it counts or measures something ("for 2 people", "at 5 main street").
NOT_AN_HOUR = (
    r"(?!\s*(?:st|nd|rd|th)\b)(?!\s*(?:[/.,:]\d|-\d{2,}))"
    r"(?!\s*(?:people|persons|person|of us|guests|min|mins|minutes|hours?|hrs?|days?|weeks?|"
    r"months?|years?|sessions?|units?|percent|%|dollars?|bucks|main|street|st\b|ave|avenue|"
    r"road|rd\b|blvd|suite|ml|mg|cc))"
)


# ----- normalisation -----

_SPELLED_HOUR_MINUTE = re.compile(rf"\b({HW})[\s-]+({MW})\b")
_SPELLED_HOUR_BEFORE_CUE = re.compile(
    rf"\b({HW})\b(?=\s*(?:am\b|pm\b|o'clock|ish\b|in the (?:morning|afternoon|evening)|at night|"
    rf"tonight|this (?:morning|afternoon|evening)))"
)
# "one" is the commonest of these words ("how about one in Sunnyvale?"): only a time when nothing
# but a part of day or punctuation follows it.
_SPELLED_HOUR_AFTER_CUE = re.compile(
    r"\b(at|around|about|after|before|by|until|till|til|from|@|past|quarter to|morning|afternoon|evening|"
    rf"between \d{{1,2}} and|between)\s+({HW})\b"
    r"(?!(?<=one)\s+(?:in (?!the (?:morning|afternoon|evening))|of\b|that\b|which\b|with\b|for\b|more\b|"
    r"near|closer|who\b|where\b|there\b|here\b|available|instead|too\b|i\b|you\b|on\b|by\b|at\b))"
)


# Clock spellings in one form: "5 o clock", "4 p.m.", "4p", "twenty-five", "midday", spaces.
_CLOCK_SPELLINGS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bo\s*['\"`]?\s*clock\b", " o'clock"),
        (r"\b([ap])\.\s?m\.?(?=\W|$)", r"\1m"),
        (r"(?<=\d)\s*([ap])(?=\s|$|[.,!?])", r" \1m"),
        (r"\b(twenty|thirty|forty|fifty)-", r"\1 "),
        (r"\bmid[\s-]?day\b|\bnoon\s*time\b|\b12\s*noon\b", "noon"),
        # "at 1430", "around 930", "0900 hrs": a clock written without its colon, after a cue
        (
            r"\b(at|@|around|about|by|before|after|from|til|till|until|for) (0?\d|1\d|2[0-3])([0-5]\d)\b"
            r"(?!\s*(?:units?|dollars?|bucks|off|%|ml|people|main|street|st\b|ave|blvd))",
            r"\1 \2:\3",
        ),
        (r"\b(0?\d|1\d|2[0-3])([0-5]\d)\s*(?:hrs|hours|h)\b", r"\1:\2"),
        # "11.30", "5.45pm": a dot for the colon (quarter hours only: "12.99" and "$12.50" are no time)
        (
            r"(?<![$.\d])\b(\d{1,2})\.(00|15|30|45)(?!\d)(?!\.\d|\s*(?:%|dollars?|bucks|k\b|ml|mg|units?|kg|kilos?|lbs?|pounds|miles?|km|oz))",
            r"\1:\2",
        ),
        # "230pm", "1015am": the colon left out before am/pm
        (r"\b(\d{1,2})([0-5]\d)\s*(am|pm)\b", r"\1:\2 \3"),
        # "first appt tues", "last slot friday": the day's first or last hours
        (r"\bfirst (?:appt|appointment|slot|spot|opening)s?\b", "first thing"),
        (r"\blast (?:appt|appointment|slot|spot|opening)s?\b", "end of day"),
        # "half 3": half past three, as it is said in Britain and Ireland
        (r"\bhalf (\d{1,2})\b(?!\s*(?:[:/.]\d|hours?|hrs?|days?|weeks?|off|%|price))", r"\1:30"),
        (r"\s+", " "),
    )
)


# Greetings that name a part of day say hello, not when: "Good morning! ... free Thursday after 2"
# (example, matching form) -> what is left. "a good morning for me" and "morning works" still ask.
GREETINGS: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern), replacement, example, expected)
    for pattern, replacement, example, expected in (
        (
            r"\b(?<!a )good (?:morning|afternoon|evening|day)\b(?!\s+(?:works|would|is|for|slot|time|spot))",
            "hello",
            "good morning! thursday after 2",
            "hello! thursday after 2",
        ),
        (r"^(\W*)(?:morning|evening)\s*!+", r"\1hello!", "morning! botox friday?", "hello! botox friday?"),
    )
)


# Days clients name by the holiday (read after `plain`, where "eve" is already "evening"):
# (pattern, the date it names as written out, example).
HOLIDAYS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), replacement, example)
    for pattern, replacement, example in (
        (r"\b(?:christmas|xmas|x-mas) eve(?:ning)?\b", "december 24", "are you open christmas eve?"),
        (r"\b(?:christmas|xmas|x-mas)(?: day)?\b", "december 25", "open on xmas?"),
        (r"\bnew year'?s? eve(?:ning)?\b|\bnye\b", "december 31", "new years eve at 2"),
        (
            r"\bnew year'?s?(?: day)?\b(?! (?:resolution|sale|special|deal|promo))",
            "january 1",
            "new years day",
        ),
        (r"\bvalentine'?s?(?: day)?\b", "february 14", "before valentines day"),
        (r"\bhalloween\b", "october 31", "halloween morning"),
        (r"\b(?:nochebuena|noche buena)\b", "december 24", "abren en nochebuena?"),
        (r"\bnavidad\b", "december 25", "abren en navidad?"),
        (r"\bano nuevo\b", "january 1", "el dia de ano nuevo"),
    )
)


def _normalise(text: str) -> str:
    """The matching form (`shorthand.plain`), Spanish time phrases in English, time words as digits."""
    t = plain(text)
    for pattern, replacement, _example in HOLIDAYS:
        t = pattern.sub(replacement, t)
    for pattern, replacement, _example, _expected in GREETINGS:
        t = pattern.sub(replacement, t)
    t = to_english(t)
    for pattern, replacement in _CLOCK_SPELLINGS:
        t = pattern.sub(replacement, t)
    t = _SPELLED_HOUR_MINUTE.sub(lambda m: f"{HOUR_WORDS[m[1]]}:{MINUTE_WORDS[m[2]]:02d}", t)
    t = _SPELLED_HOUR_BEFORE_CUE.sub(lambda m: str(HOUR_WORDS[m[1]]), t)
    t = _SPELLED_HOUR_AFTER_CUE.sub(lambda m: f"{m[1]} {HOUR_WORDS[m[2]]}", t)
    return t


# ----- clock times -----


@dataclass
class _Clock:
    start: int
    end: int
    hour: int
    minute: int
    meridiem: str | None  # "am" / "pm" / None
    zero_padded: bool  # "09:45": a 24-hour clock, no business-hours guess
    offset: int = 0  # minutes added after resolving the hour ("quarter to 11" = 11:00 - 15)
    relation: str = "target"  # target / after / before
    range_end: _Clock | None = None


_REL_MINUTES = {"half": 30, "quarter": 15, "a quarter": 15, "twenty": 20, "ten": 10, "five": 5}
_CLOCK = re.compile(
    r"(?P<rel>a quarter|quarter|half|twenty five|twenty|ten|five|\d{1,2})\s+(?P<dir>past|to|till|til)"
    r"\s+(?P<rh>\d{1,2})(?!\d|:)"
    r"|(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?:\s*(?P<mer>am|pm)\b)?"
    r"|(?P<h2>\d{1,2})\s*(?:(?P<mer2>am|pm)\b|o'clock|ish\b)"
    r"|\b(?P<noon>noon|midnight)\b"
    rf"|\b(?P<cue>{HOUR_CUES})\s+(?:(?:about|around|like)\s+)?(?P<h3>\d{{1,2}})\b{NOT_AN_HOUR}"
    rf"|\b(?:{PERIOD})\s+(?:at\s+)?(?P<h4>\d{{1,2}})\b{NOT_AN_HOUR}"
    rf"|\b(?P<h5>\d{{1,2}})\s+(?=(?:in the|this|at)\s+(?:{PERIOD})\b)"
    r"|\b(?P<h6>\d{1,2})(?=\s*(?:or later|or after|or earlier|or before|onwards?)\b)"
    # "the 11 one", "yes the 11", "no 11 is fine sorry": an hour no option list is long enough to number
    r"|(?:\bthe\s+|^\W*|\b(?:no|ok|okay|yes|yeah|actually|oh|hmm)\W+)(?P<h7>8|9|10|11|12)"
    r"(?=\s+(?:one|works?|slot|option|is (?:good|fine|perfect|better|ok|okay)|please|pls|sorry|then)\b|\W*$)"
    # "11 instead", "10 would be better": a number put in place of the time offered
    r"|\b(?P<h8>\d{1,2})(?=\s+(?:instead|would be better|is better|works better|would work better|is best)\b)"
    # "4 not 3": the first number replaces the second
    r"|\b(?P<h9>\d{1,2})(?=\s+not\s+(?:at\s+)?\d{1,2}\b)"
    # "is 4 ok?", "would 5 work": a time asked about ("4 ok" alone stays a pick of the options)
    r"|\b(?:is|would|does|will|could)\s+(?P<h10>\d{1,2})(?=\s+(?:be\s+)?(?:ok|okay|work|good|fine|possible)\b)"
    # "anything later, like 6?", "something earlier like 10": a time given as an example ("i'd like 2
    # sessions" counts, it names no time)
    r"|(?:,|\b(?:later|earlier|sooner|something|anything|maybe|else))\s*,?\s+like\s+(?P<h11>\d{1,2})\b(?![:.]\d)"
    r"(?!\s*(?:people|sessions?|units?|areas?|of|more|min\w*|hours?|weeks?|days?|x)\b)"
    # "saturday works. morning. 10?", "hydrafacial saturday 10?": an hour asked about after the day
    r"|(?:[.,;!]|\b(?:\w+day|morning|afternoon|evening|works?))\s+(?P<h12>1[0-2]|[1-9])\s*\?"
)
_BEFORE_WORDS = re.compile(r"\b(before|by|until|till|til|no later than|latest)\s*$")
_AFTER_WORDS = re.compile(r"\b(after|from|no earlier than|earliest|starting|past|later than)\s*$")
_BUSY_UNTIL = re.compile(
    r"\b(?:(?:work|working|busy|in class|at school|in meetings?|at work|stuck)\s+(?:until|till|til|to)"
    r"|(?:get off|off work|get out of work|done with work|finish work|finish|i'm done|i'm off)"
    r"\s+(?:at|around|by))\s+(?:about\s+|around\s+)?[\d:]+\s*(?:am|pm|ish)?\s*$"
)
_AFTER_SUFFIX = re.compile(r"^\s*(?:or later|or after|onwards?|and later|and after)\b")
_BEFORE_SUFFIX = re.compile(r"^\s*(?:or earlier|or before|at the latest)\b")


_T = r"(?:\d{1,2}(?::[0-5]\d)?(?:\s*(?:am|pm)\b)?|noon)"
_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?P<a>{_T})\s*(?:and|to|-|–|till|til|until)\s*(?P<b>{_T})"
    rf"|\b(?P<a2>\d{{1,2}}(?::[0-5]\d)?)\s*(?:-|–|to)\s*(?P<b2>\d{{1,2}}(?::[0-5]\d)?\s*(?:am|pm)\b)"
    # "(12-1)", "lunch break 12-1", "wed 12-1": a bare range where only a time can be meant
    # "wednesday? 12-1.": the range after a day, a part of day or a break, punctuated or not.
    rf"|(?:\(\s*|\b(?:lunch\w*|break|morning|afternoon|evening|\w+day|mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)[?!,.]?\s+)(?P<a3>\d{{1,2}}(?::[0-5]\d)?)\s*(?:-|–|"
    r"to)\s*"
    rf"(?P<b3>\d{{1,2}}(?::[0-5]\d)?)(?=\s*\)|\s*$|\s*[,.!?])"
)


def _find_ranges(t: str) -> tuple[list[_Clock], str]:
    """Time ranges ("between 2 and 4", "2-4pm") and the text with them blanked out."""
    clocks: list[_Clock] = []
    ranges = list(_RANGE.finditer(t))
    for r in ranges:
        a = _clock_at(r["a"] or r["a2"] or r["a3"], r.start(), r.start())
        b = _clock_at(r["b"] or r["b2"] or r["b3"], r.end(), r.end())
        if a is None or b is None:
            continue
        if a.meridiem is None and b.meridiem is not None and a.hour <= b.hour:
            a.meridiem = b.meridiem  # "2-4pm": both pm
        a.end, a.range_end = r.end(), b
        clocks.append(a)
    for r in ranges:  # blank the ranges so their ends are not read again as single times
        t = t[: r.start()] + " " * (r.end() - r.start()) + t[r.end() :]
    return clocks, t


# The groups of `_CLOCK` that hold an hour written without minutes or am/pm.
_BARE_HOURS = ("h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11", "h12")


def _clock_from(m: re.Match[str]) -> _Clock | None:
    """One match of `_CLOCK` as a clock mention; None when it is no time ("25 past 3", "13pm")."""
    if m["rel"]:
        minutes = int(m["rel"]) if m["rel"].isdigit() else _REL_MINUTES[m["rel"]]
        if minutes >= 60:
            return None
        sign = -1 if m["dir"] in ("to", "till", "til") else 1
        c = _Clock(m.start(), m.end(), int(m["rh"]), 0, None, False, offset=sign * minutes)
    elif m["h"]:
        c = _Clock(m.start(), m.end(), int(m["h"]), int(m["m"]), m["mer"], m["h"].startswith("0"))
    elif m["h2"]:
        c = _Clock(m.start(), m.end(), int(m["h2"]), 0, m["mer2"], m["h2"].startswith("0"))
    elif m["noon"]:
        c = _Clock(m.start(), m.end(), 12 if m["noon"] == "noon" else 0, 0, None, True)
    else:
        hour = next(m[group] for group in _BARE_HOURS if m[group])
        c = _Clock(m.start(), m.end(), int(hour), 0, None, False)
        if m["cue"] in ("after", "from", "no earlier than", "later than"):
            c.relation = "after"
        elif m["cue"] in ("before", "by", "until", "till", "til", "no later than", "earlier than"):
            c.relation = "before"
    if c.hour > 23 or (c.meridiem and not 1 <= c.hour <= 12):
        return None
    return c


def _relate(c: _Clock, t: str) -> None:
    """Whether a clock time is a bound: "before 3", "5 or later", "i work til 3" (free after)."""
    head, tail = t[max(0, c.start - 30) : c.start], t[c.end : c.end + 20]
    if _BUSY_UNTIL.search(t[max(0, c.start - 30) : c.end]):
        c.relation = "after"
    elif _BEFORE_WORDS.search(head) or _BEFORE_SUFFIX.search(tail):
        c.relation = "before"
    elif _AFTER_WORDS.search(head) or _AFTER_SUFFIX.search(tail):
        c.relation = "after"


def _find_clocks(t: str) -> list[_Clock]:
    """Every clock time and time range the text names, in order."""
    clocks, t = _find_ranges(t)
    clocks += [c for c in map(_clock_from, _CLOCK.finditer(t)) if c is not None]
    for c in clocks:
        _relate(c, t)
    return sorted(clocks, key=lambda c: c.start)


def _clock_at(s: str, start: int, end: int) -> _Clock | None:
    """A clock mention from one end of a range ("2", "4:30pm", "noon")."""
    m = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*(am|pm)?|noon", s.strip())
    if m is None:
        return None
    if s.strip() == "noon":
        return _Clock(start, end, 12, 0, None, True)
    hour = int(m[1])
    if hour > 23:
        return None
    return _Clock(start, end, hour, int(m[2] or 0), m[3], m[1].startswith("0"))


_PERIOD_WORD = re.compile(
    r"\b(morning|afternoon|evening|night|tonight|after work|after school|before work|lunch\w*)\b"
)


def _nearest_period(t: str, c: _Clock) -> str | None:
    """The part of day written closest to a clock time, if any ("4 in the evening", "morning 11")."""
    best: tuple[int, str] | None = None
    for m in _PERIOD_WORD.finditer(t):
        dist = c.start - m.end() if m.end() <= c.start else m.start() - c.end
        if dist < 0 or dist > 25:
            continue
        if best is None or dist < best[0]:
            best = (dist, m[1])
    return best[1] if best else None


def _resolve_clock(c: _Clock, period: str | None) -> time | None:
    """24-hour time for a clock mention, using am/pm, the part of day, or business hours."""
    h = c.hour
    if c.meridiem == "pm":
        h = h if h == 12 else h + 12
    elif c.meridiem == "am":
        h = 0 if h == 12 else h
    elif h == 0 or h >= 13 or c.zero_padded:
        pass
    elif period in ("afternoon", "evening", "night", "tonight", "after work", "after school"):
        h = h if h == 12 else h + 12
    elif period in ("morning", "before work"):
        pass  # "12 in the morning" is noon here; nobody books a facial at midnight
    elif h <= 7:
        h += 12  # business hours: "at 3" is 3pm
    minutes = h * 60 + c.minute + c.offset
    if not 0 <= minutes < 24 * 60:
        return None
    return time(minutes // 60, minutes % 60)


# ----- dates -----


@dataclass
class _Dates:
    days: list[tuple[int, int, date, bool]] = field(default_factory=list)  # (start, end, day, relative)
    weekdays: set[int] = field(default_factory=set)
    date_from: date | None = None
    date_to: date | None = None
    matched: list[str] = field(default_factory=list)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _next_weekday(today: date, wd: int, *, strictly_after: bool) -> date:
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return today + timedelta(days=ahead)


def _month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    """The next such calendar day on or after today (this year, else next), or None if invalid."""
    years = [year] if year else [today.year, today.year + 1]
    for y in years:
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if year or d >= today:
            return d
    return None


def _day_of_month(today: date, day: int) -> date | None:
    """The next `day`th of a month on or after today."""
    y, m = today.year, today.month
    for _ in range(3):
        try:
            d = date(y, m, day)
            if d >= today:
                return d
        except ValueError:
            pass
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def _year(s: str | None) -> int | None:
    if not s:
        return None
    y = int(s)
    return y + 2000 if y < 100 else y


_ORD = r"(?:st|nd|rd|th)"
_NOT_A_DAY = (
    r"(?!\s*(?:one|option|choice|slot|time|floor|street|st\b|ave|avenue|road|grade|birthday|anniversary))"
)
_DATE = re.compile(
    r"\b(?P<tda>tomorrow or (?:the )?(?:day after(?: tomorrow| that)?|next day))\b"
    r"|\b(?P<dat>day after tomorrow)\b"
    r"|\b(?P<tom>tomorrow)\b"
    r"|\b(?P<tod>today|tonight|this (?:morning|afternoon|evening)|later on today|later today)\b"
    r"|\b(?P<n2>\d{1,2}|a|an|one|two|three|four|five|six) (?P<unit2w>days?|"
    rf"weeks?) from (?:this |next |on )?(?P<base>today|now|tomorrow|{WD})\b"
    r"|\bin (?P<n>\d{1,2}|a|an|one|two|three|four|five|six) (?P<unit>days?|weeks?)\b"
    r"|\b(?:the )?(?P<wan>week after next)\b"
    r"|\b(?P<iso>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b"
    r"|\b(?P<nm>\d{1,2})/(?P<nd>\d{1,2})(?:/(?P<ny>\d{2,4}))?\b"
    rf"|\b(?P<mon>{MON})\.?\s+(?:the\s+)?(?P<md>\d{{1,2}}){_ORD}?\b(?!:)(?:,?\s+(?P<my>\d{{4}}))?"
    rf"|\b(?P<mon2>{MON})\.?\s+(?:the\s+)?(?P<mdw>{OW})\b"
    rf"|\b(?:the\s+)?(?P<dm>\d{{1,2}}){_ORD}?\s+(?:of\s+)?(?P<mon3>{MON})\b(?:,?\s+(?P<dy>\d{{4}}))?"
    rf"|\b(?:the\s+)?(?P<dmw>{OW})\s+of\s+(?P<mon4>{MON})\b"
    rf"|\b(?:the\s+)?(?P<dt>\d{{1,2}}){_ORD}\s+of\s+(?P<which>this|next|the) month\b"
    rf"|\b(?:the\s+)?(?P<dtw>{OW})\s+of\s+(?P<which2>this|next|the) month\b"
    rf"|\b(?P<dom>\d{{1,2}}){_ORD}\b{_NOT_A_DAY}"
    rf"|\b(?:on\s+)?the\s+(?P<domw>{OW})\b(?=\s*(?:at|@|in the|around)\b)"
    rf"|\bon the\s+(?P<domw2>{OW})\b"
)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<q>this|next|coming|this coming|upcoming|on|the)\s+)?(?P<wd>{WD})(?P<plural>s)?\b"
    r"(?P<after>\s+after\s+(?:next|that|this(?: one)?)\b(?!'))?"
    r"(?:\s+(?:of\s+)?(?P<wk>this|next|the following|following) week\b)?"
)
_NEXT_WEEK_WEEKDAY = re.compile(rf"\bnext week(?:'s)?\s+(?:on\s+)?(?P<wd>{WD})\b")
_WEEK_RANGE = re.compile(
    r"\b(?P<early>early|beginning of|start of|late|later|end of|rest of|middle of|mid)?\s*"
    r"(?:in\s+)?(?:the\s+)?(?P<which>this|next|the following|following|coming) "
    r"(?P<unit>week|weekend|month)\b"
    r"|\b(?P<later>later|end of|rest of|sometime|some time)\s+(?:in\s+|of\s+)?the\s+"
    r"(?P<unit2>week|weekend|month)\b"
    r"|\b(?:the\s+|a\s+)?(?P<bare>weekend)\b"
)
_WEEKDAYS_WORD = re.compile(r"\b(?:any\s+)?(?P<w>weekdays?|week days?|weekends)\b")


@dataclass(frozen=True)
class _Found:
    """What one date phrase names: a day, a span of days, or a standing weekday ("mondays")."""

    day: date | None = None
    span: tuple[date, date] | None = None
    weekday: int | None = None
    relative: bool = False  # "today", "tomorrow": a calendar date said too wins over it


def _count(word: str) -> int:
    return int(word) if word.isdigit() else COUNT_WORDS[word]


def _relative_day(m: re.Match[str], today: date) -> _Found | None:
    """ "tomorrow", "day after tomorrow", "in 2 weeks", "a week from today"; None for other phrases."""
    if m["tda"]:  # "tomorrow or the day after": either of two days
        return _Found(span=(today + timedelta(days=1), today + timedelta(days=2)))
    if m["dat"] or m["tom"] or m["tod"]:
        days = 2 if m["dat"] else 1 if m["tom"] else 0
        return _Found(day=today + timedelta(days=days), relative=True)
    if m["unit2w"]:
        n = _count(m["n2"])
        step = timedelta(weeks=n) if m["unit2w"].startswith("week") else timedelta(days=n)
        if m["base"] in WEEKDAYS:  # "a week from friday": that Friday, a week on
            return _Found(day=_next_weekday(today, WEEKDAYS[m["base"]], strictly_after=False) + step)
        return _Found(day=today + step + timedelta(days=1 if m["base"] == "tomorrow" else 0))
    if m["wan"]:  # "the week after next": the Monday-to-Sunday week two weeks on
        start = _monday(today) + timedelta(weeks=2)
        return _Found(span=(start, start + timedelta(days=6)))
    if m["unit"]:
        n = _count(m["n"])
        if m["unit"].startswith("week"):
            start = _monday(today) + timedelta(weeks=n)
            return _Found(span=(start, start + timedelta(days=6)))
        return _Found(day=today + timedelta(days=n))
    return None


def _month_name_day(m: re.Match[str], today: date) -> _Found | None:
    """ "March 9th", "mar the 9th", "9th of March", "march first"; None where the month is a word."""
    if m["mon"]:
        if m["mon"] == "may" and not re.search(r"\d", m[0]):
            return None
        if m["mon"] in ("mar", "sat", "sun", "jun") and not m["md"]:
            return None
        return _Found(day=_month_day(today, MONTHS[m["mon"]], int(m["md"]), _year(m["my"])))
    if m["mon2"]:
        if m["mon2"] == "may":
            return None  # "may first" is rarely a date in a text; "may the first one work" is not
        return _Found(day=_month_day(today, MONTHS[m["mon2"]], ORDINAL_WORDS[m["mdw"]], None))
    if m["dm"]:
        return _Found(day=_month_day(today, MONTHS[m["mon3"]], int(m["dm"]), _year(m["dy"])))
    return _Found(day=_month_day(today, MONTHS[m["mon4"]], ORDINAL_WORDS[m["dmw"]], None))


def _day_of_month_phrase(m: re.Match[str], today: date) -> _Found:
    """ "the 12th", "the 9th of next month", "on the third"."""
    if m["dt"] or m["dtw"]:
        day = int(m["dt"]) if m["dt"] else ORDINAL_WORDS[m["dtw"]]
        if (m["which"] or m["which2"]) == "next":
            y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            return _Found(day=_month_day(date(y, mo, 1), mo, day, y))
        return _Found(day=_day_of_month(today, day))
    if m["dom"]:
        return _Found(day=_day_of_month(today, int(m["dom"])))
    return _Found(day=_day_of_month(today, ORDINAL_WORDS[m["domw"] or m["domw2"]]))


def _calendar_day(m: re.Match[str], today: date) -> _Found | None:
    """One match of `_DATE`; None when the words are not a date after all ("13/5" is no month)."""
    relative = _relative_day(m, today)
    if relative is not None:
        return relative
    if m["iso"]:
        return _Found(day=_month_day(today, int(m["im"]), int(m["id"]), int(m["iso"])))
    if m["nm"]:
        if m["nm"] == "24" or not 1 <= int(m["nm"]) <= 12:
            return None
        return _Found(day=_month_day(today, int(m["nm"]), int(m["nd"]), _year(m["ny"])))
    if m["mon"] or m["mon2"] or m["dm"] or m["dmw"]:
        return _month_name_day(m, today)
    return _day_of_month_phrase(m, today)


def _next_week_weekday(m: re.Match[str], today: date) -> _Found:
    """ "next week on tuesday": that weekday of the next Monday-to-Sunday week."""
    return _Found(day=_monday(today) + timedelta(weeks=1, days=WEEKDAYS[m["wd"]]))


# After a short day name, a time or its bracket says the word is the day: "wed (12-1)", "sat 10am".
_SHORT_DAY_CONTEXT = re.compile(
    r"\s*(?:\(\s*)?(?:\d|at\b|@|morning|afternoon|evening|am\b|pm\b|noon|lunch|night|first thing"
    r"|end of|early\b|late\b|mid\b|mid-|(?:around|about|after|before|by)\s+(?:\d|noon|lunch|work))"
)


def _weekday(m: re.Match[str], today: date) -> _Found | None:
    """ "friday", "next friday", "tuesday next week", "mondays"; None for a bare "sun" or "wed"."""
    word, wd = m["wd"], WEEKDAYS[m["wd"]]
    if word in ("sat", "sun", "wed", "mon") and not (
        m["q"] or m["wk"] or _SHORT_DAY_CONTEXT.match(m.string, m.end())
    ):
        return None  # short forms are common words ("sun", "wed") unless qualified or followed by a time
    if m["plural"]:
        # "mondays", "any tuesdays": a standing preference, not one day
        return _Found(weekday=wd) if word.endswith("day") else None
    q, wk = m["q"], m["wk"]
    if wk:
        d = _monday(today) + timedelta(weeks=0 if wk == "this" else 1, days=wd)
        if d < today:  # "Wednesday this week" said on Friday: nobody books the past
            d = _next_weekday(today, wd, strictly_after=True)
    else:
        d = _next_weekday(today, wd, strictly_after=q == "next")
    if m["after"]:
        d = _next_weekday(today, wd, strictly_after=True) + timedelta(weeks=1)
    return _Found(day=d)


def _week_days(monday: date, part: str, which: str, today: date) -> tuple[date, date]:
    start, end = monday, monday + timedelta(days=6)
    if part in ("early", "beginning of", "start of"):
        end = monday + timedelta(days=2)
    elif part in ("late", "later", "end of"):
        start = monday + timedelta(days=3)
    elif part in ("middle of", "mid"):
        start, end = monday + timedelta(days=1), monday + timedelta(days=3)
    if which != "next" and part in ("later", "rest of") and start <= today:
        start = today + timedelta(days=1)
    return start, end


def _month_days(today: date, part: str, which: str) -> tuple[date, date]:
    first = today.replace(day=1)
    if which == "next":
        first = (first + timedelta(days=32)).replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if part in ("late", "later", "end of"):
        return end - timedelta(days=9), end
    if part in ("early", "beginning of", "start of"):
        return first, first + timedelta(days=9)
    return first, end


def _week_span(m: re.Match[str], today: date) -> _Found | None:
    """ "this week", "early next week", "the weekend", "end of the month"; None when it is all past."""
    unit = m["unit"] or m["unit2"] or "weekend"
    which = m["which"] or "this"
    which = "next" if which in ("the following", "following") else which
    part = m["early"] or m["later"] or ""
    monday = _monday(today) + timedelta(weeks=1 if which == "next" else 0)
    if unit == "week":
        start, end = _week_days(monday, part, which, today)
    elif unit == "weekend":
        if which == "next" and today.weekday() >= 5:
            monday = _monday(today) + timedelta(weeks=1)
        start, end = monday + timedelta(days=5), monday + timedelta(days=6)
    else:
        start, end = _month_days(today, part, which)
    start = max(start, today)
    return None if start > end else _Found(span=(start, end))


# A part of a month by its name: "the first week of january", "mid feb", "end of january", "in march".
_MONTH_SPAN = re.compile(
    rf"\b(?:the\s+)?(?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|last)\s+week\s+(?:of|in)\s+(?P<m1>{MON})\b"
    rf"|\b(?P<part>early|beginning of|start of|mid|middle of|late|end of)[\s-]+(?P<m2>{MON})\b"
    rf"|\b(?:sometime in|some time in|anytime in|during|in)\s+(?P<m3>{MON})\b(?!\s+(?:be|i|we|you)\b)"
)
_NTH_WEEK = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_MONTH_PARTS = {  # days of the month each part covers (the last ten for "late"; 0 is the month's end)
    "early": (1, 10), "beginning of": (1, 10), "start of": (1, 10), "mid": (11, 20), "middle of": (11, 20),
    "late": (-9, 0), "end of": (-9, 0),
}  # fmt: skip


def _month_span(m: re.Match[str], today: date) -> _Found | None:
    """ "the first week of january" (the 1st to the 7th), "mid feb", "end of january", "in march"."""
    month = MONTHS[m["m1"] or m["m2"] or m["m3"]]
    first = date(today.year + (month < today.month), month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start, end = first, last
    if m["nth"] == "last":
        start = last - timedelta(days=6)
    elif m["nth"]:
        start = first + timedelta(weeks=_NTH_WEEK[m["nth"]] - 1)
        end = start + timedelta(days=6)
    elif m["part"]:
        a, b = _MONTH_PARTS[m["part"]]
        start = first + timedelta(days=a - 1) if a > 0 else last + timedelta(days=a)
        end = first + timedelta(days=b - 1) if b > 0 else last
    start = max(start, today)
    return None if start > end else _Found(span=(start, end))


# Date phrases in the order they claim words: a phrase inside one already read is not read again.
_DATE_READERS = (
    (_DATE, _calendar_day),
    (_MONTH_SPAN, _month_span),
    (_NEXT_WEEK_WEEKDAY, _next_week_weekday),
    (_WEEKDAY, _weekday),
    (_WEEK_RANGE, _week_span),
)


def _record(out: _Dates, found: _Found, m: re.Match[str]) -> None:
    if found.day is not None:
        out.days.append((m.start(), m.end(), found.day, found.relative))
        out.matched.append(m[0])
    if found.span is not None:
        out.date_from, out.date_to = found.span
        out.matched.append(m[0])
    if found.weekday is not None:
        out.weekdays.add(found.weekday)
        out.matched.append(m[0])


# "after the 20th", "after next friday", "i get paid friday, anything after that": the days after it.
_AFTER_BEFORE_DAY = re.compile(r"\b(?:after|past|anytime after|sometime after)\s+$")
_AFTER_THAT = re.compile(
    r"\b(?:anything|anytime|any time|sometime|some time|something|whenever|any day|a day|day)\s+"
    r"(?:after|past)\s+(?:that|then|it|payday)\b"
)
AFTER_A_DAY = 28  # how many days after it are looked at


def _after_the_day(t: str, out: _Dates) -> None:
    """One day said as the one to come after ("after the 20th"): the four weeks that follow it."""
    if len(out.days) != 1 or out.date_from is not None:
        return
    start, end, day, _ = out.days[0]
    before = re.sub(r"(?:the|next|this)\s+$", "", t[:start])
    if _AFTER_BEFORE_DAY.search(before) or _AFTER_THAT.search(t, end):
        out.days.clear()
        out.date_from, out.date_to = day + timedelta(days=1), day + timedelta(days=AFTER_A_DAY)


def _find_dates(t: str, today: date) -> _Dates:
    """Every day, span of days and standing weekday the text names."""
    out = _Dates()
    taken: list[tuple[int, int]] = []
    for pattern, read in _DATE_READERS:
        for m in pattern.finditer(t):
            if any(m.start() < e and m.end() > s for s, e in taken):
                continue
            found = read(m, today)  # type: ignore[operator]
            if found is not None:
                _record(out, found, m)
                taken.append((m.start(), m.end()))
    for m in _WEEKDAYS_WORD.finditer(t):
        if not any(m.start() < e and m.end() > s for s, e in taken):
            out.weekdays.update((5, 6) if m["w"] == "weekends" else range(5))
            out.matched.append(m[0])
    _days_in_week_named(out, t)
    return out


def _days_in_week_named(out: _Dates, t: str) -> None:
    """ "next week, wed or thu": a plain weekday said with a week names that week's day."""
    weeks = [(m, day) for at, until, day, _ in out.days if (m := _WEEKDAY.fullmatch(t, at, until))]
    if out.date_from is not None and out.date_to is not None:
        start, end = out.date_from, out.date_to
    elif said_week := [day for m, day in weeks if m["wk"]]:  # "wed or thursday next week"
        start = _monday(said_week[0])
        end = start + timedelta(days=6)
    else:
        return
    if (end - start).days > 6:
        return
    moved = []
    for at, until, day, relative in out.days:
        m = _WEEKDAY.fullmatch(t, at, until)
        plain_weekday = m is not None and not (m["q"] in ("this", "next") or m["wk"] or m["after"])
        if plain_weekday and not relative and not start <= day <= end:
            inside = start + timedelta(days=(day.weekday() - start.weekday()) % 7)
            day = inside if inside <= end else day
        moved.append((at, until, day, relative))
    out.days = moved


# ----- which of several days the client means -----

_NEGATED_BEFORE = re.compile(
    r"\b(?:not|never|can'?t|cannot|won'?t|unable|busy|booked|except|other than|instead of|rather than|"
    r"(?:day|thing|time) but|"
    r"but not|don'?t think|"
    r"(?:had|have|got) (?:something|plans|a thing)|already have)\b[^.!?;,]{0,25}$"
)
_NEGATED_AFTER = re.compile(
    r"^[^.!?;,]{0,12}\b(?:doesn'?t|does not|won'?t|will not|isn'?t|is not|wouldn'?t|is bad|is no good|"
    r"no good|is out|is busy|is full)\b"
)
_TIME_NEGATED = re.compile(
    r"\b(?:not|never|can'?t|cannot|won'?t|except|other than|instead of|rather than|"
    r"i(?:'ve| have| had| got|'ve got) (?:something|plans|a thing))\b[^.!?;,]{0,20}$"
)
_CORRECTION = re.compile(
    r"\b(?:instead|change|changed|switch|make it|actually|rather|move it|scratch that"
    r"|(?:is|works|would be|would work) better|i meant|i mean|oops|no wait|wait no|oh wait"
    r"|quise decir|en vez de|mejor(?! que)|no perdon|perdon,? (?:el|la|mejor))\b"
)


def _ruled_out(t: str, mentions: list[tuple[int, int, date, bool]]) -> set[int]:
    """The weekdays the client rules out ("any day but monday", "not friday")."""
    return {
        day.weekday()
        for start, end, day, _ in mentions
        if _NEGATED_BEFORE.search(t[max(0, start - 40) : start]) or _NEGATED_AFTER.search(t[end:])
    }


def _chosen_days(t: str, mentions: list[tuple[int, int, date, bool]]) -> list[date]:
    """Drop days the client rules out; on a correction keep the last one said."""
    kept = [
        (start, day, relative)
        for start, end, day, relative in sorted(mentions)
        if not (_NEGATED_BEFORE.search(t[max(0, start - 40) : start]) or _NEGATED_AFTER.search(t[end:]))
    ]
    if not kept:
        return []
    if len({d for _, d, _ in kept}) > 1:
        calendar = [k for k in kept if not k[2]]
        if calendar and len(calendar) < len(kept):
            kept = calendar  # "tomorrow morning... that's the 10th": the calendar date is the restatement
        if len({d for _, d, _ in kept}) > 1 and _CORRECTION.search(t):
            kept = kept[-1:]
    return sorted({d for _, d, _ in kept})


# ----- the rest of the preference -----

_ASAP = re.compile(
    r"\b(asap|a\.s\.a\.p|as soon as (?:possible|you can|u can|i can)|soonest|"
    r"earliest(?: available| possible| opening| slot| appointment| time)?|"
    r"first (?:available|opening|thing available)|next available|right away|whenever is soonest)\b"
)
_AROUND_LUNCH = re.compile(r"\b(after|before)\s+lunch")
_FLEXIBLE = re.compile(r"\b(any\s?time|whenever|flexible|any day|doesn'?t matter|no preference)\b")
_PART_OF_DAY = re.compile(
    r"\b(?P<early>early|late|mid)?[\s-]*(?P<p>mornings?|afternoons?|evenings?|tonight|nights?|after work|"
    r"after school|before work|lunch\s?(?:time|break|hour)?|first thing|"
    r"end of (?:the )?day|close of business|last thing)\b"
)


@dataclass
class _Times:
    """The clock side of a preference: a target time, a window, a part of day."""

    target: time | None = None
    earliest: time | None = None
    latest: time | None = None
    part: PartOfDay | None = None
    stated: list[time] = field(default_factory=list)  # every clock time written, whatever its relation
    matched: list[str] = field(default_factory=list)


def _read_clocks(t: str) -> _Times:
    """Clock times and windows ("at 3", "after 5", "between 2 and 4", "4pm, actually make it 5")."""
    out = _Times()
    targets: list[time] = []
    for c in _find_clocks(t):
        resolved = _resolve_clock(c, _nearest_period(t, c))
        if resolved is None:
            continue
        out.matched.append(t[c.start : c.end])
        out.stated.append(resolved)
        if c.range_end is not None:
            end = _resolve_clock(c.range_end, _nearest_period(t, c.range_end))
            if end is not None and end > resolved:
                out.earliest, out.latest = out.earliest or resolved, out.latest or end
            continue
        if c.relation == "after":
            out.earliest = out.earliest or resolved
        elif c.relation == "before":
            out.latest = out.latest or resolved
        elif not _TIME_NEGATED.search(t[max(0, c.start - 30) : c.start]):
            targets.append(resolved)
    # Several times: the client corrected themselves ("4pm, actually make it 5") or offered
    # alternatives ("4 or 5"), where the first is the one to try.
    if targets:
        out.target = targets[-1] if len(set(targets)) > 1 and _CORRECTION.search(t) else targets[0]
    return out


# Parts of day that are a window rather than a named part: (part, earliest, latest).
_WINDOWS: dict[str, tuple[PartOfDay | None, time | None, time | None]] = {
    "after work": (None, time(17, 0), None),
    "after school": (None, time(15, 0), None),
    # A spa opens at nine: "before work" is its first hour, not a time before it opens.
    "before work": ("morning", None, time(10, 0)),
    "end of day": (None, time(16, 0), None),
    "end of the day": (None, time(16, 0), None),
    "close of business": (None, time(16, 0), None),
    "last thing": (None, time(16, 0), None),
}
# "early morning", "late afternoon": (part, modifier) → (earliest, latest)
_NARROWED: dict[tuple[str, str], tuple[time | None, time | None]] = {
    ("morning", "early"): (None, time(10, 0)),
    ("afternoon", "late"): (time(15, 0), None),
    ("afternoon", "early"): (None, time(14, 0)),
}


# A part of day the client is busy in ("i work mornings so afternoon pls", "not in the morning").
_PART_NEGATED = re.compile(
    r"\b(?:not|no|never|can'?t do|can'?t|cannot|won'?t|busy|work|working|at work|except|other than|"
    r"rather than|instead of)\s+(?:in the\s+|on\s+|the\s+|any\s+|during the\s+)?$"
)


def _lunch_window(t: str) -> tuple[time | None, time | None]:
    side = _AROUND_LUNCH.search(t)
    if side is None:
        return time(11, 30), time(13, 30)
    return (time(13, 0), None) if side[1] == "after" else (None, time(12, 0))


def _read_part_of_day(t: str, out: _Times) -> re.Match[str] | None:
    """The part of day ("tomorrow morning", "late afternoon", "after work", "lunchtime") into `out`."""
    pm = next((m for m in _PART_OF_DAY.finditer(t) if not _PART_NEGATED.search(t[: m.start("p")])), None)
    if pm is None:
        return None
    out.matched.append(pm[0].strip())
    p = pm["p"]
    if p in _WINDOWS:
        part, earliest, latest = _WINDOWS[p]
    elif p.startswith("lunch"):
        part, (earliest, latest) = None, _lunch_window(t)
    else:
        part = "morning" if p.startswith("morning") or p == "first thing" else None
        part = part or ("afternoon" if p.startswith("afternoon") else "evening")
        earliest, latest = _NARROWED.get((part, pm["early"] or ""), (None, None))
    out.part = part or out.part
    out.earliest, out.latest = out.earliest or earliest, out.latest or latest
    return pm


_OR = re.compile(r"\bor\b|\bo\b")


def alternatives(text: str, now: datetime, tz: str) -> tuple[tuple[date, time], ...]:
    """ "tues at 4 or wed at 5", "saturday, 10 or 3?": each time the client offers with its day (a part
    without a day has the one day the others name); empty unless every part has a time and the times
    differ (one time for both days is one preference)."""
    parts = _OR.split(text)
    if len(parts) < 2:
        return ()
    read = [(parse_preference(part, now, tz), part) for part in parts]
    days = {parsed.date for parsed, _ in read if parsed is not None and parsed.date is not None}
    if not days:
        return ()
    pairs = []
    for parsed, part in read:
        day = parsed.date if parsed is not None and parsed.date is not None else None
        if day is None and len(days) == 1:
            day = next(iter(days))
        at = _part_time(parsed, part)
        if day is None or at is None:
            return ()
        pairs.append((day, at))
    return tuple(pairs) if len({t for _, t in pairs}) > 1 else ()


# A part of "10 or 3" that ends in a bare hour ("saturday, 10", "3?"): the hour in business hours.
_TRAILING_HOUR = re.compile(r"(?:\bat\s+|@\s*|^\W*|,\s*)(\d{1,2})(?::([0-5]\d))?\s*(am|pm)?\W*$")


def _part_time(parsed: ParsedPreference | None, part: str) -> time | None:
    if parsed is not None and parsed.preference.target_time is not None:
        return parsed.preference.target_time
    m = _TRAILING_HOUR.search(part)
    if m is None or not 1 <= int(m[1]) <= 12:
        return None
    hour = int(m[1])
    if (m[3] == "pm" and hour < 12) or (m[3] is None and hour <= 7):
        hour += 12
    return time(hour, int(m[2] or 0))


def parse_preference(text: str, now: datetime, tz: str) -> ParsedPreference | None:
    """Parse when the client would like to come; None when the text says nothing about time.

    `now` is the current instant (aware, converted to `tz`; naive is taken as already local).
    """
    today = (now.astimezone(ZoneInfo(tz)) if now.tzinfo else now).date()
    t = _normalise(text)
    found = _find_dates(t, today)
    _after_the_day(t, found)
    times = _read_clocks(t)
    pm = _read_part_of_day(t, times)
    if pm is not None and pm["p"] == "tonight" and not found.days:
        found.days.append((pm.start(), pm.end(), today, True))
    if times.earliest and times.latest and times.earliest > times.latest:
        times.earliest, times.latest = times.latest, times.earliest
    asap, flexible = bool(_ASAP.search(t)), bool(_FLEXIBLE.search(t))
    days = _chosen_days(t, found.days)
    if not days and not found.weekdays and (ruled_out := _ruled_out(t, found.days)):
        found.weekdays.update(set(range(7)) - ruled_out)  # "any day but monday": every other day
    said = days or found.date_from or found.weekdays or times.target or times.earliest or times.latest
    if not (said or times.part or asap or flexible):
        return None
    preference = TimePreference(
        dates=days,
        date_from=found.date_from if not days else None,
        date_to=found.date_to if not days else None,
        weekdays=sorted(found.weekdays),
        part_of_day=times.part,
        target_time=times.target,
        earliest_time=times.earliest,
        latest_time=times.latest,
        asap=asap,
    )
    return ParsedPreference(
        preference=preference,
        date=days[0] if len(days) == 1 else None,
        time=times.target or (times.stated[0] if len(times.stated) == 1 else None),
        flexible=flexible and not (days or times.target),
        matched=(*found.matched, *times.matched, *(("asap",) if asap else ())),
    )
