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
    """Whether any of the rules matches the text."""
    flat = text if already_plain else plain(text)
    return any(rule.regex.search(flat) for rule in rules)


def first_rule(rules: tuple[Rule, ...], text: str, *, already_plain: bool = False) -> Rule | None:
    """The first rule that matches the text, if any."""
    flat = text if already_plain else plain(text)
    return next((rule for rule in rules if rule.regex.search(flat)), None)


def rules_matching(rules: tuple[Rule, ...], text: str, *, already_plain: bool = False) -> list[Rule]:
    """Every rule that matches the text."""
    flat = text if already_plain else plain(text)
    return [rule for rule in rules if rule.regex.search(flat)]
