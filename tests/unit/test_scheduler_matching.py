"""Client words → catalog services on the demo spa: typos, shorthand, Spanish, two services, none.

Run against the demo spa file through the spa-file parser (pure, no database). The thresholds are
the agent's (services/agent/domain.py): below CANDIDATE_MIN a match is not even a candidate; at or
above MATCH_MIN a clear winner is taken.
"""

from __future__ import annotations

import pytest

from services.scheduler import matching, spafile
from services.scheduler.cli import DEMO_SPA
from services.scheduler.domain import SpaCatalog

pytestmark = pytest.mark.unit

CANDIDATE_MIN = 0.25
MATCH_MIN = 0.45
CLEAR_MARGIN = 0.15

# (what a client texts, the service key it means, or None when it names no treatment)
TABLE: list[tuple[str, str | None]] = [
    # SMS shorthand and typos
    ("botx pls, tmrw after 5?", "botox"),
    ("botox pls", "botox"),
    ("bottox", "botox"),
    ("Botax next week?", "botox"),
    ("can i get tox", "botox"),
    ("ur botox price?", "botox"),
    ("HYDRAFACIAL PLEASE", "hydrafacial"),
    ("Hydrafacial?? 🙏", "hydrafacial"),
    ("hydra facial", "hydrafacial"),
    ("hydro facial on sat", "hydrafacial"),
    ("hydrafacal", "hydrafacial"),
    ("microneedeling", "microneedling"),
    ("I'm interested in microneedling, do you have Thursday evening?", "microneedling"),
    ("lazer hair removal", "laser-hair-removal"),
    ("laser my legs", "laser-hair-removal"),
    ("coolsculpt", "coolsculpting"),
    ("hi!! coolsculpting for my tummy x Leah", "coolsculpting"),
    ("fillers for my lips", "lip-filler"),
    ("hey! do u have anything for lip filler this week? it's mia", "lip-filler"),
    ("lip flip", "botox"),
    ("crows feet are killing me lol. whats the soonest you have? - Jess", "neurotoxin-consult"),
    ("I’m looking for something for my crow’s feet", "neurotoxin-consult"),
    ("11 lines", "neurotoxin-consult"),
    ("my 11s are getting deep", "neurotoxin-consult"),
    ("i feel like my forehead is wrinkly", "neurotoxin-consult"),
    ("lines between my eyebrows", "neurotoxin-consult"),
    ("How much is botox?", "botox"),
    ("how much is a hydrafacial", "hydrafacial"),
    ("can i get a facial", "hydrafacial"),
    ("sun spots on my cheeks", "ipl-photofacial"),
    ("stubborn belly fat", "body-consult"),
    ("dysport", "botox"),
    ("brazilian", "laser-hair-removal"),
    # Spanish
    ("depilación láser", "laser-hair-removal"),
    ("Necesito una cita para depilacion laser en las axilas", "laser-hair-removal"),
    ("relleno de labios", "lip-filler"),
    ("bótox", "botox"),
    ("hola! cuánto cuesta el bótox?", "botox"),
    ("arrugas en la frente", "neurotoxin-consult"),
    ("quiero una limpieza facial", "hydrafacial"),
    ("tengo manchas del sol, que me recomiendan?", "ipl-photofacial"),
    ("sunspots on my cheeks", "ipl-photofacial"),
    ("can i get a consult for my dark circles this week?", "filler-consult"),
    # no treatment words
    ("what time do you close on saturday?", None),
    ("stop texting me", None),
    ("STOP", None),
    ("where are you located", None),
    ("is julia in on friday", None),
    ("Priyanka here", None),
    ("Hola, soy Lucía", None),
    ("thanks!", None),
    ("Jess", None),
    ("omg $650 is a lot", None),
    ("none of those work, do you have anything later in the day?", None),
    ("Is there parking nearby?", None),
    ("cool and is there anything i should avoid before?", None),
    ("do you offer financing thru cherry?", None),
    ("got your message", None),
    ("i filled out the form", None),
    ("any slots friday?", None),
    ("Hi Glow Med Spa!", None),
    ("can i come at 11?", None),
    ("love it 😍", None),
    ("my skin is glowing thanks to you guys", None),
    ("cancel my appt", None),
    ("This is Ava's husband, can you tell me what time her appt is", None),
]

