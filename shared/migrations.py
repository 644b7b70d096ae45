"""Versioned SQL migrations per service schema, applied under an advisory lock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog

log = structlog.get_logger()

SHARED_MIGRATIONS = Path(__file__).parent / "common_migrations"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Extensions live in `public` and are shared by every schema.
EXTENSIONS = ("btree_gist", "pg_trgm", "citext")


@dataclass(frozen=True)
class Migration:
    """One versioned SQL file."""

    version: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(folder: Path, namespace: str) -> list[Migration]:
    """The migrations in a folder, in order; file names are NNNN_description.sql."""
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        if not _NAME.match(path.name):
            raise ValueError(f"migration file name must be NNNN_description.sql: {path.name}")
        found.append(Migration(f"{namespace}:{path.stem}", path))
    return found


def _lock_key(schema: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"frontdesk-migrate:{schema}".encode()).digest()[:8], "big", signed=True
    )


async def apply_migrations(dsn: str, schema: str, folder: Path | None) -> list[str]:
    """Apply the shared migrations and then the service's own into `schema`; returns those applied.

    Safe to run twice, and from two processes at once: the second waits on the advisory lock and
    then finds nothing left to do.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise ValueError(f"invalid schema name: {schema!r}")
    migrations = discover(SHARED_MIGRATIONS, "shared")
    if folder is not None and folder.exists():
        migrations += discover(folder, schema)
    applied: list[str] = []
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _lock_key("global"))
        try:
            for ext in EXTENSIONS:
                await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext} WITH SCHEMA public")
            # Checked first: CREATE SCHEMA needs the database's CREATE privilege even when the schema
            # exists, which a service's own role (owner of its schema only) does not have.
            if not await conn.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
                " version text PRIMARY KEY, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {
                r["version"]: r["checksum"]
                for r in await conn.fetch(f"SELECT version, checksum FROM {schema}.schema_migrations")
            }
            for migration in migrations:
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        log.warning(
                            "migration.changed_after_apply",
                            version=migration.version,
                            schema=schema,
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(f"SET LOCAL search_path TO {schema}, public")
                    await conn.execute(migration.path.read_text())
                    await conn.execute(
                        f"INSERT INTO {schema}.schema_migrations (version, checksum) VALUES ($1, $2)",
                        migration.version,
                        migration.checksum,
                    )
                applied.append(migration.version)
                log.info("migration.applied", version=migration.version, schema=schema)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key("global"))
    finally:
        await conn.close()
    return applied
