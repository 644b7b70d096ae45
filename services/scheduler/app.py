"""The scheduler's wiring: FastStream subscribers for every tool, the outbox relay, health routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage

from services.scheduler.handlers import CatalogCache, Ports, serve_tool
from services.scheduler.settings import SchedulerSettings
from shared.bus import jetstream, make_broker
from shared.contracts.tools import TOOLS, ToolReply
from shared.outbox import OutboxRelay
from shared.runtime import ServiceContext, ServiceSpec, build_context, serve
from shared.subjects import Topology

MIGRATIONS = Path(__file__).parent / "migrations"
QUEUE = "scheduler"


def _not_started() -> Ports:
    raise RuntimeError("the scheduler is not started: registered for documentation only")


def register_bus(
    broker: NatsBroker,
    topology: Topology | None = None,
    ports: Callable[[], Ports] = _not_started,
    *,
    workers: int = 16,
) -> None:
    """One core request/reply subscriber per tool, queue group "scheduler" (replicas share the load).

    Called without ports to build the AsyncAPI document.
    """
    topology = topology or Topology()
    for name, (request_type, result_type) in TOOLS.items():

        def make(tool: str) -> Callable[..., Any]:
            # The raw body is validated by the dispatcher, not by FastStream, so a malformed request
            # still gets a typed invalid_request reply and an audit record.
            async def handler(body: Any, msg: NatsMessage) -> ToolReply[Any]:
                return await serve_tool(tool, msg.body, ports())

            handler.__name__ = f"on_{tool}"
            return handler

        broker.subscriber(
            topology.tool(name),
            queue=QUEUE,
            max_workers=workers,
            title=f"scheduler.{name}",
            description=f"{request_type.__doc__ or name} Request: {request_type.__name__}; "
            f"reply: ToolReply[{result_type.__name__}].",
        )(make(name))


def build(settings: SchedulerSettings) -> tuple[ServiceSpec, ServiceContext]:
    """The scheduler's spec and context, before anything connects."""
    # FastStream's per-message "Received/Processed" lines go to DEBUG: at hundreds of tool calls a
    # second they drown the log, and tool.served already says what was served.
    broker = make_broker(settings.nats_url, name=f"scheduler-{settings.instance_id}", log_level=logging.DEBUG)
    http = FastAPI(title="frontdesk scheduler", version="1")
    holder: dict[str, Ports] = {}

    async def start(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        relay = OutboxRelay(ctx.pool, jetstream(ctx.broker))
        relay.start()
        ctx.extras["relay"] = relay
        holder["ports"] = Ports(
            pool=ctx.pool,
            topology=ctx.topology,
            catalogs=CatalogCache(settings.catalog_recheck_seconds),
            id_hash_key=settings.id_hash_key.get_secret_value(),
            hold_ttl_seconds=settings.hold_ttl_seconds,
            instance=settings.instance_id,
            crash_after_commit=settings.crash_after_commit,
            on_commit=relay.kick,
        )

    async def stop(ctx: ServiceContext) -> None:
        relay = ctx.extras.get("relay")
        if isinstance(relay, OutboxRelay):
            await relay.stop()

    spec = ServiceSpec(
        name="scheduler",
        http_port=settings.http_port,
        schema="scheduler",
        migrations=MIGRATIONS,
        on_start=[start],
        on_stop=[stop],
    )
    ctx = build_context(spec, settings, broker, http)
    register_bus(broker, ctx.topology, lambda: holder["ports"], workers=settings.tool_workers)
    return spec, ctx


def run(settings: SchedulerSettings | None = None) -> None:
    """Serve until SIGTERM."""
    spec, ctx = build(settings or SchedulerSettings())
    asyncio.run(serve(spec, ctx))
