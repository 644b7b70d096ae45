"""A named guard rule: its pattern, the texts it must catch and the texts it must leave alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from shared.contracts.escalation import EscalationPriority

__all__ = ["GuardCategory", "Rule", "alt", "rx"]

GuardCategory = Literal[
    "medical", "payment_dispute", "refund", "reschedule", "cancellation", "complaint", "human_request"
]


def rx(*parts: str) -> re.Pattern[str]:
    """One pattern from alternatives; rules match text already through `shared.text.for_matching`.

    When every alternative opens with a word boundary the boundary is written once, in front: the
    same matches, but the regex engine can then skip an alternative on its first letter.
    """
    alternatives = [a for p in parts for a in _top_level_alternatives(p)]
    if all(a.startswith(_BOUNDARY) for a in alternatives):
        return re.compile(_BOUNDARY + "(?:" + "|".join(a[len(_BOUNDARY) :] for a in alternatives) + ")")
    return re.compile("|".join(f"(?:{p})" for p in parts))


_BOUNDARY = r"\b"


def _top_level_alternatives(pattern: str) -> list[str]:
    """A pattern split at its top-level '|' (outside groups, character classes and escapes)."""
    pieces: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 1 if pattern[i + 1 : i + 2] != "]" else 2  # "[]...]" keeps its first "]"
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            pieces.append(pattern[start:i])
            start = i + 1
        i += 1
    pieces.append(pattern[start:])
    return pieces


def alt(words: str) -> str:
    """'a b|c d' style word list (one string, '|'-separated) as a non-capturing group."""
    return "(?:" + "|".join(w.strip() for w in words.split("|") if w.strip()) + ")"


@lru_cache(maxsize=64)
def _found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether a precondition occurs in a text; several rules share one, so it is searched once."""
    return pattern.search(text) is not None


@dataclass(frozen=True)
class Rule:
    """One reason a text goes to a person.

    `pattern` runs on the text as `for_matching` gives it (canonical punctuation, case-folded).
    `needs`, when set, is a cheap search every match of `pattern` implies (a word the pattern cannot
    do without); a text without it skips the costly pattern. `unless` vetoes a match ("I don't want
    to cancel"). `topic`, when set, must accept one of the
    pattern's named groups (the subject of "what is X?"). `examples` must escalate with this
    rule's category, `counter_examples` must not escalate at all; one test runs them all.
    """

    name: str
    category: GuardCategory
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    priority: EscalationPriority = "normal"
    unless: re.Pattern[str] | None = None
    topic: Callable[[str], bool] | None = None
    reason: str | None = None
    needs: re.Pattern[str] | None = None

    def matches(self, text: str) -> bool:
        """Whether this rule fires on an already-normalised text."""
        if self.needs is not None and not _found(self.needs, text):
            return False
        # The pattern first: it rarely fires, and a veto is only worth reading when it does.
        if not self.pattern_fires(text):
            return False
        return self.unless is None or self.unless.search(text) is None

    def pattern_fires(self, text: str) -> bool:
        """Whether `pattern` (and `topic`) alone fire, without `needs` or `unless`."""
        if self.topic is None:
            return self.pattern.search(text) is not None
        for m in self.pattern.finditer(text):
            subject = next((v for v in m.groupdict().values() if v), "")
            if subject and self.topic(subject):
                return True
        return False
