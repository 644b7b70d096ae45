"""Health-information questions asked the way reference sites ask them (the question shapes of the
MedQuAD collections the development set lacks: GARD, GHR, NIDDK, NINDS, CancerGov), about rare and
common conditions alike, including ones a med spa treats: the guard hands them to staff whatever
the condition is called."""

from __future__ import annotations

import itertools

import pytest

from services.agent.language.guard import check_inbound

pytestmark = pytest.mark.unit

SHAPES = (
    "What is (are) {} ?", "What are the symptoms of {} ?", "What causes {} ?", "Is {} inherited ?",
    "How to diagnose {} ?", "What are the treatments for {} ?", "How many people are affected by {} ?",
    "What are the genetic changes related to {} ?", "How to prevent {} ?", "What to do for {} ?",
    "What is the outlook for {} ?", "what research (or clinical trials) is being done for {} ?",
    "Who is at risk for {}? ?", "What are the stages of {} ?", "What are the complications of {} ?",
    "What is the frequency of {} ?", "Is there a cure for {}?",
)  # fmt: skip
CONDITIONS = (
    "Alagille syndrome", "Hemochromatosis", "Kidney Stones in Adults", "Balance Problems",
    "Zellweger spectrum disorder", "Paroxysmal nocturnal hemoglobinuria", "Smith-Magenis syndrome",
    "Lipedema", "Rosacea", "Melasma", "Keloids", "Vitiligo", "Hyperhidrosis", "Acne", "Hair Loss",
    "Psoriasis", "Spider Veins", "Melanoma", "Hives", "Alopecia areata", "Gastroparesis",
    "Hidradenitis suppurativa", "Trigeminal neuralgia", "Stretch Marks", "Dry Skin",
)  # fmt: skip


def test_reference_health_questions_about_any_condition_go_to_staff() -> None:
    asked = [shape.format(name) for shape, name in itertools.product(SHAPES, CONDITIONS)]
    missed = [q for q in asked if not check_inbound(q).escalate]
    # Measured 99.9% (the treatments for wrinkles or age spots ask what the spa offers); 92% before
    # the health-information rules (guard_rules/health_info.py).
    assert len(missed) <= len(asked) // 100, missed


@pytest.mark.parametrize(
    "text",
    [
        "what are the treatments for forehead lines",
        "do u do any treatments for stretch marks",
        "what are your treatments for acne",
        "how many people can come to the bridal party facials?",
        "is there a discount for two areas",
    ],
)
def test_the_same_words_about_the_spas_menu_stay_bookings(text: str) -> None:
    assert not check_inbound(text).escalate
