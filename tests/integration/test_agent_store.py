"""The conversation log on a real JetStream: optimistic appends, conflicts that store nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest
from nats.aio.client import Client as NatsClient

from services.agent.store import AppendConflict, ConversationStore
from shared.bus import ensure_streams
from shared.contracts.conversation import (
    AiPaused,
    ConversationEvent,
    ConversationStarted,
    InboundReceived,
    TurnCompleted,
)
from shared.subjects import Topology

pytestmark = pytest.mark.integration

TENANT = "glow-medspa"
CONV = "c0123456789abcdef"


def turn(seq: int) -> list[ConversationEvent]:
    """A minimal turn: the text, then its completion."""
    common = {"tenant_id": TENANT, "conversation_id": CONV}
    inbound = uuid4()
    return [
        InboundReceived(**common, inbound_id=inbound, message_sid=f"SM{seq}", inbound_seq=seq, body="hi"),
        TurnCompleted(**common, inbound_id=inbound, inbound_seq=seq, outcome="silent"),
    ]


async def subject_count(nc: NatsClient, topology: Topology) -> int:
    """How many events the conversation holds."""
    info = await nc.jetstream().stream_info(
        topology.stream_conversations.name, subjects_filter=topology.conversation(TENANT, CONV)
    )
    return sum((info.state.subjects or {}).values())


@pytest.fixture
async def store(nc: NatsClient, topology: Topology) -> ConversationStore:
    """A conversation store on this test's streams."""
    await ensure_streams(nc.jetstream(), topology)
    return ConversationStore(nc.jetstream(), topology)


async def test_a_turn_is_appended_and_folded(
    store: ConversationStore, nc: NatsClient, topology: Topology
) -> None:
    loaded = await store.load(TENANT, CONV)
    started = ConversationStarted(
        tenant_id=TENANT, conversation_id=CONV, client_number="+14155550123", spa_number="+14155550199"
    )
    after = await store.append(loaded, [started, *turn(1)])
    assert await subject_count(nc, topology) == 3
    assert after.state.started and after.state.last_completed_seq == 1
    again = await ConversationStore(nc.jetstream(), topology).load(TENANT, CONV)
    assert again.last_seq == after.last_seq and again.state.last_completed_seq == 1


async def test_a_stale_turn_stores_none_of_its_events(
    store: ConversationStore, nc: NatsClient, topology: Topology
) -> None:
    loaded = await store.load(TENANT, CONV)
    await store.append(loaded, turn(1))
    # Staff paused meanwhile: the turn decided on the old state must not land, not even in part.
    current = await store.load(TENANT, CONV)
    await store.append(current, [AiPaused(tenant_id=TENANT, conversation_id=CONV, by="staff")])
    with pytest.raises(AppendConflict):
        await store.append(current, turn(2))
    assert await subject_count(nc, topology) == 3
    fresh = await store.load(TENANT, CONV)
    assert fresh.state.paused and fresh.state.last_completed_seq == 1


async def test_a_text_recorded_twice_is_a_conflict_not_a_second_record(
    store: ConversationStore, nc: NatsClient, topology: Topology
) -> None:
    events = turn(1)
    loaded = await store.load(TENANT, CONV)
    await store.append(loaded, events)
    stale_free = await store.load(TENANT, CONV)
    repeat = [events[0], TurnCompleted(**{**events[1].model_dump(), "id": uuid4()})]
    with pytest.raises(AppendConflict):
        await store.append(stale_free, repeat, strict=False)
    assert await subject_count(nc, topology) == 2
