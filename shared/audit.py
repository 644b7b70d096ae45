"""Leaving an audit record: written to the outbox with the effect, published to the AUDIT stream."""

from __future__ import annotations

import asyncpg

from shared.contracts.audit import AuditRecorded
from shared.outbox import enqueue, enqueue_many
from shared.subjects import Topology


async def record(conn: asyncpg.Connection, topology: Topology, entry: AuditRecorded) -> None:
    """Enqueue one audit record in the caller's transaction; the record id is its dedupe key."""
    await enqueue(conn, topology.audit(entry.tenant_id), entry, message_id=f"audit:{entry.id}")


async def record_many(conn: asyncpg.Connection, topology: Topology, entries: list[AuditRecorded]) -> None:
    """Enqueue several audit records in one statement (atomic: all or none)."""
    await enqueue_many(conn, [(topology.audit(e.tenant_id), e, f"audit:{e.id}") for e in entries])
