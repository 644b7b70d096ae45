"""Texts from round fourteen's held-out conversations: a thank-you that closes the conversation,
price objections in other words, questions only staff answer, and the consultation asked about."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import policy
from services.agent.deterministic import name_unanswered_at_booking
from services.agent.domain import ConversationState
from services.agent.frontdesk_answers import Asked, answers, prices_of
from services.agent.language import intents
from services.agent.language.guard import check_inbound
from services.agent.language.phrases import Rule
from services.agent.language.questions import QUESTION_RULES, STAFF_TOPIC_RULES, staff_topic
from services.agent.language.understanding import Understanding, understand
from services.agent.replies import say
from services.agent.special_texts import guard_handoff_text
from shared.contracts.conversation import ServiceCandidate
from shared.contracts.tools import ClosedDay, OpeningDay, ServiceInfo, SpaProfile

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo(TZ))  # a Wednesday morning
PROVIDERS = ["Julia", "Lilian", "Sloane", "Marco", "Priya"]


def _understood(text: str, *, name_asked: bool = False) -> Understanding:
    return understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS, name_asked=name_asked)


RULE_TABLES: dict[str, tuple[Rule, ...]] = {
    "thanks only": intents.THANKS_ONLY_RULES,
    "acknowledgement only": intents.ACK_ONLY_RULES,
    "price objections": intents.PRICE_OBJECTION_RULES,
    "staff topics": tuple(rule for _, rule in STAFF_TOPIC_RULES),
    "consult asked": tuple(rule for question, rule in QUESTION_RULES if question == "consult"),
}


@pytest.mark.parametrize("table", sorted(RULE_TABLES))
def test_every_round_fourteen_rule_matches_its_examples_and_not_its_counter_examples(table: str) -> None:
    for rule in RULE_TABLES[table]:
        for text in rule.examples:
            assert rule.regex.search(intents.plain(text)), f"{rule.name} misses {text!r}"
        for text in rule.counter_examples:
            assert not rule.regex.search(intents.plain(text)), f"{rule.name} matches {text!r}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ok cool thanks!", "welcome_book"),
        ("perfect ty", "welcome_book"),
        ("ok nvm then, thanks anyway", "welcome_book"),
        ("no thanks, just wanted the price", "no_rush"),
        ("ok thanks, i'll have a think", "no_rush"),
        ("thanks, bye!", "goodbye"),
        ("ok great, good to know", "noted_book"),
        ("got it", "noted_book"),
    ],
)
def test_a_thank_you_after_an_answer_closes_the_booking_question(text: str, key: str) -> None:
    state = ConversationState(replies=1)
    u = _understood(text)
    assert policy.declines_for_now("ask_time", state, u)
    assert policy.declines_for_now("greet", state, u)
    assert policy.polite_close(u) == key


@pytest.mark.parametrize("text", ["thanks! saturday morning?", "ok thanks, how much is it?", "ok"])
def test_a_thank_you_with_something_to_act_on_is_no_close(text: str) -> None:
    assert not policy.declines_for_now("ask_time", ConversationState(replies=1), _understood(text))


@pytest.mark.parametrize(
    "text",
    [
        "hmm i saw $9/unit at another place",
        "how much is botox? i saw $10/unit elsewhere",
        "$650 for lips?? no way",
        "is botox really $350?? thats outta my budget",
        "the place down the street does it for less",
    ],
)
def test_a_lower_price_seen_elsewhere_or_a_price_said_back_is_an_objection(text: str) -> None:
    assert _understood(text).price_objection


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("do u guys take payment plans for coolsculpting?", "payment plans"),
        ("hola, se puede pagar en plazos?", "payment plans"),
        ("whats ur cancellation policy?", "policies"),
        ("is there a no show fee", "policies"),
        ("I need to cancel", None),
    ],
)
def test_financing_and_the_spas_policies_are_questions_for_staff(text: str, topic: str | None) -> None:
    assert staff_topic(text) == topic
    assert not _understood(text).price_objection


def test_a_staff_question_beside_a_booking_is_noted_and_alone_goes_to_staff() -> None:
    fresh = ConversationState(replies=1)
    assert not policy.question_beside_a_booking(fresh, _understood("a gift card for my mom for xmas"))
    assert not policy.question_beside_a_booking(fresh, _understood("do you take payment plans?"))
    peel = ServiceCandidate(service_id=uuid4(), name="Chemical Peel", price_cents=17500)
    booking = ConversationState(replies=2, service=peel, offers=1)
    booked = ConversationState(replies=3, service=peel, just_booked=True, offers=1)
    assert policy.question_beside_a_booking(booking, _understood("payment plans for the peel?"))
    assert not policy.question_beside_a_booking(booked, _understood("anything i should avoid before?"))
    for text in ("can i book a facial? do you sell gift cards", "any openings friday? and gift cards?"):
        assert policy.question_beside_a_booking(fresh, _understood(text)), text


def _service(name: str, price: int, **fields: object) -> ServiceInfo:
    return ServiceInfo(
        service_id=uuid4(),
        key=name.lower(),
        name=name,
        category="injectables",
        price_cents=price,
        duration_minutes=30,
        **fields,
    )


FILLER_CONSULT = _service("Dermal Filler Consultation", 0, is_consultation=True)
LIP = _service("Lip Filler", 65000, free_consult=True, consult_service_id=FILLER_CONSULT.service_id)
PEEL = _service("Chemical Peel", 17500)


def _consult_answer(service: ServiceInfo, *, lang: str = "en", consult_first: bool = True) -> list[str]:
    profile = SpaProfile(
        tenant_id="glow",
        name="Glow",
        timezone=TZ,
        services=[FILLER_CONSULT, LIP, PEEL],
        consult_first=consult_first,
    )
    candidate = ServiceCandidate(
        service_id=service.service_id,
        name=service.name,
        price_cents=service.price_cents,
        is_consultation=service.is_consultation,
        consult_service_id=service.consult_service_id,
        free_consult=service.free_consult,
    )
    return answers(frozenset({"consult"}), Asked(profile=profile, lang=lang, service=candidate))


def test_do_i_need_a_consultation_is_answered_from_the_catalog() -> None:
    assert "consult" in _understood("never had filler before, do i need a consultation first?").questions
    assert _consult_answer(FILLER_CONSULT) == [
        "Yes, new clients start with a Dermal Filler Consultation, and it's free."
    ]
    assert _consult_answer(LIP) == [
        "Lip Filler starts with a free Dermal Filler Consultation for new clients."
    ]
    assert _consult_answer(PEEL) == ["No consultation needed: you can book Chemical Peel directly."]
    assert _consult_answer(PEEL, lang="es") == [
        "No hace falta consulta: puedes reservar Chemical Peel directamente."
    ]


def test_a_spa_that_books_treatments_directly_needs_no_consultation() -> None:
    assert _consult_answer(LIP, consult_first=False) == [
        "No consultation needed: you can book Lip Filler directly."
    ]
    (free,) = _consult_answer(FILLER_CONSULT, consult_first=False)
    assert free.startswith("The Dermal Filler Consultation is free.")


def test_a_name_alone_right_after_a_booking_is_the_clients_even_a_providers_name() -> None:
    booked = ConversationState(just_booked=True, offers=1)
    assert name_unanswered_at_booking(booked)
    assert not name_unanswered_at_booking(ConversationState(just_booked=True, offers=1, first_name="Ava"))
    assert not name_unanswered_at_booking(ConversationState(offers=1))
    u = _understood("Priya", name_asked=name_unanswered_at_booking(booked))
    assert u.name == "Priya" and u.provider is None and u.preference is None


def _hours_on(day: date, lang: str = "en") -> list[str]:
    week = [OpeningDay(weekday=d, intervals=[(time(9), time(19))]) for d in range(6)]
    closures = [
        ClosedDay(day=date(2026, 12, 24), intervals=[(time(9), time(14))], reason="Christmas Eve"),
        ClosedDay(day=date(2026, 12, 25), reason="Christmas Day"),
    ]
    profile = SpaProfile(tenant_id="glow", name="Glow", timezone=TZ, hours=week, closures=closures)
    return answers(frozenset({"hours"}), Asked(profile=profile, lang=lang, weekday=day.weekday(), day=day))


def test_hours_asked_for_a_holiday_are_that_days_own() -> None:
    u = _understood("are you guys open christmas eve?")
    assert "hours" in u.questions and policy.one_date(u.preference) == date(2026, 12, 24)
    assert _hours_on(date(2026, 12, 24)) == ["On Thursday, Dec 24 (Christmas Eve) we're open 9am to 2pm."]
    assert _hours_on(date(2026, 12, 25)) == ["We're closed Friday, Dec 25 (Christmas Day)."]
    assert _hours_on(date(2026, 12, 31)) == ["On Thursday we're open 9am to 7pm."]


@pytest.mark.parametrize(
    "text",
    [
        "what does botox run these days?",
        "ballpark for coolsculpting?",
        "what would a hydrafacial set me back",
    ],
)
def test_a_price_asked_in_other_words_is_a_price_question(text: str) -> None:
    assert "price" in _understood(text).questions


@pytest.mark.parametrize(
    "text", ["uy esta carisimo", "the skin bar on union st does them for $179", "no me alcanza ahorita"]
)
def test_a_spanish_or_a_rivals_price_is_an_objection(text: str) -> None:
    assert _understood(text).price_objection


def test_a_text_the_guard_hands_to_staff_is_answered_in_the_clients_language() -> None:
    assert "connecting you with our team" in guard_handoff_text("en", urgent=False)
    assert "911" in guard_handoff_text("es", urgent=True) and "emergencia" in guard_handoff_text(
        "es", urgent=True
    )
    assert guard_handoff_text("es", urgent=False).startswith("Gracias, te comunico con nuestro equipo")
    assert guard_handoff_text("fr", urgent=False) == guard_handoff_text("en", urgent=False)


@pytest.mark.parametrize(("text", "key"), [("👍", "see_you"), ("ok great", "see_you"), ("thx!!", "welcome")])
def test_an_acknowledgement_after_a_booking_closes_it_without_repeating_it(text: str, key: str) -> None:
    booked = ConversationState(just_booked=True, offers=1)
    u = _understood(text)
    assert policy.next_step(booked, u=u) == "welcome"
    said, asks = policy.step_text("welcome", booked, "en", acknowledged=policy.only_acknowledged(u))
    assert said == say("en", key, name="") and asks is None


def test_an_ok_with_a_new_request_after_a_booking_is_no_close() -> None:
    booked = ConversationState(just_booked=True, offers=1)
    assert policy.next_step(booked, u=_understood("ok can i also get a peel friday")) != "welcome"


def _facial(name: str, price: int) -> ServiceInfo:
    return ServiceInfo(
        service_id=uuid4(),
        key=name.lower(),
        name=name,
        category="facials",
        price_cents=price,
        duration_minutes=45,
    )


def test_the_cheapest_of_a_kind_lists_its_prices_lowest_first() -> None:
    assert "cheapest" in _understood("whats ur cheapest facial").questions
    assert not _understood("the cheapest option works").questions
    facials = [_facial("HydraFacial", 22500), _facial("Dermaplaning", 9500), _facial("Chemical Peel", 17500)]
    profile = SpaProfile(tenant_id="glow", name="Glow", timezone=TZ, services=[*facials, LIP, FILLER_CONSULT])
    hydra = ServiceCandidate(service_id=facials[0].service_id, name="HydraFacial", price_cents=22500)
    asked = Asked(profile=profile, service=hydra)
    assert answers(frozenset({"cheapest", "price"}), asked) == [
        "Our facials start at $95: Dermaplaning $95, Chemical Peel $175, and HydraFacial $225."
    ]
    menu = answers(frozenset({"cheapest"}), Asked(profile=profile, lang="es"))
    assert menu == [
        "Nuestros tratamientos empiezan en $95: "
        "Dermaplaning $95, Chemical Peel $175, HydraFacial $225 y Lip Filler $650."
    ]


def test_two_days_in_an_hours_question_get_the_weeks_hours() -> None:
    assert _understood("what are the hours on sat and sun").question_weekday is None
    assert _understood("what are the hours on sat").question_weekday == 5


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("ok whats the total for botox + lip filler", "price"),
        ("price list pls", "cheapest"),
        ("ustedes tienen algo accesible?", "cheapest"),
        ("$ for lips?", "price"),
        ("hydrafacial cost", "price"),
    ],
)
def test_a_total_and_a_price_list_are_price_questions(text: str, question: str) -> None:
    assert question in _understood(text).questions


def test_referral_rewards_are_a_question_for_staff() -> None:
    assert staff_topic("hi! my friend referred me, do you guys do referral bonuses?") == "referrals"
    assert staff_topic("my friend referred me, can i book a hydrafacial") is None


def test_prices_of_several_services_say_what_they_share_once() -> None:
    profile = SpaProfile(tenant_id="glow", name="Glow", timezone=TZ, services=[LIP, PEEL])
    lip = ServiceCandidate(service_id=LIP.service_id, name="Lip Filler", price_cents=65000, free_consult=True)
    botox = ServiceCandidate(service_id=uuid4(), name="Botox", price_cents=35000, free_consult=True)
    peel = ServiceCandidate(service_id=PEEL.service_id, name="Chemical Peel", price_cents=17500)
    asked = Asked(profile=profile)
    assert prices_of(asked, [lip, botox]) == [
        "Lip Filler is $650.",
        "Botox is $350.",
        "The consultation is free.",
    ]
    assert prices_of(asked, [lip, peel]) == [
        "Lip Filler is $650.",
        "The consultation is free.",
        "Chemical Peel is $175.",
    ]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("hi, family emergency, i wont make my appt today. so sorry", "reschedule"),
        ("had a work emergency, need to cancel my 3pm", "cancellation"),
        ("my boss scheduled a meeting during my facial on tues, any chance we can shift it?", "reschedule"),
        ("i have a hydrafacial booked fri but could i switch to sat instead", "reschedule"),
        ("gonna have to skip my appt tmrw, sorry!", "cancellation"),
        ("im booked at 2 on friday, any way i can come in later instead?", "reschedule"),
    ],
)
def test_a_visit_called_off_or_moved_for_lifes_reasons_goes_to_staff(text: str, category: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate and verdict.category == category and verdict.priority == "normal"


def test_how_to_pay_is_a_question_for_staff_and_a_later_booking_a_polite_no() -> None:
    assert staff_topic("can i pay with apple pay?") == "payment methods"
    assert staff_topic("aceptan tarjeta de credito o solo efectivo?") == "payment methods"
    u = _understood("ty for the info! ill book later")
    assert u.defers and policy.declines_for_now("ask_time", ConversationState(replies=1), u)
    assert _understood("wow ok thats more than i thought").price_objection


def test_see_you_on_the_day_booked_signs_off() -> None:
    booked = ConversationState(just_booked=True, offers=1)
    assert policy.next_step(booked, u=_understood("ok perfect, see you saturday!")) == "welcome"
    assert policy.next_step(booked, u=_understood("thanks! can i also get a peel friday?")) != "welcome"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i wont be coming in saturday after all", "reschedule"),
        ("quiero hablar con la dueña por favor", "human_request"),
    ],
)
def test_more_ways_to_call_off_a_visit_or_ask_for_a_person(text: str, category: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate and verdict.category == category


def test_the_price_of_a_peeling_in_spanish_is_no_symptom() -> None:
    assert not check_inbound("cuanto cuesta el peeling quimico?").escalate
    assert "price" in _understood("hiya! whats a hydrafacial go for these days").questions


def test_thanks_and_a_booking_for_later_in_spanish_is_a_polite_no() -> None:
    u = _understood("gracias por la info, luego reservo")
    assert u.defers and policy.declines_for_now("ask_time", ConversationState(replies=1), u)


def test_a_treatment_as_a_gift_running_behind_and_a_spanish_budget() -> None:
    assert staff_topic("can i buy lip filler as a gift for my sister?") == "gift cards"
    assert staff_topic("so sorry running like 10 behind!!") == "running late"
    assert _understood("no puedo pagar tanto ahorita").price_objection


def test_a_goodnight_after_an_answer_signs_off_and_installments_go_to_staff() -> None:
    u = _understood("ty so much, have a good night!")
    assert policy.declines_for_now("ask_service", ConversationState(replies=1), u)
    assert policy.polite_close(u) == "goodbye"
    assert staff_topic("do u do payment in installments for coolsculpting") == "payment plans"


def test_a_price_comparison_is_a_price_question_and_a_third_ask_a_complaint() -> None:
    u = _understood("whats cheaper, botox or lip filler?")
    assert "price" in u.questions and not u.price_objection
    assert _understood("is there anything cheaper").price_objection
    verdict = check_inbound("im over it, this is my 3rd time asking for a callback")
    assert verdict.escalate and verdict.category == "complaint"
