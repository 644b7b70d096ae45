"""Fixtures: a real nats-server and a real PostgreSQL per test session, isolated per test.

`NATS_URL` / `DATABASE_URL` point the tests at existing servers instead; with
`FRONTDESK_TEST_BACKEND=containers` and Docker present, testcontainers provides them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient

from shared.embedded import LocalServers
from shared.subjects import Topology

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# The host names the tests' HTTP clients use (ASGI transports name a host of their own choosing).
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,::1,testserver,inbox,audit.test")


def _containers() -> tuple[str, str, list[object]]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs
    from testcontainers.postgres import PostgresContainer

    nats_c = DockerContainer("nats:2.10").with_command("-js").with_exposed_ports(4222)
    nats_c.start()
    wait_for_logs(nats_c, "Server is ready")
    pg = PostgresContainer("postgres:16", username="postgres", password="postgres", dbname="postgres")
    pg.start()
    nats_url = f"nats://{nats_c.get_container_host_ip()}:{nats_c.get_exposed_port(4222)}"
    return nats_url, pg.get_connection_url(driver=None), [nats_c, pg]


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, str]]:
    """URLs of the NATS and PostgreSQL servers every test in this session uses."""
    if os.environ.get("FRONTDESK_TEST_BACKEND") == "containers":
        nats_url, pg_url, handles = _containers()
        yield {"nats": nats_url, "postgres": pg_url}
        for h in handles:
            h.stop()  # type: ignore[attr-defined]
        return
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-test-"))
    local = LocalServers(folder)
    yield {"nats": local.nats_url, "postgres": local.database_url}
    local.stop(remove_data=True)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_url(servers: dict[str, str]) -> str:
    """URL of the session's NATS server."""
    return servers["nats"]


@pytest.fixture
def topology() -> Topology:
    """A subject and stream prefix of this test's own."""
    return Topology(prefix=f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def database_url(servers: dict[str, str]) -> AsyncIterator[str]:
    """A fresh, empty database of this test's own; dropped afterwards."""
    admin_dsn = servers["postgres"]
    name = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = admin_dsn.rpartition("/")
    query = ""
    if "?" in admin_dsn:
        query = "?" + admin_dsn.split("?", 1)[1]
    yield f"{base}/{name}{query}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[NatsClient]:
    """A plain nats-py client connected to the session's server."""
    client = await nats.connect(nats_url)
    yield client
    await client.drain()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The public data sets beside the project (../shared/data); tests skip when absent."""
    return SHARED_DATA
