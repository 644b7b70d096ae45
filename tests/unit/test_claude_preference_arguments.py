"""A model's structured time preference: ISO dates and clock times pass the phone-number check, a
phone number hidden in a preference field does not."""

from __future__ import annotations

import pytest

from services.agent.claude import executor

pytestmark = pytest.mark.unit


def test_a_preference_with_iso_dates_and_times_is_not_taken_for_a_phone_number() -> None:
    args = executor._validate(
        "find_availability",
        {
            "service_name": "HydraFacial",
            "preference": {
                "dates": ["2026-12-03"],
                "date_from": "2026-12-03",
                "date_to": "2026-12-10",
                "earliest_time": "17:00",
                "latest_time": "19:30:00",
            },
        },
    )
    assert [d.isoformat() for d in args.preference.dates] == ["2026-12-03"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["415-555-0102", "2026-12-03 4155550102", "(415) 555 0102"])
def test_a_phone_number_in_a_preference_field_is_still_refused(value: str) -> None:
    with pytest.raises(executor.Rejected) as caught:
        executor._validate(
            "find_availability", {"service_name": "HydraFacial", "preference": {"dates": [value]}}
        )
    assert caught.value.reason in {"phone_argument", "invalid_arguments"}
