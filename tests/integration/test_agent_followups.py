"""The deterministic brain on what real clients text after the first answer, with the real scheduler
(demo spa) on real NATS and PostgreSQL: objections about the service asked for, picking an option by
its clock time, a change of day or time in a word or two."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from shared.contracts.conversation import SlotsProposed
from tests.integration.agent_harness import Phone, System

pytestmark = pytest.mark.integration

NEW = "+14155550170"
TZ = ZoneInfo("America/Los_Angeles")


async def test_objection_after_the_consult_switch_prices_the_service_asked_for(
    system: System, phone: Phone
) -> None:
    await phone.say(NEW, "hi i'm Dana, interested in laser hair removal")
    answer = await phone.say(NEW, "ugh that's pricey")
    assert "$125 per session" in answer, answer
    assert "consultation is free" in answer, answer


async def test_another_treatment_named_with_a_day_changes_the_service(system: System, phone: Phone) -> None:
    await phone.say(NEW, "how much is microneedling")
    await phone.say(NEW, "hmm thats more than i wanted to spend")
    offer = await phone.say(NEW, "ok how about dermaplaning instead, thursday afternoon? - Ines")
    assert "For your Dermaplaning I have" in offer, offer
    booked = await phone.say(NEW, "1")
    assert booked.startswith("You're booked: Dermaplaning"), booked


async def test_a_price_and_a_parking_question_in_one_text_are_both_answered(
    system: System, phone: Phone
) -> None:
    answer = await phone.say(NEW, "how much is botox and is there parking?")
    assert "$350" in answer and "Mallorca Way" in answer, answer


async def _time_off(system: System, keys: list[str], days: list[date]) -> None:
    """The providers take the days off (as the spa file's exceptions would say)."""
    off = json.dumps([{"date": d.isoformat(), "hours": []} for d in days])
    conn = await asyncpg.connect(system.database_url)
    try:
        await conn.execute(
            "UPDATE scheduler.providers SET exceptions = $1::jsonb WHERE key = ANY($2)", off, keys
        )
    finally:
        await conn.close()


async def test_a_full_day_asked_for_is_offered_weeks_later_before_other_days(
    system: System, phone: Phone
) -> None:
    today = datetime.now(TZ).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    await _time_off(system, ["sloane", "priya"], [saturday, saturday + timedelta(days=7)])
    await phone.say(NEW, "hydrafacial pls")
    await phone.say(NEW, "saturday morning - Kate")
    [offered] = [e for e in await phone.events(NEW) if isinstance(e, SlotsProposed)]
    days = {o.option.start.astimezone(TZ).date() for o in offered.options}
    assert days == {saturday + timedelta(days=14)}, days


async def test_a_provider_typo_in_a_schedule_question_is_answered(system: System, phone: Phone) -> None:
    answer = await phone.say(NEW, "is juila in friday?")
    assert "Julia is in on Friday" in answer, answer


async def test_a_catalog_word_given_when_the_name_is_asked_is_the_service_not_a_name(
    system: System, phone: Phone
) -> None:
    asked = await phone.say(NEW, "hydrafacial friday morning")
    assert "first name" in asked, asked
    answer = await phone.say(NEW, "Lymphatic drainage pls")
    assert "For your Lymphatic Drainage Massage I have" in answer, answer
    events = await phone.events(NEW)
    assert not any(getattr(e, "first_name", None) == "Lymphatic" for e in events), answer


async def test_a_part_of_day_nobody_works_offers_that_day_at_other_times_and_a_later_morning(
    system: System, phone: Phone
) -> None:
    # No one does HydraFacial on Thursday mornings (Sloane starts at noon, Priya is off): a receptionist
    # offers that Thursday later in the day, and the nearest morning after it.
    await phone.say(NEW, "hydrafacial pls")
    offer = await phone.say(NEW, "thursday morning - Kate")
    assert "I have nothing at that time, but the nearest" in offer, offer
    [offered] = [e for e in await phone.events(NEW) if isinstance(e, SlotsProposed)]
    starts = [o.option.start.astimezone(TZ) for o in offered.options]
    that_day = {s.date() for s in starts[:-1]}
    assert len(that_day) == 1 and next(iter(that_day)).weekday() == 3, starts
    assert all(s.hour >= 12 for s in starts[:-1]), starts
    assert starts[-1].date() > max(that_day) and starts[-1].hour < 12, starts


async def test_a_holiday_asked_for_is_said_closed_and_the_days_around_it_are_offered(
    system: System, phone: Phone
) -> None:
    # The spa closes for a day (its spa file's `closures`): the client hears why, and gets the days
    # just around it rather than the same weekday weeks later.
    holiday = datetime.now(TZ).date() + timedelta(days=10)
    while holiday.weekday() not in (1, 2, 3, 4):  # HydraFacial is done the day before and after
        holiday += timedelta(days=1)
    closed = json.dumps([{"date": holiday.isoformat(), "hours": [], "reason": "Staff Day"}])
    conn = await asyncpg.connect(system.database_url)
    try:
        await conn.execute("UPDATE scheduler.spas SET closures = $1::jsonb, version = version + 1", closed)
    finally:
        await conn.close()
    offer = await phone.say(NEW, f"hydrafacial on {holiday:%B} {holiday.day}? - Kate")
    assert f"We're closed {holiday:%A}, {holiday:%b} {holiday.day} (Staff Day)." in offer, offer
    [offered] = [e for e in await phone.events(NEW) if isinstance(e, SlotsProposed)]
    days = {o.option.start.astimezone(TZ).date() for o in offered.options}
    around = {holiday + timedelta(days=n) for n in (-1, 1, 2)}
    assert days and days <= around, (days, holiday)


async def test_what_a_treatment_is_is_answered_in_the_spa_files_words_and_the_booking_goes_on(
    system: System, phone: Phone
) -> None:
    answer = await phone.say(NEW, "whats a hydrafacial? never had one")
    assert "A HydraFacial cleanses, exfoliates, extracts and hydrates the skin" in answer, answer
    assert "When would you like to come in for" in answer, answer
    plain = await phone.say("+14155550171", "how much is a chemical peel")
    assert "exfoliates" not in plain, "what a treatment is, only when asked"


async def test_sessions_left_on_a_package_are_read_from_the_clients_live_balance(
    system: System, phone: Phone
) -> None:
    ben = "+14155550102"  # the demo spa's client with two HydraFacials left on his package
    answer = await phone.say(ben, "hey do i have any hydrafacials left on my package?")
    assert "Your HydraFacial, 3 sessions has 2 sessions left." in answer, answer
    newcomer = await phone.say(NEW, "how many sessions do i have left?")
    assert "I don't see any package sessions on this number." in newcomer, newcomer


async def test_a_provider_the_client_rules_out_stays_out_of_every_offer_after(
    system: System, phone: Phone
) -> None:
    first = await phone.say(NEW, "lip filler consult next week - Vee")
    assert "For your Dermal Filler Consultation I have" in first, first
    for text in ("with someone other than julia?", "what about friday instead"):
        await phone.say(NEW, text)
        offered = [e for e in await phone.events(NEW) if isinstance(e, SlotsProposed)][-1]
        names = {o.option.provider_first_name for o in offered.options}
        assert names and "Julia" not in names, (text, names)
