"""/healthz (alive) and /readyz (connections up) for Kubernetes probes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker

from shared.bus import nats_client

Check = Callable[[], Awaitable[bool]]


def nats_check(broker: NatsBroker) -> Check:
    """Ready while the broker's NATS connection is up."""

    async def check() -> bool:
        client = nats_client(broker)
        return client is not None and client.is_connected

    return check


def postgres_check(pool: asyncpg.Pool) -> Check:
    """Ready while the database answers within a second."""

    async def check() -> bool:
        try:
            async with asyncio.timeout(1.0):
                return await pool.fetchval("SELECT 1") == 1
        except Exception:
            return False

    return check


def add_health_routes(app: FastAPI, checks: dict[str, Check]) -> None:
    """Mount /healthz and /readyz on an app."""

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="NATS and PostgreSQL connections are up")
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": results},
            status_code=200 if ready else 503,
        )
