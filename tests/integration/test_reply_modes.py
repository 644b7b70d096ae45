"""Each replica's knowledge of a spa's reply mode (shared/reply_mode.py) on a real nats-server: a
change is heard by every replica at once, a reading never undoes a newer change, and a spa's mode is
read again from JetStream once the last reading is old."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from shared.bus import encode, ensure_streams, publish_event
from shared.contracts.escalation import ReplyModeSet
from shared.reply_mode import ReplyModes
from shared.subjects import Topology
from tests.integration.agent_harness import TENANT, System
from tests.support.waiting import until

pytestmark = pytest.mark.integration


async def publish_mode(nc: NatsClient, topology: Topology, mode: str) -> None:
    """What the escalation service does when a spa's mode changes."""
    change = ReplyModeSet(tenant_id=TENANT, mode=mode)  # type: ignore[arg-type]
    await publish_event(nc.jetstream(), topology.staff(TENANT, "replies"), change)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_mode_is_read_once_then_again_only_when_old(nc: NatsClient, topology: Topology) -> None:
    await ensure_streams(nc.jetstream(), topology)
    clock = Clock()
    modes = ReplyModes(nc.jetstream(), topology, refresh_seconds=30, clock=clock)
    assert await modes.mode(TENANT) == "automatic"  # nothing published yet
    await publish_mode(nc, topology, "draft")
    clock.now += 29
    assert await modes.mode(TENANT) == "automatic"  # not heard here: the reading is still fresh
    clock.now += 2
    assert await modes.mode(TENANT) == "draft"  # old: read again from JetStream


async def test_a_change_heard_wins_over_a_reading_that_started_before_it(
    nc: NatsClient, topology: Topology
) -> None:
    await ensure_streams(nc.jetstream(), topology)
    modes = ReplyModes(nc.jetstream(), topology)
    reading = modes.mode(TENANT)  # will read "automatic": nothing published
    modes.heard(ReplyModeSet(tenant_id=TENANT, mode="draft"))
    assert await reading == "draft"
    assert await modes.mode(TENANT) == "draft"


async def test_every_agent_replica_hears_a_change_at_once(
    nc: NatsClient, topology: Topology, system: System
) -> None:
    await system.add_agent()  # the fixture started one
    replicas = [
        ctx.extras["runtime"].ports.reply_modes for spec, ctx in system.services if spec.name == "agent"
    ]
    assert len(replicas) == 2
    for modes in replicas:
        assert await modes.mode(TENANT) == "automatic"
    # Each change is a JetStream publish the replicas also hear: they must not answer it, or the
    # publisher could read their answer as the stream's acknowledgement. Only the stream answers.
    inbox = nc.new_inbox()
    got: list[Any] = []

    async def answered(msg: Msg) -> None:
        got.append(json.loads(msg.data or b"null"))

    answers = await nc.subscribe(inbox, cb=answered)
    change = ReplyModeSet(tenant_id=TENANT, mode="automatic")
    await nc.publish(topology.staff(TENANT, "replies"), encode(change), reply=inbox)
    await asyncio.sleep(1.0)
    await answers.unsubscribe()
    assert len(got) == 1 and "seq" in got[0], got
    await publish_mode(nc, topology, "draft")
    for modes in replicas:
        # Within the refresh time, so only a change heard on the subscription can make this true.
        await until(lambda modes=modes: modes._known[TENANT][0] == "draft", "a replica to hear the change")
