"""The owner's view: what the agent handled and recovered, per day and week (owners only).

Figures come from the inbox's read model (texts, escalations, the agent's bookings) and are computed
by `stats`; after hours is the spa's own opening hours. The page draws them with uPlot, served from
`web/vendor/` (MIT, its licence beside it); chart code lives in `web/owner.js` (the CSP allows no
inline script).
"""

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from services.escalation import repo, stats
from services.escalation.accounts import StaffUser
from services.escalation.handlers import Ports
from services.escalation.signin import Gate
from shared.contracts.envelope import utcnow

# Files the owner page loads, by URL name: (path under web/, media type).
OWNER_FILES: dict[str, tuple[str, str]] = {
    "owner.js": ("owner.js", "text/javascript"),
    "uplot.js": ("vendor/uPlot.iife.min.js", "text/javascript"),
    "uplot.css": ("vendor/uPlot.min.css", "text/css"),
}


def owner_router(ports: Callable[[], Ports], gate: Gate) -> APIRouter:
    """The owner's figures and the files their charts need."""
    router = APIRouter()
    Owner = Annotated[StaffUser, Depends(gate.owner)]

    @router.get("/static/owner/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in OWNER_FILES:
            raise HTTPException(404, "no such file")
        path, media_type = OWNER_FILES[name]
        return Response(
            (resources.files("services.escalation") / "web" / path).read_text(), media_type=media_type
        )

    @router.get("/api/owner/stats", tags=["owner"], summary="The owner's figures per day and week")
    async def figures(
        user: Owner, days: Annotated[int, Query(ge=1, le=stats.MAX_DAYS)] = 28
    ) -> dict[str, Any]:
        return await owner_figures(ports(), user.tenant_id, days)

    return router


async def owner_figures(ports: Ports, tenant_id: str, days: int) -> dict[str, Any]:
    """The last `days` days of a spa, today included, in the spa's time zone."""
    spa = ports.spas.get(tenant_id)
    clock = stats.SpaClock(
        spa.timezone if spa else "UTC",
        spa.opening_hours if spa else {},
        ports.settings.inbox_business_hours,
    )
    last_day = clock.day(utcnow())
    first_day = last_day - timedelta(days=days - 1)
    # A week's texts that started before the period still answer inside it: read a day early.
    since = datetime.combine(first_day - timedelta(days=1), time(), ZoneInfo(clock.timezone))
    async with ports.pool.acquire() as conn:
        texts = await repo.texts_since(conn, tenant_id, since)
        bookings = await repo.bookings_since(conn, tenant_id, since)
        escalations = await repo.escalations_since(conn, tenant_id, since)
    # Pure arithmetic over up to months of texts: off the event loop, so the inbox stays live.
    out = await asyncio.to_thread(
        stats.figures,
        clock,
        texts=[stats.Text(t["conversation_id"], t["direction"], t["occurred_at"]) for t in texts],
        bookings=[
            stats.Booking(b["price_cents"], b["covered_by_package"], b["occurred_at"]) for b in bookings
        ],
        escalations=[(e["category"], e["raised_at"]) for e in escalations],
        first_day=first_day,
        last_day=last_day,
    )
    hours = dict(spa.opening_hours) if spa and spa.opening_hours else None
    return {
        "spa": {"id": tenant_id, "name": spa.name if spa else tenant_id, "timezone": clock.timezone},
        "opening_hours": hours,
        "fallback_hours": None if hours else ports.settings.inbox_business_hours,
        **out,
    }
