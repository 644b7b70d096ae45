"""The durable consumers' delivery settings and per-subject lanes (no server needed)."""

from __future__ import annotations

import asyncio

import pytest

from shared.bus.durable import Delivery, SubjectLanes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_deliver": 0}, "max_deliver must be -1"),
        ({"max_deliver": -2}, "max_deliver must be -1"),
        ({"retry_first": 0}, "retry pauses must be positive"),
        ({"retry_first": 5, "retry_max": 1}, "retry pauses must be positive"),
        ({"in_order": True, "max_workers": 4}, "in_order needs max_workers=1"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_the_reason(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Delivery(**settings)  # type: ignore[arg-type]


def test_the_pause_doubles_from_the_first_up_to_the_longest() -> None:
    delivery = Delivery(retry_first=1.0, retry_max=5.0)
    assert [delivery.pause(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


async def _walk(lanes: SubjectLanes, subject: str, name: str, seen: list[str], hold: float) -> None:
    ahead, mine = lanes.join(subject)  # joined in the order the tasks start, as a fetched batch
    try:
        if ahead is not None:
            await asyncio.shield(ahead)
        seen.append(f"{name} start")
        await asyncio.sleep(hold)
        seen.append(f"{name} end")
    finally:
        lanes.leave(subject, mine)


async def test_a_subjects_messages_go_one_after_another_and_other_subjects_alongside() -> None:
    lanes, seen = SubjectLanes(), []
    await asyncio.gather(
        _walk(lanes, "conv.a", "a1", seen, 0.05),
        _walk(lanes, "conv.a", "a2", seen, 0.0),
        _walk(lanes, "conv.b", "b1", seen, 0.0),
    )
    assert seen.index("a1 end") < seen.index("a2 start")
    assert seen.index("b1 end") < seen.index("a1 end")
    assert len(lanes) == 0  # nothing left behind once every message is done


async def test_a_message_given_up_while_waiting_lets_the_next_go_only_after_the_one_before_it() -> None:
    lanes = SubjectLanes()
    first_ahead, first = lanes.join("conv.a")
    second_ahead, second = lanes.join("conv.a")
    third_ahead, third = lanes.join("conv.a")
    assert first_ahead is None and second_ahead is first and third_ahead is second
    lanes.give_up("conv.a", second, first)  # the second was cancelled before its turn
    await asyncio.sleep(0)
    assert not third_ahead.done()  # the first is still being handled
    lanes.leave("conv.a", first)
    await asyncio.sleep(0)
    assert third_ahead.done()
    lanes.leave("conv.a", third)
    assert len(lanes) == 0
