"""The medical guard's learned second line: how likely a client text is a medical question.

A logistic regression over word 1–2-grams and character 3–5-grams (within words) of the text as
`shared.text.for_matching` shapes it, trained by `services/agent/train_guard.py` and shipped as
`models/medical_guard.json.gz`. The features are presence-only, so a text's score is the intercept
plus the weights of the n-grams it contains: no numpy, no scikit-learn, a few dictionary look-ups.
The extraction below mirrors scikit-learn's `CountVectorizer` word and `char_wb` analyzers exactly;
the training tests prove it by comparing scores with scikit-learn's own.

    medical_probability("wait i take eliquis, will that be a problem with filler?") >= THRESHOLD
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from shared.text import for_matching

__all__ = [
    "CHAR_NGRAMS",
    "FORMAT",
    "MODEL_PATH",
    "THRESHOLD",
    "WORD_NGRAMS",
    "WORD_PATTERN",
    "MedicalModel",
    "char_ngrams",
    "load_model",
    "medical_probability",
    "padded_word_ngrams",
    "prepare",
    "word_ngrams",
]

FORMAT = "frontdesk-medical-guard/1"
MODEL_PATH = Path(__file__).parent / "models" / "medical_guard.json.gz"
# Single-character tokens count: "2", "i" and "u" carry signal in a text message.
WORD_PATTERN = r"(?u)\b\w+\b"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)

_WORD = re.compile(WORD_PATTERN)
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own collapse before char n-grams


def prepare(text: str) -> str:
    """The one shape every feature is read from: normalised, case-folded, without accents."""
    return for_matching(text, accents=False)


def word_ngrams(prepared: str) -> set[str]:
    """Word n-grams as scikit-learn's word analyzer makes them (tokens joined by one space)."""
    tokens = _WORD.findall(prepared)
    low, high = WORD_NGRAMS
    grams = set(tokens) if low == 1 else set()
    for n in range(max(low, 2), high + 1):
        grams.update(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(prepared: str) -> set[str]:
    """Character n-grams inside space-padded words, as scikit-learn's `char_wb` analyzer makes them."""
    words = set(_WHITE_SPACES.sub(" ", prepared).split())
    return set().union(*map(padded_word_ngrams, words))


@lru_cache(maxsize=16384)
def padded_word_ngrams(word: str) -> frozenset[str]:
    """One word's character n-grams; cached, since clients reuse a small vocabulary."""
    padded = f" {word} "
    size = len(padded)
    grams: set[str] = set()
    low, high = CHAR_NGRAMS
    for n in range(low, high + 1):
        if size <= n:  # a short word counts once, whole
            grams.add(padded)
            break
        grams.update(padded[i : i + n] for i in range(size - n + 1))
    return frozenset(grams)


@dataclass(frozen=True)
class MedicalModel:
    """Weights of the n-grams that matter, the intercept and the escalation threshold."""

    intercept: float
    threshold: float
    word: dict[str, float]
    char: dict[str, float]

    def logit(self, text: str) -> float:
        """Log-odds that the text is medical."""
        prepared = prepare(text)
        word, char = self.word, self.char
        total = self.intercept
        total += sum(word.get(g, 0.0) for g in word_ngrams(prepared))
        total += sum(char.get(g, 0.0) for g in char_ngrams(prepared))
        return total

    def probability(self, text: str) -> float:
        """Probability in [0, 1] that the text is medical."""
        z = self.logit(text)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MedicalModel:
        """Build from the weights file's content; a file for other features is refused."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} weights file: {data.get('format')!r}")
        expected = {
            "word_pattern": WORD_PATTERN,
            "word_ngrams": list(WORD_NGRAMS),
            "char_ngrams": list(CHAR_NGRAMS),
        }
        for key, value in expected.items():
            if data.get(key) != value:
                raise ValueError(f"weights file has {key}={data.get(key)!r}, this code reads {value!r}")
        return cls(
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            word={str(k): float(v) for k, v in data["word"].items()},
            char={str(k): float(v) for k, v in data["char"].items()},
        )


def load_model(path: Path = MODEL_PATH) -> MedicalModel:
    """Read a weights file (gzip-compressed JSON)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return MedicalModel.from_dict(json.load(fh))


@cache
def _shipped() -> MedicalModel:
    return load_model(MODEL_PATH)


def medical_probability(text: str) -> float:
    """Probability that a raw client text is a medical question (the shipped model)."""
    return _shipped().probability(text)


def __getattr__(name: str) -> float:
    # THRESHOLD comes from the weights file, read on first use rather than at import.
    if name == "THRESHOLD":
        return _shipped().threshold
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


THRESHOLD: float  # escalate when medical_probability(text) >= THRESHOLD
