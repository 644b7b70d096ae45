"""Pure rules of escalation and the inbox: what an alert says, retry timing, what counts as recovered."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

# Staff words for each category. Alerts carry the label only: the reason may hold clinical detail.
CATEGORY_LABELS: dict[str, str] = {
    "medical": "a medical question",
    "cancellation": "a cancellation",
    "reschedule": "a reschedule",
    "refund": "a refund request",
    "payment_dispute": "a payment dispute",
    "complaint": "a complaint",
    "human_request": "a request for a person",
    "blocked_reply": "a reply the agent could not send",
    "send_cap": "the daily send cap was reached",
    "delivery_failed": "a text that could not be delivered",
    "dead_letter": "a message the system could not process",
    "other": "something that needs staff",
}

# How an alert and the inbox mark each priority ("urgent": a possible emergency, shown first).
PRIORITY_MARKS: dict[str, str] = {"urgent": "URGENT", "normal": ""}

_STAFF_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")
_DEAD_LETTER_NS = uuid.UUID("6f1c2a52-2d55-4b0e-9b53-6f7e4c1d9a10")


class InvalidStaffAction(ValueError):
    """A staff request that cannot be carried out as asked."""


def last4(number: str | None) -> str | None:
    """The last four digits of a phone number: all an alert may show."""
    if not number:
        return None
    digits = re.sub(r"\D", "", number)
    return digits[-4:] if len(digits) >= 4 else None


def masked(number: str | None) -> str:
    """A phone number as the inbox list shows it: '•••0100'."""
    tail = last4(number)
    return f"•••{tail}" if tail else "unknown number"


@dataclass(frozen=True)
class Alert:
    """What a notifier sends: no clinical detail, no full phone number, a link to the inbox."""

    subject: str
    text: str
    link: str


def compose_alert(
    *,
    spa_name: str,
    category: str,
    escalation_id: uuid.UUID,
    conversation_id: str | None,
    client_last4: str | None,
    inbox_url: str,
    priority: str = "normal",
) -> Alert:
    """The alert for one escalation; the same words on every notifier, marked first when urgent."""
    label = CATEGORY_LABELS.get(category, CATEGORY_LABELS["other"])
    mark = PRIORITY_MARKS.get(priority, "")
    lead = f"{mark}: " if mark else ""
    link = f"{inbox_url}/#/c/{conversation_id}" if conversation_id else f"{inbox_url}/#/e/{escalation_id}"
    who = f" from the client ending {client_last4}" if client_last4 else ""
    if conversation_id:
        text = (
            f"{lead}{spa_name}: a conversation needs staff ({label}){who}."
            f" The AI is paused. Open the inbox: {link}"
        )
    else:
        text = f"{lead}{spa_name}: staff attention needed ({label}). Open the inbox: {link}"
    return Alert(subject=f"[{spa_name}] {lead}Needs staff: {label}", text=text, link=link)


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Delay before the next attempt after `attempts` failures: exponential, capped."""
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


def parse_hours(spec: str) -> tuple[time, time]:
    """'09:00-18:00' → (09:00, 18:00)."""
    opens, closes = spec.split("-", 1)
    return time.fromisoformat(opens), time.fromisoformat(closes)


def is_after_hours(at: datetime, timezone: str, business_hours: str) -> bool:
    """Whether a moment falls outside the spa's opening hours, in the spa's time zone."""
    opens, closes = parse_hours(business_hours)
    local = at.astimezone(ZoneInfo(timezone)).time()
    return not (opens <= local < closes)


def dead_letter_escalation_id(stream: str, consumer: str, stream_seq: int) -> uuid.UUID:
    """One escalation per dead message, however many times its advisory is seen."""
    return uuid.uuid5(_DEAD_LETTER_NS, f"{stream}/{consumer}/{stream_seq}")


def dead_letter_reason(
    stream: str, consumer: str, stream_seq: int, deliveries: int | None, cause: str = ""
) -> str:
    """What staff (or their engineers) need to find the message; no client data.

    `cause` is the error's type (`RuntimeError`) or what the server saw, never an error's text.
    """
    tries = f" after {deliveries} attempts" if deliveries else ""
    why = f" ({cause[:120]})" if cause else ""
    return f"Message {stream_seq} on stream {stream} could not be processed by {consumer}{tries}{why}."


def check_staff_user(value: str) -> str:
    """A staff user name as recorded in audit records: short, printable, no control characters."""
    value = value.strip()
    if not _STAFF_USER.match(value):
        raise InvalidStaffAction("staff user must be 1-64 letters, digits, spaces or ._@-")
    return value


@dataclass(frozen=True)
class RecoveredBooking:
    """A booking the agent made, as the owner's summary counts it."""

    booking_id: str
    service_name: str
    price_cents: int


# The conversation contract names its events in snake_case (shared/contracts/conversation.py);
# the CamelCase names are what this read model was first written against, still accepted.
_EVENT_KINDS = {
    "booking_confirmed": "BookingConfirmed",
    "ai_paused": "AiPaused",
    "ai_resumed": "AiResumed",
    "client_identified": "ClientIdentified",
    "staff_note_added": "StaffNoteAdded",
}

STAFF_NOTE_MAX = 300


def conversation_event_kind(event: dict[str, Any]) -> str | None:
    """The event's kind as this service names it (BookingConfirmed, AiPaused, ...), or its raw type."""
    kind = event.get("type")
    if not isinstance(kind, str):
        return None
    return _EVENT_KINDS.get(kind, kind)


def booking_from_event(event: dict[str, Any]) -> RecoveredBooking | None:
    """A BookingConfirmed conversation event → the booking; anything else → None.

    Tolerant on purpose: the fields may sit at the top level or under `booking`, and a price may
    be missing (counted as 0) rather than failing the whole read model.
    """
    if conversation_event_kind(event) != "BookingConfirmed":
        return None
    nested = event.get("booking") if isinstance(event.get("booking"), dict) else {}
    booking_id = event.get("booking_id") or nested.get("booking_id")
    if not booking_id:
        return None
    service_name = event.get("service_name") or nested.get("service_name") or ""
    price = event.get("price_cents", nested.get("price_cents"))
    try:
        price_cents = max(0, int(price)) if price is not None else 0
    except (TypeError, ValueError):
        price_cents = 0
    return RecoveredBooking(str(booking_id), str(service_name)[:200], price_cents)


def staff_note_from_event(event: dict[str, Any]) -> str | None:
    """A StaffNoteAdded conversation event → its note, trimmed to the contract's length; else None."""
    if conversation_event_kind(event) != "StaffNoteAdded":
        return None
    note = event.get("note")
    if not isinstance(note, str) or not note.strip():
        return None
    return note.strip()[:STAFF_NOTE_MAX]
