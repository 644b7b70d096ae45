"""The calendar and the booking operations of the inbox, against the real scheduler (demo spa).

The escalation service and the scheduler run in-process on real NATS and PostgreSQL; staff act
through the inbox's HTTP API signed in as the spa's owner.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from nats.aio.client import Client as NatsClient

from services.escalation.app import EscalationService, build
from services.escalation.settings import EscalationSettings
from shared.bus import publish_event
from shared.contracts.escalation import EscalationRaised
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology
from tests.integration.agent_harness import TENANT, System
from tests.support.staff_accounts import create_staff, sign_in

pytestmark = pytest.mark.integration

CLIENT = "+14155550177"
CONV = "cdesk0123456789ab"


@dataclass
class Desk:
    """The inbox (escalation service) signed in as the owner, beside the running scheduler."""

    http: httpx.AsyncClient
    db: asyncpg.Pool
    topology: Topology
    ctx: ServiceContext
    nc: NatsClient

    @property
    def service(self) -> EscalationService:
        return self.ctx.extras["service"]  # type: ignore[return-value]

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.is_success, (path, response.status_code, response.text)
        return response.json()


@pytest.fixture
async def desk(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> AsyncIterator[Desk]:
    """Scheduler (demo spa loaded) and escalation service; the client is signed in as the owner."""
    scheduler = System(nats_url, database_url, topology)
    await scheduler.start_scheduler()
    spa = tmp_path / "spa.yaml"
    spa.write_text(f"id: {TENANT}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\n")
    settings = EscalationSettings(
        nats_url=nats_url, database_url=database_url, subject_prefix=topology.prefix, spa_files=str(spa)
    )
    spec: ServiceSpec
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    assert ctx.pool is not None
    owner = await create_staff(ctx.pool, TENANT, name="Ana", role="owner")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
    client.headers.update(await sign_in(client, owner.email))
    yield Desk(client, ctx.pool, topology, ctx, nc)
    await client.aclose()
    await stop_context(spec, ctx)
    await scheduler.stop()


async def free_slot(desk: Desk, service_id: str, skip: int = 0) -> dict[str, Any]:
    """A free time for the service on the first day ahead that has one (the `skip`-th of that day)."""
    for ahead in range(2, 12):
        day = date.today() + timedelta(days=ahead)
        found = await desk.ok("GET", "/api/slots", params={"service_id": service_id, "day": day.isoformat()})
        if len(found["options"]) > skip:
            return dict(found["options"][skip])
    raise AssertionError("no free time in the next ten days")


async def hydrafacial(desk: Desk) -> dict[str, Any]:
    catalog = await desk.ok("GET", "/api/catalog")
    assert catalog["providers"] and catalog["timezone"] == "America/Los_Angeles"
    return next(s for s in catalog["services"] if s["name"] == "HydraFacial")


def bookings_of(calendar: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["booking_id"]: b for p in calendar["providers"] for b in p["bookings"]}


async def test_walk_in_booked_from_free_time_shows_on_the_calendar_and_changes_status(desk: Desk) -> None:
    service = await hydrafacial(desk)
    slot = await free_slot(desk, service["service_id"])
    async with desk.service.hub.subscribe() as changes:
        made = await desk.ok(
            "POST",
            "/api/bookings",
            json={
                "service_id": service["service_id"],
                "provider_id": slot["provider_id"],
                "start": slot["start"],
                "client": {"name": "Wendy Walkin"},
            },
        )
        change = await asyncio.wait_for(changes.get(), 5)
    assert change == {"kind": "calendar", "tenant_id": TENANT, "conversation_id": None}  # live update
    booking_id = made["booking"]["booking_id"]
    day = slot["start"][:10]
    calendar = await desk.ok("GET", "/api/calendar", params={"start": day, "days": 7})
    assert calendar["date_to"] == (date.fromisoformat(day) + timedelta(days=6)).isoformat()  # a week
    shown = bookings_of(calendar)[booking_id]
    assert shown["client_name"] == "Wendy Walkin" and shown["status"] == "booked"
    taken = await desk.http.post(
        "/api/bookings",
        json={
            "service_id": service["service_id"],
            "provider_id": slot["provider_id"],
            "start": slot["start"],
            "client": {"name": "Second Person"},
        },
    )
    assert taken.status_code == 409 and taken.json()["detail"]["code"] == "slot_taken"

    early = await desk.http.post(f"/api/bookings/{booking_id}/status", json={"status": "checked_in"})
    assert (
        early.status_code == 422 and "on its day" in early.json()["detail"]["message"]
    )  # the scheduler's words
    bad = await desk.http.post(f"/api/bookings/{booking_id}/status", json={"status": "cancelled"})
    assert bad.status_code == 422  # cancelling has its own action
    calendar = await desk.ok("GET", "/api/calendar", params={"start": day})
    assert bookings_of(calendar)[booking_id]["status"] == "booked"


async def test_provider_time_blocked_and_unblocked(desk: Desk) -> None:
    service = await hydrafacial(desk)
    slot = await free_slot(desk, service["service_id"])
    blocked = await desk.ok(
        "POST",
        "/api/blocks",
        json={
            "provider_id": slot["provider_id"],
            "start": slot["start"],
            "end": slot["end"],
            "reason": "break",
        },
    )
    block_id = blocked["block"]["block_id"]
    calendar = await desk.ok("GET", "/api/calendar", params={"start": slot["start"][:10]})
    blocks = [k["block_id"] for p in calendar["providers"] for k in p["blocks"]]
    assert blocks == [block_id]
    removed = await desk.ok("POST", f"/api/blocks/{block_id}/remove")
    assert removed["removed"] is True
    calendar = await desk.ok("GET", "/api/calendar", params={"start": slot["start"][:10]})
    assert [k for p in calendar["providers"] for k in p["blocks"]] == []


async def _escalated_client_with_a_booking(
    desk: Desk, skip: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A client with an upcoming booking whose conversation is escalated as a cancellation."""
    event = EscalationRaised(
        tenant_id=TENANT,
        conversation_id=CONV,
        category="cancellation",
        reason="wants to cancel their appointment",
        client_number=CLIENT,
    )
    await publish_event(desk.nc.jetstream(), desk.topology.escalation(TENANT, "raised"), event)
    service = await hydrafacial(desk)
    slot = await free_slot(desk, service["service_id"], skip)
    made = await desk.ok(
        "POST",
        "/api/bookings",
        json={
            "service_id": service["service_id"],
            "provider_id": slot["provider_id"],
            "start": slot["start"],
            "client": {"phone": CLIENT},
        },
    )
    for _ in range(100):
        if (await desk.http.get(f"/api/conversations/{TENANT}/{CONV}")).status_code == 200:
            break
        await asyncio.sleep(0.05)
    return made["booking"], service


