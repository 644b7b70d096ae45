"""SMS shorthand and common typos spelled out, so every detector reads one plain vocabulary.

Pure: no I/O. `plain` is the matching form every rule of the language package reads: the text
through `shared.text.for_matching` (case-folded, no accents), keycap emoji as digits, and the
shorthand of `SHORTHAND` replaced by the words it stands for ("tmrw" → "tomorrow", "w julia" →
"with julia", "b4 5" → "before 5"). Each row holds an example, checked by the unit tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.text import for_matching

__all__ = ["SHORTHAND", "Shorthand", "expand", "plain"]


@dataclass(frozen=True)
class Shorthand:
    """One spelling people text and the plain words it means."""

    pattern: str  # a regex over the case-folded, accent-free text
    plain: str  # its replacement (may use groups)
    example: str  # a text using it
    expected: str  # the example after `expand`


_DAY_CUE = (
    r"\s*(?:morning|morn|am\b|pm\b|afternoon|aft|eve|evening|night|at\b|@|around|after|before|\d|or\b|works?\b|"
    r"is good|please|pls|\?)"
)
# Rows are tried left to right at each position of the text in one pass (`expand`), so no row
# needs another's output.
SHORTHAND: tuple[Shorthand, ...] = (
    Shorthand(
        r"\b(?:tmrw|tmrww|tmr|tmw|tmro|tmrow|tomoz|tomo|2moro|2morro|2morrow|2mrw|2mro|tomorow|tommorow|"
        r"tommorrow|tomorrrow|tomrrow|tomorro|tmorrow|tommrow)\b",
        "tomorrow",
        "botox tmrw?",
        "botox tomorrow?",
    ),
    Shorthand(r"\b(?:tonite|2nite|2night)\b", "tonight", "2nite?", "tonight?"),
    Shorthand(r"\b(?:2day|tdy|tday)\b", "today", "any spots 2day", "any spots today"),
    Shorthand(
        r"\b(?:appts?|apts?|apointment|appoinment|appointmnt|appt\.)\b",
        "appointment",
        "an appt",
        "an appointment",
    ),
    Shorthand(
        r"\b(?:pls|plz|plss|plsss|pleas|pleez|pleaseee+|pleasee|puhlease)\b", "please", "1 pls", "1 please"
    ),
    Shorthand(r"\bw/o\b", "without", "w/o julia", "without julia"),
    Shorthand(r"\bw/\s*", "with ", "w/julia", "with julia"),
    Shorthand(r"(?<![\w/])w(?=\s+[a-z])(?!\s+(?:or|and)\b)", "with", "friday w julia", "friday with julia"),
    Shorthand(r"\b(?:thx|thnx|thnks|thanx|tks|tnx|thankss+|thanku|tyvm)\b", "thanks", "thx!", "thanks!"),
    Shorthand(
        r"\b(?:thurs|thur|thrs|thu|thursdy|thrusday|thursday's)\b",
        "thursday",
        "thurs eve",
        "thursday evening",
    ),
    Shorthand(r"\b(?:tues|tue|tuesdy|teusday|tuseday)\b", "tuesday", "tues?", "tuesday?"),
    Shorthand(
        r"\b(?:weds|wednsday|wensday|wendsday|wedensday|wednesdy)\b", "wednesday", "weds am", "wednesday am"
    ),
    Shorthand(r"\b(?:fri|friday's|fridy|firday)\b", "friday", "fri 3pm", "friday 3pm"),
    Shorthand(r"\b(?:satuday|saterday|saturdy|satur?day's)\b", "saturday", "saterday", "saturday"),
    Shorthand(r"\b(?:mondy|monady)\b", "monday", "mondy", "monday"),
    Shorthand(r"\b(?:sundy|sunady)\b", "sunday", "sundy", "sunday"),
    # "sat"/"sun"/"mon"/"wed" are words too: only a day before a part of day or a time.
    *(
        Shorthand(rf"\b{short}\b(?={_DAY_CUE})", day, f"{short} morning", f"{day} morning")
        for short, day in (("sat", "saturday"), ("sun", "sunday"), ("mon", "monday"), ("wed", "wednesday"))
    ),
    Shorthand(r"\bb4\b", "before", "b4 noon", "before noon"),
    Shorthand(r"\bl8r\b", "later", "anything l8r", "anything later"),
    Shorthand(r"\bl8\b", "late", "running l8", "running late"),
    Shorthand(r"\b(?:aft|arvo|aftn|afternoonish)\b", "afternoon", "sat aft", "saturday afternoon"),
    Shorthand(r"\b(?:morn|mornin|mrng|mornings?ish)\b", "morning", "fri morn", "friday morning"),
    Shorthand(r"\b(?:eve|evenin|evng)\b(?!\w)", "evening", "thurs eve", "thursday evening"),
    Shorthand(r"\b(?:wknd|wkend|wekend|weeknd|wkd)\b", "weekend", "this wknd", "this weekend"),
    Shorthand(r"\b(?:wk|wek)\b", "week", "next wk", "next week"),
    Shorthand(r"\bnxt\b", "next", "nxt week", "next week"),
    Shorthand(r"\bavail\b", "available", "anything avail", "anything available"),
    Shorthand(r"\b(?:u)\b", "you", "do u have", "do you have"),
    Shorthand(r"\bur\b", "your", "ur address", "your address"),
    Shorthand(r"\br\b(?=\s+(?:you|u|ya|there|they|we)\b)", "are", "r you open", "are you open"),
    Shorthand(r"\b(?:ya|yah|yeh|yee|yas+|yass+|yess+|yesh|yep+|yup+|yuh)\b", "yes", "yesss", "yes"),
    Shorthand(r"\b(?:nah+|naw|nope+|noo+)\b", "no", "nah", "no"),
    Shorthand(r"\b(?:k|kk|okk+|okey|okie|okok|oki|okayy+|okkay)\b", "ok", "kk", "ok"),
    Shorthand(r"\b(?:rn)\b", "right now", "cant rn", "can't right now"),
    Shorthand(r"\b(?:lmk)\b", "let me know", "lmk", "let me know"),
    Shorthand(r"\b(?:nvm)\b", "never mind", "nvm", "never mind"),
    Shorthand(r"\b(?:abt|bout)\b", "about", "what abt wed", "what about wed"),
    Shorthand(r"\b(?:wat|wut|wht|whta)\b", "what", "wat time", "what time"),
    Shorthand(r"\b(?:whats|wats|whts)\b", "what's", "whats the price", "what's the price"),
    Shorthand(
        r"\b(?:hw much|howmuch|how mch|hm much)\b", "how much", "howmuch is botox", "how much is botox"
    ),
    Shorthand(r"\b(?:cn)\b", "can", "cn i come", "can i come"),
    Shorthand(r"\b(?:dont|dnt)\b", "don't", "dont work", "don't work"),
    Shorthand(r"\b(?:cant|cnt)\b", "can't", "i cant", "i can't"),
    Shorthand(r"\b(?:wont)\b", "won't", "wont work", "won't work"),
    Shorthand(r"\b(?:doesnt|dosent|doesn't)\b", "doesn't", "doesnt work", "doesn't work"),
    Shorthand(r"\b(?:im)\b", "i'm", "im mia", "i'm mia"),
    Shorthand(r"\b(?:ive)\b", "i've", "ive got", "i've got"),
    Shorthand(r"\b(?:thats)\b", "that's", "thats steep", "that's steep"),
    Shorthand(r"\b(?:its)\b(?!\s+(?:own)\b)", "it's", "its mia", "it's mia"),
    Shorthand(r"\b(?:theres)\b", "there's", "theres parking", "there's parking"),
    Shorthand(r"\b(?:lets)\b", "let's", "lets do 2", "let's do 2"),
    Shorthand(r"\b(?:some1)\b", "someone", "some1 else", "someone else"),
    Shorthand(r"\b(?:any1)\b", "anyone", "any1 free", "anyone free"),
    Shorthand(r"\b(?:sth|smth|somethin)\b", "something", "smth later", "something later"),
    Shorthand(r"\b(?:anythin|anythng|anyting|nething)\b", "anything", "anythng later", "anything later"),
    Shorthand(r"\b(?:thru)\b", "through", "mon thru fri", "mon through friday"),
    Shorthand(r"\b(?:tho)\b", "though", "pricey tho", "pricey though"),
    Shorthand(r"\b(?:bc|cuz|coz|b/c)\b", "because", "bc work", "because work"),
    Shorthand(r"\b(?:ppl)\b", "people", "2 ppl", "2 people"),
    Shorthand(r"\b(?:mins)\b", "minutes", "15 mins", "15 minutes"),
    Shorthand(r"\b(?:hrs)\b", "hours", "your hrs", "your hours"),
    Shorthand(r"\b(?:info)\b", "information", "more info", "more information"),
    Shorthand(r"\b(?:diff)\b", "different", "diff day", "different day"),
    Shorthand(r"\bany thing\b", "anything", "any thing later", "anything later"),
    Shorthand(r"\b(?:some one)\b", "someone", "some one else", "someone else"),
    Shorthand(r"\b(?:tx|ty|tysm|tyty)\b", "thank you", "ty!", "thank you!"),
)

_KEYCAP = re.compile("([0-9#])\ufe0f?\u20e3")
_ISH = re.compile(r"\b(\d{1,2}(?::\d{2})?)\s*ish\b")
_WORD_ROW = re.compile(r"\\b(?:\(\?:)?([a-z0-9'|]+)\)?\\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


def _split_rows() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Rows that only swap whole words go in one lookup table; the others stay regexes, in order."""
    words: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    for row in SHORTHAND:
        m = _WORD_ROW.fullmatch(row.pattern)
        if m and "\\" not in row.plain:
            words.update(dict.fromkeys(m[1].split("|"), row.plain))
        else:
            patterns.append((re.compile(row.pattern), row.plain))
    return words, tuple(patterns)


_WORDS, _PATTERNS = _split_rows()


def expand(text: str) -> str:
    """Shorthand spelled out in an already case-folded text ("botx pls tmrw" → "botx please tomorrow")."""
    out = _KEYCAP.sub(r"\1", text)
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    out = _TOKEN.sub(lambda m: _WORDS.get(m[0], m[0]), out)
    return _ISH.sub(r"\1 ish", out)


@lru_cache(maxsize=2048)
def plain(text: str) -> str:
    """The matching form of a client's text: case-folded, without accents, shorthand spelled out."""
    return expand(for_matching(text, accents=False))
