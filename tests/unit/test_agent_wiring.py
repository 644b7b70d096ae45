"""The agent's JetStream consumers: a failing handler's message is redelivered, never terminated."""

from __future__ import annotations

import pytest
from faststream.middlewares import AckPolicy as FsAckPolicy
from faststream.nats import NatsBroker
from nats.js.api import AckPolicy

from services.agent.app import INBOUND_DURABLE, STAFF_DURABLE, register_bus
from services.agent.settings import AgentSettings
from shared.nats_permissions import declared_subscriptions
from shared.subjects import Topology

pytestmark = pytest.mark.unit


def test_every_agent_consumer_naks_on_error_with_explicit_acks_and_bounded_deliveries() -> None:
    broker = NatsBroker()
    register_bus(broker)
    subscribers = [s for s in broker.subscribers if getattr(s, "stream", None) is not None]
    durables = {s.config.durable_name for s in subscribers}  # type: ignore[attr-defined]
    assert durables == {INBOUND_DURABLE, STAFF_DURABLE}
    # The one plain subscription: spas' reply modes, heard by every replica (nothing to redeliver).
    _consumers, plain = declared_subscriptions("agent", Topology())
    assert [p.subject for p in plain] == [Topology().staff("*", "replies")]
    for sub in subscribers:
        # FastStream's default (REJECT_ON_ERROR) would terminate a failing message instead.
        assert sub.ack_policy is FsAckPolicy.NACK_ON_ERROR  # type: ignore[attr-defined]
        config = sub.config  # type: ignore[attr-defined]
        assert config.ack_policy is AckPolicy.EXPLICIT
        assert config.max_deliver == AgentSettings().max_deliver


def test_staff_commands_are_consumed_one_at_a_time() -> None:
    broker = NatsBroker()
    register_bus(broker)
    [staff] = [s for s in broker.subscribers if s.config.durable_name == STAFF_DURABLE]  # type: ignore[attr-defined]
    assert staff.config.max_ack_pending == 1  # type: ignore[attr-defined]
