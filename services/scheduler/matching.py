"""Matching a client's words to catalog services: synonyms, names and fuzzy trigrams. Pure logic.

A small in-process scorer rather than pg_trgm: the catalog is a few dozen services cached in memory,
so scoring in Python costs microseconds and needs no round trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from services.scheduler.domain import ServiceDef

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
STOPWORDS = frozenset(
    "a an and are at be can do for from get have i im i'm in is it me my of on or please some something "
    "the to want wanna would like with you your need looking book appointment treatment".split()
)


# The helpers below are pure and see the same catalog words on every request: memoized, a match
# costs a fraction of recomputing every synonym's stems and trigrams each time.
_MEMO = 65_536


@lru_cache(maxsize=_MEMO)
def normalize(text: str) -> str:
    """Lowercase, straight apostrophes, punctuation to spaces, single spaces."""
    lowered = text.lower().translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", lowered).split())


def _stem(token: str) -> str:
    # Plural and possessive endings only; "11s" stays itself (digits are not words).
    if token.endswith("'s"):
        token = token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token[0].isdigit():
        token = token[:-1]
    return token


@lru_cache(maxsize=_MEMO)
def _stems(text: str) -> str:
    return " ".join(_stem(t) for t in text.split())


@lru_cache(maxsize=_MEMO)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm-style trigrams of one word (padded with two spaces before, one after)."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


@lru_cache(maxsize=_MEMO)
def similarity(a: str, b: str) -> float:
    """Trigram similarity of two words in [0, 1], as pg_trgm's similarity()."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def _contains(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


@dataclass(frozen=True)
class Scored:
    """A service and how well the client's words match it."""

    service: ServiceDef
    confidence: float


def score(text: str, service: ServiceDef) -> float:
    """Confidence in [0, 1] that the client's words mean this service."""
    norm = normalize(text)
    stemmed = _stems(norm)
    tokens = [t for t in stemmed.split() if t not in STOPWORDS]
    best = 0.0
    # A synonym phrase the spa listed is the strongest signal; longer phrases say more.
    for word in service.words:
        phrase = normalize(word)
        if _contains(norm, phrase) or _contains(stemmed, _stems(phrase)):
            best = max(best, min(0.97, 0.85 + 0.01 * len(phrase)))
    # Partial matches: how much of a name or synonym the words cover, misspellings counted by
    # trigram similarity ("hydrafacal"); one shared word of a two-word phrase is a weak signal.
    for base, spread, phrase in [(0.45, 0.45, service.name), *((0.25, 0.5, w) for w in service.words)]:
        ptoks = [t for t in _stems(normalize(phrase)).split() if t not in STOPWORDS]
        if not ptoks or not tokens:
            continue
        covered = 0.0
        for p in ptoks:
            sim = max(similarity(t, p) if min(len(t), len(p)) >= 4 else float(t == p) for t in tokens)
            if sim >= 0.45:
                covered += sim
        if covered:
            best = max(best, base + spread * covered / len(ptoks))
    if _contains(stemmed, _stems(normalize(service.category))):
        best = max(best, 0.4)
    return round(min(best, 1.0), 3)


def rank(text: str, services: Iterable[ServiceDef], limit: int, threshold: float = 0.3) -> list[Scored]:
    """Services ranked for the words, best first; a consultation wins a tie (it comes first)."""
    scored = [Scored(s, score(text, s)) for s in services]
    kept = [s for s in scored if s.confidence >= threshold]
    kept.sort(key=lambda s: (-s.confidence, not s.service.is_consultation, s.service.name))
    return kept[:limit]
