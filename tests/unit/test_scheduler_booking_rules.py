"""The rules for changing a booking, and the staff desk's request contracts: pure, no servers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.scheduler import booking_rules
from services.scheduler.errors import InThePast, InvalidRequest, StatusConflict
from services.scheduler.model import Booking
from shared.contracts.desk import BlockProviderTime, BookForClient, GetCalendar, WalkInClient
from shared.contracts.tools import Actor

pytestmark = pytest.mark.unit

NY = ZoneInfo("America/New_York")
# 10am in New York on a Wednesday.
START = datetime(2026, 12, 9, 15, tzinfo=UTC)
STAFF = Actor(service="escalation", staff_user="u-1")


def _booking(status: str = "booked", start: datetime = START) -> Booking:
    return Booking(
        id=uuid4(),
        spa_id="desk-spa",
        hold_id=uuid4(),
        client_id=uuid4(),
        provider_id=uuid4(),
        service_id=uuid4(),
        start=start,
        end=start + timedelta(hours=1),
        blocked_until=start + timedelta(hours=1),
        status=status,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("status", "new", "now"),
    [
        ("booked", "checked_in", START - timedelta(hours=2)),  # the same morning
        ("booked", "completed", START + timedelta(minutes=5)),
        ("booked", "no_show", START + timedelta(minutes=15)),
        ("checked_in", "completed", START + timedelta(hours=1)),
        ("no_show", "checked_in", START + timedelta(minutes=20)),  # turned up late after all
    ],
)
def test_allowed_status_changes(status: str, new: str, now: datetime) -> None:
    assert booking_rules.check_status_change(_booking(status), new, now, NY) is True


@pytest.mark.parametrize("status", ["checked_in", "completed", "no_show"])
def test_setting_the_status_a_booking_has_changes_nothing(status: str) -> None:
    assert booking_rules.check_status_change(_booking(status), status, START + timedelta(days=1), NY) is False


@pytest.mark.parametrize(
    ("status", "new"),
    [
        ("completed", "no_show"),
        ("completed", "checked_in"),
        ("cancelled", "checked_in"),
        ("rescheduled", "completed"),
    ],
)
def test_final_statuses_do_not_change(status: str, new: str) -> None:
    with pytest.raises(StatusConflict):
        booking_rules.check_status_change(_booking(status), new, START + timedelta(hours=2), NY)


def test_check_in_waits_for_the_day_and_completion_for_the_start() -> None:
    the_evening_before = START - timedelta(hours=16)  # 6pm the day before, New York time
    with pytest.raises(InvalidRequest):
        booking_rules.check_status_change(_booking(), "checked_in", the_evening_before, NY)
    with pytest.raises(InvalidRequest):
        booking_rules.check_status_change(_booking(), "completed", START - timedelta(minutes=1), NY)
    with pytest.raises(InvalidRequest):
        booking_rules.check_status_change(_booking(), "no_show", START - timedelta(minutes=1), NY)


def test_only_a_booking_that_has_not_started_is_cancelled_or_moved() -> None:
    before = START - timedelta(hours=1)
    assert booking_rules.check_cancel(_booking(), before) is True
    assert booking_rules.check_cancel(_booking("cancelled"), before) is False
    booking_rules.check_move(_booking(), before)
    with pytest.raises(InThePast):
        booking_rules.check_cancel(_booking(), START)
    with pytest.raises(InThePast):
        booking_rules.check_move(_booking(), START + timedelta(minutes=1))
    for status in ("checked_in", "completed", "rescheduled"):
        with pytest.raises(StatusConflict):
            booking_rules.check_cancel(_booking(status), before)
        with pytest.raises(StatusConflict):
            booking_rules.check_move(_booking(status), before)


def test_a_new_start_is_in_the_future() -> None:
    booking_rules.check_new_start(START, START - timedelta(seconds=1))
    with pytest.raises(InThePast) as refused:
        booking_rules.check_new_start(START, START)
    assert (refused.value.code, refused.value.field) == ("in_the_past", "start")


def test_desk_requests_refuse_what_makes_no_sense() -> None:
    base = {"tenant_id": "desk-spa", "actor": STAFF}
    with pytest.raises(ValidationError, match="phone number or name"):
        WalkInClient()
    with pytest.raises(ValidationError, match="either client_id or client"):
        BookForClient(**base, service_id=uuid4(), provider_id=uuid4(), start=START)
    with pytest.raises(ValidationError, match="either client_id or client"):
        BookForClient(
            **base,
            service_id=uuid4(),
            provider_id=uuid4(),
            start=START,
            client_id=uuid4(),
            client=WalkInClient(name="A"),
        )
    with pytest.raises(ValidationError, match="end is not after start"):
        BlockProviderTime(**base, provider_id=uuid4(), start=START, end=START)
    with pytest.raises(ValidationError, match="date_to is before date_from"):
        GetCalendar(**base, date_from=date(2026, 12, 9), date_to=date(2026, 12, 8))
    with pytest.raises(ValidationError, match="at most 31 days"):
        GetCalendar(**base, date_from=date(2026, 12, 1), date_to=date(2027, 1, 1))
    assert GetCalendar(**base, date_from=date(2026, 12, 1), date_to=date(2026, 12, 31)).date_to == date(
        2026, 12, 31
    )
