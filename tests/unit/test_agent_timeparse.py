"""The time-preference parser understands how clients text about when they want to come."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from services.agent.language.shorthand import plain
from services.agent.language.spanish_time import SPANISH_TIME, SpanishTime, to_english
from services.agent.language.timeparse import parse_preference

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
# Wednesday 4 March 2026, 10:00 at the spa
NOW = datetime(2026, 3, 4, 10, 0)


def _parse(text: str, now: datetime = NOW):
    parsed = parse_preference(text, now, TZ)
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize(
    ("text", "want_date", "want_time"),
    [
        ("Monday around 2pm", date(2026, 3, 9), time(14, 0)),
        ("the 12th at 3", date(2026, 3, 12), time(15, 0)),
        ("next Friday", date(2026, 3, 6), None),
        ("March 9th", date(2026, 3, 9), None),
        ("3/9", date(2026, 3, 9), None),
        ("tomorrow at noon", date(2026, 3, 5), time(12, 0)),
        ("day after tomorrow", date(2026, 3, 6), None),
        ("Tuesday next week at 1 pm", date(2026, 3, 10), time(13, 0)),
        ("the 9th of this month", date(2026, 3, 9), None),
        ("this Saturday", date(2026, 3, 7), None),
        ("can I come in on 3/7 at 1:30", date(2026, 3, 7), time(13, 30)),
        ("today", date(2026, 3, 4), None),
    ],
)
def test_dates_and_times_resolve_against_now(
    text: str, want_date: date | None, want_time: time | None
) -> None:
    parsed = _parse(text)
    assert parsed.date == want_date
    assert parsed.time == want_time


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("half past 4", time(16, 30)),
        ("quarter to 11", time(10, 45)),
        ("quarter past 12 in the afternoon", time(12, 15)),
        ("quarter to 1 in the afternoon", time(12, 45)),
        ("noon", time(12, 0)),
        ("1 pm", time(13, 0)),
        ("13:30", time(13, 30)),
        ("09:45", time(9, 45)),
        ("at 10 in the morning", time(10, 0)),
        ("four thirty", time(16, 30)),
        ("eleven am", time(11, 0)),
        ("four in the evening", time(16, 0)),
        ("evening 4:45", time(16, 45)),
        ("morning 11:30", time(11, 30)),
        ('3 o"clock in the afternoon', time(15, 0)),
        ("at 3", time(15, 0)),
        ("at 10", time(10, 0)),
        ("4ish", time(16, 0)),
        ("3p", time(15, 0)),
    ],
)
def test_clock_times_use_am_pm_part_of_day_or_business_hours(text: str, want: time) -> None:
    assert _parse(text).time == want


def test_tomorrow_morning_is_a_day_and_a_part_of_day() -> None:
    parsed = _parse("tomorrow morning")
    assert parsed.preference.dates == [date(2026, 3, 5)]
    assert parsed.preference.part_of_day == "morning"
    assert parsed.time is None


def test_after_work_thursday_means_from_five() -> None:
    pref = _parse("after work Thursday").preference
    assert pref.dates == [date(2026, 3, 5)]
    assert pref.earliest_time == time(17, 0)


def test_anytime_next_week_is_the_next_monday_to_sunday() -> None:
    pref = _parse("anytime next week").preference
    assert (pref.date_from, pref.date_to) == (date(2026, 3, 9), date(2026, 3, 15))
    assert pref.dates == []


def test_asap_sets_the_flag() -> None:
    assert _parse("ASAP").preference.asap
    assert _parse("as soon as possible please").preference.asap


def test_this_weekend_is_saturday_and_sunday() -> None:
    pref = _parse("this weekend").preference
    assert (pref.date_from, pref.date_to) == (date(2026, 3, 7), date(2026, 3, 8))


@pytest.mark.parametrize(("text", "part"), [("evening", "evening"), ("in the afternoon", "afternoon")])
def test_part_of_day_alone(text: str, part: str) -> None:
    parsed = _parse(text)
    assert parsed.preference.part_of_day == part
    assert parsed.time is None


def test_between_two_and_four_is_a_window() -> None:
    pref = _parse("between 2 and 4 on friday").preference
    assert (pref.earliest_time, pref.latest_time) == (time(14, 0), time(16, 0))
    assert pref.dates == [date(2026, 3, 6)]


def test_after_and_before_bound_the_day() -> None:
    assert _parse("after 3").preference.earliest_time == time(15, 0)
    assert _parse("before noon").preference.latest_time == time(12, 0)


def test_plural_weekdays_are_a_standing_preference() -> None:
    assert _parse("mondays work best").preference.weekdays == [0]


def test_next_friday_on_a_friday_is_a_week_later() -> None:
    friday = datetime(2019, 3, 1, 9, 0)
    assert _parse("next Friday", friday).date == date(2019, 3, 8)
    assert _parse("this saturday", friday).date == date(2019, 3, 2)


def test_a_ruled_out_day_is_dropped() -> None:
    assert _parse("not tomorrow, make it next friday").date == date(2026, 3, 6)


def test_past_day_of_month_rolls_to_next_month() -> None:
    assert _parse("the 2nd").date == date(2026, 4, 2)


def test_aware_now_is_read_in_the_spa_time_zone() -> None:
    # 03:00 UTC on Thursday is still Wednesday evening in Los Angeles
    late = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
    assert _parse("tomorrow", late).date == date(2026, 3, 5)


@pytest.mark.parametrize(
    "text",
    ["Hi, I'd like Botox", "for 2 people", "How about one in Sunnyvale?", "I'll take the second one", ""],
)
def test_text_without_time_gives_none(text: str) -> None:
    assert parse_preference(text, NOW, TZ) is None


def test_a_corrected_time_keeps_the_last_one() -> None:
    assert _parse("4pm, actually make it 5pm").time == time(17, 0)
    assert _parse("can you make it for 1 pm instead? I have something else at 2").time == time(13, 0)


def test_a_day_named_as_the_one_to_avoid_is_dropped() -> None:
    assert _parse("I want it at 3:30 pm on the 14th instead of the 15th").date == date(2026, 3, 14)


def test_a_past_weekday_this_week_rolls_forward() -> None:
    friday = datetime(2019, 3, 1, 9, 0)
    assert _parse("Wednesday this week", friday).date == date(2019, 3, 6)


def test_a_week_from_today() -> None:
    assert _parse("a week from today").date == date(2026, 3, 11)


# ----- SMS shorthand and Spanish (Wednesday 4 March 2026) -----


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("botx pls, tmrw after 5?", {"dates": [date(2026, 3, 5)], "earliest_time": time(17, 0)}),
        ("tmw at 11", {"dates": [date(2026, 3, 5)], "target_time": time(11, 0)}),
        ("2moro?", {"dates": [date(2026, 3, 5)]}),
        ("thurs eve", {"dates": [date(2026, 3, 5)], "part_of_day": "evening"}),
        ("thur 2p", {"dates": [date(2026, 3, 5)], "target_time": time(14, 0)}),
        ("sat morning", {"dates": [date(2026, 3, 7)], "part_of_day": "morning"}),
        ("sat aft", {"dates": [date(2026, 3, 7)], "part_of_day": "afternoon"}),
        ("b4 noon", {"latest_time": time(12, 0)}),
        ("around 3ish", {"target_time": time(15, 0)}),
        ("this wknd", {"date_from": date(2026, 3, 7), "date_to": date(2026, 3, 8)}),
        ("next wk", {"date_from": date(2026, 3, 9), "date_to": date(2026, 3, 15)}),
        ("anything after 5", {"earliest_time": time(17, 0)}),
        ("el sábado por la mañana", {"dates": [date(2026, 3, 7)], "part_of_day": "morning"}),
        ("mañana en la tarde", {"dates": [date(2026, 3, 5)], "part_of_day": "afternoon"}),
        ("el lunes a las 3", {"dates": [date(2026, 3, 9)], "target_time": time(15, 0)}),
        ("esta semana", {"date_from": date(2026, 3, 4), "date_to": date(2026, 3, 8)}),
        ("lo antes posible", {"asap": True}),
        ("después de las 5", {"earliest_time": time(17, 0)}),
        ("quiero una cita para botox el sábado", {"dates": [date(2026, 3, 7)]}),
        ("hoy a las 6", {"dates": [date(2026, 3, 4)], "target_time": time(18, 0)}),
        ("el 12 de marzo a las 4 y media", {"dates": [date(2026, 3, 12)], "target_time": time(16, 30)}),
        ("la semana que viene", {"date_from": date(2026, 3, 9), "date_to": date(2026, 3, 15)}),
        ("el próximo viernes", {"dates": [date(2026, 3, 6)]}),
        ("something after lunch?", {"earliest_time": time(13, 0)}),
        ("hmm anything later? i work til 3", {"earliest_time": time(15, 0)}),
        ("I get off at 5 so anything after", {"earliest_time": time(17, 0)}),
        (
            "can i come wed on my lunch break (12-1)?",
            {"dates": [date(2026, 3, 4)], "earliest_time": time(12, 0)},
        ),
        ("this wknd? sat preferably", {"dates": [date(2026, 3, 7)]}),
    ],
)
def test_shorthand_and_spanish_time_phrases(text: str, want: dict[str, object]) -> None:
    pref = _parse(text).preference.model_dump()
    assert {key: pref[key] for key in want} == want


@pytest.mark.parametrize("text", ["I sat there", "too much sun on my face", "wed like to come in", "gracias"])
def test_everyday_words_that_look_like_days_are_not_times(text: str) -> None:
    assert parse_preference(text, NOW, TZ) is None


@pytest.mark.parametrize("row", SPANISH_TIME, ids=lambda r: r.example)
def test_every_spanish_time_row_reads_its_example(row: SpanishTime) -> None:
    assert to_english(plain(row.example)) == row.expected


def test_weekends_are_saturday_and_sunday_and_weekdays_monday_to_friday() -> None:
    assert _parse("any weekends?").preference.weekdays == [5, 6]
    assert _parse("weekdays after 5").preference.weekdays == [0, 1, 2, 3, 4]


def test_the_ten_works_is_ten_in_the_morning_but_the_three_is_no_time() -> None:
    assert _parse("the 10 works").preference.target_time == time(10, 0)
    assert parse_preference("I'll take the 3 please", NOW, TZ) is None
