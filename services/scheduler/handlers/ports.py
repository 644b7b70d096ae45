"""What a use case returns (Served) and what it needs besides the request (Ports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel

from services.scheduler import repo
from services.scheduler.handlers.audit_batcher import AuditBatcher
from services.scheduler.handlers.catalog_cache import CatalogCache
from shared.subjects import Topology


@dataclass
class Served:
    """A use case's result and what the audit record says about it."""

    result: BaseModel
    summary: dict[str, Any] = field(default_factory=dict)
    client_id: UUID | None = None
    client_ref: str | None = None
    disclosed: list[str] | None = None  # precomputed disclosed_fields(result) of a cached result


class ClientRefs:
    """Clients' keyed references already read, per spa and client id.

    A client row is never deleted and its number (so its reference) never changes, so a reference
    once read stays true: most tool calls of a conversation name the same client, and the audit
    record of each needs its reference. Bounded: emptied when full, then filled again.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._refs: dict[tuple[str, UUID], str] = {}

    async def get(self, conn: asyncpg.Connection, spa_id: str, client_id: UUID) -> str | None:
        """The client's reference (None when not a client of this spa), read once per process."""
        key = (spa_id, client_id)
        ref = self._refs.get(key)
        if ref is None:
            ref = await repo.client_ref_of(conn, spa_id, client_id)
            if ref is not None:
                if len(self._refs) >= self._limit:
                    self._refs.clear()
                self._refs[key] = ref
        return ref


@dataclass
class Ports:
    """What the use cases need besides the request."""

    pool: asyncpg.Pool
    topology: Topology
    catalogs: CatalogCache
    id_hash_key: str
    hold_ttl_seconds: int = 600
    instance: str = ""
    crash_after_commit: str | None = None
    on_commit: Callable[[], None] = lambda: None
    audit: AuditBatcher | None = None
    client_refs: ClientRefs = field(default_factory=ClientRefs)

    def __post_init__(self) -> None:
        if self.audit is None:
            self.audit = AuditBatcher(self.pool, self.topology)
