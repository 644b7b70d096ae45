"""The dialogue policy's pure decisions: the next step, the opening, fitting a reply, new constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import policy
from services.agent.domain import MAX_REPLY_CHARS, fold
from services.agent.language.understanding import Understanding
from shared.contracts.conversation import (
    ClientIdentified,
    EscalationRaised,
    PreferenceUnderstood,
    ProposedOption,
    ReplySent,
    ServiceCandidate,
    ServiceMatched,
    ServicesOffered,
    SlotsProposed,
)
from shared.contracts.tools import SlotOption, TimePreference

pytestmark = pytest.mark.unit

TZ = ZoneInfo("America/Los_Angeles")
BASE = {"tenant_id": "glow-medspa", "conversation_id": "cabc"}
BOTOX = ServiceCandidate(service_id=uuid4(), name="Botox / Neurotoxin Consultation", is_consultation=True)
MORNING = TimePreference(weekdays=[2], part_of_day="morning")


def _reply(asks: str = "service") -> ReplySent:
    return ReplySent(**BASE, caused_by=uuid4(), idempotency_key=f"k{uuid4()}", body="Hi", asks=asks)  # type: ignore[arg-type]


def _options(*hours: int) -> list[ProposedOption]:
    day = datetime(2026, 12, 9, tzinfo=TZ)  # a Wednesday
    out = []
    for hour in hours:
        start = (day + timedelta(hours=hour)).astimezone(UTC)
        option = SlotOption(
            service_id=BOTOX.service_id,
            provider_id=uuid4(),
            provider_first_name="Julia",
            start=start,
            end=start + timedelta(minutes=20),
        )
        out.append(
            ProposedOption(hold_id=uuid4(), option=option, expires_at=start, label=f"Wednesday at {hour}am")
        )
    return out


def _offered(*hours: int):
    return fold(
        [
            _reply(),
            ServiceMatched(**BASE, service=BOTOX),
            PreferenceUnderstood(**BASE, preference=MORNING),
            SlotsProposed(**BASE, service_id=BOTOX.service_id, options=_options(*hours)),
        ]
    )


def test_with_service_and_time_the_next_step_is_options_even_without_a_name() -> None:
    state = fold([ServiceMatched(**BASE, service=BOTOX), PreferenceUnderstood(**BASE, preference=MORNING)])
    assert state.first_name is None
    assert policy.next_step(state) == "propose"


def test_the_steps_ask_what_is_missing_in_order() -> None:
    assert policy.next_step(fold([])) == "greet"
    assert policy.next_step(fold([_reply()])) == "ask_service"
    offered = fold([_reply(), ServicesOffered(**BASE, candidates=[BOTOX, BOTOX])])
    assert policy.next_step(offered) == "ask_service_choice"
    assert policy.next_step(fold([ServiceMatched(**BASE, service=BOTOX)])) == "ask_time"


def test_options_on_the_table_stand_until_a_new_constraint() -> None:
    state = _offered(9, 10)
    assert policy.next_step(state) == "await_choice"
    assert policy.next_step(state, fresh_search=True) == "propose"
    text, asks = policy.step_text("await_choice", state, "en")
    assert text == "Reply 1 or 2 to book." and asks == "choice"


def test_after_staff_the_ai_never_greets_as_a_stranger() -> None:
    raised = EscalationRaised(**BASE, category="medical", reason="A clinical question.")
    state = fold([raised])
    assert policy.next_step(state) == "ask_service"
    assert policy.opening(state, "Glow Med Spa", "en") == (
        "This is Glow Med Spa's automated assistant, picking up from our team."
    )


def test_the_first_reply_discloses_an_automated_assistant_and_later_ones_do_not() -> None:
    assert policy.opening(fold([]), "Glow Med Spa", "en") == "Hi! This is Glow Med Spa's automated assistant."
    named = fold([ClientIdentified(**BASE, client_id=uuid4(), first_name="Jess")])
    assert (
        policy.opening(named, "Glow Med Spa", "es")
        == "¡Hola, Jess! Soy el asistente automático de Glow Med Spa."
    )
    assert policy.opening(fold([_reply()]), "Glow Med Spa", "en") == ""


def test_a_long_reply_drops_the_name_question_then_answers_never_the_options() -> None:
    opening, options = "Hi!", "For your Botox I have " + "x" * 200 + "."
    answers = ["We're at 2140 Chestnut St.", "Parking: " + "y" * 80]
    text = policy.fit(opening, answers, [options], ["May I have your first name?"])
    assert len(text) <= MAX_REPLY_CHARS
    assert text.startswith("Hi! We're at 2140 Chestnut St.") and text.endswith(options)
    short = policy.fit(opening, answers[:1], ["Reply 1 to book."], ["May I have your first name?"])
    assert short == "Hi! We're at 2140 Chestnut St. Reply 1 to book. May I have your first name?"


def _u(**fields: object) -> Understanding:
    return Understanding(text="", **fields)  # type: ignore[arg-type]


def test_later_searches_after_the_last_option_offered_on_the_same_days() -> None:
    state = _offered(9, 10)
    fields = policy.shifted(_u(shift="later", reject_options=True), state, TZ)
    assert fields is not None
    preference = fields["preference"]
    assert preference.earliest_time == time(12), "later than a morning's options is the afternoon"
    assert preference.part_of_day is None
    assert preference.weekdays == [2], "later in the day keeps the day asked for"
    assert fields["exclude_starts"] == [p.option.start for p in state.proposals]


def test_earlier_searches_before_the_first_option() -> None:
    fields = policy.shifted(_u(shift="earlier"), _offered(11, 12), TZ)
    assert fields is not None and fields["preference"].latest_time == time(10, 30)


def test_a_day_asked_about_in_an_hours_question_is_not_a_booking_preference() -> None:
    thursday = TimePreference(weekdays=[3])
    question = _u(questions=frozenset({"hours"}), question_weekday=3, preference=thursday)
    assert policy.only_the_day_asked_about(question)
    booking = _u(questions=frozenset({"hours"}), question_weekday=3, preference=TimePreference(weekdays=[4]))
    assert not policy.only_the_day_asked_about(booking)


def test_the_same_day_next_week_when_the_day_asked_for_is_full() -> None:
    from datetime import date

    tuesday = TimePreference(dates=[date(2026, 12, 1)], part_of_day="morning")
    later = policy.next_week(tuesday)
    assert later is not None and later.dates == [date(2026, 12, 8)] and later.part_of_day == "morning"
    assert policy.next_week(TimePreference(asap=True)) is None
    weekend = TimePreference(date_from=date(2026, 12, 5), date_to=date(2026, 12, 6))
    later_weekend = policy.next_week(weekend)
    assert later_weekend is not None and later_weekend.date_from == date(2026, 12, 12)
    assert policy.next_week(TimePreference(date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))) is None


def test_none_of_these_with_a_new_day_searches_that_day_without_the_old_options() -> None:
    friday = TimePreference(weekdays=[4])
    state = _offered(9, 10)
    fields = policy.shifted(_u(reject_options=True, preference=friday), state, TZ)
    # The day changes; the morning the client asked for before still holds.
    assert fields is not None and fields["preference"] == TimePreference(weekdays=[4], part_of_day="morning")
    assert len(fields["exclude_starts"]) == 2


def test_a_day_alone_keeps_the_time_of_day_and_a_time_alone_keeps_the_days() -> None:
    friday_after_4 = TimePreference(weekdays=[3, 4], earliest_time=time(16))
    assert policy.merged(TimePreference(weekdays=[4]), friday_after_4) == TimePreference(
        weekdays=[4], earliest_time=time(16)
    )
    assert policy.merged(TimePreference(weekdays=[4], part_of_day="evening"), friday_after_4) == (
        TimePreference(weekdays=[4], part_of_day="evening")
    )
    assert policy.merged(TimePreference(part_of_day="morning"), friday_after_4) == TimePreference(
        weekdays=[3, 4], part_of_day="morning"
    )


def test_another_day_starts_the_search_the_day_after_the_options() -> None:
    fields = policy.shifted(_u(shift="another_day"), _offered(9), TZ)
    assert fields is not None
    assert fields["after"] == datetime(2026, 12, 10, tzinfo=TZ)


def test_no_constraint_without_options_or_without_a_shift() -> None:
    assert policy.shifted(_u(shift="later"), fold([ServiceMatched(**BASE, service=BOTOX)]), TZ) is None
    assert policy.shifted(_u(), _offered(9), TZ) is None


def test_after_a_booking_thanks_or_no_gets_a_goodbye_not_the_booking_again() -> None:
    from services.agent import domain

    booked = domain.replace(fold([ServiceMatched(**BASE, service=BOTOX)]), just_booked=True)
    assert policy.next_step(booked, u=_u(thanks=True)) == "welcome"
    assert policy.next_step(booked, u=_u(negate=True)) == "welcome"
    assert policy.next_step(booked, u=_u()) == "booked_followup"
    text, asks = policy.step_text("welcome", booked, "en", goodbye=True)
    assert text == "Thanks, talk soon!" and asks is None


def test_later_is_an_hour_past_the_last_option_without_a_part_of_day() -> None:
    state = fold(
        [
            _reply(),
            ServiceMatched(**BASE, service=BOTOX),
            PreferenceUnderstood(**BASE, preference=TimePreference(weekdays=[2])),
            SlotsProposed(**BASE, service_id=BOTOX.service_id, options=_options(13, 14)),
        ]
    )
    fields = policy.shifted(_u(shift="later"), state, TZ)
    assert fields is not None and fields["preference"].earliest_time == time(15)


def test_an_exact_time_not_among_the_options_is_said() -> None:
    starts = [p.option.start for p in _options(9, 11)]
    assert policy.exact_time_missing(TimePreference(target_time=time(10)), starts, TZ)
    assert not policy.exact_time_missing(TimePreference(target_time=time(9)), starts, TZ)
    assert not policy.exact_time_missing(TimePreference(target_time=time(10, 45)), starts, TZ)
    assert not policy.exact_time_missing(TimePreference(part_of_day="morning"), starts, TZ)


def test_none_of_those_alone_searches_after_the_options_offered() -> None:
    state = _offered(9, 10)
    fields = policy.shifted(_u(reject_options=True), state, TZ)
    assert fields is not None and fields["after"] == max(p.option.start for p in state.proposals)


def test_a_day_the_spa_is_closed_is_named() -> None:
    from shared.contracts.tools import OpeningDay

    week = [OpeningDay(weekday=d, intervals=[(time(9), time(17))]) for d in range(6)]
    week.append(OpeningDay(weekday=6, intervals=[]))
    assert policy.closed_days(TimePreference(weekdays=[6]), week) == [6]
    assert policy.closed_days(TimePreference(weekdays=[5, 6]), week) == []
    assert policy.closed_days(TimePreference(asap=True), week) == []
    assert policy.closed_days(TimePreference(weekdays=[6]), []) == []


def test_same_time_next_week_is_the_days_offered_a_week_on_not_the_whole_week() -> None:
    state = _offered(9, 10)
    next_week = TimePreference(date_from=date(2026, 12, 14), date_to=date(2026, 12, 20))
    fields = policy.shifted(_u(shift="week_later", preference=next_week), state, TZ)
    assert fields is not None
    preference = fields["preference"]
    assert preference.dates == [date(2026, 12, 16)], "the Wednesday offered, a week later"
    assert preference.part_of_day == "morning" and preference.date_from is None


def test_a_date_asked_for_on_a_spa_holiday_is_named_unless_another_date_asked_is_open() -> None:
    from shared.contracts.tools import ClosedDay

    christmas = ClosedDay(day=date(2026, 12, 25), reason="Christmas Day")
    short_eve = ClosedDay(day=date(2026, 12, 24), intervals=[(time(9), time(14))])
    closures = [short_eve, christmas]
    assert policy.closed_dates(TimePreference(dates=[date(2026, 12, 25)]), closures) == [christmas]
    assert policy.closed_dates(TimePreference(dates=[date(2026, 12, 24)]), closures) == []  # open, short
    assert policy.closed_dates(TimePreference(dates=[date(2026, 12, 25), date(2026, 12, 26)]), closures) == []
    assert policy.closed_dates(TimePreference(weekdays=[4]), closures) == []  # "friday": the next open one


@pytest.mark.parametrize(
    "text",
    [
        "with someone other than julia?",
        "not julia pls",
        "anyone but julia",
        "can i see someone besides julia",
        "i dont want julia",
        "other than julia anyone is fine",
    ],
)
def test_a_provider_ruled_out_is_understood_as_someone_else_never_as_asked_for(text: str) -> None:
    from services.agent.language.understanding import understand

    now = datetime(2026, 12, 2, 10, tzinfo=TZ)
    u = understand(text, now=now, tz="America/Los_Angeles", provider_names=["Julia Alvarez", "Lilian Okafor"])
    assert (u.provider, u.ruled_out, u.shift) == (None, "Julia", "other_provider")


def test_someone_else_rules_out_the_one_provider_offered_and_keeps_those_ruled_out_before() -> None:
    state = _offered(9)  # one option, so one provider offered
    (only,) = {p.option.provider_id for p in state.proposals}
    assert policy.ruled_out(_u(shift="other_provider"), state) == [only]
    assert policy.ruled_out(_u(shift="other_provider"), _offered(9, 10)) == []  # two: which one?
    named = uuid4()
    assert policy.ruled_out(_u(shift="other_provider", ruled_out="Lilian"), state, named) == [named]
    assert policy.ruled_out(_u(shift="later"), state) == []
