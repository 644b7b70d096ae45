"""Intent, name and option-choice detection for the deterministic brain."""

from __future__ import annotations

import pytest

from services.agent.language import intents
from services.agent.language.intents import (
    detect_intents,
    extract_name,
    is_affirmative,
    is_availability_request,
    is_negative,
    is_price_objection,
    is_rejection,
    parse_choice,
)

pytestmark = pytest.mark.unit

LABELS = [
    "Monday, Mar 9 at 1:30pm with Julia",
    "Tuesday, Mar 10 at 2pm with Lilian",
    "Friday, Mar 13 at 2:15pm with Sloane",
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0),
        ("2", 1),
        ("#2", 1),
        ("2.", 1),
        ("3 please", 2),
        ("the second one", 1),
        ("option 2 please", 1),
        ("first", 0),
        ("the last one", 2),
        ("No, 3", 2),
        ("tuesday works", 1),
        ("the 2pm one", 1),
        ("the one with Lilian", 1),
        ("Friday at 2:15", 2),
    ],
)
def test_choice_is_understood(text: str, index: int) -> None:
    assert parse_choice(text, 3, LABELS) == index


@pytest.mark.parametrize("text", ["4", "option 7", "none of those work", "hmm", "what about Saturday?"])
def test_unclear_or_out_of_range_choice_is_none(text: str) -> None:
    assert parse_choice(text, 3, LABELS) is None


def test_choice_by_digit_works_without_labels() -> None:
    assert parse_choice("2", 2) == 1
    assert parse_choice("3", 2) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I'm Sarah", "Sarah"),
        ("this is Dana Lee", "Dana Lee"),
        ("Sarah here", "Sarah"),
        ("my name is jessica", "Jessica"),
        ("Hi I'm Sarah and I want botox for my forehead lines", "Sarah"),
        ("It's Maria!", "Maria"),
    ],
)
def test_name_from_an_introduction(text: str, name: str) -> None:
    assert extract_name(text) == name


@pytest.mark.parametrize(
    "text", ["I'm interested in botox", "this is great", "I'm free tuesday", "im so excited", "2"]
)
def test_no_name_without_an_introduction(text: str) -> None:
    assert extract_name(text) is None


@pytest.mark.parametrize(
    ("text", "name"), [("sarah", "Sarah"), ("Dana Lee", "Dana Lee"), ("Mike, need a facial", "Mike")]
)
def test_bare_name_counts_when_the_agent_asked(text: str, name: str) -> None:
    assert extract_name(text, asked=True) == name


@pytest.mark.parametrize("text", ["yes", "botox please", "tomorrow"])
def test_bare_non_names_are_not_names_even_when_asked(text: str) -> None:
    assert extract_name(text, asked=True) is None


@pytest.mark.parametrize(
    "text", ["that's expensive", "too much", "I can't afford it", "is there anything cheaper?"]
)
def test_price_objections(text: str) -> None:
    assert is_price_objection(text)
    assert "price_objection" in detect_intents(text)


@pytest.mark.parametrize(
    "text", ["what times do you have", "any openings thursday?", "when are you available?"]
)
def test_availability_requests(text: str) -> None:
    assert is_availability_request(text)


def test_yes_and_no() -> None:
    assert is_affirmative("yes please") and is_affirmative("sounds good") and is_affirmative("👍")
    assert is_negative("nope") and is_negative("no thanks")
    assert not is_affirmative("no thanks")


def test_rejection_of_every_option() -> None:
    assert is_rejection("none of those work")
    assert not is_rejection("the second one")


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("hi", {"greeting"}),
        ("Good morning!", {"greeting"}),
        ("thanks!", {"thanks"}),
        ("Thank you, bye", {"thanks", "goodbye"}),
        ("Monday around 2pm", set()),
    ],
)
def test_small_talk(text: str, intents: set[str]) -> None:
    assert detect_intents(text) == intents


@pytest.mark.parametrize(
    "text", ["Can I do Tuesday at 3 instead?", "what about Saturday?", "do you have 5pm?"]
)
def test_asking_for_a_time_no_option_has_is_not_a_choice(text: str) -> None:
    assert parse_choice(text, 3, LABELS) is None


def test_service_choice_by_name() -> None:
    services = ["Botox Consultation", "Dermal Filler Consultation"]
    assert parse_choice("the botox one", 2, services) == 0
    assert parse_choice("filler", 2, services) == 1


@pytest.mark.parametrize(
    ("text", "name"),
    [("Hi there", None), ("hello!", None), ("I'm Robin", "Robin"), ("Hi, this is Dana Lee", "Dana Lee")],
)
def test_greeting_or_name_alone_is_small_talk(text: str, name: str | None) -> None:
    assert intents.is_small_talk(text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi I'd like botox", None),
        ("I'm Robin, HydraFacial please", "Robin"),
        ("hi there, something for my forehead lines", None),
        ("Sarah", None),
        ("2", None),
        ("", None),
    ],
)
def test_a_text_that_may_name_a_treatment_is_not_small_talk(text: str, name: str | None) -> None:
    assert not intents.is_small_talk(text, name)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("heyyy", {"greeting"}),
        ("hiii there!!", {"greeting"}),
        ("Hola buenas tardes", {"greeting"}),
        ("thx so much!", {"thanks"}),
        ("ty!", {"thanks"}),
        ("gracias 🙏", {"thanks"}),
        ("ok thank u, see you then", {"affirm", "thanks", "goodbye"}),
        ("yesss 👍", {"affirm"}),
        ("yup", {"affirm"}),
        ("sí claro", {"affirm"}),
        ("nah", {"negate"}),
        ("no thx", {"negate", "thanks"}),
        ("omg $650 is a lot", {"price_objection"}),
        ("do u have any specials", {"price_objection"}),
        ("whats the soonest you have?", {"availability_request"}),
        ("any openings thurs?", {"availability_request"}),
        ("none of those work", {"reject_options"}),
        ("thanksgiving week maybe", set()),
    ],
)
def test_intents_in_texts_written_the_way_clients_write(text: str, found: set[str]) -> None:
    assert detect_intents(text) == found


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("ok just do 1", 0),
        ("1 pls", 0),
        ("2️⃣", 1),
        ("option three", 2),
        ("lets do the 2pm", 1),
        ("la primera", 0),
    ],
)
def test_choice_in_shorthand_emoji_and_spanish(text: str, index: int) -> None:
    assert parse_choice(text, 3, LABELS) == index


@pytest.mark.parametrize("text", ["1 more question", "2 people", "I have 2 kids", "not lilian"])
def test_a_number_that_counts_something_is_not_a_choice(text: str) -> None:
    assert parse_choice(text, 3, LABELS) is None
