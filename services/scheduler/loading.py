"""Loading spa files into the scheduler's schema: all files in one transaction, or none."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.scheduler import repo, spafile
from services.scheduler.app import MIGRATIONS
from shared.db import create_pool, transaction
from shared.migrations import apply_migrations

SCHEMA = "scheduler"


async def load_files(database_url: str, files: Sequence[Path], id_hash_key: str) -> list[repo.LoadReport]:
    """Validate every file first, then load them all in one transaction; returns what changed."""
    spas = [spafile.read(f) for f in files]  # raises SpaFileError before anything is written
    await apply_migrations(database_url, SCHEMA, MIGRATIONS)
    pool = await create_pool(database_url, min_size=1, max_size=1, schema=SCHEMA)
    try:
        async with transaction(pool) as conn:
            return [await repo.load_spa(conn, spa, id_hash_key) for spa in spas]
    finally:
        await pool.close()
