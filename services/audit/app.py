"""Wiring of the audit service: the recorder on the AUDIT stream, checkpoints, the compliance API."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from fastapi_offline import FastAPIOffline
from faststream.nats import JStream, NatsBroker, PullSub

from services.audit import api, handlers, repo
from services.audit.consumer import DURABLE, Recorder
from services.audit.settings import AuditSettings
from shared.bus import make_broker
from shared.contracts.audit import AuditRecorded
from shared.runtime import ServiceContext, ServiceSpec, build_context, run_service
from shared.subjects import Topology

log = structlog.get_logger()

MIGRATIONS = Path(__file__).parent / "migrations"


def register_bus(broker: NatsBroker, topology: Topology | None = None) -> None:
    """Document what the service consumes (AsyncAPI).

    The running service consumes with `consumer.Recorder` (a nats-py pull consumer acking each
    message after its batch commits); this declaration describes the same subscription.
    """
    topology = topology or Topology()

    @broker.subscriber(
        topology.all_audit,
        stream=JStream(topology.stream_audit.name, declare=False),
        durable=DURABLE,
        pull_sub=PullSub(batch_size=1000, timeout=1.0),  # as the recorder pulls
        title="audit-recorder",
        description="Appends every AuditRecorded to the spa's hash-chained, append-only log.",
    )
    async def record_audit(message: AuditRecorded) -> None:  # pragma: no cover - documentation only
        raise NotImplementedError


class CheckpointTimer:
    """Signs every spa's chain head periodically (and keeps partitions ahead)."""

    def __init__(self, state: api.AuditState) -> None:
        self._state = state
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until stop()."""
        self._task = asyncio.create_task(self._run(), name="audit-checkpoints")

    async def _run(self) -> None:
        s = self._state.settings
        while True:
            await asyncio.sleep(s.audit_checkpoint_interval_seconds)
            try:
                await self._state.partitions.ahead(self._state.pool, s.audit_partitions_ahead)
                if self._state.signer is not None:
                    await handlers.checkpoint(
                        self._state.pool, self._state.signer, writer_role=s.audit_writer_role
                    )
            except Exception as exc:  # the database is away: next round
                log.warning("audit.checkpoint_failed", error=type(exc).__name__)

    async def stop(self) -> None:
        """Stop, then sign once more so the last records are covered."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._state.signer is not None:
            with contextlib.suppress(Exception):
                await handlers.checkpoint(
                    self._state.pool, self._state.signer, writer_role=self._state.settings.audit_writer_role
                )


def build(settings: AuditSettings) -> tuple[ServiceSpec, ServiceContext]:
    """The service, ready to start: nothing connects until start_context."""
    keys = handlers.load_keys(
        settings.audit_signing_key.get_secret_value(), settings.audit_verify_keys, settings.frontdesk_data_dir
    )
    signer = handlers.signer_of(keys, settings.audit_checkpoint_export)
    broker = make_broker(settings.nats_url, name=f"audit-{settings.instance_id}")
    # /docs serves Swagger UI's files from the package, not a CDN: it works on an offline network.
    http = FastAPIOffline(
        title="frontdesk audit",
        version="1.0.0",
        description="Query, export and verify the append-only, hash-chained audit log. "
        "Every request is itself recorded in the log.",
    )
    holder: dict[str, Any] = {}
    spec = ServiceSpec(
        name="audit",
        http_port=settings.http_port,
        schema=repo.SCHEMA,
        migrations=MIGRATIONS,
        # Roles, locks and cursors are all transaction-scoped: a pooled connection holds no session state.
        pool_session_reset=False,
    )
    ctx = build_context(spec, settings, broker, http)

    def state() -> api.AuditState:
        return holder["state"]  # type: ignore[no-any-return]

    api.install(http, state)

    async def on_start(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        async with ctx.pool.acquire() as conn:
            await repo.ensure_writer_role(conn, settings.audit_writer_role)
        partitions = handlers.Partitions()
        await partitions.ahead(ctx.pool, settings.audit_partitions_ahead)
        holder["state"] = api.AuditState(
            settings=settings, pool=ctx.pool, keys=keys, partitions=partitions, signer=signer
        )
        recorder = Recorder(
            settings.nats_url,
            ctx.pool,
            ctx.topology,
            writer_role=settings.audit_writer_role,
            partitions=partitions,
            signer=signer,
            batch_size=settings.audit_batch_size,
            now=lambda: datetime.now(UTC),
        )
        await recorder.start()
        timer = CheckpointTimer(holder["state"])
        timer.start()
        ctx.extras.update(recorder=recorder, checkpoints=timer, state=holder["state"])

    async def on_stop(ctx: ServiceContext) -> None:
        recorder = ctx.extras.get("recorder")
        if isinstance(recorder, Recorder):
            await recorder.stop()
        timer = ctx.extras.get("checkpoints")
        if isinstance(timer, CheckpointTimer):
            await timer.stop()

    spec.on_start.append(on_start)
    spec.on_stop.append(on_stop)
    return spec, ctx


def run(settings: AuditSettings | None = None) -> None:
    """Run the service until SIGTERM."""
    spec, ctx = build(settings or AuditSettings())
    run_service(spec, ctx)
