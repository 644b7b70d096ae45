"""What a use case returns (Served) and what it needs besides the request (Ports)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel

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

    def __post_init__(self) -> None:
        if self.audit is None:
            self.audit = AuditBatcher(self.pool, self.topology)
