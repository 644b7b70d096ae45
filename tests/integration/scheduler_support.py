"""Helpers for the scheduler's integration tests: the service in-process, a caller, the audit stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from pydantic import BaseModel

from services.scheduler import spafile
from services.scheduler.app import build
from services.scheduler.cli import DEMO_SPA
from services.scheduler.loading import load_files
from services.scheduler.settings import SchedulerSettings
from shared.bus import jetstream, make_broker, request_tool
from shared.contracts.desk import SCHEDULER_TOOLS
from shared.contracts.tools import Actor, ToolReply, ToolRequest
from shared.runtime import ServiceContext, start_context, stop_context
from shared.subjects import Topology

ResultT = TypeVar("ResultT", bound=BaseModel)
ID_KEY = "frontdesk-local-development-key"
AGENT = Actor(service="agent", instance="test", conversation_id="c-test")


@dataclass
class Harness:
    """A running scheduler and an agent-side broker to call it."""

    ctx: ServiceContext
    caller: NatsBroker
    topology: Topology
    spa: spafile.SpaFile

    async def call(self, name: str, request: ToolRequest, timeout: float = 10.0) -> ToolReply[Any]:
        """Call a tool over NATS request/reply, as the agent does."""
        return await request_tool(
            self.caller, self.topology, name, request, SCHEDULER_TOOLS[name][1], timeout=timeout
        )

    async def call_raw(self, name: str, body: bytes, timeout: float = 10.0) -> dict[str, Any]:
        """Send raw bytes to a tool subject (malformed requests)."""
        client = self.caller._connection
        assert client is not None
        msg = await client.request(self.topology.tool(name), body, timeout=timeout)
        return json.loads(msg.data)  # type: ignore[no-any-return]

    @property
    def js(self) -> JetStreamContext:
        return jetstream(self.caller)


@asynccontextmanager
async def running_scheduler(
    nats_url: str, database_url: str, topology: Topology, spa_file: Path = DEMO_SPA, **overrides: Any
) -> AsyncIterator[Harness]:
    """The scheduler started in-process against the test servers, with a spa loaded."""
    await load_files(database_url, [spa_file], ID_KEY)
    settings = SchedulerSettings(
        nats_url=nats_url,
        database_url=database_url,
        subject_prefix=topology.prefix,
        http_port=0,
        catalog_recheck_seconds=0,
        **overrides,
    )
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    caller = make_broker(nats_url, name="test-agent")
    await caller.start()
    try:
        yield Harness(ctx, caller, topology, spafile.read(spa_file))
    finally:
        await caller.stop()
        await stop_context(spec, ctx)


async def audit_records(
    js: JetStreamContext, topology: Topology, expected: int, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """Every record on the AUDIT stream, once at least `expected` are there (or the timeout passes)."""
    stream = topology.stream_audit.name
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        info = await js.stream_info(stream)
        if info.state.messages >= expected or loop.time() > deadline:
            break
        await asyncio.sleep(0.05)
    records = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
        records.append(json.loads(msg.data or b"{}"))
    return records
