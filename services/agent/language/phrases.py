"""The phrase rules of the conversation: each a name, a pattern, examples and counter-examples.

Pure: no I/O. Every pattern reads `shorthand.plain(text)` (case-folded, no accents, shorthand
spelled out), so a rule is written once in plain lower-case English or Spanish and still matches
"Thx!!", "tmrw", "sí" or curly quotes. One unit test runs every example and counter-example, so a
rule that stops doing what it says fails by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .shorthand import plain

__all__ = ["Rule", "first_rule", "matches", "rules_matching"]


@dataclass(frozen=True)
class Rule:
    """A named phrase rule with texts it must match and texts it must not."""

    name: str
    pattern: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern (compiled once per rule)."""
        return re.compile(self.pattern)


def matches(rules: tuple[Rule, ...], text: str, *, already_plain: bool = False) -> bool:
    """Whether any of the rules matches the text (one search of all of them at once)."""
    flat = text if already_plain else plain(text)
    combined = _combined(rules)
    if combined is None:
        return any(rule.regex.search(flat) for rule in rules)
    return combined.search(flat) is not None


# The rule tables are module constants: their alternation is compiled once, keyed by identity.
_COMBINED: dict[int, tuple[tuple[Rule, ...], re.Pattern[str] | None]] = {}
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _combined(rules: tuple[Rule, ...]) -> re.Pattern[str] | None:
    """All the rules as one alternation; None when a pattern cannot be combined (back-references)."""
    known = _COMBINED.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    pattern: re.Pattern[str] | None = None
    if not any(_BACKREFERENCE.search(rule.pattern) for rule in rules):
        try:
            pattern = re.compile("|".join(f"(?:{rule.pattern})" for rule in rules))
        except re.error:  # the same group name in two rules
            pattern = None
    _COMBINED[id(rules)] = (rules, pattern)
    return pattern


def first_rule(rules: tuple[Rule, ...], text: str, *, already_plain: bool = False) -> Rule | None:
    """The first rule that matches the text, if any."""
    flat = text if already_plain else plain(text)
    return next((rule for rule in rules if rule.regex.search(flat)), None)


def rules_matching(rules: tuple[Rule, ...], text: str, *, already_plain: bool = False) -> list[Rule]:
    """Every rule that matches the text."""
    flat = text if already_plain else plain(text)
    return [rule for rule in rules if rule.regex.search(flat)]
