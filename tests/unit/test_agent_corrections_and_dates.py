"""Corrections, week-relative days, holidays, busy parts of the day, and a pick signed with a bare name."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import frontdesk_answers, policy
from services.agent.brain import TurnContext
from services.agent.deterministic import provider_day_off
from services.agent.domain import ConversationState
from services.agent.language.corrections import TAKEN_BACK, TakenBack, without_taken_back
from services.agent.language.names import find_name
from services.agent.language.timeparse import HOLIDAYS, parse_preference
from services.agent.language.understanding import understand
from services.agent.language.vocabulary import LOGISTICS_WORDS
from services.agent.turn import Turn
from shared.contracts.conversation import ProposedOption
from shared.contracts.tools import OpeningDay, ProviderInfo, SlotOption, SpaProfile

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
# Tuesday 1 December 2026, 21:50 at the spa (after closing)
NOW = datetime(2026, 12, 1, 21, 50)
PROVIDERS = ["Julia Alvarez", "Lilian Okafor", "Sloane Bennett", "Marco Reyes", "Priya Shah"]


def _pref(text: str):
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None, text
    return parsed.preference


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("actually make that 4 not 3", time(16)),
        ("4 not 3 pls", time(16)),
        ("can you change it to 2", time(14)),
        ("make it 11", time(11)),
    ],
)
def test_a_corrected_clock_time_is_the_new_one(text: str, target: time) -> None:
    assert _pref(text).target_time == target


@pytest.mark.parametrize("text", ["can you make it 2 people", "make it 5 sessions", "not 3"])
def test_counts_and_a_time_ruled_out_are_no_new_time(text: str) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is None or parsed.preference.target_time is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("peel next week, wed or thu afternoon?", [date(2026, 12, 9), date(2026, 12, 10)]),
        ("wednesday or thursday next week", [date(2026, 12, 9), date(2026, 12, 10)]),
        ("thursday this week", [date(2026, 12, 3)]),
        ("next week on friday", [date(2026, 12, 11)]),
        ("friday", [date(2026, 12, 4)]),
    ],
)
def test_a_plain_weekday_said_with_a_week_is_that_weeks_day(text: str, days: list[date]) -> None:
    assert _pref(text).dates == days


@pytest.mark.parametrize("text", ["tomorrow or the day after?", "tmrw or the day after tomorrow"])
def test_tomorrow_or_the_day_after_is_either_day(text: str) -> None:
    p = _pref(text)
    assert (p.dates, p.date_from, p.date_to) == ([], date(2026, 12, 2), date(2026, 12, 3))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("are you guys open christmas eve?", date(2026, 12, 24)),
        ("will you be open on new years eve?", date(2026, 12, 31)),
        ("xmas day?", date(2026, 12, 25)),
        ("abren en nochebuena?", date(2026, 12, 24)),
    ],
)
def test_holidays_by_name_are_their_dates(text: str, day: date) -> None:
    p = _pref(text)
    assert p.dates == [day]
    assert p.part_of_day is None, "christmas eve is a day, not the evening"


@pytest.mark.parametrize(("pattern", "replacement", "example"), HOLIDAYS)
def test_every_holiday_row_reads_its_example(pattern: object, replacement: str, example: str) -> None:
    parsed = parse_preference(example, NOW, TZ)
    assert parsed is not None and parsed.preference.dates, example


def test_new_year_deals_are_no_date() -> None:
    assert parse_preference("any new year's specials?", NOW, TZ) is None


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("thursday or friday, i work mornings so afternoon pls", "afternoon"),
        ("not in the morning, afternoon is better", "afternoon"),
        ("im busy in the mornings, any evening?", "evening"),
        ("no, morning please", "morning"),
        ("friday morning", "morning"),
    ],
)
def test_a_part_of_day_the_client_is_busy_in_is_not_asked_for(text: str, part: str) -> None:
    assert _pref(text).part_of_day == part


def test_only_a_busy_part_of_day_is_no_preference() -> None:
    assert parse_preference("I work mornings", NOW, TZ) is None


@pytest.mark.parametrize("rule", TAKEN_BACK, ids=lambda r: r.name)
def test_every_taken_back_rule_reads_its_example(rule: TakenBack) -> None:
    assert without_taken_back(rule.example) == rule.expected


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        (
            "I wanted a chemical peel saturday but actually can we do a hydrafacial instead",
            "hydrafacial",
            "peel",
        ),
        ("can i do a hydrafacial instead of dermaplaning", "hydrafacial", "dermaplaning"),
        ("dermaplaning thursday, is marco in? oh he doesnt do facials nvm", "dermaplaning", "facial"),
        ("botox friday, actually saturday instead", "botox", "zzz"),
    ],
)
def test_a_treatment_taken_back_is_not_matched(text: str, kept: str, gone: str) -> None:
    words = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS).service_text
    assert kept in words and gone not in words


def test_a_time_taken_back_leaves_the_treatment() -> None:
    assert "botox" in without_taken_back("botox friday, actually saturday instead", LOGISTICS_WORDS)


@pytest.mark.parametrize(
    ("text", "name"),
    [("1 Maria", "Maria"), ("2 Jenny", "Jenny"), ("#1 Dana", "Dana"), ("the first one Kate", "Kate")],
)
def test_a_pick_then_a_capitalised_name_signs_it(text: str, name: str) -> None:
    found = find_name(text)
    assert found is not None and found.name == name
    u = understand(text, now=NOW, tz=TZ, option_labels=["Fri at 9am", "Fri at 10am", "Fri at 11am"])
    assert u.choice is not None and u.name == name


@pytest.mark.parametrize("text", ["1 Please", "2 Thanks", "1 Friday", "3 Pm", "1 please"])
def test_a_pick_then_an_everyday_word_is_no_name(text: str) -> None:
    assert find_name(text) is None


def test_a_day_in_a_booking_ask_with_a_schedule_question_is_for_booking_too() -> None:
    both = "can i come in for dermaplaning thursday and is marco working then"
    u = understand(both, now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert u.booking_ask and u.questions and u.preference is not None
    assert not policy.only_the_day_asked_about(u)
    question = understand("is marco working thursday?", now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert not question.booking_ask and policy.only_the_day_asked_about(question)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("the thursday one", date(2026, 12, 10)),
        ("thursday works", date(2026, 12, 10)),
        ("this thursday actually", date(2026, 12, 3)),
        ("thursday the 3rd", date(2026, 12, 3)),
        ("the thursday after that", date(2026, 12, 10)),
    ],
)
def test_a_weekday_said_again_is_the_one_asked_for_before(text: str, day: date) -> None:
    asked = _pref("next week, wed or thu afternoon?")
    new = _pref(text)
    assert policy.as_asked_before(new, asked, text).dates == [day]


def _option(day: int, hour: int) -> SlotOption:
    start = datetime(2026, 12, day, hour, tzinfo=ZoneInfo(TZ))
    return SlotOption(
        service_id=uuid4(),
        provider_id=uuid4(),
        provider_first_name="Sloane",
        start=start,
        end=start + timedelta(hours=1),
        local_label=f"Dec {day} at {hour}",
    )


def test_days_asked_for_that_no_option_falls_on() -> None:
    tz = ZoneInfo(TZ)
    wed_or_thu = _pref("next week, wed or thu afternoon?")
    all_wednesday = [_option(9, 12), _option(9, 13), _option(9, 15)]
    assert policy.days_not_offered(wed_or_thu, all_wednesday, tz) == [date(2026, 12, 10)]
    both = [_option(9, 12), _option(10, 13)]
    assert policy.days_not_offered(wed_or_thu, both, tz) == []
    assert policy.days_not_offered(_pref("wednesday afternoon"), all_wednesday, tz) == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("could i book microneedling a week from friday, morning if possible", date(2026, 12, 11)),
        ("2 weeks from tomorrow", date(2026, 12, 16)),
        ("actually what about the saturday after that", date(2026, 12, 12)),
        ("the friday after next", date(2026, 12, 11)),
        ("friday after that's fine", date(2026, 12, 4)),
    ],
)
def test_a_week_from_a_weekday_and_the_weekday_after_that(text: str, day: date) -> None:
    assert _pref(text).dates == [day]


def test_the_weekday_after_that_is_not_taken_back_to_the_one_asked_before() -> None:
    asked, text = _pref("microneedling saturday?"), "what about the saturday after that"
    assert policy.as_asked_before(_pref(text), asked, text).dates == [date(2026, 12, 12)]


TOMORROW_LABELS = [
    "tomorrow at 11am with Priya",
    "tomorrow at 11:30am with Sloane",
    "tomorrow at 11:15am with Priya",
]


def test_another_day_at_an_offered_hour_is_no_pick_of_tomorrows_option() -> None:
    text = "oh wait no tmrw im busy, friday at 11 instead"
    u = understand(text, now=NOW, tz=TZ, option_labels=TOMORROW_LABELS, provider_names=PROVIDERS)
    assert u.choice is None
    assert u.preference is not None and u.preference.dates == [date(2026, 12, 4)]
    assert u.preference.target_time == time(11)
    same_day = understand("11 works", now=NOW, tz=TZ, option_labels=TOMORROW_LABELS)
    assert same_day.choice == 0


@pytest.mark.parametrize(
    "text", ["let's do Saturday at 10… actually 11 is better", "saturday at 10, 11 works better"]
)
def test_a_better_hour_said_after_another_is_the_one_asked_for(text: str) -> None:
    assert _pref(text).target_time == time(11)


@pytest.mark.parametrize(
    "text",
    [
        "me puedes agendar masaje linfatico el martes? ah no perdon, el miercoles",
        "tuesday, oops i mean wednesday",
        "el martes... mejor el miercoles",
    ],
)
def test_a_day_corrected_in_english_or_spanish_is_the_last_one(text: str) -> None:
    assert _pref(text).dates == [date(2026, 12, 2)]


def test_two_days_offered_as_alternatives_are_both_kept() -> None:
    assert _pref("el lunes o el martes").dates == [date(2026, 12, 1), date(2026, 12, 7)]


@pytest.mark.parametrize(
    "text",
    [
        "hi! i forgot what time my appointment is on friday, can you remind me?",
        "when is my appointment again?",
        "a que hora es mi cita?",
    ],
)
def test_a_question_about_their_own_appointment_is_for_staff(text: str) -> None:
    u = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert u.staff_topic == "their appointment"


def _julia_turn(text: str) -> Turn:
    julia = ProviderInfo(
        provider_id=uuid4(),
        first_name="Julia",
        week=[OpeningDay(weekday=d, intervals=[(time(10), time(19))]) for d in (1, 2, 3, 4, 5)],
    )
    spa = SpaProfile(tenant_id="t", name="Glow Med Spa", timezone=TZ, providers=[julia])
    state = ConversationState(conversation_id="c", tenant_id="t")
    ctx = TurnContext(state=state, text=text, now=NOW, spa=spa, tools=None, correlation_id=uuid4())  # type: ignore[arg-type]
    u = understand(text, now=NOW, tz=TZ, provider_names=["Julia Alvarez"])
    return Turn(ctx=ctx, u=u, state=state, lang="en", tz=ZoneInfo(TZ))


def test_a_day_the_provider_asked_for_does_not_work_is_said() -> None:
    turn = _julia_turn("can I see julia on monday for botox?")
    said = provider_day_off(turn, turn.ctx.spa.providers[0])
    assert said == "Julia isn't in on Monday."
    assert provider_day_off(_julia_turn("julia on tuesday for botox?"), turn.ctx.spa.providers[0]) == ""


def test_no_then_another_treatment_instead_takes_the_first_back() -> None:
    text = "can i get botox thurs? actualy no, lip filler instead"
    words = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS).service_text
    assert "lip filler" in words and "botox" not in words
    assert "botox" in understand("botox friday. no wait, saturday instead", now=NOW, tz=TZ).service_text


def test_the_spas_phone_number_comes_from_its_help_text() -> None:
    spa = SpaProfile(tenant_id="t", name="Glow", timezone=TZ, help_text="Call (415) 555-0199 for help.")
    asked = frontdesk_answers.Asked(profile=spa)
    assert frontdesk_answers.phone(asked) == "You can call us at (415) 555-0199."
    assert (
        frontdesk_answers.phone(frontdesk_answers.Asked(profile=spa.model_copy(update={"help_text": ""})))
        == ""
    )
    u = understand("none of these work and honestly id rather just call, whats your number?", now=NOW, tz=TZ)
    assert "phone" in u.questions and u.reject_options


def test_the_week_after_next_is_the_week_two_weeks_on() -> None:
    p = _pref("peel the week after next, any weekday morning")
    assert (p.date_from, p.date_to) == (date(2026, 12, 14), date(2026, 12, 20))
    assert p.weekdays == [0, 1, 2, 3, 4] and p.part_of_day == "morning"
    assert understand("what about the week after next?", now=NOW, tz=TZ).shift is None


def _held(day: int, hour: int) -> ProposedOption:
    option = _option(day, hour)
    return ProposedOption(hold_id=uuid4(), option=option, expires_at=option.start, label=option.local_label)


def test_options_on_none_of_the_days_asked_say_the_day_is_full() -> None:
    tz = ZoneInfo(TZ)
    saturday = _pref("this coming sat early morning")
    other_days = [_held(16, 9), _held(18, 9)]  # a Wednesday and a Friday
    assert policy.inexact_options_key(saturday, other_days, tz) == "options_other_days"
    a_later_saturday = [_held(19, 10)]
    assert policy.inexact_options_key(saturday, a_later_saturday, tz) == "options_not_exact"
    assert policy.inexact_options_key(_pref("at 9am"), other_days, tz) == "options_not_exact"
    after_later = policy.inexact_options_key(saturday, other_days, tz, "later")
    assert after_later == "options_not_exact", "nothing later that day is not a full day"


@pytest.mark.parametrize(
    ("text", "weekdays"),
    [
        ("dermaplaning next week any day but monday", [1, 2, 3, 4, 5, 6]),
        ("any day except friday", [0, 1, 2, 3, 5, 6]),
    ],
)
def test_a_day_ruled_out_leaves_every_other_day(text: str, weekdays: list[int]) -> None:
    assert _pref(text).weekdays == weekdays


def test_not_monday_then_tuesday_is_tuesday_only() -> None:
    p = _pref("not monday, tuesday works")
    assert p.dates == [date(2026, 12, 1)] and p.weekdays == []


def test_noonish_is_around_noon() -> None:
    assert _pref("chemical peel tues around noonish?").target_time == time(12)


def test_a_membership_name_is_no_treatment() -> None:
    words = understand("how much is the glow club membership?", now=NOW, tz=TZ).service_text
    assert "glow" not in words


def test_christmas_asked_for_is_said_closed_with_the_spas_reason_in_either_language() -> None:
    from shared.contracts.tools import ClosedDay

    (asked,) = _pref("hydrafacial on christmas day?").dates
    closed = ClosedDay(day=asked, reason="Christmas Day")
    assert frontdesk_answers.closure_hours(closed, "en") == "We're closed Friday, Dec 25 (Christmas Day)."
    assert frontdesk_answers.closure_hours(closed.model_copy(update={"reason": ""}), "es") == (
        "Estamos cerrados el viernes 25 de dic."
    )


def test_what_a_treatment_is_comes_from_the_spa_file_in_english_only() -> None:
    from uuid import uuid4

    from shared.contracts.conversation import ServiceCandidate
    from shared.contracts.tools import ServiceInfo

    sid = uuid4()
    info = ServiceInfo(
        service_id=sid, key="peel", name="Chemical Peel", category="facials", price_cents=17500,
        duration_minutes=45, about="A chemical peel brightens the skin.",
    )  # fmt: skip
    spa = SpaProfile(tenant_id="t", name="Glow", timezone=TZ, services=[info])
    peel = ServiceCandidate(service_id=sid, name="Chemical Peel", confidence=1.0)
    asked = frontdesk_answers.Asked(profile=spa, service=peel)
    assert frontdesk_answers.about(asked) == "A chemical peel brightens the skin."
    assert frontdesk_answers.about(frontdesk_answers.Asked(profile=spa, service=peel, lang="es")) == ""
    bare = spa.model_copy(update={"services": [info.model_copy(update={"about": ""})]})
    assert frontdesk_answers.about(frontdesk_answers.Asked(profile=bare, service=peel)) == ""


def test_sessions_left_are_said_per_package_with_sessions_and_nothing_when_not_looked_up() -> None:
    from shared.contracts.tools import PackageBalance

    spa = SpaProfile(tenant_id="t", name="Glow", timezone=TZ)
    one = PackageBalance(package_name="HydraFacial, 3 sessions", sessions_remaining=1, covers_service=True)
    used = PackageBalance(package_name="Laser, 6 sessions", sessions_remaining=0, covers_service=False)
    asked = frontdesk_answers.Asked(profile=spa, balances=[one, used])
    assert frontdesk_answers.balance(asked) == "Your HydraFacial, 3 sessions has 1 session left."
    es = frontdesk_answers.Asked(profile=spa, lang="es", balances=[one])
    assert frontdesk_answers.balance(es) == "A tu HydraFacial, 3 sessions le quedan 1 sesión."
    none_left = frontdesk_answers.Asked(profile=spa, balances=[used])
    assert frontdesk_answers.balance(none_left) == "I don't see any package sessions on this number."
    assert frontdesk_answers.balance(frontdesk_answers.Asked(profile=spa)) == ""


def test_the_price_of_a_free_consultation_names_the_treatments_it_leads_to_cheapest_first() -> None:
    from uuid import uuid4

    from shared.contracts.conversation import ServiceCandidate
    from shared.contracts.tools import ServiceInfo

    consult_id = uuid4()

    def info(name: str, cents: int, **kw: object) -> ServiceInfo:
        return ServiceInfo(
            service_id=kw.pop("sid", uuid4()), key=name.lower().replace(" ", "-"), name=name,
            category="lasers", price_cents=cents, duration_minutes=30, **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    consult = info("Laser Consultation", 0, sid=consult_id, is_consultation=True)
    services = [
        consult,
        info("Laser Resurfacing", 90000, consult_service_id=consult_id),
        info("Laser Hair Removal", 15000, consult_service_id=consult_id),
        info("HydraFacial", 22500),
    ]
    spa = SpaProfile(tenant_id="t", name="Glow", timezone=TZ, services=services)
    candidate = ServiceCandidate(service_id=consult_id, name="Laser Consultation", is_consultation=True)
    asked = frontdesk_answers.Asked(profile=spa, service=candidate)
    assert frontdesk_answers.price(asked) == (
        "The Laser Consultation is free. After it: Laser Hair Removal $150 and Laser Resurfacing $900."
    )
