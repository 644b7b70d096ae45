"""Running one service: connect, migrate, serve the bus and HTTP, drain on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import structlog
import uvicorn
from fastapi import FastAPI
from faststream.nats import NatsBroker

from shared.bus import ensure_streams, jetstream, nats_client, update_consumers
from shared.db import create_pool
from shared.health import Check, add_health_routes, nats_check, postgres_check
from shared.logging import configure_logging
from shared.metrics import add_metrics_route, jetstream_refresh
from shared.migrations import apply_migrations
from shared.settings import CommonSettings
from shared.subjects import Topology
from shared.web import install_edge_guard

log = structlog.get_logger()

Hook = Callable[["ServiceContext"], Awaitable[None]]
BUS_TASK = "bus_task"


@dataclass
class ServiceContext:
    """What a running service holds: its settings, bus, database pool and HTTP app."""

    name: str
    settings: CommonSettings
    topology: Topology
    broker: NatsBroker
    http: FastAPI
    pool: asyncpg.Pool | None = None
    extras: dict[str, object] = field(default_factory=dict)


@dataclass
class ServiceSpec:
    """How to run a service: its schema and migrations, HTTP port, and start/stop hooks."""

    name: str
    http_port: int
    schema: str | None = None
    migrations: Path | None = None
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    # False for services that never LISTEN, lock or SET on a pooled connection (saves a round trip).
    pool_session_reset: bool = True
    # Hooks that need the bus, run once it is connected (after on_start).
    on_bus: list[Hook] = field(default_factory=list)
    # Start (and serve HTTP) while NATS is unreachable, joining the bus in the background when it
    # answers: the gateway, which spools inbound texts to disk meanwhile. Its on_start hooks must
    # not need the bus, and its readiness does not wait for it.
    start_without_bus: bool = False
    # How long such a service waits for the bus at start before going on without it.
    bus_wait_seconds: float = 5.0


def build_context(
    spec: ServiceSpec, settings: CommonSettings, broker: NatsBroker, http: FastAPI
) -> ServiceContext:
    """The context before anything connects; the HTTP app's edge is guarded (shared.web)."""
    install_edge_guard(http, settings)
    return ServiceContext(
        name=spec.name,
        settings=settings,
        topology=Topology(settings.subject_prefix),
        broker=broker,
        http=http,
    )


async def start_context(spec: ServiceSpec, ctx: ServiceContext) -> None:
    """Migrate, connect the pool and the broker, create streams, run the start hooks.

    A service that may start without the bus runs its own start hooks first, waits a moment for
    the bus, and goes on without it if NATS does not answer, joining in the background (`join_bus`).
    """
    settings = ctx.settings
    checks: dict[str, Check] = {} if spec.start_without_bus else {"nats": nats_check(ctx.broker)}
    if spec.schema:
        if settings.migrate_on_start:
            await apply_migrations(settings.database_url, spec.schema, spec.migrations)
        ctx.pool = await create_pool(
            settings.database_url,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            schema=spec.schema,
            session_reset=spec.pool_session_reset,
        )
        checks["postgres"] = postgres_check(ctx.pool)
    add_health_routes(ctx.http, checks)
    add_metrics_route(ctx.http, jetstream_refresh(lambda: nats_client(ctx.broker), ctx.topology, spec.name))
    if spec.start_without_bus:
        for hook in spec.on_start:
            await hook(ctx)
        joining = ctx.extras[BUS_TASK] = asyncio.create_task(join_bus(spec, ctx), name=f"{spec.name}-bus")
        try:
            await asyncio.wait_for(asyncio.shield(joining), spec.bus_wait_seconds)
        except TimeoutError:
            log.warning("service.started_without_bus", waited_s=spec.bus_wait_seconds)
        return
    await _connect_bus_saying_so(ctx)
    for hook in spec.on_start:
        await hook(ctx)
    await _start_bus(spec, ctx)


async def _connect_bus_saying_so(ctx: ServiceContext, every: float = 10.0) -> None:
    """Connect (NATS is retried for ever), with a warning every `every` seconds while it does not answer."""
    connecting = asyncio.ensure_future(_connect_bus(ctx))
    try:
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(connecting), every)
                return
            except TimeoutError:
                if connecting.done():
                    raise  # it failed with a timeout of its own (a JetStream request), not still waiting
                log.warning("service.waiting_for_bus", hint="is NATS up? (NATS_URL)")
    finally:
        connecting.cancel()  # stopped while waiting (a no-op once connected)


