"""The deterministic brain's pure decisions: which service, and how to answer a price objection."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.agent.domain import choose_service
from services.agent.policy import objection_reply
from shared.contracts.conversation import ServiceCandidate
from shared.contracts.tools import ClientBenefits, MembershipInfo, PackageBalance, PackageOffer, ServiceMatch

pytestmark = pytest.mark.unit


def _match(name: str, confidence: float, consult: bool = False) -> ServiceMatch:
    return ServiceMatch(
        service_id=uuid4(),
        name=name,
        category="injectables",
        confidence=confidence,
        is_consultation=consult,
        duration_minutes=30,
        price_cents=35000,
    )


def _state(name: str = "HydraFacial", price: int = 22500) -> ServiceCandidate:
    return ServiceCandidate(service_id=uuid4(), name=name, price_cents=price)


def test_clear_winner_is_matched() -> None:
    chosen, close = choose_service(
        [_match("Botox / Neurotoxin Consultation", 0.97, True), _match("Botox", 0.6)]
    )
    assert chosen is not None and chosen.name.startswith("Botox / Neurotoxin") and close == []


def test_close_candidates_make_the_agent_ask() -> None:
    chosen, close = choose_service([_match("Lip Filler", 0.7), _match("Cheek and Jawline Filler", 0.65)])
    assert chosen is None and [m.name for m in close] == ["Lip Filler", "Cheek and Jawline Filler"]


def test_words_that_match_nothing_match_nothing() -> None:
    assert choose_service([_match("Dermaplaning", 0.1)]) == (None, [])
    assert choose_service([]) == (None, [])


def test_objection_with_a_covering_package_says_sessions_left() -> None:
    benefits = ClientBenefits(
        packages=[
            PackageBalance(package_name="HydraFacial, 3 sessions", sessions_remaining=2, covers_service=True)
        ],
        package_offers=[
            PackageOffer(
                name="HydraFacial, 3 sessions", sessions=3, price_cents=60000, per_session_cents=20000
            )
        ],
    )
    text, answer = objection_reply(_state(), benefits)
    assert answer == "package_balance"
    assert "2 sessions left" in text and "$" not in text


def test_objection_without_a_package_offers_per_session_pricing_and_free_consult() -> None:
    benefits = ClientBenefits(
        package_offers=[
            PackageOffer(
                name="HydraFacial, 3 sessions", sessions=3, price_cents=60000, per_session_cents=20000
            )
        ],
        free_consult_available=True,
        service_price_cents=22500,
    )
    text, answer = objection_reply(_state(), benefits)
    assert answer == "package_offer"
    assert "$200 per session" in text and "consultation is free" in text
    assert "$225" not in text, "never just repeat the price"


def test_objection_mentions_only_a_real_membership_discount() -> None:
    member = ClientBenefits(
        membership=MembershipInfo(tier="Glow Club", discount_percent=10, covers_service=True)
    )
    text, answer = objection_reply(_state(), member)
    assert answer == "membership" and "10% off" in text
    other = ClientBenefits(
        membership=MembershipInfo(tier="Glow Club", discount_percent=10, covers_service=False)
    )
    text, _ = objection_reply(_state(), other)
    assert "%" not in text, "no discount the client does not have"


def test_package_for_another_service_is_not_offered_as_cover() -> None:
    benefits = ClientBenefits(
        packages=[
            PackageBalance(
                package_name="Laser Hair Removal, 6 sessions", sessions_remaining=4, covers_service=False
            )
        ],
        free_consult_available=True,
    )
    text, answer = objection_reply(_state("Botox"), benefits)
    assert answer == "free_consult" and "sessions left" not in text
