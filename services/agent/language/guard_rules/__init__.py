"""The guard's rules as data: one ordered table of named rules per escalation category.

`PRECEDENCE` is the order categories are tried: a clinical question inside a cancellation is
clinical, a disputed no-show fee is a payment dispute before it is a complaint. Within a table the
first rule that matches names the verdict, so urgent medical rules come before the others.
"""

from __future__ import annotations

from ..shorthand import plain
from .appointments import CANCELLATION, RESCHEDULE
from .medical import TABLE as MEDICAL
from .money import PAYMENT_DISPUTE, REFUND
from .people import COMPLAINT, HUMAN_REQUEST
from .rule import GuardCategory, Rule

__all__ = ["PRECEDENCE", "RULES", "TABLES", "GuardCategory", "Rule", "first_match", "prepare"]

TABLES: dict[GuardCategory, tuple[Rule, ...]] = {
    "medical": MEDICAL,
    "payment_dispute": PAYMENT_DISPUTE,
    "refund": REFUND,
    "reschedule": RESCHEDULE,
    "cancellation": CANCELLATION,
    "complaint": COMPLAINT,
    "human_request": HUMAN_REQUEST,
}
PRECEDENCE: tuple[GuardCategory, ...] = tuple(TABLES)
RULES: tuple[Rule, ...] = tuple(rule for table in TABLES.values() for rule in table)


def first_match(category: GuardCategory, text: str) -> Rule | None:
    """The first rule of a category's table that fires on an already-normalised text."""
    return next((rule for rule in TABLES[category] if rule.matches(text)), None)


def prepare(text: str) -> str:
    """The one shape rules read, the language package's `plain`: `shared.text.for_matching`
    (canonical punctuation, case-folded), no accents, SMS shorthand spelled out ("u", "appt", "cant")."""
    return plain(text)
