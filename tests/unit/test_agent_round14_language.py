"""Texts from round fourteen's held-out conversations: a thank-you that closes the conversation,
price objections in other words, questions only staff answer, and the consultation asked about."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.agent import policy
from services.agent.domain import ConversationState
from services.agent.language import intents
from services.agent.language.phrases import Rule
from services.agent.language.understanding import Understanding, understand

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo(TZ))  # a Wednesday morning
PROVIDERS = ["Julia", "Lilian", "Sloane", "Marco", "Priya"]


def _understood(text: str, *, name_asked: bool = False) -> Understanding:
    return understand(text, now=NOW, tz=TZ, provider_names=PROVIDERS, name_asked=name_asked)


RULE_TABLES: dict[str, tuple[Rule, ...]] = {
    "thanks only": intents.THANKS_ONLY_RULES,
}


@pytest.mark.parametrize("table", sorted(RULE_TABLES))
def test_every_round_fourteen_rule_matches_its_examples_and_not_its_counter_examples(table: str) -> None:
    for rule in RULE_TABLES[table]:
        for text in rule.examples:
            assert rule.regex.search(intents.plain(text)), f"{rule.name} misses {text!r}"
        for text in rule.counter_examples:
            assert not rule.regex.search(intents.plain(text)), f"{rule.name} matches {text!r}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ok cool thanks!", "welcome_book"),
        ("perfect ty", "welcome_book"),
        ("ok nvm then, thanks anyway", "welcome_book"),
        ("no thanks, just wanted the price", "no_rush"),
        ("ok thanks, i'll have a think", "no_rush"),
        ("thanks, bye!", "goodbye"),
    ],
)
def test_a_thank_you_after_an_answer_closes_the_booking_question(text: str, key: str) -> None:
    state = ConversationState(replies=1)
    u = _understood(text)
    assert policy.declines_for_now("ask_time", state, u)
    assert policy.declines_for_now("greet", state, u)
    assert policy.polite_close(u) == key


@pytest.mark.parametrize("text", ["thanks! saturday morning?", "ok thanks, how much is it?", "ok"])
def test_a_thank_you_with_something_to_act_on_is_no_close(text: str) -> None:
    assert not policy.declines_for_now("ask_time", ConversationState(replies=1), _understood(text))
