"""Invariant 5 end to end: scheduler and audit as processes; the scheduler is killed between its
database work and its reply; every served tool call ends up as exactly one row of the audit log."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from faststream.nats import NatsBroker
from nats.errors import NoRespondersError

from services.audit import handlers
from shared.bus import ToolCallFailed, make_broker, request_tool
from shared.contracts.tools import (
    TOOLS,
    Actor,
    ConfirmBooking,
    FindAvailability,
    GetSpaProfile,
    HoldSlots,
    LookupOrCreateClient,
    TimePreference,
    ToolReply,
    ToolRequest,
)
from shared.db import create_pool
from shared.embedded import free_port
from shared.subjects import Topology
from tests.integration.audit_fixtures import eventually, signing_key_b64
from tests.support.processes import service_process

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO = "glow-medspa"
ID_KEY = "frontdesk-local-development-key"
AGENT = Actor(service="agent", instance="e2e", conversation_id="c-e2e")


@contextmanager
def process(module: str, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m <module>` as a real process; terminated (then killed) on exit."""
    with service_process(module, {"ID_HASH_KEY": ID_KEY, **env}) as proc:
        yield proc


@pytest.fixture
async def caller(nats_url: str) -> AsyncIterator[NatsBroker]:
    """The agent's side of the bus."""
    broker = make_broker(nats_url, name="e2e-agent")
    await broker.start()
    yield broker
    await broker.stop()


class Calls:
    """Tool calls made, and which of them were served (a reply came back, or the test knows it was)."""

    def __init__(self, broker: NatsBroker, topology: Topology) -> None:
        self.broker, self.topology = broker, topology
        self.served: list[str] = []

    async def call(self, name: str, request: ToolRequest, timeout: float = 5.0) -> ToolReply[Any]:
        reply = await request_tool(self.broker, self.topology, name, request, TOOLS[name][1], timeout=timeout)
        self.served.append(str(request.correlation_id))
        return reply

    async def until_ready(self, timeout: float = 30.0) -> None:
        """Wait for the scheduler to answer (unanswered probes are not served calls)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            probe = GetSpaProfile(tenant_id=DEMO, actor=AGENT)
            try:
                await request_tool(self.broker, self.topology, "spa_profile", probe, TOOLS["spa_profile"][1],
                                   timeout=0.5)  # fmt: skip
                self.served.append(str(probe.correlation_id))
                return
            except (ToolCallFailed, NoRespondersError):
                if asyncio.get_running_loop().time() > deadline:
                    raise
            await asyncio.sleep(0.1)  # no responder yet: NATS says so at once, so pace the probes


async def test_scheduler_killed_after_commit_leaves_exactly_one_audit_row_per_served_call(
    nats_url: str, database_url: str, topology: Topology, caller: NatsBroker, tmp_path: Path
) -> None:
    from services.scheduler.loading import load_files

    await load_files(database_url, [ROOT / "spas" / "demo-spa.yaml"], ID_KEY)
    common = {"NATS_URL": nats_url, "DATABASE_URL": database_url, "SUBJECT_PREFIX": topology.prefix}
    key = signing_key_b64()
    audit_port = free_port()
    audit_env = {**common, "AUDIT_HTTP_PORT": str(audit_port), "AUDIT_SIGNING_KEY": key,
                 "FRONTDESK_DATA_DIR": str(tmp_path)}  # fmt: skip
    scheduler_env = {**common, "SCHEDULER_HTTP_PORT": str(free_port())}
    calls = Calls(caller, topology)
    # Possibly stale probes that timed out but were answered later: they may be in the log too,
    # once each; what is asserted is "each served call exactly once, nothing twice".
    with process("services.audit", audit_env) as audit_proc:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{audit_port}") as http:

            async def audit_ready() -> bool:
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(audit_ready, timeout=30)
        with process(
            "services.scheduler", {**scheduler_env, "FRONTDESK_CRASH_AFTER_COMMIT": "confirm_booking"}
        ) as sched:
            await calls.until_ready()
            client = await calls.call(
                "lookup_or_create_client",
                LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone="+14155550107"),
            )
            client_id = client.result.client_id
            service_id = await _service_id(database_url, "hydrafacial")
            later = datetime.now(ZoneInfo("America/Los_Angeles")).date() + timedelta(days=3)
            found = await calls.call(
                "find_availability",
                FindAvailability(tenant_id=DEMO, actor=AGENT, client_id=client_id, service_id=service_id,
                                 preference=TimePreference(date_from=later), limit=1),
            )  # fmt: skip
            held = await calls.call(
                "hold_slots",
                HoldSlots(tenant_id=DEMO, actor=AGENT, client_id=client_id, options=found.result.options),
            )
            confirm = ConfirmBooking(
                tenant_id=DEMO, actor=AGENT, client_id=client_id, hold_id=held.result.holds[0].hold_id
            )
            with pytest.raises(ToolCallFailed):
                await calls.call("confirm_booking", confirm, timeout=2.5)
            assert await asyncio.to_thread(sched.wait, 20) == 17  # killed after the commit, before the reply
        calls.served.append(str(confirm.correlation_id))  # its booking committed: it was served

        with process("services.scheduler", scheduler_env):
            await calls.until_ready()
            retry = ConfirmBooking(tenant_id=DEMO, actor=AGENT, client_id=client_id, hold_id=confirm.hold_id)
            assert (await calls.call("confirm_booking", retry)).ok

            admin = await asyncpg.connect(database_url)
            try:

                async def all_recorded() -> bool:
                    rows = await admin.fetch(
                        "SELECT correlation_id::text AS c FROM audit.audit_log WHERE tenant_id = $1", DEMO
                    )
                    return set(calls.served) <= {r["c"] for r in rows}

                await eventually(all_recorded, timeout=30)
                rows = await admin.fetch(
                    "SELECT correlation_id::text AS c, action, outcome FROM audit.audit_log "
                    "WHERE tenant_id = $1",
                    DEMO,
                )
            finally:
                await admin.close()
        assert audit_proc.poll() is None

    by_call: dict[str, list[Any]] = {}
    for r in rows:
        by_call.setdefault(r["c"], []).append(r)
    assert all(len(v) == 1 for v in by_call.values()), "a tool call was recorded twice"
    assert {c: len(by_call.get(c, [])) for c in calls.served} == dict.fromkeys(calls.served, 1)
    crashed = by_call[str(confirm.correlation_id)][0]
    assert (crashed["action"], crashed["outcome"]) == ("confirm_booking", "ok")
    # And the log the audit process wrote verifies as a chain.
    pool = await create_pool(database_url, schema="audit")
    try:
        keys = handlers.load_keys(key, "", tmp_path, create_dev_key=False)
        report = await handlers.verify(pool, DEMO, keys.trusted)
    finally:
        await pool.close()
    assert report.ok and report.records_checked == len(rows)


async def _service_id(database_url: str, key: str) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT id FROM scheduler.services WHERE key = $1 LIMIT 1", key)
    finally:
        await conn.close()