# Texts that name two services: both are strong matches, so the agent can handle both or ask once.
TWO_SERVICES: list[tuple[str, set[str]]] = [
    ("botox and a hydrafacial", {"botox", "hydrafacial"}),
    ("microneedling + dermaplaning", {"microneedling", "dermaplaning"}),
    ("a facial and a massage", {"hydrafacial", "lymphatic-massage"}),
    ("botox lip flip and maybe filler for my lips", {"botox", "lip-filler"}),
]


@pytest.fixture(scope="module")
def demo() -> SpaCatalog:
    """The demo spa's catalog, read through the spa-file parser."""
    return spafile.read(DEMO_SPA).catalog_view()


def _ranked(demo: SpaCatalog, text: str) -> list[matching.Scored]:
    return matching.rank(text, demo.services.values(), 5, threshold=0.0, ignore=demo.name)


def test_the_table_is_large_enough_to_mean_something() -> None:
    assert len(TABLE) >= 40
    assert sum(expected is None for _, expected in TABLE) >= 15


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_client_text_matches_its_service_or_nothing(
    demo: SpaCatalog, text: str, expected: str | None
) -> None:
    ranked = [s for s in _ranked(demo, text) if s.confidence >= CANDIDATE_MIN]
    if expected is None:
        assert ranked == [], [(s.service.key, s.confidence) for s in ranked]
        return
    top, *rest = ranked
    assert top.service.key == expected, [(s.service.key, s.confidence) for s in ranked]
    assert top.confidence >= MATCH_MIN
    # A clear winner: the agent does not have to ask "did you mean ...?"
    assert not rest or top.confidence - rest[0].confidence >= CLEAR_MARGIN


@pytest.mark.parametrize(("text", "expected"), TWO_SERVICES)
def test_two_services_in_one_text_both_match_strongly(
    demo: SpaCatalog, text: str, expected: set[str]
) -> None:
    strong = {s.service.key for s in _ranked(demo, text) if s.confidence >= 0.85}
    assert strong == expected


@pytest.mark.parametrize(
    ("typed", "word", "typo"),
    [
        ("botx", "botox", True),  # a letter missing
        ("bottox", "botox", True),  # a letter doubled
        ("botax", "botox", True),  # a vowel changed
        ("hydrafacal", "hydrafacial", True),
        ("microneedeling", "microneedling", True),
        ("coolsculpt", "coolsculpting", True),  # cut short
        ("dermaplanning", "dermaplaning", True),
        ("later", "laser", False),  # a consonant changed in a short word is another word
        ("slots", "spots", False),
        ("feel", "peel", False),  # the first letter is trusted
        ("fillet", "filler", True),  # one letter in a longer word: the COMMON list keeps it out
        ("facing", "facial", False),
    ],
)
def test_a_typo_is_one_slip_from_the_catalog_word(typed: str, word: str, typo: bool) -> None:
    assert matching.is_typo_of(typed, word) is typo


def test_common_words_near_catalog_words_are_not_corrected(demo: SpaCatalog) -> None:
    for text in ("got your message", "i filled it in", "sorry im running later"):
        assert _ranked(demo, text)[0].confidence < CANDIDATE_MIN


def test_the_spa_name_is_not_a_service_word(demo: SpaCatalog) -> None:
    # "glow" is one of HydraFacial's words and also the spa's name.
    assert _ranked(demo, "I want that glow")[0].service.key == "hydrafacial"
    assert _ranked(demo, "Hi Glow Med Spa!")[0].confidence < CANDIDATE_MIN
    assert _ranked(demo, "thanks glow med, see you sat")[0].confidence < CANDIDATE_MIN


def test_normalize_reads_through_the_shared_normaliser() -> None:
    assert matching.normalize("Crow’s Feet") == "crows feet"
    assert matching.normalize("DEPILACIÓN  láser!!") == "laser hair removal"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hola! cuanto cuesta la consulta para botox y cuanto dura?", "neurotoxin-consult"),
        ("una consulta de relleno el viernes", "filler-consult"),
    ],
)
def test_a_consultation_named_in_spanish_comes_first(demo: SpaCatalog, text: str, expected: str) -> None:
    top = _ranked(demo, text)[0]
    assert top.service.key == expected and top.confidence >= MATCH_MIN
