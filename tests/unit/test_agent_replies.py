"""The reply tables: every sentence in every language passes the outbound guard; labels read right."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.agent import replies
from services.agent.domain import MAX_REPLY_CHARS
from services.agent.language.guard import check_outbound

pytestmark = pytest.mark.unit

TZ = ZoneInfo("America/Los_Angeles")
# The spa's own service names may carry words the guard would otherwise stop.
SPA_TERMS = ("Glow Med Spa", "Botox / Neurotoxin Consultation", "Dermal Filler Consultation", "Lip Filler")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", replies.LANGS)
def test_every_template_filled_with_demo_values_passes_the_outbound_guard(lang: str) -> None:
    for key, template in replies.TABLES[lang].items():  # type: ignore[index]
        missing = _fields(template) - replies.DEMO_VALUES.keys()
        assert not missing, f"{lang}.{key} needs demo values for {missing}"
        text = replies.say(lang, key, **replies.DEMO_VALUES)
        verdict = check_outbound(text, MAX_REPLY_CHARS, allowed_terms=SPA_TERMS)
        assert verdict.allowed, f"{lang}.{key}: {verdict.reason}: {text}"


def test_every_language_has_the_same_sentences_with_the_same_blanks() -> None:
    for lang, table in replies.TABLES.items():
        assert table.keys() == replies.EN.keys(), lang
        for key, template in table.items():
            assert _fields(template) == _fields(replies.EN[key]), f"{lang}.{key}"


def test_option_labels_use_the_spa_time_zone_and_the_reply_language() -> None:
    today = date(2025, 3, 3)  # a Monday
    start = datetime(2025, 3, 4, 21, 30, tzinfo=UTC)  # 1:30pm in San Francisco
    assert replies.option_label(start, "Julia", TZ, today) == "tomorrow at 1:30pm with Julia"
    assert replies.option_label(start, "Julia", TZ, today, "es") == "mañana a las 1:30pm con Julia"
    friday = datetime(2025, 3, 7, 22, 0, tzinfo=UTC)
    assert replies.option_label(friday, "Sloane", TZ, today) == "Friday at 2pm with Sloane"
    later = datetime(2025, 3, 12, 17, 0, tzinfo=UTC)
    assert replies.option_label(later, "Lilian", TZ, today) == "Wednesday, Mar 12 at 10am with Lilian"
    assert (
        replies.option_label(later, "Lilian", TZ, today, "es") == "miércoles 12 de mar a las 10am con Lilian"
    )


def test_options_name_the_service_and_the_digits_to_reply() -> None:
    labels = ["Monday at 1:30pm with Julia", "Tuesday at 2pm with Lilian", "Friday at 2:15pm with Sloane"]
    text = replies.say(
        "en",
        "options",
        service="Botox consultation",
        labels=replies.join_or(labels),
        numbers=replies.numbers(3),
    )
    assert text == (
        "For your Botox consultation I have Monday at 1:30pm with Julia, Tuesday at 2pm with Lilian, or "
        "Friday at 2:15pm with Sloane. Reply 1, 2, or 3 to confirm."
    )
    assert replies.join_or(labels[:2], "es") == "Monday at 1:30pm with Julia o Tuesday at 2pm with Lilian"


def test_confirmation_names_service_day_time_provider_and_place() -> None:
    start = datetime(2025, 3, 4, 21, 30, tzinfo=UTC)
    when = replies.when_label(start, TZ)
    text = replies.say(
        "en",
        "confirmation",
        service="Botox consultation",
        when=when,
        provider="Julia",
        place="Glow Med Spa, 2140 Chestnut St",
    )
    assert text == (
        "You're booked: Botox consultation on Tuesday, Mar 4 at 1:30pm with Julia at Glow Med Spa, "
        "2140 Chestnut St. See you then!"
    )


def test_money_clock_and_hours_read_like_a_front_desk() -> None:
    assert replies.money(30000) == "$300" and replies.money(1250) == "$12.50"
    assert replies.clock(time(9)) == "9am" and replies.clock(time(13, 30)) == "1:30pm"
    assert replies.hours_label([(time(9), time(13)), (time(14), time(18))]) == "9am to 1pm and 2pm to 6pm"
    assert replies.hours_label([(time(9), time(17))], "es") == "9am a 5pm"
