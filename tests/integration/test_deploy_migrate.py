"""`frontdesk deploy migrate`: a schema migrated by the database admin belongs to its service's role,
and one service's role cannot read another's schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from shared.deploy import migrate
from shared.migrations import apply_migrations

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def roles(database_url: str) -> AsyncIterator[dict[str, str]]:
    """Two service roles of this test's own (roles are server-wide), dropped afterwards."""
    names = {service: f"t_{service}_{uuid.uuid4().hex[:8]}" for service in ("scheduler", "gateway")}
    conn = await asyncpg.connect(database_url)
    try:
        for role in names.values():
            await conn.execute(f"CREATE ROLE {role} NOLOGIN")
        yield names
        for role in names.values():
            await conn.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            await conn.execute(f"DROP OWNED BY {role}")
            await conn.execute(f"DROP ROLE {role}")
    finally:
        await conn.close()


async def test_migrated_schema_belongs_to_the_service_role_alone(
    database_url: str, roles: dict[str, str]
) -> None:
    applied = await migrate("scheduler", roles["scheduler"], database_url)
    assert applied, "a fresh database gets every migration"
    await migrate("gateway", roles["gateway"], database_url)
    conn = await asyncpg.connect(database_url)
    try:
        owner = await conn.fetchval(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'scheduler'"
        )
        assert owner == roles["scheduler"]
        others = await conn.fetch(
            "SELECT c.relname, c.relowner::regrole::text AS owner FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'scheduler' AND c.relkind IN ('r', 'p', 'v', 'S') "
            "AND c.relowner::regrole::text <> $1",
            roles["scheduler"],
        )
        assert [r["relname"] for r in others] == []
        table = await conn.fetchval(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'scheduler' ORDER BY tablename LIMIT 1"
        )
        async with conn.transaction():
            await conn.execute(f"SET LOCAL ROLE {roles['scheduler']}")
            await conn.fetch(f"SELECT * FROM scheduler.{table} LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute(f"SET LOCAL ROLE {roles['gateway']}")
                await conn.fetch(f"SELECT * FROM scheduler.{table} LIMIT 1")
        # Run again: nothing left to apply, ownership unchanged.
        assert await migrate("scheduler", roles["scheduler"], database_url) == []
        # The service's own role (no CREATE on the database) finds nothing to do either: its tools
        # (load-spa, staff create-user, audit token create) check the migrations first.
        await conn.execute(f"ALTER ROLE {roles['scheduler']} LOGIN")
        as_service = database_url.replace("postgres@", f"{roles['scheduler']}@", 1)
        folder = ROOT / "services" / "scheduler" / "migrations"
        assert await apply_migrations(as_service, "scheduler", folder) == []
    finally:
        await conn.close()


async def test_unknown_service_or_bad_role_changes_nothing(database_url: str) -> None:
    with pytest.raises(ValueError, match="keeps no schema"):
        await migrate("agent", "frontdesk_agent", database_url)
    with pytest.raises(ValueError, match="invalid role name"):
        await migrate("scheduler", "x; DROP SCHEMA public", database_url)
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'scheduler'") == 0
    finally:
        await conn.close()
