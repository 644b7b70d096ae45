"""Each spa's static catalog in memory, re-read when its version changes."""

from __future__ import annotations

import time

import asyncpg

from services.scheduler import repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import NotFound


class CatalogCache:
    """Each spa's static catalog in memory; re-read when its version changes (checked every few s)."""

    def __init__(self, recheck_seconds: float = 2.0) -> None:
        self._recheck = recheck_seconds
        self._entries: dict[str, tuple[SpaCatalog, float]] = {}

    async def get(self, conn: asyncpg.Connection, spa_id: str) -> SpaCatalog:
        """The spa's catalog; NotFound for an unknown spa."""
        entry = self._entries.get(spa_id)
        now = time.monotonic()
        if entry is not None and now - entry[1] < self._recheck:
            return entry[0]
        version = await repo.spa_version(conn, spa_id)
        if version is None:
            raise NotFound(f"no spa {spa_id!r} is loaded", "tenant_id")
        if entry is not None and entry[0].version == version:
            self._entries[spa_id] = (entry[0], now)
            return entry[0]
        catalog = await repo.load_catalog(conn, spa_id)
        if catalog is None:
            raise NotFound(f"no spa {spa_id!r} is loaded", "tenant_id")
        self._entries[spa_id] = (catalog, now)
        return catalog
