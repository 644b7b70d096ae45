"""Matching a client's words to catalog services: phrases, names, typos and shorthand. Pure logic.

A small in-process scorer rather than pg_trgm: the catalog is a few dozen services cached in memory,
so scoring in Python costs microseconds and needs no round trip.

Text is read through `shared.text.for_matching` (curly quotes, accents and case folded once), then
rewritten by a table of shorthand and Spanish phrases into the catalog's words, and each remaining
word the catalog does not know is corrected to a catalog word one typo away ("botx", "bottox",
"microneedeling"). A service then scores by the spa's phrases for it (its `words` and name), by how
much of a phrase the text covers, and by its category. Everyday words ("stop", "lines", "spots")
never name a service on their own: "stop texting me" is not "stop shaving".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from services.scheduler.domain import ServiceDef
from shared.text import for_matching

# Client phrases → the catalog's words, applied to whole words before matching. Shorthand and
# misspellings too far from the word for the typo rule, and Spanish where the meaning is plain.
ALIASES: dict[str, str] = {
    # shorthand and common misspellings
    "lazer": "laser",
    "lazor": "laser",
    "lhr": "laser hair removal",
    "hydro facial": "hydrafacial",
    "hydrofacial": "hydrafacial",
    "hydra facials": "hydrafacial",
    "micro needle": "microneedling",
    "microneedle": "microneedling",
    "cool sculpt": "coolsculpting",
    "coolsculpt": "coolsculpting",
    "crowsfeet": "crows feet",
    "crow feet": "crows feet",
    "11s": "elevens",
    "sunspots": "sun spots",
    "dark circles": "under eye hollows",
    "under eye circles": "under eye hollows",
    "bags under my eyes": "under eye hollows",
    "eye bags": "under eye hollows",
    "11 lines": "eleven lines",
    "11 line": "eleven lines",
    # Spanish (accents are already gone)
    "depilacion laser": "laser hair removal",
    "depilacion con laser": "laser hair removal",
    "depilacion": "hair removal",
    "relleno de labios": "lip filler",
    "relleno labial": "lip filler",
    "aumento de labios": "lip filler",
    "rellenos": "filler",
    "relleno": "filler",
    "labios": "lips",
    "arrugas": "wrinkles",
    "lineas de expresion": "fine lines",
    "patas de gallo": "crows feet",
    "frente": "forehead",
    "limpieza facial": "facial",
    "tratamiento facial": "facial",
    "drenaje linfatico": "lymphatic drainage",
    "masaje linfatico": "lymphatic drainage",
    "masaje": "massage",
    "microagujas": "microneedling",
    "micropuncion": "microneedling",
    "consulta de botox": "botox consultation",
    "consulta para botox": "botox consultation",
    "consulta de relleno": "filler consultation",
    "consulta para relleno": "filler consultation",
    "consulta de laser": "laser consultation",
    "consulta para laser": "laser consultation",
    "manchas solares": "sun spots",
    "manchas del sol": "sun spots",
    "manchas de sol": "sun spots",
    "manchas por el sol": "sun spots",
    "manchas oscuras": "dark spots",
    "poros abiertos": "large pores",
    "manchas": "dark spots",
    "cicatrices de acne": "acne scars",
    "cicatrices": "scars",
    "papada": "double chin",
    "peeling quimico": "chemical peel",
    "exfoliacion quimica": "chemical peel",
    "pomulos": "cheek filler",
    "mandibula": "jawline",
    "ojeras": "under eye hollows",
    "vello": "unwanted hair",
    "axilas": "underarms",
    "piernas": "laser my legs",
}

STOPWORDS = frozenset(
    "a an and are at be can do for from get have i im in is it me my of on or please pls plz some "
    "something the to want wanna would like with w you u your ur need looking book appointment appt "
    "treatment any anything this that these next just also maybe possible interested into hi hey hello "
    "thanks thank thx ok okay yes no not de la el los las en para por una un y quiero tienen".split()
)

# Everyday words that are part of some service's phrase but never name one alone ("stop shaving",
# "fine lines", "sun spots", "one area"): a partial match needs at least one other word.
GENERIC = frozenset(
    "stop line spot skin fine dark brown large big bigger thin fuller under eye top loss volume test "
    "patch between uneven tone leg damage sun age baby hollow fold one area drainage induction "
    "consultation consult removal feet body double love handle cool".split()
)

# Words people text that sit one letter from a catalog word: never corrected to it.
COMMON = frozenset(
    "message messages scares scared filled filling fillet pills lasted lasting later slots peeled "
    "peeling facing faces massive glows close closer closed cherry".split()
)

_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_VOWELS = frozenset("aeiouy")

# The helpers below are pure and see the same catalog words on every request: memoized, a match
# costs a fraction of recomputing every phrase's stems each time.
_MEMO = 65_536


@lru_cache(maxsize=_MEMO)
def normalize(text: str) -> str:
    """The client's words for matching: folded, accents off, apostrophes dropped, aliases applied."""
    folded = for_matching(text, accents=False).replace("'", "")
    spaced = f" {' '.join(_NON_WORD.sub(' ', folded).split())} "
    for phrase, meaning in _ALIAS_ORDER:
        if phrase in spaced:
            spaced = spaced.replace(phrase, meaning)
    return spaced.strip()


