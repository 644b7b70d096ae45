"""A keyword with punctuation or spaces is the same keyword, answered by the gateway, not the carrier."""

from __future__ import annotations

import pytest

from services.gateway.domain import keyword_of, keyword_variant, read_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("text", ["Stop.", "STOP ALL", "stop!!", " stop ", "S T O P", "stop all!", "Quit."])
def test_stop_with_punctuation_or_spaces_opts_out(text: str) -> None:
    reading = read_text(text)
    assert reading.keyword == "stop"


@pytest.mark.parametrize("text", ["HELP!", "help?", "Info."])
def test_help_with_punctuation_is_help_from_the_gateway(text: str) -> None:
    reading = read_text(text)
    assert reading.keyword == "help" and not reading.carrier


def test_start_with_punctuation_opts_in_only_a_number_that_opted_out() -> None:
    assert keyword_of("Start.", opted_out=True) == "start"
    assert keyword_of("Yes!", opted_out=False) is None
    assert keyword_of("UNSTOP!!", opted_out=None) == "start"


def test_cancel_with_punctuation_stays_with_the_agent_and_longer_texts_are_not_keywords() -> None:
    assert read_text("Cancel.").keyword is None
    assert read_text("CANCEL").cancel
    assert keyword_variant("stop texting me about this please") == ""
    assert read_text("stop by friday?").keyword is None
