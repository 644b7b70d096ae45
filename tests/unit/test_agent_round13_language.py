"""Texts from round thirteen's held-out conversations: picks by the options' clock ("the later one",
"the one closest to noon"), "whichever is with lil", "is 2 ok?" among three options, an hour no
option has ("no 11 is fine"), a day last in the text ("lip filler sat"), Spanish "el 15" and "fin
de mes", "what days is she in?" about the provider asked for, "is julia in on saturdays?"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent.deterministic import (
    asks_days_only,
    chosen_option,
    language_handoff,
    option_at_time_asked,
    should_match,
)
from services.agent.domain import ConversationState
from services.agent.language.choices import parse_choice
from services.agent.language.clock_picks import CLOCK_PICKS, ClockPick, find_clock_pick, option_by_clock
from services.agent.language.shorthand import expand, plain
from services.agent.language.timeparse import parse_preference
from services.agent.language.understanding import understand
from services.agent.policy import (
    PICK_CORRECTIONS,
    before_opening,
    changes_the_booking,
    corrects_the_pick,
    from_opening,
    only_the_day_asked_about,
)
from shared.contracts.conversation import ProposedOption
from shared.contracts.tools import OpeningDay, SlotOption, TimePreference

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 2, 10, 0)  # a Wednesday
PROVIDERS = ["Julia", "Lilian", "Sloane", "Marco", "Priya"]


def _held(day: int, hour: int, minute: int, provider: str = "Priya") -> ProposedOption:
    start = datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(TZ))
    label = f"{start:%A} at {start:%-I:%M%p}".replace(":00", "").replace("AM", "am").replace("PM", "pm")
    option = SlotOption(
        service_id=uuid4(),
        provider_id=uuid4(),
        provider_first_name=provider,
        start=start,
        end=start + timedelta(minutes=45),
        local_label=f"{label} with {provider}",
    )
    return ProposedOption(hold_id=uuid4(), option=option, expires_at=start, label=option.local_label)


# Listed nearest the time asked first, as offers are: 3pm, 3:15pm, 2:45pm on Saturday.
NEAR_THREE = [_held(5, 15, 0), _held(5, 15, 15, "Sloane"), _held(5, 14, 45)]


def _picked(text: str, proposals: list[ProposedOption]) -> int | None:
    """The option the brain books for this text with these options on the table."""
    u = understand(
        text,
        now=NOW,
        tz=TZ,
        option_labels=[p.label for p in proposals],
        provider_names=PROVIDERS,
    )
    state = ConversationState(conversation_id="c", tenant_id="t", proposals=proposals)
    turn = SimpleNamespace(u=u, state=state, tz=ZoneInfo(TZ))
    return chosen_option(turn)  # type: ignore[arg-type]


# ----- picks by the clock


@pytest.mark.parametrize(("way", "text"), [(r.way, t) for r in CLOCK_PICKS for t in r.examples])
def test_each_clock_pick_reads_its_examples(way: str, text: str) -> None:
    pick = find_clock_pick(plain(text))
    assert pick is not None and pick.way == way


@pytest.mark.parametrize("text", [t for r in CLOCK_PICKS for t in r.counter_examples])
def test_no_clock_pick_in_a_counter_example(text: str) -> None:
    assert find_clock_pick(plain(text)) is None


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the later one pls", 1),  # 3:15pm, not the last line (2:45pm)
        ("the latest one", 1),
        ("the earlier one", 2),
        ("whichever is earliest", 2),
        ("la mas temprana", 2),
        ("the one closest to 3", 0),
        ("1", 0),  # a number still picks by place
    ],
)
def test_a_pick_by_the_clock_books_that_start_not_that_line(text: str, index: int) -> None:
    assert _picked(text, NEAR_THREE) == index


def test_the_one_closest_to_noon_among_the_days_options() -> None:
    friday = [_held(4, 9, 0, "Sloane"), _held(4, 17, 0), _held(4, 10, 30, "Sloane")]
    assert _picked("the one closest to noon", friday) == 2


def test_the_latest_across_days_is_the_last_start() -> None:
    starts = [p.option.start for p in (_held(8, 17, 0), _held(3, 18, 30), _held(3, 17, 0))]
    assert option_by_clock(ClockPick("latest"), starts, TZ) == 0
    assert option_by_clock(ClockPick("earliest"), starts, TZ) == 2


# ----- whichever fits a description


def test_whichever_is_with_a_nickname_takes_the_first_of_hers() -> None:
    options = [_held(7, 9, 0, "Lilian"), _held(8, 10, 0, "Julia"), _held(7, 10, 30, "Lilian")]
    assert _picked("whichever ones with lil", options) == 0
    assert _picked("the one with julia", options) == 1


def test_a_description_two_options_fit_is_no_pick_without_whichever() -> None:
    options = [_held(7, 9, 0, "Lilian"), _held(8, 10, 0, "Julia"), _held(7, 10, 30, "Lilian")]
    assert _picked("the one with lilian", options) is None


# ----- numbers: an option's place or an hour


def test_is_2_ok_with_three_options_is_the_second_option_not_2pm() -> None:
    with_two_pm = [_held(2, 13, 45), _held(2, 14, 15), _held(2, 14, 0)]
    assert _picked("is 2 ok?", NEAR_THREE) == 1
    assert _picked("is 2 ok?", with_two_pm) == 1
    assert _picked("is 4 ok?", NEAR_THREE) is None  # no fourth option: 4pm is asked about


@pytest.mark.parametrize(
    ("text", "hour"),
    [("no 11 is fine sorry", 11), ("yes the 11", 11), ("10 works", 10), ("ok 9 then", 9), ("the 12th", None)],
)
def test_an_hour_past_the_options_count_is_a_time(text: str, hour: int | None) -> None:
    parsed = parse_preference(text, NOW, TZ)
    got = parsed.preference.target_time if parsed else None
    assert got == (time(hour) if hour is not None else None)


def test_yes_the_11_after_1pm_options_books_none_of_them() -> None:
    one_pm = [_held(5, 13, 0), _held(5, 13, 15, "Sloane"), _held(5, 12, 45)]
    assert _picked("yes the 11", one_pm) is None
    assert _picked("no 11 is fine sorry", one_pm) is None


# ----- days and dates


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("lip filler sat", "lip filler saturday"),
        ("also can i get a peel sat", "also can i get a peel saturday"),
        ("botox mon.", "botox monday."),
        ("where i sat", "where i sat"),
        ("avoid sun", "avoid sun"),
        ("c'mon", "c'mon"),
    ],
)
def test_a_short_day_last_in_the_text_is_the_day(text: str, want: str) -> None:
    assert expand(text) == want


@pytest.mark.parametrize(
    ("text", "day", "clock"),
    [
        ("tienen cita para depilacion laser el 15 en la manana?", date(2026, 12, 15), None),
        ("el 15 a las 3", date(2026, 12, 15), time(15)),
        ("el 2 porfa", None, None),  # a pick of option 2, no date
    ],
)
def test_spanish_el_15_is_the_day_of_the_month(text: str, day: date | None, clock: time | None) -> None:
    parsed = parse_preference(text, NOW, TZ)
    p = parsed.preference if parsed else None
    assert (p.dates if p else []) == ([day] if day else [])
    assert (p.target_time if p else None) == clock


def test_spanish_end_of_the_month_is_its_last_days() -> None:
    parsed = parse_preference("necesito un peel para fin de mes", NOW, TZ)
    assert parsed is not None and parsed.preference.date_to == date(2026, 12, 31)
    assert parsed.preference.date_from is not None and parsed.preference.date_from.day >= 20


# ----- questions about a provider


def test_what_days_is_she_in_asks_about_the_provider_asked_for() -> None:
    u = understand(
        "what days is she in?", now=NOW, tz=TZ, provider_names=PROVIDERS, provider_in_mind="Sloane"
    )
    assert u.provider == "Sloane" and "provider_schedule" in u.questions
    alone = understand("what days is she in?", now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert alone.provider is None and "provider_schedule" not in alone.questions
    told = understand(
        "she said it was fine", now=NOW, tz=TZ, provider_names=PROVIDERS, provider_in_mind="Sloane"
    )
    assert told.provider is None


def test_a_provider_on_a_weekday_in_the_plural_asks_about_that_weekday() -> None:
    u = understand("is julia in on saturdays? and till when?", now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert u.provider == "Julia" and u.question_weekday == 5


# ----- a name that is a word of another language


def _language_turn(text: str) -> SimpleNamespace:
    u = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS)
    state = ConversationState(conversation_id="c", tenant_id="t")
    spa = SimpleNamespace(languages=["en", "es"])
    return SimpleNamespace(u=u, state=state, ctx=SimpleNamespace(spa=spa), facts=[])


def test_a_name_alone_that_is_a_portuguese_word_stays_with_the_agent() -> None:
    assert understand("Uma", now=NOW, tz=TZ).language == "other"
    assert language_handoff(_language_turn("Uma")) is None  # type: ignore[arg-type]


def test_a_text_in_another_language_still_goes_to_staff() -> None:
    decision = language_handoff(_language_turn("obrigada, quero marcar uma consulta amanha"))  # type: ignore[arg-type]
    assert decision is not None and decision.handoff is not None and decision.handoff.category == "other"


def test_la_mas_tarde_picks_the_latest_option_rather_than_asking_for_later_ones() -> None:
    assert _picked("la más tarde porfa", NEAR_THREE) == 1
    assert _picked("algo mas tarde?", NEAR_THREE) is None


# ----- a question about the provider's days while options are out


SATURDAY = ["Saturday at 9am with Marco", "Saturday at 10:30am with Marco", "Saturday at 12pm with Marco"]


@pytest.mark.parametrize(
    ("text", "index"),
    [("ok saturday is fine, 1", 0), ("saturday 2 pls", 1), ("saturday at 1", None), ("tuesday 1", None)],
)
def test_a_number_beside_the_day_every_option_has_picks(text: str, index: int | None) -> None:
    assert parse_choice(text, 3, SATURDAY) == index


def _days_turn(text: str, proposals: list[ProposedOption]) -> SimpleNamespace:
    u = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS, provider_in_mind="Marco")
    state = ConversationState(conversation_id="c", tenant_id="t", proposals=proposals)
    return SimpleNamespace(u=u, state=state)


def test_does_he_work_tuesdays_too_keeps_the_options_out() -> None:
    out = [_held(5, 9, 0, "Marco")]
    assert asks_days_only(_days_turn("does he work tuesdays too?", out))  # type: ignore[arg-type]
    assert not asks_days_only(_days_turn("is marco in on tuesday?", out))  # type: ignore[arg-type]
    assert not asks_days_only(_days_turn("does he work tuesdays too?", []))  # type: ignore[arg-type]


# ----- "tomorrow" in a label is also its weekday


@pytest.mark.parametrize(
    ("labels", "text", "index"),
    [
        (["today at 9am", "tomorrow at 9am", "Friday at 9am"], "the thursday one", 1),
        (["hoy a las 9am", "mañana a las 9am"], "la del jueves", 1),
        (["tomorrow at 5pm", "tomorrow at 6:30pm", "Tuesday at 6pm"], "thurs one pls", None),  # two fit
        (["tomorrow at 5pm", "tomorrow at 6:30pm", "Tuesday at 6pm"], "the tuesday one", 2),
    ],
)
def test_a_weekday_picks_the_option_labelled_today_or_tomorrow(
    labels: list[str], text: str, index: int | None
) -> None:
    assert understand(text, now=NOW, tz=TZ, option_labels=labels).choice == index


# ----- thanks that name no treatment


def _match_turn(text: str) -> SimpleNamespace:
    u = understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS)
    state = ConversationState(conversation_id="c", tenant_id="t")
    return SimpleNamespace(u=u, state=state, ctx=SimpleNamespace(spa=SimpleNamespace(services=[])))


@pytest.mark.parametrize(
    ("text", "looked_up"),
    [("ok cool thx", False), ("cool, ty!", False), ("sweet thanks", False), ("cool sculpting pls", True)],
)
def test_thanks_alone_is_no_treatment_to_look_up(text: str, looked_up: bool) -> None:
    assert should_match(_match_turn(text)) is looked_up  # type: ignore[arg-type]


# ----- parts of a named month


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("lymphatic massage the first week of january?", date(2027, 1, 1), date(2027, 1, 7)),
        ("botox mid jan", date(2027, 1, 11), date(2027, 1, 20)),
        ("end of january for a peel", date(2027, 1, 22), date(2027, 1, 31)),
        ("sometime in february", date(2027, 2, 1), date(2027, 2, 28)),
        ("last week of december", date(2026, 12, 25), date(2026, 12, 31)),
        ("la primera semana de enero", date(2027, 1, 1), date(2027, 1, 7)),
        ("a mediados de enero", date(2027, 1, 11), date(2027, 1, 20)),
    ],
)
def test_a_part_of_a_named_month_is_its_days(text: str, first: date, last: date) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None
    assert (parsed.preference.date_from, parsed.preference.date_to) == (first, last)


def test_may_as_a_verb_is_no_month() -> None:
    assert parse_preference("in may i book a facial?", NOW, TZ) is None


# ----- "either is fine lol", and a pick corrected right after the booking


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("either is fine lol", 0),
        ("any works for me tbh", 0),
        ("whichever is fine thanks", 0),
        ("any other times?", None),
    ],
)
def test_any_of_them_with_laughter_or_thanks_after_it_is_the_first(text: str, index: int | None) -> None:
    assert parse_choice(text, 3, ["Monday at 12pm", "Monday at 1:30pm", "Monday at 3pm"]) == index


@pytest.mark.parametrize(("pattern", "example", "counter"), PICK_CORRECTIONS)
def test_each_pick_correction_reads_its_example_not_its_counter_example(
    pattern: str, example: str, counter: str
) -> None:
    assert corrects_the_pick(understand(example, now=NOW, tz=TZ))
    assert not corrects_the_pick(understand(counter, now=NOW, tz=TZ))


def test_i_meant_3_right_after_the_booking_moves_it() -> None:
    booked = ConversationState(conversation_id="c", tenant_id="t", just_booked=True, bookings=(uuid4(),))  # type: ignore[arg-type]
    assert changes_the_booking(booked, understand("wait no i meant 3", now=NOW, tz=TZ), names_service=False)
    assert changes_the_booking(booked, understand("oh i meant 3pm", now=NOW, tz=TZ), names_service=False)
    fresh = ConversationState(conversation_id="c", tenant_id="t")
    assert not changes_the_booking(
        fresh, understand("wait no i meant 3", now=NOW, tz=TZ), names_service=False
    )


def _asked_at(hour: int, minute: int, proposals: list[ProposedOption]) -> SimpleNamespace:
    state = ConversationState(
        conversation_id="c",
        tenant_id="t",
        proposals=proposals,
        preference=TimePreference(target_time=time(hour, minute)),
    )
    return SimpleNamespace(state=state, tz=ZoneInfo(TZ))


def test_yes_please_after_a_time_not_open_takes_the_one_option_within_the_quarter_hour() -> None:
    evening = [_held(3, 18, 30, "Sloane"), _held(3, 18, 45, "Sloane"), _held(3, 19, 0, "Sloane")]
    assert option_at_time_asked(_asked_at(18, 15, evening)) == 0  # type: ignore[arg-type]
    assert option_at_time_asked(_asked_at(18, 45, evening)) == 1  # type: ignore[arg-type]
    assert option_at_time_asked(_asked_at(17, 0, evening)) is None  # type: ignore[arg-type]
    both_sides = [_held(3, 18, 0, "Sloane"), _held(3, 18, 30, "Sloane")]
    assert option_at_time_asked(_asked_at(18, 15, both_sides)) is None  # type: ignore[arg-type]


# ----- two times on one day


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("hydrafacial saturday, 10 or 3?", ((date(2026, 12, 5), time(10)), (date(2026, 12, 5), time(15)))),
        ("friday at 11 or 2", ((date(2026, 12, 4), time(11)), (date(2026, 12, 4), time(14)))),
        ("saturday at 10 or later", ()),
        ("sat at 10 or so", ()),
        ("tues or wed at 4", ()),
    ],
)
def test_two_times_on_one_day_are_each_looked_for(text: str, want: tuple[tuple[date, time], ...]) -> None:
    assert understand(text, now=NOW, tz=TZ).alternatives == want


# ----- "later, like 6"


@pytest.mark.parametrize(
    ("text", "hour", "shift"),
    [
        ("anything later, like 6?", 18, "later"),
        ("tienes algo más late, like 6?", 18, "later"),
        ("tienes algo mas late?", None, "later"),
        ("something earlier like 10", 10, "earlier"),
        ("id like 2 sessions", None, None),
        ("something like 3 areas", None, None),
    ],
)
def test_a_time_given_as_an_example_after_later(text: str, hour: int | None, shift: str | None) -> None:
    u = understand(text, now=NOW, tz=TZ, option_labels=[p.label for p in NEAR_THREE])
    assert (u.preference.target_time if u.preference else None) == (time(hour) if hour is not None else None)
    assert u.shift == shift


def test_a_clock_time_given_as_an_example_is_read_whole_not_as_its_hour() -> None:
    u = understand("can you look for a different time, like 14:45?", now=NOW, tz=TZ)
    assert u.preference is not None and u.preference.target_time == time(14, 45)


# ----- after a day


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("i get paid next friday, anything after that for a hydrafacial?", date(2026, 12, 5)),
        ("botox sometime after the 20th?", date(2026, 12, 21)),
        ("after friday", date(2026, 12, 5)),
    ],
)
def test_after_a_day_is_the_weeks_that_follow_it(text: str, first: date) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None and parsed.preference.dates == []
    assert parsed.preference.date_from == first
    assert parsed.preference.date_to == first + timedelta(days=27)


@pytest.mark.parametrize(
    "text", ["friday after 5", "after work friday", "the day after tomorrow", "friday at 3 after that"]
)
def test_a_time_after_or_a_day_after_tomorrow_stays_one_day(text: str) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None and len(parsed.preference.dates) == 1


# ----- a pick taken back, and a pick that is no name


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the first... actually no the second", 1),
        ("2, sorry i mean 3", 2),
        ("la primera, mejor la tercera", 2),
        ("actually 2 works", 1),
        ("the first one, actually what is the price", 0),
    ],
)
def test_the_pick_said_after_taking_one_back_counts(text: str, index: int) -> None:
    assert parse_choice(text, 3, ["today at 12pm", "today at 1:30pm", "today at 3pm"]) == index


@pytest.mark.parametrize("text", ["whichever is soonest", "either works", "is 2 ok?"])
def test_a_pick_is_no_name_when_the_name_was_asked(text: str) -> None:
    assert understand(text, now=NOW, tz=TZ, option_labels=["a", "b", "c"], name_asked=True).name is None


# ----- an hour after the day, "@ 1", "that day", before opening


@pytest.mark.parametrize(
    ("text", "hour"),
    [
        ("saturday works. morning. 10?", 10),
        ("hydrafacial saturday 10?", 10),
        ("microneedling weds @ 1", 13),
        ("weds @1", 13),
        ("2?", None),
        ("jane@gmail.com", None),
    ],
)
def test_an_hour_asked_after_the_day_or_after_an_at_sign(text: str, hour: int | None) -> None:
    parsed = parse_preference(text, NOW, TZ)
    got = parsed.preference.target_time if parsed else None
    assert got == (time(hour) if hour is not None else None)


@pytest.mark.parametrize(
    ("text", "only_asked"),
    [
        ("¿a qué hora cierran el sábado? y quiero un facial ese día", False),
        ("what time do you close saturday? and i want a facial that day", False),
        ("what time do you close saturday?", True),
    ],
)
def test_a_booking_for_that_day_makes_the_questions_day_a_booking_day(text: str, only_asked: bool) -> None:
    assert only_the_day_asked_about(understand(text, now=NOW, tz=TZ)) is only_asked


FRIDAY_HOURS = [OpeningDay(weekday=4, intervals=[(time(9), time(19))])]


def test_before_the_spa_opens_is_its_first_times_that_day() -> None:
    before_nine = parse_preference("any chance of a peel before 9 on friday?", NOW, TZ)
    assert before_nine is not None
    day = before_opening(before_nine.preference, FRIDAY_HOURS)
    assert day is not None and day.weekday == 4
    moved = from_opening(before_nine.preference, day)
    assert moved.target_time == time(9) and moved.latest_time is None
    before_noon = parse_preference("a peel before noon on friday", NOW, TZ)
    assert before_noon is not None and before_opening(before_noon.preference, FRIDAY_HOURS) is None


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("✨ hydrafacial ✨ sat am?", "morning"),
        ("tmrw am pls", "morning"),
        ("in the am", "morning"),
        ("10 am", None),
    ],
)
def test_am_after_a_day_is_the_morning(text: str, part: str | None) -> None:
    parsed = parse_preference(text, NOW, TZ)
    assert (parsed.preference.part_of_day if parsed else None) == part


# ----- a spelled-out time is no treatment's words


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        (
            "um so yeah I'd like to come in uh Saturday around eleven for the hydra facial",
            "hydra facial",
            "eleven",
        ),
        ("at two thirty for a peel", "peel", "two"),
        ("botox for my elevens at ten", "elevens", "ten"),
    ],
)
def test_a_spelled_out_time_is_left_out_of_the_treatment_words(text: str, kept: str, dropped: str) -> None:
    words = understand(text, now=NOW, tz=TZ).service_text.split()
    assert set(kept.split()) <= set(words) and dropped not in words
