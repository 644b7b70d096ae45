"""The owner's figures on known data: conversations, after hours from the spa's own hours, revenue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.escalation import spa_hours
from services.escalation.spas import Spa
from services.escalation.stats import Booking, SpaClock, Text, figures, first_responses, week_start

pytestmark = pytest.mark.unit

LA = ZoneInfo("America/Los_Angeles")
HOURS = {"mon": "09:00-19:00", "tue": ["09:00-13:00", "14:00-18:00"], "sat": "09:00-17:00", "sun": "closed"}
CLOCK = SpaClock("America/Los_Angeles", HOURS, fallback_hours="00:00-23:59")
MONDAY = date(2026, 3, 2)


def at(day: date, hhmm: str) -> datetime:
    """A spa-local moment."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA)


@pytest.mark.parametrize(
    ("day", "hhmm", "open_"),
    [
        (MONDAY, "08:59", False),
        (MONDAY, "09:00", True),
        (MONDAY, "18:59", True),
        (MONDAY, "19:00", False),
        (MONDAY + timedelta(days=1), "13:30", False),  # Tuesday's lunch break
        (MONDAY + timedelta(days=1), "14:00", True),
        (MONDAY + timedelta(days=2), "12:00", False),  # Wednesday is not listed: closed
        (MONDAY + timedelta(days=6), "12:00", False),  # Sunday: closed
    ],
)
def test_open_by_the_spas_own_hours_in_its_time_zone(day: date, hhmm: str, open_: bool) -> None:
    assert spa_hours.is_open(at(day, hhmm), "America/Los_Angeles", HOURS, "00:00-23:59") is open_


def test_a_spa_without_hours_falls_back_to_the_inbox_setting() -> None:
    assert spa_hours.is_open(at(MONDAY, "08:30"), "America/Los_Angeles", {}, "08:00-18:00") is True
    assert spa_hours.is_open(at(MONDAY, "18:30"), "America/Los_Angeles", {}, "08:00-18:00") is False


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        ({"monday": "09:00-17:00"}, "unknown day"),
        ({"mon": "9-5"}, "09:00-18:00"),
        ({"mon": "17:00-09:00"}, "close"),
    ],
)
def test_unreadable_opening_hours_in_a_spa_file_are_refused(hours: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Spa.model_validate({"id": "glow-medspa", "name": "Glow", "opening_hours": hours})


def test_first_response_counts_each_wait_once_and_skips_unanswered() -> None:
    texts = [
        Text("c1", "in", at(MONDAY, "10:00")),
        Text("c1", "in", at(MONDAY, "10:01")),  # same wait
        Text("c1", "out", at(MONDAY, "10:02")),  # 120 s
        Text("c1", "out", at(MONDAY, "10:03")),
        Text("c1", "in", at(MONDAY, "11:00")),
        Text("c1", "out", at(MONDAY, "11:00") + timedelta(seconds=30)),  # 30 s
        Text("c2", "in", at(MONDAY, "12:00")),  # never answered
    ]
    assert [s for _, s in first_responses(texts)] == [120.0, 30.0]


def test_figures_per_day_and_week_on_known_data() -> None:
    tuesday, sunday, next_monday = (
        MONDAY + timedelta(days=1),
        MONDAY + timedelta(days=6),
        MONDAY + timedelta(days=7),
    )
    texts = [
        Text("c1", "in", at(MONDAY, "22:00")),  # after hours
        Text("c1", "out", at(MONDAY, "22:00") + timedelta(seconds=20)),
        Text("c2", "in", at(MONDAY, "10:00")),  # open
        Text("c2", "out", at(MONDAY, "10:01")),
        Text("c2", "in", at(MONDAY, "23:00")),  # c2's first text that day was in hours
        Text("c1", "in", at(tuesday, "13:30")),  # lunch break: after hours
        Text("c1", "out", at(tuesday, "13:35")),
        Text("c3", "in", at(sunday, "12:00")),  # closed all day
        Text("c3", "out", at(sunday, "12:00") + timedelta(seconds=10)),
        Text("c4", "in", at(next_monday, "12:00")),  # outside the period
    ]
    bookings = [
        Booking(35000, None, at(MONDAY, "22:05")),  # revenue
        Booking(0, None, at(MONDAY, "10:05")),  # a free consultation: no revenue
        Booking(20000, "HydraFacial x3", at(tuesday, "13:40")),  # package-covered: no revenue
        Booking(15000, None, at(sunday, "12:05")),
    ]
    escalations = [
        ("medical", at(MONDAY, "22:10")),
        ("human_request", at(MONDAY, "10:10")),
        ("medical", at(sunday, "12:20")),
    ]
    out = figures(
        CLOCK, texts=texts, bookings=bookings, escalations=escalations, first_day=MONDAY, last_day=sunday
    )
    monday, tue = out["days"][0], out["days"][1]
    assert len(out["days"]) == 7 and len(out["weeks"]) == 1
    assert (monday["conversations"], monday["after_hours_conversations"], monday["after_hours_share"]) == (
        2,
        1,
        0.5,
    )
    assert (monday["bookings"], monday["revenue_cents"], monday["free_bookings"]) == (2, 35000, 1)
    assert monday["escalations"] == {"human_request": 1, "medical": 1}
    assert monday["median_first_response_seconds"] == 40.0  # 20 s and 60 s (c2's 23:00 text unanswered)
    assert (tue["conversations"], tue["after_hours_conversations"]) == (1, 1)
    assert (tue["bookings"], tue["revenue_cents"], tue["package_sessions"]) == (1, 0, 1)
    assert out["days"][2]["conversations"] == 0 and out["days"][2]["median_first_response_seconds"] is None
    week = out["weeks"][0]
    assert week["start"] == week_start(sunday).isoformat() == MONDAY.isoformat()
    assert (week["conversations"], week["after_hours_conversations"]) == (
        3,
        2,
    )  # c1, c2, c3; c1 and c3 after hours
    assert (week["bookings"], week["revenue_cents"]) == (4, 50000)
    assert week["escalations"] == {"human_request": 1, "medical": 2}
    assert week["median_first_response_seconds"] == 40.0  # 10, 20, 60, 300
    assert out["total"]["revenue_cents"] == 50000


def test_a_period_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="1 to"):
        figures(
            CLOCK,
            texts=[],
            bookings=[],
            escalations=[],
            first_day=MONDAY,
            last_day=MONDAY - timedelta(days=1),
        )