async def _connect_bus(ctx: ServiceContext) -> None:
    await ctx.broker.connect()
    if ctx.settings.create_streams:
        await ensure_streams(jetstream(ctx.broker), ctx.topology, ctx.settings.stream_replicas)
    await update_consumers(jetstream(ctx.broker), ctx.broker)


async def _start_bus(spec: ServiceSpec, ctx: ServiceContext) -> None:
    for hook in spec.on_bus:
        await hook(ctx)
    await ctx.broker.start()


async def join_bus(spec: ServiceSpec, ctx: ServiceContext, *, pause: float = 1.0) -> None:
    """Connect to NATS whenever it answers (retrying for ever), then run the bus hooks and consumers."""
    while True:
        try:
            await _connect_bus(ctx)
            break
        except Exception as exc:  # the server is down, starting, or has no JetStream yet
            log.warning("service.bus_unreachable", error=type(exc).__name__)
            await asyncio.sleep(pause)
    await _start_bus(spec, ctx)
    log.info("service.bus_joined")


async def stop_context(spec: ServiceSpec, ctx: ServiceContext, *, step_timeout: float = 10.0) -> None:
    """Drain the bus, run stop hooks, close the pool; each step bounded so a stop never hangs."""
    joining = ctx.extras.pop(BUS_TASK, None)
    if isinstance(joining, asyncio.Task) and not joining.done():
        joining.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await joining
    try:
        await asyncio.wait_for(ctx.broker.stop(), step_timeout)
    except Exception as exc:
        log.warning("service.stop_step_failed", step="broker", error=type(exc).__name__)
    for hook in reversed(spec.on_stop):
        try:
            await asyncio.wait_for(hook(ctx), step_timeout)
        except Exception as exc:
            log.warning("service.stop_step_failed", step="hook", error=type(exc).__name__)
    if ctx.pool is not None:
        try:
            await asyncio.wait_for(ctx.pool.close(), step_timeout)
        except Exception as exc:
            # A connection still held (a handler stuck on a lock) must not keep the process alive.
            log.warning("service.stop_step_failed", step="pool", error=type(exc).__name__)
            ctx.pool.terminate()


def settle_heap() -> None:
    """Keep what start-up built (modules, compiled word tables, pydantic schemas, the catalog) out of
    the garbage collector's full collections: it lives as long as the process, and rescanning it
    while messages are handled paused every message in flight (a hundred milliseconds and more in
    the agent, with its language tables)."""
    gc.collect()
    gc.freeze()


async def serve(spec: ServiceSpec, ctx: ServiceContext) -> None:
    """Run until SIGTERM or SIGINT, then drain and stop cleanly."""
    settings = ctx.settings
    configure_logging(spec.name, settings.log_level, settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.create_task(stop.wait())
    starting = asyncio.create_task(start_context(spec, ctx), name=f"{spec.name}-start")
    await asyncio.wait({stopper, starting}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():  # stopped while waiting for a server: leave without serving
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        await stop_context(spec, ctx)
        log.info("service.stopped")
        return
    starting.result()  # a start-up error ends the process here, as it always did
    settle_heap()
    config = uvicorn.Config(
        ctx.http,
        host=settings.http_host,
        port=spec.http_port,
        log_config=None,
        access_log=False,
        lifespan="off",
        # Long-lived responses (the inbox's Server-Sent Events) must not hold a stopping service.
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    http_task = asyncio.create_task(server.serve(), name=f"{spec.name}-http")
    log.info("service.started", port=spec.http_port, instance=settings.instance_id)
    await asyncio.wait({stopper, http_task}, return_when=asyncio.FIRST_COMPLETED)
    log.info("service.stopping")
    server.should_exit = True
    with contextlib.suppress(Exception):
        await http_task
    await stop_context(spec, ctx)
    log.info("service.stopped")


def run_service(spec: ServiceSpec, ctx: ServiceContext) -> None:
    """`serve` on uvloop where it is installed (it cuts the CPU of every socket read and write, NATS
    and PostgreSQL alike), else on the standard loop."""
    try:
        import uvloop
    except ImportError:
        factory = None
    else:
        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve(spec, ctx))
