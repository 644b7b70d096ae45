"""The escalation guard hands clinical, appointment, money and people questions to staff, names the
rule that decided, flags possible emergencies as urgent, and keeps clinical and card data out of
replies."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from services.agent.language import medical_model
from services.agent.language.guard import (
    MODEL_RULE,
    URGENT_HANDOFF_TEXT,
    check_inbound,
    check_outbound,
    check_rules,
)
from services.agent.language.guard_rules import RULES, Rule, prepare
from services.agent.language.guard_rules.not_clinical import (
    MODEL_VETO_COUNTER_EXAMPLES,
    MODEL_VETO_EXAMPLES,
    overrules_model,
)
from services.agent.language.guard_rules.rule import rx

pytestmark = pytest.mark.unit

PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"


def _cases(kind: str) -> list[tuple[Rule, str]]:
    return [(rule, text) for rule in RULES for text in getattr(rule, kind)]


def _id(case: object) -> str:
    return case.name if isinstance(case, Rule) else str(case)[:40]


# ----- every rule's own examples and counter-examples -----


@pytest.mark.parametrize(("rule", "text"), _cases("examples"), ids=_id)
def test_rule_catches_its_examples_alone_and_in_the_guard(rule: Rule, text: str) -> None:
    assert rule.matches(prepare(text)), f"{rule.name} alone misses {text!r}"
    verdict = check_inbound(text)
    assert verdict.escalate and verdict.category == rule.category, (text, verdict)


@pytest.mark.parametrize(("rule", "text"), _cases("counter_examples"), ids=_id)
def test_rule_leaves_its_counter_examples_alone_and_so_do_all_rules(rule: Rule, text: str) -> None:
    assert not rule.matches(prepare(text)), f"{rule.name} fires on {text!r}"
    verdict = check_rules(text)
    assert not verdict.escalate, (text, verdict)


def test_the_whole_guard_passes_nearly_all_counter_examples() -> None:
    # The rules pass every counter-example (above); the learned model may still score a few of
    # these booking texts as medical. It is retrained as the medspa sets grow, so the bound is a
    # rate, and the texts it flags are printed for whoever tunes it.
    texts = [text for _rule, text in _cases("counter_examples")]
    flagged = [text for text in texts if check_inbound(text).escalate]
    assert all(check_inbound(text).rule == MODEL_RULE for text in flagged)
    assert len(flagged) <= 0.05 * len(texts), flagged


def test_a_rules_cheap_precondition_holds_wherever_its_pattern_fires() -> None:
    # `needs` only lets a rule skip texts its pattern cannot match; it must never change a verdict.
    texts = [text for path in sorted(PROJECT_DATA.glob("*.jsonl")) for text in _texts(path)]
    texts += [text for rule in RULES for text in rule.examples + rule.counter_examples]
    guarded = [rule for rule in RULES if rule.needs is not None]
    assert guarded, "the costly rules carry a precondition"
    for rule in guarded:
        assert rule.needs is not None
        fired = [flat for flat in map(prepare, texts) if rule.pattern_fires(flat)]
        assert fired, f"{rule.name} fires on none of the project's texts: nothing was checked"
        skipped = [flat for flat in fired if rule.needs.search(flat) is None]
        assert not skipped, f"{rule.name}'s precondition would skip texts its pattern matches: {skipped[:5]}"


def test_a_precondition_that_is_absent_skips_the_rule() -> None:
    rule = next(rule for rule in RULES if rule.needs is not None)
    text = prepare(rule.examples[0])
    assert rule.matches(text)
    blocked = replace(rule, needs=re.compile("no such word in any text"))
    assert not blocked.matches(text)


def _texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


# ----- what clients write -----


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I can\u2019t make it to my appointment tomorrow", "reschedule"),
        ("I can't make it to my appointment tomorrow", "reschedule"),
        ("I was charged for a package I never bought", "payment_dispute"),
        ("Can I get my deposit back?", "refund"),
        ("why was I charged?", "payment_dispute"),
        ("you charged me a no-show fee", "payment_dispute"),
        ("cancel my membership", "cancellation"),
        ("wait i take eliquis, will that be a problem with filler?", "medical"),
        ("Is Botox safe while I\u2019m pregnant?", "medical"),
        ("would IPL make my rosacea worse?", "medical"),
        ("I need to cancel, I just found out I'm pregnant", "medical"),
        ("you charged me a no-show fee, this is ridiculous", "payment_dispute"),
        ("CAN SOMEONE CALL ME", "human_request"),
    ],
)
def test_client_texts_escalate_with_their_category(text: str, category: str) -> None:
    verdict = check_inbound(text)
    assert verdict.escalate and verdict.category == category, verdict
    assert verdict.rule, "a verdict names the rule that fired"


@pytest.mark.parametrize(
    "text",
    [
        "Um...i took 25 iron pills...what do i do...this was last night",
        "The laser burned my leg and nobody has called me back",
        "my vision is blurry since the filler this morning",
        "I can\u2019t breathe and my lips are swelling",
        "the skin above my lip went white right after the filler",
        "redness is spreading across my cheek after the peel",
        "chest pain after my shot",
        "I think I'm having an allergic reaction",
        "i fainted after the injection",
        "hey so i got lip filler on sat and my top lip is still super swollen lol is that normal?? - jess",
        "tox on monday and now one brow is way higher",
        "the shot spot on my arm is hot and puffy",
        "that eye cream made my lids red and itchy",
        "the bruise from my lips still hasnt gone down",
        "cheek filler feels hard and throbs",
        "me duele la cara desde el relleno",
        "coughing up blood since this morning",
        "i keep seeing flashes of light in my left eye",
        "my son hit his head at practice and now hes dizzy",
        "mi hija se tomo varias pastillas de su abuela",
        "my lips are still lumpy 12 days out from filler",
        # a treated spot told as "the spot you ...", and a symptom after someone else's visit
        "the area you injected is warm when i touch it",
        "my dads cheek is swollen since his appointment friday",
    ],
)
def test_emergencies_and_symptoms_after_a_treatment_are_urgent(text: str) -> None:
    verdict = check_inbound(text)
    assert verdict.category == "medical" and verdict.priority == "urgent", verdict


@pytest.mark.parametrize(
    "text",
    [
        "is it normal to bleed after microneedling",
        "how long is swelling normal after lip filler",
        "can i take advil after filler for the pain",
        "What are the side effects of Botox?",
        "i had a heart attack years ago, is filler ok for me",
        "i get seizures sometimes, can i do ipl",
        "what are the chances of bruising from lip filler",
        "can i have a glass of wine tonight after my botox",
        # a symptom that has lasted, with no treatment named, and a weekday in Spanish
        "had a cough for two weeks now, what helps",
        "me duele la garganta desde el lunes",
        "i had wine after my filler, will it bruise more",
        "my husband stops breathing in his sleep sometimes",
        "had a small heart attack last year, is the drip ok for me",
    ],
)
def test_general_questions_about_what_may_happen_are_medical_but_not_urgent(text: str) -> None:
    verdict = check_inbound(text)
    assert verdict.category == "medical" and verdict.priority == "normal", verdict


@pytest.mark.parametrize(
    "text",
    [
        "What are the brand names of Tranylcypromine ?",
        "What are the indications for getting a digoxin level?",
    ],
)
def test_the_learned_model_catches_what_no_rule_names(text: str) -> None:
    assert not check_rules(text).escalate, "pick texts no rule explains"
    verdict = check_inbound(text)
    assert verdict.category == "medical" and verdict.rule == MODEL_RULE
    assert verdict.priority == "normal"


@pytest.mark.parametrize("text", MODEL_VETO_EXAMPLES)
def test_booking_texts_the_model_misreads_do_not_escalate(text: str) -> None:
    assert not check_rules(text).escalate, "pick texts no rule explains"
    assert medical_model.medical_probability(text) >= medical_model.THRESHOLD, "pick texts the model misreads"
    assert overrules_model(prepare(text))
    assert not check_inbound(text).escalate


@pytest.mark.parametrize("text", MODEL_VETO_COUNTER_EXAMPLES)
def test_a_booking_text_that_names_a_condition_drug_or_reaction_stays_medical(text: str) -> None:
    assert not overrules_model(prepare(text))
    assert check_inbound(text).category == "medical"


def test_reason_is_for_staff_names_the_rule_and_does_not_echo_clinical_detail() -> None:
    verdict = check_inbound("I have herpes and take valacyclovir, is filler safe?")
    assert verdict.category == "medical"
    assert verdict.rule in verdict.reason
    assert "herpes" not in verdict.reason.lower()
    assert "valacyclovir" not in verdict.reason.lower()


def test_urgent_reason_says_staff_should_look_now() -> None:
    verdict = check_inbound("i took too many pills")
    assert verdict.priority == "urgent" and "now" in verdict.reason


@pytest.mark.parametrize(
    "text",
    [
        "that's expensive",
        "I can't afford it",
        "Hi, I'm Sarah, something for my forehead lines",
        "hi! i want IPL for my rosacea",
        "something for acne scars",
        "Monday around 2pm",
        "2",
        "the second one",
        "What is the address?",
        "What's your cancellation policy?",
        "Call me Sam",
        "what are the treatments for forehead lines",
        "Can you change the appointment to 3 pm instead?",
        "I'd like lip filler please",
        "Can I have their phone number?",
        "Thanks so much! I know I have been a bit of a pain!",
        "I have a wedding next week",
        "my friend got botox here and loved it",
        "I would like to come after my workout",
        "I have a gift card",
        "what's a hydrafacial and how long does it take",
        "how much is a syringe of filler",
        "running 5 min late is that ok?",
        "does the laser hurt more than waxing",
        "is brazilian laser painful on the first session",
        "loved my filler and now i want cheeks too",
        "my 11s are out of control haha... x Mel",
        "Thinking about filler for my smile lines but I want to talk to someone first. Wednesdays work",
        "whats the deposit for filler and is it refundable if i reschedule",
        "\U0001f44d\U0001f44d",
        "",
        "   ",
    ],
)
def test_booking_chatter_and_price_objections_do_not_escalate(text: str) -> None:
    assert not check_inbound(text).escalate


# ----- outbound -----


@pytest.mark.parametrize(
    "reply",
    [
        "I have Monday at 1:30pm with Julia, Tuesday at 2pm with Lilian, or Friday at 2:15pm with Sloane. "
        "Reply 1, 2, or 3 to confirm.",
        "You're booked: Botox consultation, Tuesday Mar 10 at 2pm with Lilian, 123 Main St, Suite 4.",
        "Laser Hair Removal is $350 a session, or 3 sessions for $900.",
        "Your package covers this: 2 sessions left.",
        URGENT_HANDOFF_TEXT,
    ],
)
def test_booking_logistics_and_the_urgent_handoff_pass_the_outbound_guard(reply: str) -> None:
    verdict = check_outbound(reply)
    assert verdict.allowed, verdict.reason


def test_urgent_handoff_text_tells_the_client_to_call_911() -> None:
    assert "call 911" in URGENT_HANDOFF_TEXT and "emergency" in URGENT_HANDOFF_TEXT


@pytest.mark.parametrize(
    "reply",
    [
        "Most clients get 20 units for the forehead.",
        "Take 400 mg of ibuprofen before you come.",
        "Since you have diabetes, we should wait.",
        "Stop taking warfarin a week before.",
        "Bruising is a common side effect.",
        "Bruising is a common side\u2011effect.",
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


def test_a_shared_word_boundary_is_written_once_and_matches_the_same_texts() -> None:
    parts = (r"\bpills?\b|\bmeds\b", r"\b(?:ache|pain)s?\b|\bx[|]y")
    shared = rx(*parts)
    plain = re.compile("|".join(f"(?:{p})" for p in parts))
    assert shared.pattern.startswith(r"\b(?:pills?\b|meds\b|(?:ache|pain)s?\b|x[|]y")
    for text in ("my meds", "two pills", "pains", "x|y", "xy", "spills", "painter", "mymeds"):
        assert bool(shared.search(text)) == bool(plain.search(text)), text
    assert rx(r"\ba|b").pattern == r"(?:\ba|b)", (
        "an alternative without the boundary keeps the pattern as written"
    )
