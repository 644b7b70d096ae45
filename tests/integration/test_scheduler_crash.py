"""Invariant 5 across a crash: the scheduler dies after the commit, before the reply; the audit
record of that call still reaches the AUDIT stream exactly once after a restart."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from faststream.nats import NatsBroker

from services.scheduler.cli import DEMO_SPA
from services.scheduler.loading import load_files
from shared.bus import ToolCallFailed, jetstream, make_broker, request_tool
from shared.contracts.tools import (
    TOOLS,
    ConfirmBooking,
    FindAvailability,
    GetSpaProfile,
    HoldSlots,
    LookupOrCreateClient,
    TimePreference,
    ToolReply,
    ToolRequest,
)
from shared.embedded import free_port
from shared.subjects import Topology
from tests.integration.scheduler_support import AGENT, ID_KEY, audit_records
from tests.support.processes import service_process

pytestmark = pytest.mark.integration

DEMO = "glow-medspa"


@contextmanager
def scheduler_process(
    nats_url: str, database_url: str, topology: Topology, **extra: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m services.scheduler` as a real process against the test servers."""
    env = {
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "SUBJECT_PREFIX": topology.prefix,
        "SCHEDULER_HTTP_PORT": str(free_port()),
        "ID_HASH_KEY": ID_KEY,
        **extra,
    }
    with service_process("services.scheduler", env) as proc:
        yield proc


async def _call(
    broker: NatsBroker, topology: Topology, name: str, request: ToolRequest, timeout: float = 5
) -> ToolReply:
    return await request_tool(broker, topology, name, request, TOOLS[name][1], timeout=timeout)


async def _until_ready(broker: NatsBroker, topology: Topology, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            reply = await _call(
                broker, topology, "spa_profile", GetSpaProfile(tenant_id=DEMO, actor=AGENT), timeout=0.5
            )
            if reply.ok:
                return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
        # No responder yet: NATS answers at once, so pace the retries.
        await asyncio.sleep(0.1)


@pytest.fixture
async def caller(nats_url: str) -> AsyncIterator[NatsBroker]:
    """The agent's side of the bus."""
    broker = make_broker(nats_url, name="test-agent")
    await broker.start()
    yield broker
    await broker.stop()


async def test_crash_after_commit_still_leaves_exactly_one_audit_record(
    nats_url: str, database_url: str, topology: Topology, caller: NatsBroker
) -> None:
    await load_files(database_url, [DEMO_SPA], ID_KEY)
    with scheduler_process(
        nats_url, database_url, topology, FRONTDESK_CRASH_AFTER_COMMIT="confirm_booking"
    ) as proc:
        await _until_ready(caller, topology)
        client = await _call(
            caller,
            topology,
            "lookup_or_create_client",
            LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone="+14155550103"),
        )
        client_id = client.result.client_id
        service_id = next(iter(await _service_ids(database_url, "hydrafacial")))
        later = datetime.now(ZoneInfo("America/Los_Angeles")).date() + timedelta(days=3)
        found = await _call(
            caller,
            topology,
            "find_availability",
            FindAvailability(
                tenant_id=DEMO,
                actor=AGENT,
                client_id=client_id,
                service_id=service_id,
                preference=TimePreference(date_from=later),
                limit=1,
            ),
        )
        held = await _call(
            caller,
            topology,
            "hold_slots",
            HoldSlots(tenant_id=DEMO, actor=AGENT, client_id=client_id, options=found.result.options),
        )
        hold_id: UUID = held.result.holds[0].hold_id
        confirm = ConfirmBooking(tenant_id=DEMO, actor=AGENT, client_id=client_id, hold_id=hold_id)
        with pytest.raises(ToolCallFailed):
            await _call(caller, topology, "confirm_booking", confirm, timeout=2.5)
        assert await asyncio.to_thread(proc.wait, 20) == 17  # died by the hook, after the commit
    conn = await asyncpg.connect(database_url)
    try:
        booked = await conn.fetchval("SELECT count(*) FROM scheduler.bookings WHERE hold_id = $1", hold_id)
        pending = await conn.fetchval("SELECT count(*) FROM scheduler.outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    assert booked == 1 and pending >= 1  # committed with its audit record, not yet published

    with scheduler_process(nats_url, database_url, topology):
        await _until_ready(caller, topology)
        js = jetstream(caller)
        deadline = asyncio.get_running_loop().time() + 20
        while True:
            records = await audit_records(js, topology, 0)
            mine = [r for r in records if r["correlation_id"] == str(confirm.correlation_id)]
            if mine or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        assert len(mine) == 1
        assert mine[0]["action"] == "confirm_booking" and mine[0]["outcome"] == "ok"
        # The agent retries after its timeout: the same booking comes back (a second served call).
        retry = await _call(
            caller,
            topology,
            "confirm_booking",
            ConfirmBooking(tenant_id=DEMO, actor=AGENT, client_id=client_id, hold_id=hold_id),
        )
        assert retry.ok and str(retry.result.booking_id) == mine[0]["result_summary"]["booking_id"]
        records = await audit_records(js, topology, len(records) + 1)
        assert sum(r["correlation_id"] == str(confirm.correlation_id) for r in records) == 1


async def _service_ids(database_url: str, key: str) -> list[UUID]:
    conn = await asyncpg.connect(database_url)
    try:
        return [r["id"] for r in await conn.fetch("SELECT id FROM scheduler.services WHERE key = $1", key)]
    finally:
        await conn.close()
