"""PostgreSQL restarts during load: services reconnect, no booking lost or doubled, the audit chain
verifies, one audit record per tool call."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.embedded import EmbeddedPostgres
from tests.e2e.system_support import started_system
from tests.faults.invariants import BOOKED, FAULT_ENV, Ledger, check_invariants, converse

pytestmark = [pytest.mark.faults, pytest.mark.timeout(400)]

CLIENTS = {"+14155550191": "Avery", "+14155550192": "Blake", "+14155550193": "Casey", "+14155550194": "Devon"}


@pytest.fixture
def own_postgres() -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own (durable), so restarting it disturbs no other test."""
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-faults-pg-"))
    os.chmod(folder, 0o755)  # the PostgreSQL system user must reach its data folder
    pg = EmbeddedPostgres(folder, durable=True).start()
    yield pg
    pg.stop()
    shutil.rmtree(folder, ignore_errors=True)


async def test_postgres_restart_during_load_loses_and_doubles_nothing(
    own_postgres: EmbeddedPostgres, servers: dict[str, str], tmp_path: Path
) -> None:
    async with started_system(own_postgres.dsn(), servers["nats"], tmp_path, extra_env=FAULT_ENV) as system:
        ledger = Ledger()
        talks = [asyncio.create_task(converse(system, ledger, n, name, 120)) for n, name in CLIENTS.items()]

        async def under_way() -> bool:
            return sum(ledger.accepted.values()) > len(CLIENTS)  # some clients are past their first text

        await system.eventually(under_way, "the load under way")
        await asyncio.to_thread(own_postgres.stop)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(own_postgres.start)
        await asyncio.gather(*talks)
        await check_invariants(system, ledger, timeout=120)
        booked = [n for n in CLIENTS if system.twilio.sent_to(n)[-1].body.startswith(BOOKED)]
        assert booked, "at least one client was booked through the restart"
