"""Fixtures of the agent's integration tests: a client's phone and the scheduler with one agent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client as NatsClient

from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System, ensure


@pytest.fixture
async def phone(nc: NatsClient, topology: Topology) -> AsyncIterator[Phone]:
    """A client's phone on this test's subjects."""
    await ensure(nc, topology)
    p = Phone(nc, topology)
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def system(nats_url: str, database_url: str, topology: Topology, phone: Phone) -> AsyncIterator[System]:
    """The scheduler (demo spa) and one agent, in-process."""
    s = System(nats_url, database_url, topology)
    await s.start()
    yield s
    await s.stop()
