"""The escalation guard: what a client wrote that needs a person, and what a reply may not say.

Pure: no I/O. `check_inbound` runs on every inbound text before any brain sees it (DESIGN.md
invariant 9); `check_outbound` on every reply before it is published (invariant 6). Both err on
the side of a person: a false escalation costs a staff member a minute, a missed one can hurt.

Reasons are written for staff and never echo the client's words or clinical detail: the reason
travels in events, alerts and the inbox, which are not all places for health information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.contracts.escalation import EscalationCategory, EscalationPriority
from shared.text import normalise

from . import medical_model
from .guard_rules import PRECEDENCE, Rule, first_match, prepare
from .guard_rules.not_clinical import overrules_model

__all__ = [
    "DEFAULT_MAX_LENGTH",
    "MODEL_RULE",
    "URGENT_HANDOFF_TEXT",
    "GuardVerdict",
    "OutboundVerdict",
    "check_inbound",
    "check_outbound",
    "check_rules",
]

DEFAULT_MAX_LENGTH = 320  # two SMS segments
# The verdict's rule when the learned second line, not a named rule, decided a text is medical.
MODEL_RULE = "model:medical"

# What the client reads when the guard thinks it may be an emergency (the agent sends it instead of
# the usual handoff text); it names no condition, so it passes the outbound guard as well.
URGENT_HANDOFF_TEXT = (
    "If this is an emergency, please call 911. I'm connecting you with our team now; "
    "someone will text you back shortly."
)


@dataclass(frozen=True)
class GuardVerdict:
    """Whether an inbound text goes to a person, under which category, why (staff words), which
    rule fired (or "model:medical") and how urgently staff should look."""

    escalate: bool
    category: EscalationCategory | None = None
    reason: str = ""
    rule: str = ""
    priority: EscalationPriority = "normal"


@dataclass(frozen=True)
class OutboundVerdict:
    """Whether a reply may be sent; when not, why (staff words)."""

    allowed: bool
    reason: str = ""


PASS = GuardVerdict(escalate=False)

_REASONS: dict[str, str] = {
    "medical": "Client asked a health or treatment-suitability question; a qualified person must answer.",
    "payment_dispute": "Client disputes a charge.",
    "refund": "Client asked about a refund.",
    "complaint": "Client is unhappy and may have a complaint.",
    "human_request": "Client asked to talk to a person.",
    "reschedule": "Client wants to reschedule an existing appointment.",
    "cancellation": "Client wants to cancel an existing appointment.",
}
_URGENT_REASON = (
    "Client may be describing an emergency or a reaction after a treatment; a qualified person must "
    "answer now."
)


def check_inbound(text: str) -> GuardVerdict:
    """Decide whether an inbound text must go to a person; runs before any brain sees the text.

    The named rules decide first (`check_rules`); a text no rule explains is medical when the
    learned model scores it at or above its threshold (rule "model:medical"), unless it is one of
    the booking texts the model is known to misread (`not_clinical.overrules_model`).
    """
    verdict = check_rules(text)
    flat = prepare(text)
    if verdict.escalate or not flat:
        return verdict
    if medical_model.medical_probability(text) >= medical_model.THRESHOLD and not overrules_model(flat):
        return GuardVerdict(True, "medical", f"{_REASONS['medical']} (guard: {MODEL_RULE})", MODEL_RULE)
    return PASS


def check_rules(text: str) -> GuardVerdict:
    """The named rules alone: categories in `PRECEDENCE` order (medical first: a clinical question
    inside a cancellation is clinical), and within one the first rule that fires decides."""
    flat = prepare(text)
    for category in PRECEDENCE:
        rule = first_match(category, flat)
        if rule is not None:
            return _verdict(rule)
    return PASS


def _verdict(rule: Rule) -> GuardVerdict:
    if rule.priority == "urgent":
        reason = _URGENT_REASON
    else:
        reason = rule.reason or _REASONS[rule.category]
    # The rule's name tells staff why without echoing the client's words.
    return GuardVerdict(True, rule.category, f"{reason} (guard rule: {rule.name})", rule.name, rule.priority)


# ----- outbound -----

_OUT_DOSAGE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:units?|u|mg|mcg|µg|ug|ml|cc|iu|milligrams?|micrograms?|milliliters?)\b",
)
_OUT_CLINICAL = re.compile(
    r"\b(?:side[\s-]?effects?|dosage|dose|doses|overdose|contraindicat\w*|interactions?|diagnos\w*|"
    r"prescri\w*|medications?|medicines?|pregnan\w*|breast[\s-]?feeding|allerg\w*|anaphyla\w*|"
    r"symptoms?|infections?|diabet\w*|cancer|tumou?rs?|herpes|cold sores?|lupus|autoimmune|epilep\w*|"
    r"seizures?|hepatitis|hiv|hypertension|blood pressure|blood thinners?|antibiotics?|steroids?|"
    r"accutane|isotretinoin|tretinoin|warfarin|coumadin|aspirin|ibuprofen|acetaminophen|tylenol|"
    r"metformin|insulin|lidocaine|numbing cream|antiviral|valtrex|valacyclovir|disease|disorder|syndrome)\b",
)
# Drug names by ending, restricted to endings no street, town or first name carries.
_OUT_DRUG_SHAPE = re.compile(
    r"\b[a-z]{3,}(?:cillin|mycin|cycline|floxacin|prazole|sartan|olol|dipine|statin|formin|triptan|"
    r"xaban|zumab|ximab|tinib|navir|ciclovir|azepam|zolam|oxetine|profen|codone|thiazide)\b",
)
_DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s-]?){12,18}\d(?!\d)")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _has_card_number(text: str) -> bool:
    for m in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a spa's own phrases, longest first so "Cold Sore Laser Treatment" is taken
    whole before "Laser"; compiled once per spa catalog, not once per reply."""
    kept = sorted({t for t in terms if t}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(re.escape(t.lower()) for t in kept))


def check_outbound(
    text: str, max_length: int = DEFAULT_MAX_LENGTH, allowed_terms: tuple[str, ...] = ()
) -> OutboundVerdict:
    """Decide whether a reply may be sent: booking logistics only, no clinical or payment content.

    `allowed_terms` are phrases the spa itself uses (its service names, e.g. "Cold Sore Laser
    Treatment") that may appear even when they contain a clinical word.
    """
    if not text or not text.strip():
        return OutboundVerdict(False, "empty reply")
    if len(text) > max_length:
        return OutboundVerdict(False, f"reply is {len(text)} characters, over the limit of {max_length}")
    if _has_card_number(text):
        return OutboundVerdict(False, "reply contains what looks like a payment card number")
    # Lower-cased once: the patterns below are written in lower case, and a case-blind search of
    # these long alternations costs several times a plain one.
    scrubbed = normalise(text).lower()
    spa_terms = _terms_pattern(allowed_terms)
    if spa_terms is not None:
        scrubbed = spa_terms.sub(" ", scrubbed)
    if _OUT_DOSAGE.search(scrubbed):
        return OutboundVerdict(False, "reply states a dosage or quantity of product")
    if _OUT_CLINICAL.search(scrubbed) or _OUT_DRUG_SHAPE.search(scrubbed):
        return OutboundVerdict(False, "reply contains clinical content (condition, drug or medical advice)")
    return OutboundVerdict(True)