# Longest first, so "depilacion laser" is read before "depilacion"; padded to match whole words.
_ALIAS_ORDER = tuple(
    (f" {k} ", f" {v} ") for k, v in sorted(ALIASES.items(), key=lambda kv: (-len(kv[0]), kv[0]))
)


def _stem(token: str) -> str:
    # Plural endings only; "11s" stays itself (digits are not words).
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token[0].isdigit():
        token = token[:-1]
    return token


@lru_cache(maxsize=_MEMO)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(_stem(t) for t in text.split())


@lru_cache(maxsize=_MEMO)
def _phrase(text: str) -> tuple[str, ...]:
    """A catalog phrase's content words, stemmed."""
    return tuple(t for t in _stems(normalize(text)) if t not in STOPWORDS)


def _osa(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def is_typo_of(token: str, word: str) -> bool:
    """`token` is `word` mistyped: a letter missing, doubled or swapped, a vowel changed, or cut short.

    Short words allow no consonant change ("later" is not "laser"); the first letter is trusted.
    """
    if token[0] != word[0] or abs(len(token) - len(word)) > 3:
        return False
    if len(token) >= 6 and word.startswith(token):
        return True  # cut short: "coolsculpt", "microneed"
    limit = 2 if len(token) >= 8 else 1
    if _osa(token, word) > limit:
        return False
    if len(token) >= 6 or len(token) != len(word):
        return True
    changed = [(a, b) for a, b in zip(token, word, strict=True) if a != b]
    return sorted(token) == sorted(word) or all(a in _VOWELS and b in _VOWELS for a, b in changed)


@lru_cache(maxsize=_MEMO)
def _correct(token: str, vocabulary: frozenset[str]) -> str:
    if token in vocabulary or len(token) < 4 or token in STOPWORDS or token in COMMON or token.isdigit():
        return token
    near = sorted((_osa(token, w), w) for w in vocabulary if is_typo_of(token, w))
    return near[0][1] if near else token


@lru_cache(maxsize=256)
def _vocabulary(services: tuple[ServiceDef, ...]) -> frozenset[str]:
    """The catalog's distinctive words, the ones a typo is corrected to."""
    words = {t for s in services for phrase in (s.name, *s.words) for t in _phrase(phrase)}
    return frozenset(w for w in words if len(w) >= 5 and w not in GENERIC and not w[0].isdigit())


def _tokens(text: str, vocabulary: frozenset[str], ignore: str) -> tuple[str, ...]:
    """The text's stemmed words with typos corrected, without the spa's name in them."""
    tokens = _stems(normalize(text))
    if ignore:
        tokens = _without_name(tokens, _stems(normalize(ignore)))
    return tuple(_correct(t, vocabulary) for t in tokens)


def _without_name(tokens: tuple[str, ...], name: tuple[str, ...]) -> tuple[str, ...]:
    # Two or more words of the name in a row ("Glow Med Spa", "glow med") are the spa, not a
    # service; one word alone ("that glow") may still be a service word.
    for n in range(len(name), 1, -1):
        for i in range(len(name) - n + 1):
            part = name[i : i + n]
            j = 0
            while j + n <= len(tokens):
                if tokens[j : j + n] == part:
                    tokens = tokens[:j] + tokens[j + n :]
                else:
                    j += 1
    return tokens


@dataclass(frozen=True)
class _Words:
    """The client's content words, read once per request and shared by every service's score."""

    words: tuple[str, ...]
    content: frozenset[str]
    # Each word, and each pair of neighbours written together: "hydra facial" reads as "hydrafacial".
    joined: frozenset[str]

    @classmethod
    def of(cls, tokens: tuple[str, ...]) -> _Words:
        words = tuple(t for t in tokens if t not in STOPWORDS)
        pairs = {a + b for a, b in pairwise(words)}
        return cls(words, frozenset(words), frozenset(words) | pairs)


def _contains(text: _Words, phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if not n:
        return False
    # Written as one word or split in two: "hydra facial" / "hydrafacial", "micro needling".
    if "".join(phrase) in text.joined:
        return True
    if not text.content.issuperset(phrase):
        return False
    words = text.words
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class Scored:
    """A service and how well the client's words match it."""

    service: ServiceDef
    confidence: float


def _phrase_score(text: _Words, service: ServiceDef) -> float:
    # A phrase the spa listed, or the service's name, is the strongest signal; longer ones say more.
    best = 0.0
    for phrase in (service.name, *service.words):
        words = _phrase(phrase)
        if _contains(text, words):
            best = max(best, min(0.97, 0.85 + 0.01 * len(" ".join(words))))
    return best


@lru_cache(maxsize=_MEMO)
def _phrase_set(text: str) -> frozenset[str]:
    return frozenset(_phrase(text))


def _partial_score(content: frozenset[str], service: ServiceDef) -> float:
    # How much of a name or phrase the words cover, in any order ("fillers for my lips"); one
    # everyday word of it is not enough.
    best = 0.0
    for base, spread, phrase in [(0.45, 0.45, service.name), *((0.25, 0.5, w) for w in service.words)]:
        words = _phrase_set(phrase)
        covered = words & content
        if words and covered - GENERIC:
            best = max(best, base + spread * len(covered) / len(words))
    return best


def _category_score(content: frozenset[str], service: ServiceDef) -> float:
    category = _phrase_set(service.category) - GENERIC
    return 0.4 if category and category <= content else 0.0


def _score(text: _Words, service: ServiceDef) -> float:
    content = text.content
    best = max(
        _phrase_score(text, service), _partial_score(content, service), _category_score(content, service)
    )
    return round(min(best, 1.0), 3)


def score(text: str, service: ServiceDef) -> float:
    """Confidence in [0, 1] that the client's words mean this service (typos against its own words)."""
    return _score(_Words.of(_tokens(text, _vocabulary((service,)), "")), service)


def rank(
    text: str, services: Iterable[ServiceDef], limit: int, threshold: float = 0.3, ignore: str = ""
) -> list[Scored]:
    """Services ranked for the words, best first; a consultation wins a tie (it comes first).

    `ignore` is text that names no service even when it shares a word with one (the spa's name).
    """
    catalog = tuple(services)
    words = _Words.of(_tokens(text, _vocabulary(catalog), ignore))
    scored = [Scored(s, _score(words, s)) for s in catalog]
    kept = [s for s in scored if s.confidence >= threshold]
    kept.sort(key=lambda s: (-s.confidence, not s.service.is_consultation, s.service.name))
    return kept[:limit]
