"""Provider time that is not bookable: time off, breaks, training."""

from __future__ import annotations

import asyncpg

from services.scheduler import repo
from services.scheduler.domain import SpaCatalog
from services.scheduler.errors import InThePast, NotFound
from services.scheduler.handlers.desk import acting, provider_for
from services.scheduler.handlers.ports import Ports, Served
from services.scheduler.model import Block
from services.scheduler.repo import desk as desk_repo
from shared.contracts.desk import (
    BlockProviderTime,
    ProviderBlock,
    ProviderTimeBlocked,
    ProviderTimeUnblocked,
    UnblockProviderTime,
)
from shared.contracts.envelope import utcnow


async def block_provider_time(
    req: BlockProviderTime, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Block a provider's time; refused over a booking or another block (the request again: the same)."""
    by = acting(req)
    provider = provider_for(spa, req.provider_id)
    if req.end <= utcnow():
        raise InThePast("that time has passed", "end")
    await repo.lock_providers(conn, [provider.id])
    block = await desk_repo.insert_block(
        conn,
        block_id=req.id,
        spa_id=spa.id,
        provider_id=provider.id,
        start=req.start,
        end=req.end,
        reason=req.reason,
        by=by,
    )
    summary = {
        "block_id": str(block.id),
        "provider_id": str(block.provider_id),
        "start": block.start.isoformat(),
        "end": block.end.isoformat(),
        "reason": block.reason,
    }
    return Served(ProviderTimeBlocked(block=block_info(spa, block)), summary)


async def unblock_provider_time(
    req: UnblockProviderTime, *, conn: asyncpg.Connection, spa: SpaCatalog, ports: Ports
) -> Served:
    """Remove a block: its time is bookable again (removing it twice changes nothing)."""
    by = acting(req)
    block = await desk_repo.block_for_update(conn, spa.id, req.block_id)
    if block is None:
        raise NotFound("no such block at this spa", "block_id")
    removed = not block.removed
    if removed:
        await desk_repo.remove_block(conn, block.id, by)
    summary = {"block_id": str(block.id), "provider_id": str(block.provider_id), "removed": removed}
    return Served(ProviderTimeUnblocked(block_id=block.id, removed=removed), summary)


def block_info(spa: SpaCatalog, block: Block) -> ProviderBlock:
    """A block as staff see it."""
    provider = spa.providers.get(block.provider_id)
    return ProviderBlock(
        block_id=block.id,
        provider_id=block.provider_id,
        provider_first_name=provider.first_name if provider else "",
        start=block.start,
        end=block.end,
        reason=block.reason,  # type: ignore[arg-type]
    )
