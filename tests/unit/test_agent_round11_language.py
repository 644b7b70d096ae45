"""Texts from round eleven's held-out conversations: clocks without a colon, "half 3", "end of day",
Spanish hours in words, a short day before a time word, nicknames, group bookings, club names."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from services.agent.language.timeparse import parse_preference

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 2, 0, 30)  # a Wednesday, before the spa opens


def _when(text: str):
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None, text
    return parsed.preference


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("peel on friday at 1430?", time(14, 30)),
        ("around 930 tmrw", time(9, 30)),
        ("0900 hrs thursday", time(9, 0)),
        ("could i do a hydrafacial saturday half 3", time(15, 30)),
        ("a las dos y media el jueves", time(14, 30)),
        ("a la una y media", time(13, 30)),
        ("botox tmrw 11.30", time(11, 30)),
        ("peel sat 10.15am", time(10, 15)),
        ("facial fri 230pm", time(14, 30)),
    ],
)
def test_clock_times_written_oddly(text: str, want: time) -> None:
    assert _when(text).target_time == want


@pytest.mark.parametrize(
    "text",
    [
        "2140 chestnut st",
        "half an hour",
        "at 150 units",
        "for 100 dollars off",
        "half 30 min",
        "it was $12.50 last time",
        "i lost 2.30 kg",
        "the peel is 12.99",
    ],
)
def test_numbers_that_are_no_clock_stay_no_clock(text: str) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is None or parsed.preference.target_time is None, text


def test_end_of_day_is_the_late_afternoon_on() -> None:
    p = _when("lymphatic massage end of day thursday")
    assert p.dates == [date(2026, 12, 3)] and p.earliest_time == time(16, 0)
    assert _when("last thing friday").earliest_time == time(16, 0)


def test_first_and_last_appointment_of_a_day() -> None:
    assert _when("first appt tuesday").part_of_day == "morning"
    assert _when("last slot friday").earliest_time == time(16, 0)


def test_before_work_is_the_spas_first_hour_not_before_it_opens() -> None:
    p = _when("can i squeeze in botox before work tues")
    assert p.part_of_day == "morning" and p.latest_time == time(10, 0)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("microneedling sat noonish", time(12, 0)),
        ("sat around 11?", time(11, 0)),
        ("wed lunchtime", None),
        ("sat mid morning", None),
    ],
)
def test_a_short_day_before_a_time_word_is_the_day(text: str, want: time | None) -> None:
    p = _when(text)
    assert len(p.dates) == 1 and p.dates[0].weekday() in (2, 5)
    assert p.target_time == want


@pytest.mark.parametrize("text", ["i sat there after work", "we sat by the window"])
def test_sat_as_a_verb_is_still_no_day(text: str) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is None or not parsed.preference.dates, text


PROVIDERS = ["Julia", "Lilian", "Sloane", "Marco", "Priya"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("can lil do my laser consult thurs morning", "Lilian"),
        ("can i see jules for botox thurs evening", "Julia"),
        ("is pri in on friday", "Priya"),
        ("im a lil nervous about botox", None),
        ("with mar on sat", None),  # "mar" is March, not Marco
        ("not lil please, anyone else", None),
    ],
)
def test_a_provider_asked_for_by_a_nickname(text: str, want: str | None) -> None:
    from services.agent.language.providers import find_provider
    from services.agent.language.shorthand import plain

    assert find_provider(plain(text), PROVIDERS) == want


@pytest.mark.parametrize(
    ("text", "questions", "topic"),
    [
        ("dermaplaning how much n how long", {"price", "duration"}, None),
        ("whats included in the glow club and how much", {"price"}, "memberships"),
        ("can me and my sister both get hydrafacials saturday at 11?", set(), "group bookings"),
        ("do you do group bookings", {"services"}, "group bookings"),
        ("looking to book 4 of us for a bridal party on the 12th", set(), "group bookings"),
        ("my sister recommended you, botox friday?", set(), None),
        ("how long have you been open", set(), None),
    ],
)
def test_questions_and_staff_topics_of_round_eleven(
    text: str, questions: set[str], topic: str | None
) -> None:
    from services.agent.language.questions import find_questions, staff_topic

    assert set(find_questions(text, PROVIDERS)) == questions
    assert staff_topic(text) == topic


# ----- the policy's round-eleven decisions


def _understood(text: str):
    from services.agent.language.understanding import understand

    return understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS)


def _booked_state():
    from uuid import uuid4

    from services.agent.domain import ConversationState
    from shared.contracts.conversation import BookingConfirmed

    booking = BookingConfirmed(
        tenant_id="glow-medspa",
        conversation_id="c1",
        caused_by=uuid4(),
        booking_id=uuid4(),
        hold_id=uuid4(),
        service_id=uuid4(),
        service_name="Dermaplaning",
        price_cents=9500,
        start=datetime(2026, 12, 3, 13, 0).astimezone(),
        provider_first_name="Sloane",
    )
    return ConversationState(bookings=(booking,), just_booked=True, replies=2)


@pytest.mark.parametrize(
    ("text", "moves"),
    [
        ("actually could i do later that day? like 5", True),
        ("can we make it friday instead", True),
        ("mejor el viernes", True),
        ("can i also book friday at 5", False),  # a second booking
        ("what time do you close friday?", False),  # a question
        ("thanks!", False),
    ],
)
def test_a_new_time_right_after_a_booking_moves_it(text: str, moves: bool) -> None:
    from services.agent import policy

    assert policy.changes_the_booking(_booked_state(), _understood(text), names_service=False) is moves


def test_a_new_time_with_a_treatment_is_another_booking() -> None:
    from services.agent import policy

    u = _understood("actually can i do a peel friday")
    assert policy.changes_the_booking(_booked_state(), u, names_service=True) is False


@pytest.mark.parametrize(
    ("text", "declines"),
    [
        ("ok thanks, i'll have a think and get back to you", True),
        ("no thanks, just wanted the price", True),
        ("maybe another time, thank you", True),
        ("ok thanks! friday?", False),
        ("ok", False),
    ],
)
def test_a_polite_no_to_the_booking_question(text: str, declines: bool) -> None:
    from services.agent import policy
    from services.agent.domain import ConversationState

    state = ConversationState(replies=1)
    assert policy.declines_for_now("ask_time", state, _understood(text)) is declines
    assert policy.declines_for_now("await_choice", state, _understood(text)) is False


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("sat?", 5), ("this sunday?", 6), ("sat", None), ("sat at 3?", None), ("botox sat?", None)],
)
def test_a_bare_day_with_a_question_mark_asks_if_the_spa_is_open(text: str, weekday: int | None) -> None:
    from services.agent import policy
    from services.agent.domain import ConversationState

    assert policy.bare_day_question(_understood(text), ConversationState()) == weekday


def test_answers_fit_beside_the_options_or_do_not() -> None:
    from services.agent import policy

    assert policy.fits("Hi!", ["Parking: Mallorca Way."], ["For your peel I have 1 or 2."])
    assert not policy.fits("Hi!", ["x" * 200], ["y" * 200])


def test_fewer_options_keep_the_one_at_the_time_asked() -> None:
    from services.agent import policy

    labels = ["tomorrow at 4:30pm with Julia", "tomorrow at 4:15pm with Julia", "Thursday, Dec 10 at 5:30pm"]
    assert policy.option_to_drop(labels, time(17, 30)) == 1
    assert policy.option_to_drop(labels, None) == 2


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("botox tues at 4 or wed at 5", ((date(2026, 12, 8), time(16, 0)), (date(2026, 12, 2), time(17, 0)))),
        (
            "el martes a las 4 o el miercoles a las 5",
            ((date(2026, 12, 8), time(16)), (date(2026, 12, 2), time(17))),
        ),
        ("tues or wed at 5", ()),  # one time for both days: one preference
        ("at 4 or 5 on tuesday", ()),  # one day: the first time is tried
        ("friday at 5", ()),
    ],
)
def test_each_day_offered_keeps_its_own_time(text: str, want: tuple[tuple[date, time], ...]) -> None:
    from services.agent.language.timeparse import alternatives

    assert alternatives(text, NOW, TZ) == want
    assert _understood(text).alternatives == want


def test_the_booked_followup_says_the_day_in_the_replys_language() -> None:
    from zoneinfo import ZoneInfo

    from services.agent import policy

    text, _ = policy.step_text("booked_followup", _booked_state(), "es", tz=ZoneInfo(TZ))
    assert "jueves" in text and "Thursday" not in text


def _offered(*clock: tuple[int, int]):
    from uuid import uuid4
    from zoneinfo import ZoneInfo

    from shared.contracts.conversation import ProposedOption
    from shared.contracts.tools import SlotOption

    out = []
    for hour, minute in clock:
        start = datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo(TZ))
        option = SlotOption(
            service_id=uuid4(),
            provider_id=uuid4(),
            provider_first_name="Sloane",
            start=start,
            end=start,
        )
        out.append(ProposedOption(hold_id=uuid4(), option=option, expires_at=start, label=f"{hour}:{minute}"))
    return out


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1pm is perfect", 0),  # 1:15 was offered as the time asked for
        ("1pm works", 0),
        ("1pm?", None),  # asks, does not accept
        ("3pm is perfect", None),  # nothing near
        ("friday at 1pm works", None),  # another day: a new request
    ],
)
def test_a_time_accepted_near_an_option_picks_it(text: str, want: int | None) -> None:
    from zoneinfo import ZoneInfo

    from services.agent import policy

    options = _offered((13, 15), (13, 45), (14, 30))
    assert policy.option_near_time_accepted(_understood(text), options, ZoneInfo(TZ)) == want
