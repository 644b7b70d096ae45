"""Texts written the way new clients write, read right: typos of days and parts of day, greetings
that name a part of day, picks by "the first time", names given as "put it under Jen", and the
front-desk answers for packages and how long a treatment takes."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent.frontdesk_answers import Asked, answers
from services.agent.language.choices import parse_choice
from services.agent.language.intents import is_availability_request
from services.agent.language.questions import STAFF_TOPIC_RULES, find_questions, staff_topic
from services.agent.language.shorthand import plain
from services.agent.language.timeparse import GREETINGS, parse_preference
from services.agent.language.typos import EXAMPLES, time_word
from services.agent.language.understanding import understand
from services.agent.scenarios.spec import load
from shared.contracts.conversation import ServiceCandidate
from shared.contracts.tools import PackageOffer, SpaProfile

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo(TZ))  # a Tuesday morning
LABELS = ["Monday at 12pm with Marco", "Monday at 1:30pm with Sloane", "Monday at 3pm with Marco"]
PROVIDERS = ["Julia", "Lilian", "Sloane", "Marco", "Priya"]


@pytest.mark.parametrize(("typed", "meant"), EXAMPLES)
def test_a_time_word_typed_wrong_is_read_as_meant(typed: str, meant: str | None) -> None:
    assert time_word(typed) == meant


def test_the_matching_form_spells_out_day_and_part_of_day_typos() -> None:
    assert plain("hydrofacial wensday aftrnoon?") == "hydrofacial wednesday afternoon?"
    assert plain("Thrusday evning pls") == "thursday evening please"


def test_a_typo_of_a_part_of_day_gives_that_part_of_day() -> None:
    parsed = parse_preference("hydrofacial wensday aftrnoon?", NOW, TZ)
    assert parsed is not None
    assert parsed.preference.part_of_day == "afternoon" and parsed.date is not None
    assert parsed.date.weekday() == 2


@pytest.mark.parametrize(("pattern", "replacement", "example", "expected"), GREETINGS)
def test_every_greeting_rule_does_what_its_example_says(
    pattern: object, replacement: str, example: str, expected: str
) -> None:
    assert pattern.sub(replacement, example) == expected  # type: ignore[attr-defined]


def test_good_morning_is_a_greeting_not_the_time_asked_for() -> None:
    text = (
        "Good morning! I'd love a hydrafacial. I'm free Thursday after 2 or Friday afternoon. Thanks, Imogen"
    )
    parsed = parse_preference(text, NOW, TZ)
    assert parsed is not None
    assert parsed.preference.part_of_day == "afternoon"
    assert parsed.preference.earliest_time == time(14, 0)
    assert parse_preference("good evening, any botox openings?", NOW, TZ) is None


def test_a_part_of_day_said_as_a_preference_still_counts() -> None:
    for text in ("tomorrow is a good morning for me", "good morning works", "morning please"):
        parsed = parse_preference(text, NOW, TZ)
        assert parsed is not None and parsed.preference.part_of_day == "morning", text


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the first time works", 0),
        ("second time slot please", 1),
        ("the last time works", 2),
        ("it's my first time", None),
        ("noon works", 0),
        ("my first time, is it painful?", None),
    ],
)
def test_an_option_is_picked_by_its_place_said_as_a_time(text: str, index: int | None) -> None:
    assert parse_choice(text, 3, LABELS) == index


@pytest.mark.parametrize(
    ("text", "index"), [("gracias, la 2", 1), ("vale, la primera", 0), ("tengo 2 hijos", None)]
)
def test_a_spanish_pick_with_thanks_around_it(text: str, index: int | None) -> None:
    labels = [
        "sábado a las 10:45am con Marco",
        "sábado a las 12:15pm con Marco",
        "sábado a las 1:45pm con Marco",
    ]
    assert parse_choice(text, 3, labels) == index


def test_a_pick_with_the_name_the_booking_goes_under() -> None:
    u = understand("1. put it under Jen", now=NOW, tz=TZ, option_labels=LABELS, provider_names=PROVIDERS)
    assert (u.name, u.choice) == ("Jen", 0)
    u = understand("under the name dana please", now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert u.name == "Dana"


def test_under_a_treatment_word_is_no_name() -> None:
    u = understand(
        "put it under eye hollows",
        now=NOW,
        tz=TZ,
        provider_names=PROVIDERS,
        service_names=["Under Eye Hollows Filler"],
    )
    assert u.name is None


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("hydrafacial price?", "price"),
        ("do you have any packages for laser hair removal?", "packages"),
        ("how long does a hydrafacial take", "duration"),
        ("cuánto dura el hydrafacial?", "duration"),
    ],
)
def test_front_desk_questions_in_fresh_words(text: str, question: str) -> None:
    assert question in find_questions(text, PROVIDERS)


def test_how_long_botox_lasts_is_not_how_long_the_visit_takes() -> None:
    assert "duration" not in find_questions("how long does botox last?", PROVIDERS)


PROFILE = SpaProfile(tenant_id="glow-medspa", name="Glow Med Spa", timezone=TZ)
HYDRAFACIAL = ServiceCandidate(service_id=uuid4(), name="HydraFacial", price_cents=22500, duration_minutes=60)
THREE = PackageOffer(name="HydraFacial, 3 sessions", sessions=3, price_cents=60000, per_session_cents=20000)


def test_how_long_a_treatment_takes_is_answered_from_the_catalog() -> None:
    asked = Asked(profile=PROFILE, service=HYDRAFACIAL)
    assert answers(frozenset({"duration"}), asked) == ["HydraFacial takes about 60 minutes."]
    spanish = Asked(profile=PROFILE, service=HYDRAFACIAL, lang="es")
    assert answers(frozenset({"duration"}), spanish) == ["HydraFacial dura unos 60 minutos."]


def test_a_package_question_names_the_package_once() -> None:
    asked = Asked(profile=PROFILE, service=HYDRAFACIAL, offers=[THREE])
    [text] = answers(frozenset({"packages"}), asked)
    assert "HydraFacial, 3 sessions is 3 sessions for $600" in text
    both = " ".join(answers(frozenset({"packages", "price", "services"}), asked))
    assert both == "HydraFacial is $225. Our HydraFacial, 3 sessions is 3 sessions for $600."


def test_a_package_question_without_a_service_is_left_to_the_booking_question() -> None:
    assert answers(frozenset({"packages"}), Asked(profile=PROFILE)) == []


def test_a_provider_named_as_someones_relation_is_not_asked_for() -> None:
    u = understand(
        "hi this is Marco's wife, can I book a hydrafacial friday?", now=NOW, tz=TZ, provider_names=PROVIDERS
    )
    assert u.provider is None and u.about_someone_else
    assert (
        understand("friday with marco please", now=NOW, tz=TZ, provider_names=PROVIDERS).provider == "Marco"
    )


@pytest.mark.parametrize(("topic", "rule"), STAFF_TOPIC_RULES, ids=[t for t, _ in STAFF_TOPIC_RULES])
def test_every_staff_topic_rule_answers_its_examples(topic: str, rule: object) -> None:
    for text in rule.examples:  # type: ignore[attr-defined]
        assert staff_topic(text) == topic, text
    for text in rule.counter_examples:  # type: ignore[attr-defined]
        assert staff_topic(text) != topic, text


def test_a_staff_topic_is_understood_beside_a_booking() -> None:
    u = understand("do you sell gift cards? also botox friday", now=NOW, tz=TZ, provider_names=PROVIDERS)
    assert u.staff_topic == "gift cards" and u.preference is not None


def test_the_booking_name_of_someone_else() -> None:
    u = understand("1 - her name is Ella", now=NOW, tz=TZ, option_labels=LABELS, provider_names=PROVIDERS)
    assert (u.name, u.choice) == ("Ella", 0)


@pytest.mark.parametrize(
    ("text", "asks"),
    [("¿cuándo tienen disponible?", True), ("lo antes posible", True), ("¿cuándo cierran?", False)],
)
def test_a_spanish_text_asking_what_is_open(text: str, asks: bool) -> None:
    assert is_availability_request(text) is asks


SUITE = Path(__file__).resolve().parents[2] / "tests" / "conversations"


def test_the_extended_conversations_follow_the_format_apart_from_the_suite() -> None:
    suite, extended = load([SUITE]), load([SUITE / "extended"])
    together = load([SUITE, SUITE / "extended"])  # ids and numbers unique across both
    assert len(together) == len(suite) + len(extended) and len(extended) >= 100
    # The inbox shows a client by the last four digits: they must tell scenarios apart too.
    assert len({s.client[-4:] for s in together}) == len(together)


def test_a_name_that_is_also_a_time_word_is_no_time() -> None:
    u = understand(
        "can i come at noon tomorrow for dermaplaning? Eve", now=NOW, tz=TZ, provider_names=PROVIDERS
    )
    assert u.name == "Eve"
    assert u.preference is not None and u.preference.part_of_day is None
    assert u.preference.target_time == time(12, 0)


def test_a_range_after_a_day_and_a_question_mark() -> None:
    parsed = parse_preference("any botox on my lunch break wednesday? 12-1. Pat", NOW, TZ)
    assert parsed is not None
    assert (parsed.preference.earliest_time, parsed.preference.latest_time) == (time(12), time(13))
    assert parse_preference("how many people? 2-3", NOW, TZ) is None
