"""Fault tests: the whole system as processes while something breaks (marker `faults`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from tests.e2e.system_support import System, started_system
from tests.faults.invariants import FAULT_ENV

StartSystem = Callable[..., AbstractAsyncContextManager[System]]


@pytest.fixture
def start_system(servers: dict[str, str], tmp_path: Path) -> StartSystem:
    """Starts the five services on the session's NATS and PostgreSQL: `async with start_system(**env)`."""

    def start(**extra_env: str) -> AbstractAsyncContextManager[System]:
        env = {**FAULT_ENV, **extra_env}
        return started_system(servers["postgres"], servers["nats"], tmp_path, extra_env=env)

    return start


@pytest.fixture
async def system(start_system: StartSystem) -> AsyncIterator[System]:
    """The system with its default settings."""
    async with start_system() as running:
        yield running
