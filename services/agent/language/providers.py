"""The provider a client asks for: "w julia", "with Julia", "julia pls", a one-letter typo ("juila").

Pure: no I/O. Provider names come from the spa's profile. A provider who shares the client's own
first name counts only where the text clearly asks for a provider ("with julia", "is julia in");
"not lilian" asks for anyone but Lilian and names no provider.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from shared.text import strip_accents

from .vocabulary import LOGISTICS_WORDS, NOT_NAMES, RELATIONS, TIME_WORDS, TREATMENT_WORDS

__all__ = ["find_provider", "one_edit_apart", "spelled_out"]

_KNOWN_WORDS = NOT_NAMES | TIME_WORDS | TREATMENT_WORDS | LOGISTICS_WORDS
_ASKS_FOR = (
    r"\b(?:with|by|see|seeing|prefer|want|book|is|does|when does|when is|con)\s+{p}\b"
    r"|\b{p}\s+(?:is in|in|works?|working|available|pls|please|por favor)"
    r"|\b(?:can|could|would|will)\s+{p}\s+(?:do|see|fit|take|squeeze)\b"
)
# A nickname is a short form of the name, plain or with a pet ending ("lil", "lily", "jules",
# "pri"); it counts only where the text asks for a provider, since short forms are often words.
_NICKNAME_ENDINGS = ("", "s", "y", "ie", "es", "sy", "ey")
_NICKNAME_MIN = 3
# Ruled out: "not lilian", "anyone but julia", "i don't want julia", "besides jules".
_RULED_OUT = (
    r"\b(?:not|no|anyone but|anybody but|someone but|other than|except|without|besides|instead of|sin"
    r"|menos|excepto)\s+(?:with\s+|con\s+)?{p}\b"
    r"|\b(?:do ?n'?t|do not|would rather not|rather not|no)\s+(?:want|like|see|book|quiero)\s+"
    r"(?:to (?:see|book)\s+)?(?:with\s+|con\s+)?{p}\b"
)
# Not asked for: ruled out, or "Marco's wife" (the provider's relation writes).
_NEGATED = _RULED_OUT + r"|\b{p}'?s (?:" + "|".join(RELATIONS) + r")\b"


def one_edit_apart(a: str, b: str) -> bool:
    """Whether two words differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=256)
def _spellings(key: str) -> frozenset[str]:
    """The name and, for names of four letters or more, every word one typo away that is not a word."""
    if len(key) < 4:
        return frozenset({key})
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    typos = {a + b[1:] for a, b in splits if b}
    typos |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    typos |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    typos |= {a + c + b for a, b in splits for c in _LETTERS}
    return frozenset({key} | {t for t in typos if len(t) >= 4 and t not in _KNOWN_WORDS})


def _mentioned_as(words: list[str], key: str) -> str | None:
    """The word of the text that names the provider `key`, exactly or with a one-letter typo."""
    if key in words:
        return key
    spellings = _spellings(key)
    return next((word for word in words if word in spellings), None)


@lru_cache(maxsize=256)
def _nicknames(key: str) -> frozenset[str]:
    """Short forms of a name: a start of three letters or more, with a pet ending or none."""
    starts = {key[:n] for n in range(_NICKNAME_MIN, len(key))}
    return frozenset(s + e for s in starts for e in _NICKNAME_ENDINGS) - {key} - _KNOWN_WORDS


def _nickname_in(text: str, words: list[str], key: str) -> str | None:
    """The nickname of `key` the text asks for ("can lil do my laser consult"), if any."""
    names = _nicknames(key)
    for word in words:
        if word in names and _around(word)[1].search(text) and not _around(word)[0].search(text):
            return word
    return None


@lru_cache(maxsize=256)
def _around(word: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns that rule a provider out ("not lilian") and that ask for one ("with julia")."""
    p = re.escape(word)
    return re.compile(_NEGATED.replace("{p}", p)), re.compile(_ASKS_FOR.replace("{p}", p))


@lru_cache(maxsize=256)
def _key(name: str) -> str:
    return strip_accents(name.split(" ")[0].casefold()) if name else ""


def find_provider(text: str, provider_names: Sequence[str], client_name: str | None = None) -> str | None:
    """The provider first name (as in the profile) the client asks for; `text` is `shorthand.plain`."""
    client = _key(client_name or "")
    words = re.findall(r"[a-z]+", text)
    for name in provider_names:
        key = _key(name)
        word = _mentioned_as(words, key) if key else None
        if word is None and key and _nickname_in(text, words, key) is not None:
            return name.split(" ")[0]  # asked for by the nickname, so neither negated nor the client
        if word is None:
            continue
        negated, asks_for = _around(word)
        if negated.search(text):
            continue
        if key == client and not asks_for.search(text):
            continue  # "hi it's julia": the client, unless the text asks for a provider
        return name.split(" ")[0]
    return None


def find_ruled_out(text: str, provider_names: Sequence[str]) -> str | None:
    """The provider first name the client rules out ("anyone but julia", "not with lil"), if any;
    `text` is `shorthand.plain`."""
    words = re.findall(r"[a-z]+", text)
    for name in provider_names:
        key = _key(name)
        word = (_mentioned_as(words, key) or _nickname_in(text, words, key)) if key else None
        if word is not None and re.search(_RULED_OUT.replace("{p}", re.escape(word)), text):
            return name.split(" ")[0]
    return None


def spelled_out(text: str, name: str) -> str:
    """The text with a typo or nickname of the provider's name written as the name ("is juila in" ->
    "is julia in", "the one with lil" -> "the one with lilian")."""
    key = _key(name)
    words = re.findall(r"[a-z]+", text)
    word = (_mentioned_as(words, key) or _nickname_in(text, words, key)) if key else None
    return text if word is None or word == key else re.sub(rf"\b{re.escape(word)}\b", key, text)
