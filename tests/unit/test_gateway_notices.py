"""The gateway's own texts: confirmations fit one plain segment; the first-text notice is added once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.gateway.domain import count_segments
from services.gateway.notices import (
    CONFIRMATIONS,
    OPT_OUT_NOTICE,
    cancel_alert_reason,
    confirmation,
    has_notice,
    segments_added,
    with_notice,
)
from services.gateway.spas import Spa
from shared.contracts.tools import UpcomingBookingsFound

pytestmark = pytest.mark.unit

LA = ZoneInfo("America/Los_Angeles")


def _spa(**overrides: Any) -> Spa:
    values: dict[str, Any] = {
        "id": "glow",
        "name": "Glow Med Spa",
        "tz": LA,
        "numbers": ("+14155550199",),
        "messaging_service_sid": None,
        "daily_send_cap": 100,
        "help_text": "Reply STOP to opt out.",
        "account_sid": "",
        "auth_token": "",
        "phone_display": "(415) 555-0199",
    }
    values.update(overrides)
    return Spa(**values)


@pytest.mark.parametrize(("kind", "language"), list(CONFIRMATIONS))
@pytest.mark.parametrize("phone", ["(415) 555-0199", ""])
def test_every_confirmation_is_one_plain_segment_for_a_long_spa_name(
    kind: str, language: str, phone: str
) -> None:
    body = confirmation(kind, language, _spa(name="Glow Medical Aesthetics of SF", phone_display=phone))  # type: ignore[arg-type]
    segments = count_segments(body)
    assert (segments.encoding, segments.count) == ("GSM-7", 1), body
    assert "{" not in body and "Glow Medical Aesthetics of SF" in body


def test_the_cancel_reply_says_how_to_cancel_an_appointment_with_the_spa_phone() -> None:
    body = confirmation("cancel", "en", _spa())
    assert "cancel an appointment" in body and "(415) 555-0199" in body and "START" in body
    assert "(415)" not in confirmation("cancel", "en", _spa(phone_display=""))
    assert "cita" in confirmation("cancel", "es", _spa())


def test_an_unknown_language_falls_back_to_english() -> None:
    assert confirmation("stop", "fr", _spa()) == confirmation("stop", "en", _spa())  # type: ignore[arg-type]


def test_the_notice_ends_a_first_text_unless_it_is_there_or_does_not_fit() -> None:
    assert with_notice("Hi Sam! Botox on Friday?", 320) == f"Hi Sam! Botox on Friday? {OPT_OUT_NOTICE}"
    assert with_notice("Glow: text us to book. Reply STOP to opt out.", 320) == (
        "Glow: text us to book. Reply STOP to opt out."
    )
    assert with_notice("x" * 300, 320) is None
    assert has_notice("reply stop to opt out") and not has_notice("Stop by anytime")


def test_the_notice_can_add_a_segment_and_says_so() -> None:
    assert segments_added("Hi!", 320) == 0
    assert segments_added("a" * 150, 320) == 1
    assert segments_added("Reply STOP to opt out.", 320) == 0


def test_the_staff_reason_names_the_bookings_without_who_or_what() -> None:
    found = UpcomingBookingsFound(count=2, next_start=datetime(2026, 12, 4, 23, 0, tzinfo=UTC))
    reason = cancel_alert_reason(found, LA)
    assert "2 upcoming bookings" in reason and "Fri Dec 4, 3:00pm" in reason and "call them" in reason
    assert "1 upcoming booking " in cancel_alert_reason(UpcomingBookingsFound(count=1), LA)
    assert "could not be checked" in cancel_alert_reason(None, LA)