async def _staff_texts(desk: Desk) -> list[dict[str, Any]]:
    rows = await desk.db.fetch(
        "SELECT payload FROM outbox WHERE subject = $1 ORDER BY seq", desk.topology.sms_outbound(TENANT, CONV)
    )
    return [m for m in (json.loads(r["payload"]) for r in rows) if m["purpose"] == "staff"]


async def test_cancel_from_the_conversation_texts_the_client_once_and_resolves_the_escalation(
    desk: Desk,
) -> None:
    booking, _ = await _escalated_client_with_a_booking(desk)
    base = f"/api/conversations/{TENANT}/{CONV}/bookings"
    upcoming = await desk.ok("GET", base)
    assert [b["booking_id"] for b in upcoming["bookings"]] == [booking["booking_id"]]

    request = {"request_id": str(uuid.uuid4())}
    for _ in range(2):  # a double click is one cancellation and one text
        done = await desk.ok("POST", f"{base}/{booking['booking_id']}/cancel", json=request)
    assert done["booking"]["status"] == "cancelled" and done["ai_resumed"] is False
    [text] = await _staff_texts(desk)
    assert text["to_number"] == CLIENT and "is cancelled" in text["body"] and "HydraFacial" in text["body"]
    assert (await desk.ok("GET", base))["bookings"] == []
    escalations = (await desk.ok("GET", "/api/escalations"))["escalations"]
    assert [e["status"] for e in escalations] == ["resolved"] and escalations[0]["resolved_by"] == "Ana"
    conversation = (await desk.ok("GET", f"/api/conversations/{TENANT}/{CONV}"))["conversation"]
    assert conversation["ai_paused"] is True  # the AI resumes only when staff ask
    stranger = await desk.http.post(f"{base}/{uuid.uuid4()}/cancel", json={"request_id": str(uuid.uuid4())})
    assert stranger.status_code == 404  # only this client's own bookings


async def test_reschedule_from_the_conversation_moves_the_booking_and_can_resume_the_ai(desk: Desk) -> None:
    booking, service = await _escalated_client_with_a_booking(desk)
    target = await free_slot(desk, service["service_id"], skip=2)
    base = f"/api/conversations/{TENANT}/{CONV}/bookings"
    moved = await desk.ok(
        "POST",
        f"{base}/{booking['booking_id']}/reschedule",
        json={
            "request_id": str(uuid.uuid4()),
            "start": target["start"],
            "provider_id": target["provider_id"],
            "resume_ai": True,
        },
    )
    assert datetime.fromisoformat(moved["booking"]["start"]) == datetime.fromisoformat(target["start"])
    [text] = await _staff_texts(desk)
    assert "is now" in text["body"] and moved["booking"]["local_label"] in text["body"]
    [upcoming] = (await desk.ok("GET", base))["bookings"]
    assert upcoming["booking_id"] == moved["booking"]["booking_id"] != booking["booking_id"]
    conversation = (await desk.ok("GET", f"/api/conversations/{TENANT}/{CONV}"))["conversation"]
    assert conversation["ai_paused"] is False
