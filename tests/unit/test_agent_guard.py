"""The escalation guard hands clinical, cancellation, money and people questions to staff, and keeps
clinical and card data out of replies."""

from __future__ import annotations

import pytest

from services.agent.language.guard import check_inbound, check_outbound

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "Is Botox right for my condition? I have rosacea and lupus",
        "Can I get filler while pregnant?",
        "I'm breastfeeding, is that ok?",
        "I take blood thinners, can I still get filler?",
        "Does it interact with my medications?",
        "Are there contraindications for microneedling?",
        "How many units is the right dosage for me?",
        "What are the side effects of Botox?",
        "I had a bad reaction last time",
        "my lips are still swollen 5 days after filler",
        "I have a rash after my laser treatment",
        "Is it safe?",
        "is it safe for someone with diabetes",
        "Am I a good candidate for a chemical peel with eczema?",
        "What is (are) Scoliosis ?",
        "What should I do if I forget a dose of Moexipril ?",
        "What causes shingles?",
    ],
)
def test_medical_questions_escalate_as_medical(text: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate
    assert verdict.category == "medical"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("cancel my appointment", "cancellation"),
        ("Please cancel my booking for Friday", "cancellation"),
        ("I won't be coming to my appointment", "cancellation"),
        ("I need to reschedule", "reschedule"),
        ("can I move my appointment to next week?", "reschedule"),
        ("I want a refund", "refund"),
        ("can I get my money back", "refund"),
        ("you charged me twice", "payment_dispute"),
        ("I'm going to dispute this charge", "payment_dispute"),
        ("this is terrible", "complaint"),
        ("I'm unhappy with my results", "complaint"),
        ("can I talk to a person", "human_request"),
        ("human please", "human_request"),
        ("let me speak to the manager", "human_request"),
        ("I want a real person", "human_request"),
        ("call me", "human_request"),
        ("Can someone call me back?", "human_request"),
    ],
)
def test_out_of_scope_requests_escalate_with_their_category(text: str, category: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate
    assert verdict.category == category


def test_reason_is_for_staff_and_does_not_echo_clinical_detail() -> None:
    verdict = check_inbound("I have herpes and take valacyclovir, is filler safe?")
    assert verdict.category == "medical"
    assert verdict.reason
    assert "herpes" not in verdict.reason.lower()
    assert "valacyclovir" not in verdict.reason.lower()


@pytest.mark.parametrize(
    "text",
    [
        "that's expensive",
        "too much",
        "I can't afford it",
        "is there anything cheaper?",
        "Hi, I'm Sarah, something for my forehead lines",
        "Monday around 2pm",
        "2",
        "the second one",
        "What is the address?",
        "What's your cancellation policy?",
        "Call me Sam",
        "what are the treatments for forehead lines",
        "Can you change the appointment to 3 pm instead?",
        "I'd like lip filler please",
        "",
    ],
)
def test_booking_chatter_and_price_objections_do_not_escalate(text: str) -> None:
    assert not check_inbound(text).escalate


def test_a_clinical_question_inside_a_cancellation_is_medical() -> None:
    assert check_inbound("I need to cancel, I just found out I'm pregnant").category == "medical"


@pytest.mark.parametrize(
    "reply",
    [
        "I have Monday at 1:30pm with Julia, Tuesday at 2pm with Lilian, or Friday at 2:15pm with Sloane. "
        "Reply 1, 2, or 3 to confirm.",
        "You're booked: Botox consultation, Tuesday Mar 10 at 2pm with Lilian, 123 Main St, Suite 4.",
        "Laser Hair Removal is $350 a session, or 3 sessions for $900.",
        "Your package covers this: 2 sessions left.",
    ],
)
def test_booking_logistics_pass_the_outbound_guard(reply: str) -> None:
    verdict = check_outbound(reply)
    assert verdict.allowed, verdict.reason


@pytest.mark.parametrize(
    "reply",
    [
        "Most clients get 20 units for the forehead.",
        "Take 400 mg of ibuprofen before you come.",
        "Since you have diabetes, we should wait.",
        "Stop taking warfarin a week before.",
        "Bruising is a common side effect.",
        "Your card 4111 1111 1111 1111 was charged.",
        "Card on file: 4111-1111-1111-1111",
    ],
)
def test_clinical_and_card_content_is_blocked(reply: str) -> None:
    verdict = check_outbound(reply)
    assert not verdict.allowed
    assert verdict.reason


def test_a_digit_run_that_fails_luhn_is_not_a_card() -> None:
    assert check_outbound("Your confirmation code is 4111 1111 1111 1112.").allowed


def test_reply_over_the_length_limit_is_blocked() -> None:
    assert not check_outbound("a" * 321).allowed
    assert check_outbound("a" * 320).allowed
    assert not check_outbound("a" * 200, max_length=160).allowed


def test_spa_service_names_can_be_allowed_explicitly() -> None:
    reply = "You're booked for Cold Sore Laser Treatment on Friday at 2pm."
    assert not check_outbound(reply).allowed
    assert check_outbound(reply, allowed_terms=("Cold Sore Laser Treatment",)).allowed


def test_what_is_a_spa_service_is_a_product_question() -> None:
    assert not check_inbound("What is a HydraFacial?").escalate
    assert check_inbound("What is (are) Shingles ?").category == "medical"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I got bruising", "medical"),
        ("there is a lump in my lip", "medical"),
        ("my eyelid is drooping", "medical"),
        ("it hurts where I got injected", "medical"),
        ("Does it hurt?", "medical"),
        ("how many units will I need", "medical"),
        ("I have rosacea, will the facial help?", "medical"),
        ("my skin is peeling and red after the laser", "medical"),
        ("can i work out after botox", "medical"),
        ("My lip feels numb", "medical"),
        ("you charged my card twice", "payment_dispute"),
        ("this place is a joke", "complaint"),
    ],
)
def test_post_treatment_symptoms_aftercare_and_disputes_escalate(text: str, category: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate and verdict.category == category


@pytest.mark.parametrize(
    "text",
    [
        "Can I have their phone number?",
        "Thanks so much! I know I have been a bit of a pain!",
        "I have a wedding next week",
        "my friend got botox here and loved it",
        "I would like to come after my workout",
        "I have a gift card",
    ],
)
def test_everyday_first_person_chatter_does_not_escalate(text: str) -> None:
    assert not check_inbound(text).escalate
