"""Auto-replies, per-number limits and reply loops: every rule's examples, and the limits' arithmetic."""

from __future__ import annotations

import pytest

from services.gateway.abuse import (
    AUTO_REPLY_RULES,
    AutoReplyRule,
    Limits,
    NumberActivity,
    auto_reply_rule,
    held_for,
    is_loop,
)
from services.gateway.notices import OPT_OUT_NOTICE
from services.gateway.optout_phrases import prepared
from services.gateway.spas import SmsSection

pytestmark = pytest.mark.unit

QUIET = NumberActivity(texts_last_hour=1, sent_today=0, seconds_after_reply=(None,))


@pytest.mark.parametrize("rule", AUTO_REPLY_RULES, ids=lambda r: r.name)
def test_every_auto_reply_rule_matches_its_examples_and_not_its_counter_examples(rule: AutoReplyRule) -> None:
    assert rule.examples
    for text in rule.examples:
        assert rule.pattern.search(prepared(text)), f"{rule.name} misses {text!r}"
    for text in rule.counter_examples:
        assert not rule.pattern.search(prepared(text)), f"{rule.name} wrongly matches {text!r}"


def test_another_spas_first_text_is_an_auto_reply_to_us() -> None:
    rule = auto_reply_rule(f"Hi! This is Lux Med Spa's automated assistant. {OPT_OUT_NOTICE}")
    assert rule is not None


@pytest.mark.parametrize(
    "text",
    ["Can I book Botox Friday at 2?", "I'm driving over now, be there in 10", "stop", "Reply 1 or 2?", ""],
)
def test_what_clients_write_is_not_an_auto_reply(text: str) -> None:
    assert auto_reply_rule(text) is None


def test_a_loop_is_every_one_of_the_last_replies_answered_within_seconds() -> None:
    limits = Limits(loop_reply_seconds=5, loop_replies=3)
    assert is_loop((0.4, 1.0, 2.5), limits)
    assert not is_loop((0.4, 1.0), limits), "too few answers to tell"
    assert not is_loop((0.4, 12.0, 0.5), limits), "a person took a while to answer once"
    assert not is_loop((0.4, None, 0.5), limits), "two texts in a row without a reply between"


def test_limits_hold_a_number_for_staff_and_keywords_are_never_checked_here() -> None:
    limits = Limits(texts_per_hour=3, share_of_daily_cap=0.1, loop_replies=3)
    assert held_for(QUIET, limits, daily_cap=500) is None
    busy = NumberActivity(texts_last_hour=4, sent_today=0, seconds_after_reply=())
    assert held_for(busy, limits, daily_cap=500) == "rate_limit"
    greedy = NumberActivity(texts_last_hour=1, sent_today=50, seconds_after_reply=())
    assert held_for(greedy, limits, daily_cap=500) == "number_share"
    assert held_for(greedy, limits, daily_cap=1000) is None
    looping = NumberActivity(texts_last_hour=3, sent_today=3, seconds_after_reply=(0.1, 0.2, 0.1))
    assert held_for(looping, limits, daily_cap=500) == "loop"
    still_held = NumberActivity(texts_last_hour=1, sent_today=0, seconds_after_reply=(), held_for_loop=True)
    assert held_for(still_held, limits, daily_cap=500) == "loop"


def test_a_number_always_gets_at_least_one_reply_of_a_tiny_cap() -> None:
    assert Limits(share_of_daily_cap=0.1).number_cap(5) == 1
    assert Limits(share_of_daily_cap=0.1).number_cap(500) == 50


def test_spa_file_limits_have_defaults_and_refuse_booleans_and_nonsense() -> None:
    assert SmsSection().limits.limits() == Limits()
    with pytest.raises(ValueError, match="texts_per_number_per_hour"):
        SmsSection.model_validate({"limits": {"texts_per_number_per_hour": True}})
    with pytest.raises(ValueError, match="number_share_of_daily_cap"):
        SmsSection.model_validate({"limits": {"number_share_of_daily_cap": 2}})
    with pytest.raises(ValueError, match="loop_replies"):
        SmsSection.model_validate({"limits": {"loop_replies": 1}})
