"""Fixtures for the audit service tests: the service started against the session's real servers."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from services.audit.app import build
from services.audit.settings import AuditSettings
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.embedded import free_port
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology


@dataclass
class RunningAudit:
    """A started audit service: its context, an HTTP client on its API, a superuser connection."""

    spec: ServiceSpec
    ctx: ServiceContext
    settings: AuditSettings
    http: httpx.AsyncClient
    admin: asyncpg.Connection

    @property
    def pool(self) -> asyncpg.Pool:
        assert self.ctx.pool is not None
        return self.ctx.pool

    async def count(self, tenant_id: str) -> int:
        """Rows in the spa's chain."""
        return int(
            await self.admin.fetchval("SELECT count(*) FROM audit.audit_log WHERE tenant_id = $1", tenant_id)
        )


def signing_key_b64() -> str:
    """A fresh Ed25519 private key, base64 of its raw bytes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def make_settings(
    nats_url: str, database_url: str, topology: Topology, data_dir: Path, **extra: Any
) -> AuditSettings:
    """Settings of a test instance: its own prefix and database, a throwaway signing key."""
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": database_url,
        "subject_prefix": topology.prefix,
        "audit_signing_key": SecretStr(signing_key_b64()),
        "frontdesk_data_dir": data_dir,
        "audit_batch_size": 200,
        "audit_checkpoint_interval_seconds": 3600,
        "log_format": "json",
    }
    values.update(extra)
    return AuditSettings(**values)


@pytest.fixture
async def audit(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[RunningAudit]:
    """The audit service started in this process (recorder, API through ASGI) on a fresh database."""
    settings = make_settings(nats_url, database_url, topology, tmp_path)
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    admin = await asyncpg.connect(database_url)
    transport = httpx.ASGITransport(app=ctx.http)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
            yield RunningAudit(spec, ctx, settings, client, admin)
    finally:
        await admin.close()
        await stop_context(spec, ctx)


def audit_record(
    tenant_id: str = "glow-medspa", action: str = "find_availability", **extra: Any
) -> AuditRecorded:
    """A served tool call's record."""
    actor = extra.pop("actor", None) or AuditActor(
        service="scheduler", instance="sched-1", conversation_id="c0123", client_ref="pabc"
    )
    return AuditRecorded(
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        arguments=extra.pop("arguments", {"service": "botox", "days": 3}),
        result_summary=extra.pop("result_summary", {"slots": 2}),
        disclosed_fields=extra.pop("disclosed_fields", ["first_name"]),
        latency_ms=extra.pop("latency_ms", 12.5),
        **extra,
    )


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app on a real local port (uvicorn): for streaming, and for other processes to call."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _true(server.started), timeout=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _true(value: bool) -> bool:
    return value


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Wait until `check()` is true, polling, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
