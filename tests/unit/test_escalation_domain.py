"""Pure rules of the escalation service: alert wording, retry timing, recovered bookings, spa files."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.escalation import domain
from services.escalation.spas import SpaFileError, load_spas
from shared.contracts.conversation import BookingConfirmed

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_alert_names_the_category_and_last_four_digits_only() -> None:
    alert = domain.compose_alert(
        spa_name="Glow Med Spa",
        category="medical",
        escalation_id=uuid.uuid4(),
        conversation_id="cabc",
        client_last4=domain.last4("+14155550142"),
        inbox_url="http://inbox",
    )
    assert "a medical question" in alert.text and "ending 0142" in alert.text
    assert "4155550142" not in alert.text and "415" not in alert.text
    assert alert.link == "http://inbox/#/c/cabc" and alert.link in alert.text
    assert alert.subject == "[Glow Med Spa] Needs staff: a medical question"


def test_alert_without_a_conversation_links_to_the_escalation() -> None:
    esc = uuid.uuid4()
    alert = domain.compose_alert(
        spa_name="Glow",
        category="send_cap",
        escalation_id=esc,
        conversation_id=None,
        client_last4=None,
        inbox_url="http://inbox",
    )
    assert alert.link == f"http://inbox/#/e/{esc}" and "daily send cap" in alert.text
    assert "AI is paused" not in alert.text


def test_unknown_category_still_gets_an_alert() -> None:
    alert = domain.compose_alert(
        spa_name="Glow",
        category="new_kind",
        escalation_id=uuid.uuid4(),
        conversation_id=None,
        client_last4=None,
        inbox_url="http://inbox",
    )
    assert "something that needs staff" in alert.text


def test_masked_number_and_last4() -> None:
    assert domain.masked("+14155550142") == "•••0142"
    assert domain.masked(None) == "unknown number"
    assert domain.last4("12") is None


def test_backoff_doubles_and_is_capped() -> None:
    assert [domain.backoff_seconds(n, 2.0, 30.0) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize(
    ("utc", "after_hours"),
    [
        ("2026-03-05T07:10:00+00:00", True),  # 23:10 the evening before in San Francisco
        ("2026-03-05T19:00:00+00:00", False),  # 11:00
        ("2026-03-05T17:00:00+00:00", False),  # 09:00, opening
        ("2026-03-06T02:00:00+00:00", True),  # 18:00, closing
    ],
)
def test_after_hours_is_judged_in_the_spa_time_zone(utc: str, after_hours: bool) -> None:
    at = datetime.fromisoformat(utc)
    assert domain.is_after_hours(at, "America/Los_Angeles", "09:00-18:00") is after_hours


def test_booking_read_from_top_level_or_nested_fields() -> None:
    top = domain.booking_from_event(
        {"type": "BookingConfirmed", "booking_id": "b1", "service_name": "Botox", "price_cents": 45000}
    )
    nested = domain.booking_from_event(
        {"type": "BookingConfirmed", "booking": {"booking_id": "b2", "service_name": "Facial"}}
    )
    assert top == domain.RecoveredBooking("b1", "Botox", 45000)
    assert nested == domain.RecoveredBooking("b2", "Facial", 0)


def test_the_agents_booking_confirmed_event_counts_as_a_recovered_booking() -> None:
    # What the agent really publishes: the contract's model, typed "booking_confirmed" on the wire.
    event = BookingConfirmed(
        tenant_id="glow-medspa",
        conversation_id="c" + "0" * 31,
        booking_id=uuid.uuid4(),
        hold_id=uuid.uuid4(),
        service_id=uuid.uuid4(),
        service_name="HydraFacial",
        price_cents=22500,
        start=datetime(2026, 12, 1, 18, tzinfo=UTC),
        provider_first_name="Sloane",
    )
    wire = event.model_dump(mode="json")
    expected = domain.RecoveredBooking(str(event.booking_id), "HydraFacial", 22500)
    assert domain.booking_from_event(wire) == expected
    assert domain.conversation_event_kind({"type": "ai_paused"}) == "AiPaused"
    assert domain.conversation_event_kind({"type": "ai_resumed"}) == "AiResumed"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "SlotsProposed", "booking_id": "b1"},
        {"type": "BookingConfirmed"},
        {"booking_id": "b1"},
    ],
)
def test_events_that_are_not_bookings_are_ignored(event: dict[str, object]) -> None:
    assert domain.booking_from_event(event) is None


def test_a_bad_price_counts_as_zero_rather_than_failing() -> None:
    booking = domain.booking_from_event({"type": "BookingConfirmed", "booking_id": "b", "price_cents": "n/a"})
    assert booking is not None and booking.price_cents == 0


def test_dead_letter_id_is_stable_per_message() -> None:
    a = domain.dead_letter_escalation_id("S", "c", 7)
    assert a == domain.dead_letter_escalation_id("S", "c", 7)
    assert a != domain.dead_letter_escalation_id("S", "c", 8)
    assert (
        domain.dead_letter_reason("S", "c", 7, 5)
        == "Message 7 on stream S could not be processed by c after 5 attempts."
    )


@pytest.mark.parametrize("name", ["", " ", "a" * 65, "bad\nname", "<script>"])
def test_staff_user_names_are_checked(name: str) -> None:
    with pytest.raises(domain.InvalidStaffAction):
        domain.check_staff_user(name)


def test_demo_spa_file_configures_webhook_and_email() -> None:
    spas = load_spas(str(ROOT / "spas" / "*.yaml"))
    spa = spas["glow-medspa"]
    assert spa.notifiers.names() == ["inbox", "webhook", "email"]
    assert spa.notifiers.email is not None and spa.notifiers.email.to


def test_spa_file_with_a_bad_notifier_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad-spa\nname: Bad\nnotifiers:\n  webhook:\n    url: ftp://x\n")
    with pytest.raises(SpaFileError, match=r"bad\.yaml"):
        load_spas(str(tmp_path / "*.yaml"))


def test_spa_without_notifiers_alerts_the_inbox_only(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: quiet-spa\nname: Quiet\n")
    assert load_spas(str(tmp_path / "*.yaml"))["quiet-spa"].notifiers.names() == ["inbox"]


def test_inbox_css_keeps_hidden_sections_hidden() -> None:
    # `.login { display: flex }` would otherwise show the sign-in form over an open inbox.
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "services/escalation/web/inbox.css").read_text()
    assert "[hidden] { display: none !important; }" in css
