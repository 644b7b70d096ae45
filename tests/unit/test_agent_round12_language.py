"""Texts from round twelve's held-out conversations: picks typed a letter wrong ("the frist one"),
options topped up outside the part of day asked for."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import policy
from services.agent.domain import ConversationState
from services.agent.language.choices import parse_choice
from services.agent.language.understanding import Understanding, understand
from services.agent.replies import say, word
from shared.contracts.conversation import ProposedOption
from shared.contracts.tools import SlotOption, TimePreference

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"

LABELS = ["today at 12pm with Priya", "today at 1:30pm with Sloane", "today at 3pm with Priya"]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the frist one", 0),
        ("fisrt one pls", 0),
        ("the secnd one", 1),
        ("thrid one please", 2),
        ("my frist time, does it hurt?", None),
    ],
)
def test_a_pick_typed_a_letter_wrong_is_still_a_pick(text: str, index: int | None) -> None:
    assert parse_choice(text, 3, LABELS) == index


def _named(text: str) -> tuple[ConversationState, Understanding]:
    now = datetime(2026, 12, 2, 10, 0)
    u = understand(text, now=now, tz=TZ, option_labels=LABELS, name_asked=True)
    state = ConversationState(conversation_id="c", tenant_id="t", first_name="Iris")
    return state, u


def test_a_name_alone_after_options_is_thanked_before_the_pick_is_asked() -> None:
    state, u = _named("Iris")
    assert u.name == "Iris" and policy.thanks_for_name("await_choice", state, u)
    assert say("en", "thanks_name", name=", Iris") == "Thanks, Iris!"
    assert say("es", "thanks_name", name=", Iris") == "¡Gracias, Iris!"


def test_a_name_with_a_pick_or_before_any_options_is_not_thanked_separately() -> None:
    state, u = _named("1 - Iris")
    assert u.choice == 0 and not policy.thanks_for_name("await_choice", state, u)
    state, u = _named("Iris")
    assert not policy.thanks_for_name("ask_time", state, u)
    state, u = _named("Iris")
    known = replace(state, first_name="Ana")  # a name the client did not just give
    assert not policy.thanks_for_name("await_choice", known, u)


def _held(hour: int, minute: int) -> ProposedOption:
    start = datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo(TZ))
    option = SlotOption(
        service_id=uuid4(),
        provider_id=uuid4(),
        provider_first_name="Julia",
        start=start,
        end=start + timedelta(minutes=30),
        local_label=f"Thursday at {hour}:{minute:02d}",
    )
    return ProposedOption(hold_id=uuid4(), option=option, expires_at=start, label=option.local_label)


def _part(part: str) -> TimePreference:
    return TimePreference(part_of_day=part)


@pytest.mark.parametrize(
    ("part", "times", "key"),
    [
        ("morning", [(11, 30), (12, 30), (12, 45)], "part_only_first"),
        ("morning", [(10, 0), (11, 30), (12, 45)], "part_only_first_two"),
        ("evening", [(17, 30), (15, 0), (16, 0)], "part_only_first"),
        ("morning", [(9, 0), (10, 0), (11, 45)], None),
        ("afternoon", [(11, 0), (13, 0)], None),  # the one in it is not the first: no note
        ("afternoon", [(10, 0), (11, 0)], None),
    ],
)
def test_topped_up_options_say_which_are_in_the_part_of_day(
    part: str, times: list[tuple[int, int]], key: str | None
) -> None:
    held = [_held(h, m) for h, m in times]
    assert policy.part_of_day_note_key(_part(part), held, ZoneInfo(TZ)) == key


def test_the_part_of_day_note_in_english_and_spanish() -> None:
    assert say("en", "part_only_first", part=word("en", "morning")) == "Only the first is in the morning."
    assert say("es", "part_only_first", part=word("es", "morning")) == "Solo la primera es por la mañana."
    two = say("es", "part_only_first_two", part=word("es", "evening"))
    assert two == "Solo las dos primeras son por la noche."
    assert policy.part_of_day_note_key(TimePreference(), [_held(12, 30)], ZoneInfo(TZ)) is None


@pytest.mark.parametrize(
    ("text", "hour"),
    [
        ("is 4 ok?", 16),
        ("would 5 work", 17),
        ("does 11 work for you", 11),
        ("4 ok", None),
        ("is 1 still open", None),
    ],
)
def test_a_bare_hour_asked_about_after_options_is_a_time(text: str, hour: int | None) -> None:
    u = understand(text, now=datetime(2026, 12, 2, 10, 0), tz=TZ, option_labels=LABELS)
    got = u.preference.target_time if u.preference else None
    assert got == (time(hour) if hour is not None else None)
