"""Texts that are never the client's name: keywords with punctuation, "wrong number", "who is this"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.agent.language.names import NOT_A_NAME_RULES, find_name, says_wrong_number
from services.agent.language.phrases import Rule
from services.agent.language.shorthand import plain
from services.agent.language.understanding import understand
from services.agent.special_texts import PICTURE, WRONG_NUMBER, handoff_for, stays_quiet
from shared.contracts.sms import SmsReceived

pytestmark = pytest.mark.unit

NOT_NAMES = ["Stop.", "STOP ALL", "stop!!", " stop ", "Wrong Number", "wrong number", "who is this",
             "new phone who dis", "Who's this??", "Wrong #", "HELP?"]  # fmt: skip


@pytest.mark.parametrize("rule", NOT_A_NAME_RULES, ids=lambda r: r.name)
def test_every_not_a_name_rule_matches_its_examples_and_not_its_counter_examples(rule: Rule) -> None:
    assert rule.examples
    for text in rule.examples:
        assert rule.regex.search(plain(text)), f"{rule.name} misses {text!r}"
    for text in rule.counter_examples:
        assert not rule.regex.search(plain(text)), f"{rule.name} wrongly matches {text!r}"


@pytest.mark.parametrize("text", NOT_NAMES)
def test_keywords_and_wrong_number_are_never_a_name_even_when_a_name_was_asked(text: str) -> None:
    assert find_name(text, asked=True) is None
    now = datetime(2026, 12, 2, 18, tzinfo=UTC)
    assert understand(text, now=now, tz="America/Los_Angeles", name_asked=True).name is None


@pytest.mark.parametrize("text", ["Dana", "I'm Stacy", "this is Whitney, can I book?"])
def test_real_names_still_count(text: str) -> None:
    assert find_name(text, asked=True) is not None


def _sms(body: str, **fields: object) -> SmsReceived:
    return SmsReceived(
        tenant_id="glow",
        message_sid="SM1",
        conversation_id="c1",
        from_number="+14155550123",
        to_number="+14155550199",
        body=body,
        **fields,  # type: ignore[arg-type]
    )


def test_a_picture_with_or_without_words_goes_to_staff() -> None:
    assert handoff_for(_sms("", num_media=1, media_urls=["https://media.example/1"])) is PICTURE
    assert handoff_for(_sms("does this look ok?", num_media=2)) is PICTURE
    assert not stays_quiet(_sms("", num_media=1))


def test_an_empty_or_held_text_gets_no_answer() -> None:
    assert stays_quiet(_sms("")) and stays_quiet(_sms(" \n "))
    assert stays_quiet(_sms("I'm driving", held="auto_reply"))
    assert not stays_quiet(_sms("hi"))


def test_wrong_number_goes_to_staff_but_a_wrong_number_on_file_is_a_question() -> None:
    assert handoff_for(_sms("Sorry, wrong number")) is WRONG_NUMBER
    assert says_wrong_number("u got the wrong person lol")
    assert handoff_for(_sms("I put the wrong number on my form, can you update it")) is None
    assert handoff_for(_sms("Can I book Botox Friday?")) is None
