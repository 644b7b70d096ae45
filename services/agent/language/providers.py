"""The provider a client asks for: "w julia", "with Julia", "julia pls", a one-letter typo ("juila").

Pure: no I/O. Provider names come from the spa's profile. A provider who shares the client's own
first name counts only where the text clearly asks for a provider ("with julia", "is julia in");
"not lilian" asks for anyone but Lilian and names no provider.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.text import strip_accents

from .vocabulary import LOGISTICS_WORDS, NOT_NAMES, TIME_WORDS, TREATMENT_WORDS

__all__ = ["find_provider", "one_edit_apart"]

_KNOWN_WORDS = NOT_NAMES | TIME_WORDS | TREATMENT_WORDS | LOGISTICS_WORDS
_ASKS_FOR = (
    r"\b(?:with|by|see|seeing|prefer|want|book|is|does|when does|when is|con)\s+{p}\b"
    r"|\b{p}\s+(?:is in|in|works?|working|available|pls|please|por favor)"
)
_NEGATED = r"\b(?:not|no|anyone but|anybody but|other than|except|without|sin)\s+(?:with\s+|con\s+)?{p}\b"


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


def _mentioned_as(text: str, key: str) -> str | None:
    """The word of the text that names the provider `key`, exactly or with a one-letter typo."""
    for word in re.findall(r"[a-z]+", text):
        if word == key:
            return word
        if len(key) >= 4 and len(word) >= 4 and word not in _KNOWN_WORDS and one_edit_apart(word, key):
            return word
    return None


def find_provider(text: str, provider_names: Sequence[str], client_name: str | None = None) -> str | None:
    """The provider first name (as in the profile) the client asks for; `text` is `shorthand.plain`."""
    client = strip_accents((client_name or "").split(" ")[0].casefold())
    for name in provider_names:
        key = strip_accents(name.split(" ")[0].casefold())
        word = _mentioned_as(text, key) if key else None
        if word is None:
            continue
        p = re.escape(word)
        if re.search(_NEGATED.replace("{p}", p), text):
            continue
        if key == client and not re.search(_ASKS_FOR.replace("{p}", p), text):
            continue  # "hi it's julia": the client, unless the text asks for a provider
        return name.split(" ")[0]
    return None
