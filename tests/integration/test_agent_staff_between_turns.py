"""A staff command lands between two turns of a conversation, never among one turn's events (the
turn's facts are appended together, without a check on each: services/agent/store.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, cast
from uuid import uuid4

import pytest
from nats.aio.client import Client as NatsClient

from services.agent.handlers import OPEN_TURN_STALE_AFTER, AgentPorts, handle_staff_command
from services.agent.store import ConversationStore
from shared.bus import ensure_streams
from shared.contracts.conversation import (
    ConversationStarted,
    InboundReceived,
    StaffNoteAdded,
    TurnCompleted,
    parse_conversation_event,
)
from shared.contracts.envelope import utcnow
from shared.contracts.escalation import PauseAi
from shared.subjects import Topology

pytestmark = pytest.mark.integration

TENANT = "glow-medspa"
CONV = "c0123456789abcdef"
COMMON = {"tenant_id": TENANT, "conversation_id": CONV}


def ports(store: ConversationStore, topology: Topology, *, later: timedelta = timedelta()) -> AgentPorts:
    """What handle_staff_command uses: the log and a clock (`later` ahead of now)."""
    none = cast(Any, None)
    return AgentPorts(
        store=store,
        broker=none,
        topology=topology,
        brain=none,
        tool_timeout=1.0,
        clock=lambda: utcnow() + later,
    )


async def event_types(nc: NatsClient, topology: Topology) -> list[str]:
    """The conversation's events in stream order."""
    js, subject, seq, types = nc.jetstream(), topology.conversation(TENANT, CONV), 0, []
    stream = topology.stream_conversations.name
    while True:
        try:
            msg = await js.get_msg(stream, seq=seq + 1, subject=subject, next=True)
        except Exception:
            return types
        seq = int(msg.seq or 0)
        types.append(parse_conversation_event(msg.data or b"{}").type)


async def open_a_turn(store: ConversationStore) -> InboundReceived:
    """A conversation whose first text's turn is open: its InboundReceived is in, nothing after."""
    started = ConversationStarted(**COMMON, client_number="+14155550123", spa_number="+14155550199")
    text = InboundReceived(**COMMON, inbound_id=uuid4(), message_sid="SM1", inbound_seq=1, body="hi")
    await store.append(await store.load(TENANT, CONV), [started, text])
    return text


async def test_a_staff_pause_waits_for_the_open_turn_then_lands_after_it(
    nc: NatsClient, topology: Topology
) -> None:
    await ensure_streams(nc.jetstream(), topology)
    store = ConversationStore(nc.jetstream(), topology)
    text = await open_a_turn(store)
    pause = PauseAi(**COMMON, staff_user="u-1")
    pressed = asyncio.create_task(handle_staff_command(pause, ports=ports(store, topology)))
    await asyncio.sleep(0.3)
    assert not pressed.done()
    assert await event_types(nc, topology) == ["conversation_started", "inbound_received"]
    facts = [
        StaffNoteAdded(**COMMON, note="asked about a friend"),
        TurnCompleted(**COMMON, inbound_id=text.inbound_id, inbound_seq=1, outcome="silent"),
    ]
    await store.append(await store.load(TENANT, CONV), facts)
    await asyncio.wait_for(pressed, 5)
    assert await event_types(nc, topology) == [
        "conversation_started",
        "inbound_received",
        "staff_note_added",
        "turn_completed",
        "ai_paused",
    ]
    assert (await ConversationStore(nc.jetstream(), topology).load(TENANT, CONV)).state.paused


async def test_a_turn_left_open_by_a_dead_replica_holds_staff_back_only_until_it_is_stale(
    nc: NatsClient, topology: Topology
) -> None:
    await ensure_streams(nc.jetstream(), topology)
    store = ConversationStore(nc.jetstream(), topology)
    await open_a_turn(store)
    pause = PauseAi(**COMMON, staff_user="u-1")
    stale = ports(store, topology, later=OPEN_TURN_STALE_AFTER)
    await asyncio.wait_for(handle_staff_command(pause, ports=stale), 5)
    assert (await event_types(nc, topology))[-1] == "ai_paused"
