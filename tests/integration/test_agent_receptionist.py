"""The deterministic brain as a front desk, with the real scheduler (demo spa) on real NATS and PostgreSQL:
options without a name gate, answers from the spa profile, re-offers on a new constraint, a named
provider, consult first for new clients, two services, picking up after staff, other languages."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from shared.bus import publish_event
from shared.contracts.conversation import (
    ClientIdentified,
    ReplySent,
    ServiceMatched,
    SlotsProposed,
    StaffNoteAdded,
    TurnCompleted,
)
from shared.contracts.escalation import ResumeAi, StaffReply
from tests.integration.agent_harness import TENANT, Phone, System

pytestmark = pytest.mark.integration

NEW = "+14155550140"
AVA = "+14155550101"  # demo spa client with 4 Laser Hair Removal sessions left
BEN = "+14155550102"  # demo spa client (not new) with 2 HydraFacial sessions left
TZ = ZoneInfo("America/Los_Angeles")


async def proposals(phone: Phone, number: str) -> list[SlotsProposed]:
    """Every set of options offered to the number, in order."""
    return [e for e in await phone.events(number) if isinstance(e, SlotsProposed)]


async def test_service_and_time_in_the_first_text_get_options_at_once(system: System, phone: Phone) -> None:
    first = await phone.say(NEW, "hi!! can I get a hydrafacial tmrw afternoon?")
    assert first.startswith("Hi! This is Glow Med Spa's automated assistant. For your HydraFacial I have "), (
        first
    )
    assert "Reply 1" in first
    [offered] = await proposals(phone, NEW)
    assert 2 <= len(offered.options) <= 3, "two or three options whenever the calendar has them"


async def test_asking_for_the_first_availability_gets_the_soonest_options(
    system: System, phone: Phone
) -> None:
    offer = await phone.say(NEW, "Hi! What's your first availability for dermaplaning? - Chloe R.")
    assert offer.startswith(
        "Hi Chloe! This is Glow Med Spa's automated assistant. For your Dermaplaning I have "
    ), offer


async def test_a_day_the_spa_is_closed_is_said_with_the_nearest_options(system: System, phone: Phone) -> None:
    offer = await phone.say(BEN, "hydrafacial on sunday?")
    assert "We're closed on Sunday." in offer and "For your HydraFacial I have" in offer, offer


async def test_none_of_those_offers_times_after_the_ones_offered(system: System, phone: Phone) -> None:
    await phone.say(BEN, "hydrafacial asap")
    await phone.say(BEN, "none of those")
    first, second = await proposals(phone, BEN)
    assert min(o.option.start for o in second.options) > max(o.option.start for o in first.options)


async def test_a_price_question_is_answered_and_the_booking_goes_on(system: System, phone: Phone) -> None:
    answer = await phone.say(BEN, "How much is a hydrafacial?")
    assert "HydraFacial is $225." in answer, answer
    assert "When would you like to come in for" in answer, answer
    options = await phone.say(BEN, "friday afternoon")
    assert options.startswith("For your HydraFacial I have "), options


async def test_address_hours_and_parking_come_from_the_spa_profile(system: System, phone: Phone) -> None:
    where = await phone.say(NEW, "Where are you located? is there parking nearby")
    assert "2140 Chestnut St" in where and "Mallorca Way" in where, where
    hours = await phone.say(NEW, "what time do you close on saturday?")
    assert "Saturday" in hours and "5pm" in hours, hours


async def test_none_of_those_later_offers_only_later_times_and_releases_the_first(
    system: System, phone: Phone
) -> None:
    await phone.say(BEN, "I'd like a hydrafacial wednesday morning")
    again = await phone.say(BEN, "none of those work, do you have anything later in the day?")
    first, second = await proposals(phone, BEN)
    latest = max(o.option.start for o in first.options)
    assert all(o.option.start > latest for o in second.options), again
    assert again.startswith("For your HydraFacial") or "nothing later" in again, again


async def test_a_named_provider_is_honoured(system: System, phone: Phone) -> None:
    offer = await phone.say(BEN, "botox friday afternoon w julia pls")
    [offered] = await proposals(phone, BEN)
    assert {o.option.provider_first_name for o in offered.options} == {"Julia"}, offer


async def test_a_new_client_asking_for_lip_filler_is_offered_the_free_consultation(
    system: System, phone: Phone
) -> None:
    reply = await phone.say(NEW, "hey! do u have anything for lip filler next tuesday? it's mia")
    assert "Lip Filler starts with a free Dermal Filler Consultation for new clients" in reply, reply
    assert "For your Dermal Filler Consultation I have" in reply, reply
    matched = [e for e in await phone.events(NEW) if isinstance(e, ServiceMatched)]
    assert matched[-1].service.name == "Dermal Filler Consultation"


async def test_two_services_are_asked_about_once_and_a_digit_picks_one(system: System, phone: Phone) -> None:
    asked = await phone.say(BEN, "can I get botox and a hydrafacial?")
    assert " or " in asked and "?" in asked, asked
    picked = await phone.say(BEN, "ok just do 1")
    assert "Did you mean" not in picked and "Which would you like" not in picked, picked
    assert any(isinstance(e, ServiceMatched) for e in await phone.events(BEN))


async def test_a_returning_clients_package_tells_which_of_several_services(
    system: System, phone: Phone
) -> None:
    offer = await phone.say(AVA, "hey it's ava! want to use my laser package, saturday morning?")
    assert offer.startswith(
        "Hi Ava! This is Glow Med Spa's automated assistant. For your Laser Hair Removal I have"
    ), offer


async def test_prices_of_two_services_in_one_question(system: System, phone: Phone) -> None:
    answer = await phone.say(NEW, "whats the price for dermaplaning & a peel?")
    assert "Dermaplaning is $95." in answer and "Chemical Peel is $175." in answer, answer


async def test_a_text_about_someone_else_takes_no_name_and_is_noted_for_staff(
    system: System, phone: Phone
) -> None:
    reply = await phone.say(NEW, "This is Ava's husband, can I book her a hydrafacial?")
    assert "Ava" not in reply, reply
    events = await phone.events(NEW)
    assert not any(isinstance(e, ClientIdentified) and e.first_name for e in events)
    assert any(isinstance(e, StaffNoteAdded) for e in events)


async def test_after_staff_hand_back_the_ai_picks_up_without_greeting_again(
    system: System, phone: Phone
) -> None:
    await phone.text(NEW, "Is botox safe while breastfeeding?")
    await phone.escalation()
    conversation = phone.conversation(NEW)
    common = {"tenant_id": TENANT, "conversation_id": conversation}
    staff_reply = StaffReply(
        **common,
        staff_user="maria",
        to_number=NEW,
        body="Our injector will call you. Happy to book a HydraFacial.",
    )
    await publish_event(phone.js, phone.topology.staff(TENANT, "reply"), staff_reply)
    await publish_event(
        phone.js, phone.topology.staff(TENANT, "resume"), ResumeAi(**common, staff_user="maria")
    )
    await resumed(phone, NEW)
    reply = await phone.say(NEW, "ok great, friday afternoon?")
    assert not reply.startswith("Hi!"), reply
    assert "picking up from our team" in reply and "HydraFacial" in reply, reply


async def resumed(phone: Phone, number: str, timeout: float = 10.0) -> None:
    """Wait until the agent's staff consumer recorded the resume (the log is the truth)."""
    async with asyncio.timeout(timeout):
        while not any(e.type == "ai_resumed" for e in await phone.events(number)):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_spanish_is_answered_in_spanish_when_the_spa_texts_in_spanish(
    system: System, phone: Phone
) -> None:
    reply = await phone.say(NEW, "Hola, soy Lucía. ¿Tienen citas para botox el sábado por la mañana?")
    assert reply.startswith("¡Hola, Lucía! Soy el asistente automático de Glow Med Spa."), reply
    assert "Botox" in reply and ("¿Cuándo" in reply or "tengo" in reply), reply
    sent = [e for e in await phone.events(NEW) if isinstance(e, ReplySent)]
    assert sent[-1].language == "es"


async def test_a_language_the_spa_does_not_text_in_goes_to_staff_with_a_bilingual_note(
    system: System, phone: Phone
) -> None:
    await phone.text(NEW, "Bonjour, je voudrais un rendez-vous pour du botox samedi matin")
    raised = await phone.escalation()
    assert raised.category == "other" and raised.handoff_text and "Gracias" in raised.handoff_text
    events = await phone.wait_for_turns(NEW, 1)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["escalated"]
    assert not any(isinstance(e, ReplySent) for e in events)
