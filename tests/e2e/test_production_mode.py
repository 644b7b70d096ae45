"""The system as the deploy manifests run it: every service logged in to a three-node NATS cluster as
its own user (the generated permissions), streams created by the NATS admin, each schema migrated by
a database admin that is not a superuser and owned by that service's own role, spas loaded by the
admin, services started with CREATE_STREAMS=false and MIGRATE_ON_START=false. A client books through
the signed webhook; the audit log fills; no service met a refusal on the way."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import nats
import pytest

from shared.deploy import SCHEMAS
from shared.nats_permissions import ADMIN, SERVICES, inbox_prefix, password_variable
from shared.subjects import Topology
from tests.e2e.system_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    ID_KEY,
    ROOT,
    System,
    _free_ports,
    run_cli,
    stop_processes,
    tail,
    wait_ready,
    write_spa,
)
from tests.integration.audit_fixtures import signing_key_b64
from tests.support.fake_notifiers import SmtpSink, WebhookReceiver
from tests.support.fake_twilio import FakeTwilio
from tests.support.nats_cluster import NatsCluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PERMISSIONS = ROOT / "deploy" / "k8s" / "base" / "nats" / "permissions.conf"
REFUSALS = ("permissions violation", "permission denied", "insufficientprivilege", "authorization violation")
CLIENT = "+14155550177"
SERVICE_ENV: dict[str, dict[str, str]] = {}  # each running service's environment, for its tools


def _dsn(superuser_dsn: str, role: str, database: str) -> str:
    """The server's DSN for another role and database (trust authentication on loopback)."""
    scheme, _, rest = superuser_dsn.partition("://")
    host = rest.split("@", 1)[-1].split("/", 1)[0]
    return f"{scheme}://{role}@{host}/{database}"


async def _create_database(
    superuser: str, database: str, admin: str, roles: dict[str, str], writer: str
) -> None:
    """A database owned by a non-superuser admin that is a member of every service's role."""
    conn = await asyncpg.connect(superuser)
    try:
        for role in (admin, *roles.values()):
            await conn.execute(f"CREATE ROLE {role} LOGIN")
        await conn.execute(f"CREATE ROLE {writer} NOLOGIN")
        await conn.execute(f"GRANT {writer} TO {roles['audit']}")
        await conn.execute(f"GRANT {', '.join(roles.values())} TO {admin}")
        await conn.execute(f'CREATE DATABASE "{database}" OWNER {admin}')
    finally:
        await conn.close()


async def _drop_database(superuser: str, database: str, roles: list[str]) -> None:
    conn = await asyncpg.connect(superuser)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in roles:
            await conn.execute(f"DROP ROLE IF EXISTS {role}")
    finally:
        await conn.close()


def _service_settings(
    svc: str, ports: dict[str, int], twilio: FakeTwilio, tmp: Path, writer: str
) -> dict[str, str]:
    """What differs per service besides its logins (ports, Twilio faked at the wire, the audit writer)."""
    return {
        "gateway": {
            "GATEWAY_HTTP_PORT": str(ports["gateway"]),
            "SMS_PROVIDER": "twilio",
            "TWILIO_API_BASE_URL": twilio.base_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['gateway']}",
            "SPOOL_DIR": str(tmp / "spool"),
            "NUMBER_LIMITS": "false",
        },
        "agent": {"AGENT_HTTP_PORT": str(ports["agent"])},
        "scheduler": {"SCHEDULER_HTTP_PORT": str(ports["scheduler"])},
        "escalation": {"INBOX_HTTP_PORT": str(ports["escalation"]), "NOTIFIER_POLL_SECONDS": "0.2"},
        "audit": {
            "AUDIT_HTTP_PORT": str(ports["audit"]),
            "AUDIT_SIGNING_KEY": signing_key_b64(),
            "AUDIT_WRITER_ROLE": writer,
        },
    }[svc]


