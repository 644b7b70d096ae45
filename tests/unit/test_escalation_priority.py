"""Urgent escalations in alert wording, and the agent's staff notes as the inbox reads them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.escalation import domain
from shared.contracts.conversation import StaffNoteAdded

pytestmark = pytest.mark.unit

CLIENT = "+14155550142"


def alert(priority: str, conversation_id: str | None = "cabc", category: str = "medical") -> domain.Alert:
    """The alert for a medical escalation from the client ending 0142."""
    return domain.compose_alert(
        spa_name="Glow Med Spa",
        category=category,
        escalation_id=uuid.uuid4(),
        conversation_id=conversation_id,
        client_last4=domain.last4(CLIENT),
        inbox_url="http://inbox",
        priority=priority,
    )


def test_urgent_alert_says_urgent_first_in_text_and_subject() -> None:
    urgent = alert("urgent")
    assert urgent.text.startswith("URGENT: Glow Med Spa: a conversation needs staff (a medical question)")
    assert urgent.subject == "[Glow Med Spa] URGENT: Needs staff: a medical question"


def test_urgent_alert_keeps_the_rules_last_four_digits_and_no_clinical_detail() -> None:
    urgent = alert("urgent")
    assert "ending 0142" in urgent.text and "4155550142" not in urgent.text and "415" not in urgent.text
    assert urgent.link == "http://inbox/#/c/cabc" and urgent.link in urgent.text
    # The wording is the normal alert's, marked: nothing about the client's symptoms is added.
    assert urgent.text.removeprefix("URGENT: ") == alert("normal").text


@pytest.mark.parametrize("priority", ["normal", "emergency", ""])
def test_normal_or_unknown_priority_is_not_marked(priority: str) -> None:
    plain = alert(priority)
    assert "URGENT" not in plain.text and "URGENT" not in plain.subject


def test_urgent_alert_without_a_conversation_is_marked_and_links_to_the_escalation() -> None:
    urgent = alert("urgent", conversation_id=None, category="other")
    assert urgent.text.startswith("URGENT: Glow Med Spa: staff attention needed")
    assert "/#/e/" in urgent.link


def note_event(note: str) -> dict[str, Any]:
    """A StaffNoteAdded as the agent publishes it (the contract's model, on the wire)."""
    return StaffNoteAdded(tenant_id="glow-medspa", conversation_id="c" + "0" * 31, note=note).model_dump(
        mode="json"
    )


def test_the_agents_staff_note_is_read_from_its_contract_event() -> None:
    wire = note_event("the text is about someone else: the client wrote for a relative")
    assert domain.conversation_event_kind(wire) == "StaffNoteAdded"
    assert (
        domain.staff_note_from_event(wire)
        == "the text is about someone else: the client wrote for a relative"
    )


def test_staff_note_is_trimmed_and_capped() -> None:
    wire = {"type": "staff_note_added", "note": "  " + "x" * 400 + "  "}
    assert domain.staff_note_from_event(wire) == "x" * domain.STAFF_NOTE_MAX


@pytest.mark.parametrize(
    "event",
    [
        {"type": "staff_note_added", "note": "   "},
        {"type": "staff_note_added"},
        {"type": "staff_note_added", "note": 42},
        {"type": "client_identified", "note": "a note on the wrong event"},
        {"note": "no type"},
    ],
)
def test_events_without_a_usable_note_give_none(event: dict[str, Any]) -> None:
    assert domain.staff_note_from_event(event) is None
