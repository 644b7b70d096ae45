"""Spa files: the demo spa is valid and rich enough; bad files are rejected with line and reason."""

from __future__ import annotations

from datetime import date, time

import pytest

from services.scheduler import matching, spafile
from services.scheduler.cli import DEMO_SPA

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def demo() -> spafile.SpaFile:
    """The demo spa as shipped."""
    return spafile.read(DEMO_SPA)


def test_demo_spa_has_what_the_demo_needs(demo: spafile.SpaFile) -> None:
    assert len(demo.catalog) >= 12
    assert {s.category for s in demo.catalog} >= {"injectables", "lasers", "facials", "body"}
    assert any(s.consultation for s in demo.catalog) and any(s.free_consult for s in demo.catalog)
    names = {p.name.split()[0] for p in demo.providers}
    assert len(demo.providers) == 5 and {"Julia", "Lilian", "Sloane"} <= names
    assert {c for p in demo.providers for c in p.credentials} >= {"NP", "RN", "LE", "CLT"}
    assert len(demo.packages) >= 2 and len(demo.memberships) >= 1
    assert any(c.packages for c in demo.clients)
    assert all(c.phone.startswith("+1") and c.phone[-4:-2] == "01" for c in demo.clients)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("something for my forehead lines", "neurotoxin-consult"),
        ("my 11s are getting deep", "neurotoxin-consult"),
        ("crow’s feet", "neurotoxin-consult"),
        ("frown lines", "neurotoxin-consult"),
        ("wrinkles", "neurotoxin-consult"),
        ("I'd like to laser my legs", "laser-hair-removal"),
        ("hair removal please", "laser-hair-removal"),
        ("botox", "botox"),
        ("hydrafacal", "hydrafacial"),
        ("something for my love handles", "body-consult"),
    ],
)
def test_client_words_match_the_right_service_first(demo: spafile.SpaFile, words: str, expected: str) -> None:
    ranked = matching.rank(words, demo.catalog_view().services.values(), 3)
    assert ranked[0].service.key == expected
    assert 0 <= ranked[-1].confidence <= ranked[0].confidence <= 1


def test_unrelated_words_match_nothing(demo: spafile.SpaFile) -> None:
    assert matching.rank("what time is it", demo.catalog_view().services.values(), 3) == []


def _problems(text: str) -> list[spafile.Problem]:
    with pytest.raises(spafile.SpaFileError) as info:
        spafile.parse(text, "bad.yaml")
    return info.value.problems


GOOD = """id: small-spa
name: Small Spa
timezone: America/Chicago
opening_hours: {mon: "09:00-17:00"}
catalog:
  - key: facial
    name: Facial
    category: facials
    duration_minutes: 60
    price: 100
    requires: esthetician
providers:
  - key: sam
    name: Sam Lee
    qualifications: [esthetician]
    hours: {mon: "09:00-17:00"}
"""


def test_a_small_valid_file_parses() -> None:
    assert spafile.parse(GOOD).catalog[0].key == "facial"


def test_unknown_time_zone_names_its_line() -> None:
    (problem,) = _problems(GOOD.replace("America/Chicago", "Mars/Olympus"))
    assert problem.line == 3 and "Mars/Olympus" in problem.reason


def test_bad_duration_names_its_line_and_field() -> None:
    (problem,) = _problems(GOOD.replace("duration_minutes: 60", "duration_minutes: -5"))
    assert problem.line == 9 and problem.where == "catalog[0].duration_minutes"


def test_bad_hours_name_their_line() -> None:
    (problem,) = _problems(GOOD.replace('    hours: {mon: "09:00-17:00"}', '    hours: {mon: "17:00-09:00"}'))
    assert problem.line == 16 and "end after it starts" in problem.reason


def test_unknown_qualification_is_a_cross_reference_error() -> None:
    (problem,) = _problems(GOOD.replace("requires: esthetician", "requires: laser"))
    assert problem.line == 11 and "laser" in problem.reason


def test_misspelt_key_is_rejected_not_ignored() -> None:
    problems = _problems(GOOD.replace("    price: 100", "    prize: 100"))
    assert {(p.line, p.where) for p in problems} == {(6, "catalog[0].price"), (10, "catalog[0].prize")}


def test_broken_yaml_names_its_line() -> None:
    (problem,) = _problems(GOOD.replace("  - key: sam", "  - key: [sam"))
    assert problem.line is not None and problem.line >= 14 and "YAML" in problem.reason


def test_languages_default_to_english_and_consult_first_to_on() -> None:
    spa = spafile.parse(GOOD)
    assert spa.languages == ["en"] and spa.catalog_view().languages == ("en",)
    assert spa.catalog_view().rules.consult_first
    off = spafile.parse(GOOD.replace("timezone:", "booking_rules: {consult_first: false}\ntimezone:"))
    assert not off.catalog_view().rules.consult_first


def test_demo_spa_replies_in_english_and_spanish(demo: spafile.SpaFile) -> None:
    assert demo.catalog_view().languages == ("en", "es")


@pytest.mark.parametrize("codes", ["[en, klingon]", "[en, EN]", "[]"])
def test_unknown_or_repeated_languages_name_their_line(codes: str) -> None:
    (problem,) = _problems(GOOD.replace("timezone:", f"languages: {codes}\ntimezone:"))
    assert problem.line == 3 and problem.where.startswith("languages")


def test_closures_parse_as_closed_days_and_short_days() -> None:
    text = GOOD + (
        "closures:\n"
        "  - {date: 2026-12-25, closed: true, reason: Christmas Day}\n"
        '  - {date: 2026-12-24, hours: "09:00-13:00"}\n'
    )
    closures = spafile.parse(text).catalog_view().closures
    assert closures[date(2026, 12, 25)].hours == () and closures[date(2026, 12, 25)].reason == "Christmas Day"
    assert closures[date(2026, 12, 24)].hours == ((time(9), time(13)),)


NEITHER_OR_BOTH = "either 'closed: true' or has 'hours'"


@pytest.mark.parametrize(
    ("closures", "reason"),
    [
        ['  - {date: 2026-12-25, closed: true, hours: "09:00-12:00"}', NEITHER_OR_BOTH],
        ["  - {date: 2026-12-25}", NEITHER_OR_BOTH],
        [
            "  - {date: 2026-12-25, closed: true}\n  - {date: 2026-12-25, closed: true}",
            "a day has two closures: 2026-12-25",
        ],
    ],
)
def test_a_closure_that_is_neither_or_both_or_twice_is_rejected(closures: str, reason: str) -> None:
    (problem,) = _problems(GOOD + "closures:\n" + closures + "\n")
    assert reason in problem.reason