@pytest.fixture(scope="module")
async def production(
    servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[System]:
    """The five services as processes, each with its own NATS user and database role."""
    tmp: Path = tmp_path_factory.mktemp("production")
    tag = uuid.uuid4().hex[:8]
    database, admin, writer = f"prod_{tag}", f"p{tag}_admin", f"p{tag}_audit_writer"
    roles = {schema: f"p{tag}_{schema}" for schema in SCHEMAS}
    superuser = servers["postgres"]
    passwords = {user: f"{user}-{tag}" for user in (*SERVICES, ADMIN)}
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(_drop_database, superuser, database, [writer, *roles.values(), admin])
        await _create_database(superuser, database, admin, roles, writer)
        cluster = NatsCluster(
            tmp / "nats", include=PERMISSIONS, env={password_variable(u): p for u, p in passwords.items()}
        )
        stack.callback(cluster.stop)
        cluster.start()
        twilio = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
        stack.push_async_callback(twilio.stop)
        webhook = await WebhookReceiver().start()
        stack.push_async_callback(webhook.stop)
        smtp = await SmtpSink().start()
        stack.push_async_callback(smtp.stop)
        spa_file = write_spa(tmp / "spas", webhook.url, smtp.port)
        ports = dict(zip(SERVICES, _free_ports(len(SERVICES)), strict=True))
        urls = {svc: f"http://127.0.0.1:{port}" for svc, port in ports.items()}
        base = {k: v for k, v in os.environ.items() if not k.startswith(("NATS_", "AUDIT_", "INBOX_"))}
        base.pop("HTTP_HOST", None)
        common = {
            **base,
            "NATS_URL": ",".join(cluster.urls),
            "SPA_FILES": str(spa_file),
            "ID_HASH_KEY": ID_KEY,
            "LOG_FORMAT": "json",
            "FRONTDESK_DATA_DIR": str(tmp / "data"),
            "DB_POOL_MAX": "4",
            "CREATE_STREAMS": "false",
            "MIGRATE_ON_START": "false",
        }
        admin_env = {
            **common,
            "DATABASE_URL": _dsn(superuser, admin, database),
            "NATS_ADMIN_PASSWORD": passwords[ADMIN],
        }
        logs = tmp / "logs"
        logs.mkdir()
        nc = await nats.connect(
            cluster.urls, user=ADMIN, password=passwords[ADMIN], inbox_prefix=inbox_prefix(ADMIN)
        )
        stack.push_async_callback(nc.close)
        system = System(common, admin_env["DATABASE_URL"], Topology(), twilio, webhook, smtp, urls, nc, logs)
        stack.push_async_callback(system.http.aclose)
        stack.push_async_callback(stop_processes, system)
        # What the Jobs nats-streams, migrate-* and load-spas do.
        await run_cli(admin_env, "deploy", "streams")
        for schema in SCHEMAS:
            await run_cli(admin_env, "deploy", "migrate", schema, "--owner", roles[schema])
        await run_cli(admin_env, "scheduler", "load-spa", str(spa_file))
        for svc in SERVICES:
            env = {
                **common,
                **_service_settings(svc, ports, twilio, tmp, writer),
                "NATS_USER": svc,
                "NATS_PASSWORD": passwords[svc],
                "NATS_INBOX_PREFIX": inbox_prefix(svc),
            }
            if svc in roles:
                env["DATABASE_URL"] = _dsn(superuser, roles[svc], database)
            SERVICE_ENV[svc] = env
            with (logs / f"{svc}.log").open("wb") as out:
                system.procs[svc] = subprocess.Popen(
                    [sys.executable, "-m", f"services.{svc}"], env=env, cwd=ROOT,
                    stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
        await wait_ready(system, timeout=90)
        yield system
        codes = await stop_processes(system)
        assert all(code == 0 for code in codes.values()), codes


async def test_a_client_books_with_every_service_on_its_own_login(production: System) -> None:
    reply = await production.say(CLIENT, "Hi, can I book a HydraFacial this week?", timeout=60)
    assert reply
    conn = await asyncpg.connect(production.database_url)
    try:

        async def recorded() -> int:
            return int(await conn.fetchval("SELECT count(*) FROM audit.audit_log"))

        assert await production.eventually(recorded, "the scheduler's tool calls in the audit log", 30)
        owners = dict(await conn.fetch("SELECT nspname, nspowner::regrole::text FROM pg_namespace"))
        assert {schema: owners[schema].rsplit("_", 1)[-1] for schema in SCHEMAS} == {s: s for s in SCHEMAS}
    finally:
        await conn.close()
    for svc in SERVICES:
        log = tail(production, svc, 10**7).lower()
        assert not [r for r in REFUSALS if r in log], f"{svc} was refused: {tail(production, svc)}"
    # The servers log every refusal with the user and subject.
    servers = "".join(p.read_text() for p in (production.logs.parent / "nats").glob("n*/nats-server.log"))
    assert "Server is ready" in servers
    assert "Violation" not in servers, [line for line in servers.splitlines() if "Violation" in line][:5]


async def test_first_accounts_are_made_with_each_service_own_role(production: System) -> None:
    """deploy/README.md's last install step, run as the pods would run it."""
    out = await run_cli(
        SERVICE_ENV["escalation"], "staff", "create-user", "--spa", "glow-medspa",
        "--email", "owner@glow.example", "--name", "Ana", "--role", "owner", "--invite",
    )  # fmt: skip
    assert "http" in out  # the one-time link to set a password
    token = await run_cli(
        SERVICE_ENV["audit"], "audit", "token", "create", "--spa", "glow-medspa", "--name", "officer"
    )
    assert token.strip()
