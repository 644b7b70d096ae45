"""Opt-out by meaning: every rule catches its examples and none of its counter-examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.gateway.domain import read_text
from services.gateway.optout_phrases import RULES, opt_out_rule, prepared

pytestmark = pytest.mark.unit

EXAMPLES = [(rule.name, text) for rule in RULES for text in rule.examples]
COUNTER_EXAMPLES = [(rule.name, text) for rule in RULES for text in rule.counter_examples]
SMART = str.maketrans({"'": "\u2019"})


@pytest.mark.parametrize(("name", "text"), EXAMPLES)
def test_each_example_is_an_opt_out(name: str, text: str) -> None:
    rule = opt_out_rule(text)
    assert rule is not None, f"{name} missed {text!r}"


@pytest.mark.parametrize(("name", "text"), COUNTER_EXAMPLES)
def test_no_counter_example_is_an_opt_out(name: str, text: str) -> None:
    rule = opt_out_rule(text)
    assert rule is None, f"{text!r} (counter-example of {name}) read as {rule.name if rule else ''}"


@pytest.mark.parametrize(("name", "text"), EXAMPLES + COUNTER_EXAMPLES)
def test_the_verdict_is_the_same_with_phone_punctuation_and_shouting(name: str, text: str) -> None:
    plain = opt_out_rule(text)
    for variant in (text.translate(SMART), text.upper(), f"  {text} 🙄  ", text.replace(" ", "\u00a0")):
        assert opt_out_rule(variant) == plain, variant


def test_every_rule_has_examples_triggers_and_a_unique_name() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all(rule.examples and rule.triggers for rule in RULES)


@pytest.mark.parametrize(("name", "text"), EXAMPLES)
def test_each_example_holds_a_trigger_word_of_its_rule(name: str, text: str) -> None:
    rule = next(r for r in RULES if r.name == name)
    assert not rule.triggers.isdisjoint(prepared(text).split()), f"{name}: no trigger word in {text!r}"


@pytest.mark.parametrize(
    "text",
    [
        "Stop texting me",
        "stop texting me!!",
        "Please stop texting me, I never signed up for this",
        "no more texts",
        "remove me from this list",
        "take me off your list",
        "unsubscribe me",
        "please don’t text me",
        "don't text me anymore",
        "stop messaging me",
        "leave me alone",
        "opt me out",
        "no más mensajes",
        "alto",
        "ya no me escriban",
        "baja",
    ],
)
def test_the_phrases_clients_use_are_opt_outs(text: str) -> None:
    assert opt_out_rule(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "can you stop by tomorrow",
        "I want to stop shaving",
        "when do I stop retinol",
        "don't text me after 9pm",
        "I'd like to book laser so I can stop shaving, anything Friday?",
        "I need to stop at the bank first, can we do 3 instead?",
        "cancel",
        "yes",
        "Hi, do you have Botox on Friday?",
        "",
    ],
)
def test_texts_that_only_mention_stopping_are_not_opt_outs(text: str) -> None:
    assert opt_out_rule(text) is None


def test_texts_are_read_through_the_one_normaliser() -> None:
    assert prepared("Don’t  TEXT me!!! 😡") == "don't text me"
    assert prepared("No MÁS mensajes…") == "no mas mensajes"


SET = Path(__file__).resolve().parents[1] / "data" / "gateway_optouts.jsonl"
TEXTS = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("case", TEXTS, ids=[c["text"][:40] for c in TEXTS])
def test_the_written_set_of_client_texts_reads_as_expected(case: dict[str, str]) -> None:
    """tests/data/gateway_optouts.jsonl: opt-outs as clients write them, and texts that only look close."""
    is_opt_out = read_text(case["text"]).keyword == "stop"
    assert is_opt_out == (case["expect"] == "stop"), case["text"]
