"""`frontdesk deploy ...`: what an operator runs around a deployment.

frontdesk deploy nats-config [--out FILE] [--check]   write the NATS users and permissions
frontdesk deploy streams                             create or update every stream (as the admin user)
frontdesk deploy migrate SERVICE --owner ROLE        migrate a schema as the database admin, then give
                                                     the schema to the service's own role
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import sys
import time
from pathlib import Path

import asyncpg
import nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.bus import ensure_streams
from shared.migrations import apply_migrations
from shared.nats_permissions import ADMIN, all_permissions, inbox_prefix, render
from shared.subjects import Topology

PERMISSIONS_FILE = Path("deploy/k8s/base/nats/permissions.conf")
# Services that keep a database schema (named after the service, migrations in services/<name>/migrations).
SCHEMAS = ("gateway", "scheduler", "escalation", "audit")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Everything in a schema that has an owner of its own (a table's sequences follow the table).
_OWNED = """
SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT (c.relkind = 'S' AND EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
ORDER BY 1
"""
_ALTER = {
    "r": "TABLE",
    "p": "TABLE",
    "f": "FOREIGN TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "S": "SEQUENCE",
}


class MigrationSettings(BaseSettings):
    """The database admin's DSN (DATABASE_URL of the migration Job, never a service's)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = Field(default="postgresql://postgres@127.0.0.1:54329/frontdesk")


async def migrate(service: str, owner: str, dsn: str) -> list[str]:
    """Apply a service's migrations as the admin, then make its own role the owner of its schema."""
    if service not in SCHEMAS:
        raise ValueError(f"{service!r} keeps no schema; one of {', '.join(SCHEMAS)}")
    if not _IDENT.match(owner):
        raise ValueError(f"invalid role name: {owner!r}")
    package = importlib.import_module(f"services.{service}")
    folder = Path(str(package.__file__)).parent / "migrations"
    applied = await apply_migrations(dsn, service, folder)
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(f"ALTER SCHEMA {service} OWNER TO {owner}")
            for row in await conn.fetch(_OWNED, service):
                await conn.execute(f"ALTER {_ALTER[row['kind']]} {row['name']} OWNER TO {owner}")
    finally:
        await conn.close()
    return applied


def migrate_command(argv: list[str]) -> int:
    """`frontdesk deploy migrate SERVICE --owner ROLE`."""
    parser = argparse.ArgumentParser(prog="frontdesk deploy migrate")
    parser.add_argument("service", choices=SCHEMAS)
    parser.add_argument("--owner", required=True, help="the service's own database role")
    args = parser.parse_args(argv)
    applied = asyncio.run(migrate(args.service, args.owner, MigrationSettings().database_url))
    print(f"{args.service}: {len(applied)} migration(s) applied; schema owned by {args.owner}")
    return 0


class StreamAdminSettings(BaseSettings):
    """Where the bus is and the admin user's login (NATS_ADMIN_PASSWORD) for creating streams."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    nats_url: str = Field(default="nats://127.0.0.1:4222")
    nats_admin_password: SecretStr = Field(default=SecretStr(""))
    subject_prefix: str = Field(default="frontdesk", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    stream_replicas: int = Field(default=1, ge=1, le=5)
    # How long `frontdesk deploy streams` waits for JetStream to answer (a cluster just started).
    jetstream_wait_seconds: float = Field(default=45.0, ge=0)


def nats_config(argv: list[str]) -> int:
    """Write (or check) the generated permissions file."""
    parser = argparse.ArgumentParser(prog="frontdesk deploy nats-config")
    parser.add_argument("--out", type=Path, default=PERMISSIONS_FILE, help=f"default {PERMISSIONS_FILE}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from the code")
    args = parser.parse_args(argv)
    text = render(all_permissions())
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run 'frontdesk deploy nats-config'", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


async def create_streams(settings: StreamAdminSettings) -> None:
    """Create or update every stream of the topology, connected as the admin user."""
    servers = [u.strip() for u in settings.nats_url.split(",") if u.strip()]
    password = settings.nats_admin_password.get_secret_value()
    login = {"user": ADMIN, "password": password} if password else {}
    nc = await nats.connect(servers, connect_timeout=5, inbox_prefix=inbox_prefix(ADMIN), **login)
    deadline = time.monotonic() + settings.jetstream_wait_seconds
    topology = Topology(settings.subject_prefix)
    try:
        while True:
            try:
                await ensure_streams(nc.jetstream(), topology, settings.stream_replicas)
                return
            except (NatsTimeoutError, NoRespondersError, ServiceUnavailableError) as exc:
                # A cluster that has just started elects its JetStream leader first (a few seconds).
                if time.monotonic() >= deadline:
                    raise
                print(f"waiting for JetStream ({type(exc).__name__})", file=sys.stderr)
                await asyncio.sleep(1.0)
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> int:
    """Dispatch `frontdesk deploy <command>`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["nats-config"]:
        return nats_config(args[1:])
    if args[:1] == ["migrate"]:
        return migrate_command(args[1:])
    if args[:1] == ["streams"]:
        asyncio.run(create_streams(StreamAdminSettings()))
        print("streams are up to date")
        return 0
    print(__doc__)
    return 0 if args[:1] in ([], ["-h"], ["--help"]) else 2


if __name__ == "__main__":
    raise SystemExit(main())
