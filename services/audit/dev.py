"""`make run` hooks: a local compliance token for the demo, and where the audit API is."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import asyncpg

from services.audit import handlers, repo
from services.audit.app import MIGRATIONS
from services.audit.settings import AuditSettings
from shared.db import create_pool
from shared.migrations import apply_migrations

ROOT = Path(__file__).resolve().parents[2]


def token_path(env: dict[str, str]) -> Path:
    """Where the local token is kept (beside the dev signing key, never committed)."""
    data = Path(env.get("FRONTDESK_DATA_DIR", str(ROOT / ".data")))
    return data / "audit-dev-token"


async def _ensure_token(database_url: str, path: Path) -> str:
    await apply_migrations(database_url, repo.SCHEMA, MIGRATIONS)
    pool = await create_pool(database_url, min_size=1, max_size=1, schema=repo.SCHEMA)
    try:
        if path.exists():
            token = path.read_text().strip()
            if await handlers.authenticate(pool, token) is not None:
                return token
        operator = await _operator(pool, path.parent)
        token = await handlers.create_token(
            pool, f"local-compliance-{int(time.time())}", None, operator=operator
        )
    finally:
        await pool.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return token


async def _operator(pool: asyncpg.Pool, data_dir: Path) -> handlers.Operator:
    """The demo token's creation is recorded like any other (the system chain, signed with the dev key)."""
    settings = AuditSettings(frontdesk_data_dir=data_dir)
    async with pool.acquire() as conn:
        await repo.ensure_writer_role(conn, settings.audit_writer_role)
    secret = settings.audit_signing_key.get_secret_value()
    keys = handlers.load_keys(secret, settings.audit_verify_keys, data_dir)
    return handlers.Operator(
        staff_user="make-run", instance="dev", writer_role=settings.audit_writer_role,
        partitions=handlers.Partitions(), signer=handlers.signer_of(keys, settings.audit_checkpoint_export),
    )  # fmt: skip


def prepare(env: dict[str, str]) -> None:
    """Make sure a local all-spas compliance token exists and say where it is."""
    path = token_path(env)
    asyncio.run(_ensure_token(env["DATABASE_URL"], path))
    os.chmod(path, 0o600)
    print(f"audit: compliance token for local use in {path} (AUDIT_TOKEN=$(cat {path}))")


def urls(env: dict[str, str]) -> dict[str, str]:
    """Where to look at the audit service."""
    port = env.get("AUDIT_HTTP_PORT", "8084")
    return {"audit API (OpenAPI)": f"http://127.0.0.1:{port}/docs"}
