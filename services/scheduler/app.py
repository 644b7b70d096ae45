"""The scheduler's wiring: tool subscriptions (documented through FastStream), outbox relay, health."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from services.scheduler.handlers import CatalogCache, Ports, encode_reply, serve_tool
from services.scheduler.settings import SchedulerSettings
from shared.bus import current_message, jetstream, make_broker, nats_client
from shared.contracts.desk import SCHEDULER_TOOLS
from shared.contracts.tools import ToolReply
from shared.outbox import OutboxRelay
from shared.runtime import ServiceContext, ServiceSpec, build_context, run_service
from shared.subjects import Topology

MIGRATIONS = Path(__file__).parent / "migrations"
QUEUE = "scheduler"

log = structlog.get_logger()


def _not_started() -> Ports:
    raise RuntimeError("the scheduler is not started: registered for documentation only")


def register_bus(
    broker: NatsBroker,
    topology: Topology | None = None,
    ports: Callable[[], Ports] = _not_started,
    *,
    workers: int = 16,
) -> None:
    """One core request/reply subscriber per tool, queue group "scheduler", declared to FastStream.

    The AsyncAPI document comes from here; the running service answers the same subjects through
    ToolServer (the same serve_tool, without FastStream's per-message overhead).
    """
    topology = topology or Topology()
    for name, (request_type, result_type) in SCHEDULER_TOOLS.items():

        def make(tool: str, request: type[Any], result: type[Any]) -> Callable[..., Any]:
            # The raw body is validated by the dispatcher, not by FastStream, so a malformed request
            # still gets a typed invalid_request reply and an audit record.
            async def handler(body: Any) -> ToolReply[Any]:
                return await serve_tool(tool, current_message(broker).body, ports())

            handler.__name__ = f"on_{tool}"
            # The document shows the typed request and reply; the handler itself takes raw bytes.
            handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
                [
                    inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=request),
                ],
                return_annotation=ToolReply[result],
            )
            return handler

        broker.subscriber(
            topology.tool(name),
            queue=QUEUE,
            max_workers=workers,
            title=f"scheduler.{name}",
            description=f"{request_type.__doc__ or name} Request: {request_type.__name__}; "
            f"reply: ToolReply[{result_type.__name__}].",
        )(make(name, request_type, result_type))


class ToolServer:
    """Serves the tools on the broker's own NATS connection, with the subjects register_bus documents.

    FastStream's per-message machinery (task group, semaphore, middlewares, dependency injection)
    cost more CPU than answering a find_availability, so the hot path is a plain nats-py
    subscription. Each tool gets `workers` subscriptions in the "scheduler" queue group, each
    answering one request at a time: `workers` per tool in flight, and the broker's drain on stop
    waits for every request being answered before the connection closes.
    """

    def __init__(self, topology: Topology, ports: Ports, *, workers: int) -> None:
        self._topology = topology
        self._ports = ports
        self._workers = workers
        self._subscriptions: list[Subscription] = []

    async def start(self, nc: NatsClient) -> None:
        """Subscribe every tool's workers."""
        for name in SCHEDULER_TOOLS:
            handler = self._handler(nc, name)
            for _ in range(self._workers):
                self._subscriptions.append(await nc.subscribe(self._topology.tool(name), QUEUE, cb=handler))

    def _handler(self, nc: NatsClient, tool: str) -> Callable[[Msg], Any]:
        ports = self._ports

        async def on_request(msg: Msg) -> None:
            try:
                reply = await serve_tool(tool, msg.data, ports)
                if msg.reply:
                    # Bare JSON (no headers): callers decode the body as JSON either way.
                    await nc.publish(msg.reply, encode_reply(tool, reply))
            except Exception as exc:  # the database is away: no reply, the caller times out and retries
                log.warning("tool.not_answered", tool=tool, error=type(exc).__name__)

        return on_request


def build(settings: SchedulerSettings) -> tuple[ServiceSpec, ServiceContext]:
    """The scheduler's spec and context, before anything connects."""
    # FastStream's per-message "Received/Processed" lines go to DEBUG: at hundreds of tool calls a
    # second they drown the log, and tool.served already says what was served.
    broker = make_broker(settings.nats_url, name=f"scheduler-{settings.instance_id}", log_level=logging.DEBUG)
    http = FastAPI(title="frontdesk scheduler", version="1")
    holder: dict[str, Ports] = {}

    async def start(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        relay = OutboxRelay(ctx.pool, jetstream(ctx.broker), settle=settings.outbox_settle_seconds)
        relay.start()
        ctx.extras["relay"] = relay
        ports = holder["ports"] = Ports(
            pool=ctx.pool,
            topology=ctx.topology,
            catalogs=CatalogCache(settings.catalog_recheck_seconds),
            id_hash_key=settings.id_hash_key.get_secret_value(),
            hold_ttl_seconds=settings.hold_ttl_seconds,
            instance=settings.instance_id,
            crash_after_commit=settings.crash_after_commit,
            on_commit=relay.kick,
        )
        client = nats_client(ctx.broker)
        assert client is not None
        await ToolServer(ctx.topology, ports, workers=settings.tool_workers).start(client)

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
        # No LISTEN, session-level advisory lock or SET on a pooled connection here (its advisory
        # locks are transaction-scoped): skip the reset round trip on every release.
        pool_session_reset=False,
    )
    return spec, build_context(spec, settings, broker, http)


def run(settings: SchedulerSettings | None = None) -> None:
    """Serve until SIGTERM."""
    spec, ctx = build(settings or SchedulerSettings())
    run_service(spec, ctx)
