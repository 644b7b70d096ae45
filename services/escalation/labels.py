"""What staff read in the inbox instead of codes, and how a search box query is understood."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Escalation categories in the inbox's words (alerts use domain.CATEGORY_LABELS, written to be
# read inside a sentence).
CATEGORY_LABELS: dict[str, str] = {
    "medical": "Medical question",
    "cancellation": "Wants to cancel",
    "reschedule": "Wants to reschedule",
    "refund": "Asked for a refund",
    "payment_dispute": "Disputes a payment",
    "complaint": "Complaint",
    "human_request": "Asked for a person",
    "blocked_reply": "Reply held back for staff",
    "send_cap": "Daily text limit reached",
    "delivery_failed": "Text not delivered",
    "dead_letter": "Message the system could not process",
    "other": "Needs staff",
}

PRIORITY_LABELS: dict[str, str] = {"urgent": "Urgent", "normal": "Normal"}


def category(code: str) -> str:
    """A category in staff words; an unknown code reads as "Needs staff"."""
    return CATEGORY_LABELS.get(code, CATEGORY_LABELS["other"])


def priority(code: str) -> str:
    """A priority in staff words."""
    return PRIORITY_LABELS.get(code, code.title())


@dataclass(frozen=True)
class Search:
    """A search box query: a name pattern (LIKE, wildcards escaped) and/or the digits of a number."""

    name_like: str | None = None
    digits: str | None = None


def search_terms(query: str | None) -> Search:
    """'dana' → name; '555 0142' or '+1 (415)…' → digits of a number; empty → no search."""
    text = (query or "").strip()
    if not text:
        return Search()
    digits = re.sub(r"\D", "", text)
    if digits and re.fullmatch(r"[\d\s()+.-]+", text):
        return Search(digits=digits)
    escaped = re.sub(r"([\\%_])", r"\\\1", text)
    return Search(name_like=f"%{escaped}%")
