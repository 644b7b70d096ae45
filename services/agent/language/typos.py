"""Day and part-of-day words typed a letter or two wrong ("aftrnoon", "wednsday", "miercols").

Pure: no I/O. `shorthand.expand` spells known shorthand out from its table; a word the table does
not know and that is a typo or two away from one of the `TIME_WORDS` below is read as that word,
so "hydrofacial wensday aftrnoon?" still asks for Wednesday afternoon. Only words of six letters
or more are corrected, with their first letter right, by one edit (two for words of eight letters
or more); the plurals of the words and the everyday words in `NOT_TYPOS` stay as they are.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

__all__ = ["EXAMPLES", "NOT_TYPOS", "TIME_WORDS", "time_word"]

TIME_WORDS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "morning", "afternoon", "evening", "tomorrow", "weekend", "tonight",
    "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo", "manana",
)  # fmt: skip
# Real words a typo away from a time word: never corrected.
NOT_TYPOS = frozenset(
    {
        "sundae",
        "moaning",
        "mourning",
        "mooring",
        "evenly",
        "weekday",
        "tonight's",
        "domino",
        "market",
        "markets",
    }
)
# (typo, the word it is read as), checked by the unit tests; and words left alone (None).
EXAMPLES: tuple[tuple[str, str | None], ...] = (
    ("aftrnoon", "afternoon"),
    ("afternon", "afternoon"),
    ("aftenoon", "afternoon"),
    ("wednsday", "wednesday"),
    ("thrusday", "thursday"),
    ("thursdya", "thursday"),
    ("saturdau", "saturday"),
    ("evning", "evening"),
    ("mornign", "morning"),
    ("tomorow", "tomorrow"),
    ("fridya", "friday"),
    ("weeknd", "weekend"),
    ("miercols", "miercoles"),
    ("viernez", "viernes"),
    ("domino", None),
    ("mondays", None),
    ("sundae", None),
    ("fridge", None),
    ("opening", None),
    ("mourning", None),
    ("monkey", None),
)

_MIN_LENGTH = 6
_LONG = 8  # words this long may be two edits away


@lru_cache(maxsize=4096)
def time_word(word: str) -> str | None:
    """The time word this word is a typo of, or None ("aftrnoon" → "afternoon", "fridge" → None)."""
    if len(word) < _MIN_LENGTH or not word.isalpha() or word in NOT_TYPOS or word in TIME_WORDS:
        return None
    for right in TIME_WORDS:
        if right[0] != word[0] or word == right + "s":
            continue
        limit = 2 if len(right) >= _LONG and len(word) >= _LONG - 1 else 1
        # Optimal string alignment: inserts, deletes, substitutions and swapped neighbours.
        if OSA.distance(word, right, score_cutoff=limit) <= limit:
            return right
    return None
