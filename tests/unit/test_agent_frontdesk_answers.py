"""Front-desk answers from a spa profile: prices, packages, hours by day, parking, providers."""

from __future__ import annotations

from datetime import time
from uuid import uuid4

import pytest

from services.agent.frontdesk_answers import Asked, answers, days_summary, memberships, week_summary
from shared.contracts.conversation import ServiceCandidate
from shared.contracts.tools import (
    MembershipPlan,
    OpeningDay,
    PackageOffer,
    ProviderInfo,
    ServiceInfo,
    SpaProfile,
)

pytestmark = pytest.mark.unit

JULIA, LILIAN = uuid4(), uuid4()
LIP = ServiceInfo(
    service_id=uuid4(),
    key="lip-filler",
    name="Lip Filler",
    category="injectables",
    price_cents=65000,
    duration_minutes=45,
    free_consult=True,
    provider_ids=[JULIA, LILIAN],
)
WEEK = [OpeningDay(weekday=d, intervals=[(time(9), time(19))]) for d in range(5)] + [
    OpeningDay(weekday=5, intervals=[(time(9), time(17))]),
    OpeningDay(weekday=6, intervals=[]),
]
PROFILE = SpaProfile(
    tenant_id="glow-medspa",
    name="Glow Med Spa",
    timezone="America/Los_Angeles",
    address="2140 Chestnut St, San Francisco, CA 94123",
    parking_note="Street parking on Chestnut; garage on Mallorca Way.",
    hours=WEEK,
    services=[LIP],
    providers=[
        ProviderInfo(
            provider_id=JULIA,
            first_name="Julia",
            week=[OpeningDay(weekday=d, intervals=[(time(10), time(19))]) for d in (1, 2, 3, 4, 5)],
        ),
        ProviderInfo(
            provider_id=LILIAN,
            first_name="Lilian",
            week=[OpeningDay(weekday=0, intervals=[(time(9), time(17))])],
        ),
    ],
)
LIP_CANDIDATE = ServiceCandidate(
    service_id=LIP.service_id, name="Lip Filler", price_cents=65000, free_consult=True
)


def _ask(*questions: str, **kwargs: object) -> list[str]:
    return answers(frozenset(questions), Asked(profile=PROFILE, **kwargs))  # type: ignore[arg-type]


def test_price_with_its_package_and_the_free_consult() -> None:
    offer = PackageOffer(
        name="Lip Filler, 2 syringes", sessions=2, price_cents=120000, per_session_cents=60000
    )
    sentences = _ask("price", service=LIP_CANDIDATE, offers=[offer])
    # One sentence each, the price first: a reply too long for one text drops the others first.
    assert sentences == [
        "Lip Filler is $650.",
        "Our Lip Filler, 2 syringes is 2 sessions for $1,200.",
        "The consultation is free.",
    ]


def test_price_without_a_service_is_left_to_the_booking_question() -> None:
    assert _ask("price") == []


def test_hours_of_the_day_asked_and_a_closed_day() -> None:
    assert _ask("hours", weekday=5) == ["On Saturday we're open 9am to 5pm."]
    assert _ask("hours", weekday=6) == ["We're closed on Sunday."]
    assert _ask("hours", weekday=5, lang="es") == ["El sábado abrimos 9am a 5pm."]


def test_hours_of_the_week_group_days_with_the_same_hours() -> None:
    assert week_summary(WEEK) == "Monday to Friday 9am to 7pm, Saturday 9am to 5pm"
    assert _ask("hours") == ["Our hours: Monday to Friday 9am to 7pm, Saturday 9am to 5pm."]


def test_address_and_parking_in_one_answer_in_a_fixed_order() -> None:
    assert _ask("parking", "address") == [
        "We're at 2140 Chestnut St, San Francisco, CA 94123.",
        "Parking: Street parking on Chestnut; garage on Mallorca Way.",
    ]


def test_who_does_a_service_and_when_a_provider_works() -> None:
    assert _ask("providers", service=LIP_CANDIDATE) == ["Lip Filler is done by Julia and Lilian."]
    assert _ask("provider_schedule", provider="julia", weekday=4) == [
        "Yes, Julia is in on Friday, 10am to 7pm."
    ]
    assert _ask("provider_schedule", provider="Julia", weekday=0) == [
        "Julia isn't in on Monday; Julia is usually in Tuesday to Saturday."
    ]
    assert _ask("provider_schedule", provider="Lilian") == ["Lilian is usually in Monday."]


def test_days_summary_makes_ranges_of_three_days_or_more() -> None:
    assert days_summary([0, 2, 4]) == "Monday, Wednesday, and Friday"
    assert days_summary([1, 2, 3, 5]) == "Tuesday to Thursday and Saturday"


def test_a_profile_without_the_facts_gives_no_answer() -> None:
    bare = SpaProfile(tenant_id="x", name="X", timezone="UTC")
    assert answers(frozenset({"address", "parking", "hours", "providers"}), Asked(profile=bare)) == []


def test_memberships_from_the_spa_file_in_the_conversations_language() -> None:
    club = MembershipPlan(
        name="Glow Club", monthly_price_cents=14900, discount_percent=10, covers=["HydraFacial"]
    )
    plain = MembershipPlan(name="Lash Club", monthly_price_cents=4950)
    profile = PROFILE.model_copy(update={"memberships": [club, plain]})
    assert memberships(profile) == (
        "Our Glow Club is $149 a month, with 10% off HydraFacial. Our Lash Club is $49.50 a month."
    )
    assert memberships(profile, "es").startswith("Nuestro Glow Club cuesta $149 al mes, con 10% de descuento")
    assert memberships(PROFILE) == ""  # none in the spa file: staff answer
