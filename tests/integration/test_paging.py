"""Urgent escalations page the spa's on-call staff until someone acknowledges, across a restart.

The escalation service runs in-process on a real nats-server and PostgreSQL; pages are read where
the gateway would take them, as SendSms on SMS_OUTBOUND. The re-alert interval is shortened in the
spa file (`on_call.realert_minutes`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from services.escalation.app import build
from services.escalation.settings import EscalationSettings
from shared.bus import publish_event
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SendSms
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology
from tests.support.staff_accounts import create_staff, sign_in
from tests.support.waiting import until

pytestmark = pytest.mark.integration

SPA = "glow-medspa"
ON_CALL = ["+14155550111", "+14155550112"]
INTERVAL_SECONDS = 1.5
CLIENT = "+14155550142"
CONV = "c0123456789abcdef"
PAGE = f"Urgent: a client needs a qualified person now. Open the inbox: http://inbox.test/#/c/{CONV}"


def spa_file(folder: Path) -> Path:
    """A spa with two on-call numbers, complaints paged too, a short re-alert interval."""
    path = folder / "spa.yaml"
    path.write_text(
        f"id: {SPA}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\n"
        f"on_call:\n  numbers: {json.dumps(ON_CALL)}\n  categories: [complaint]\n"
        f"  realert_minutes: {INTERVAL_SECONDS / 60}\n"
    )
    return path


class Pages:
    """Page texts as they reach SMS_OUTBOUND (core subscription: every published message)."""

    def __init__(self) -> None:
        self.seen: list[SendSms] = []

    async def on_message(self, msg: Msg) -> None:
        sms = SendSms.model_validate_json(msg.data)
        if sms.purpose == "page":
            self.seen.append(sms)

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[SendSms]:
        """At least `count` distinct page texts (by idempotency key)."""
        await until(lambda: len(self.keys()) >= count, f"{count} page texts", timeout)
        return self.seen

    def keys(self) -> set[str]:
        return {s.idempotency_key for s in self.seen}


@pytest.fixture
async def pages(nc: NatsClient, topology: Topology) -> AsyncIterator[Pages]:
    """Every page text published on this test's outbound subjects."""
    found = Pages()
    sub = await nc.subscribe(topology.all_sms_outbound, cb=found.on_message)
    yield found
    await sub.unsubscribe()


Service = tuple[ServiceSpec, ServiceContext, httpx.AsyncClient]


@pytest.fixture
async def start(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[Callable[[], Awaitable[Service]]]:
    """Start the escalation service (again after a stop); a staff member is signed in."""
    running: list[Service] = []

    async def start_one() -> Service:
        settings = EscalationSettings(
            nats_url=nats_url,
            database_url=database_url,
            subject_prefix=topology.prefix,
            spa_files=str(spa_file(tmp_path)),
            inbox_public_url="http://inbox.test",
            notifier_poll_seconds=0.1,
        )
        spec, ctx = build(settings)
        await start_context(spec, ctx)
        assert ctx.pool is not None
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
        if not await ctx.pool.fetchval("SELECT 1 FROM staff_users WHERE email = 'maria@glow-medspa.example'"):
            await create_staff(ctx.pool, SPA)
        client.headers.update(await sign_in(client, "maria@glow-medspa.example"))
        running.append((spec, ctx, client))
        return spec, ctx, client

    yield start_one
    for spec, ctx, client in running:
        await client.aclose()
        if ctx.extras.get("stopped") is None:
            await stop_context(spec, ctx)


async def stop(service: Service) -> None:
    """Stop a started service (the fixture then leaves it alone)."""
    spec, ctx, _client = service
    await stop_context(spec, ctx)
    ctx.extras["stopped"] = True


def escalation(**fields: Any) -> EscalationRaised:
    """An urgent escalation from the agent about a client's conversation."""
    return EscalationRaised(
        **{
            "tenant_id": SPA,
            "conversation_id": CONV,
            "category": "medical",
            "reason": "swelling and trouble breathing after filler",
            "client_number": CLIENT,
            "handoff_text": "Please call 911 if this is an emergency; our team is being alerted now.",
            "priority": "urgent",
            **fields,
        }
    )


async def audit_actions(nc: NatsClient, topology: Topology) -> list[dict[str, Any]]:
    """The audit records the service published (stream AUDIT)."""
    js = nc.jetstream()
    stream = topology.stream_audit.name
    out = []
    seq = 0
    while True:
        try:
            msg = await js.get_msg(stream, seq=seq + 1, subject=topology.all_audit, next=True)
        except Exception:
            return out
        out.append(json.loads(msg.data or b"{}"))
        seq = int(msg.seq or 0)


async def test_an_urgent_escalation_pages_on_call_again_after_a_restart_until_acknowledged(
    start: Callable[[], Awaitable[Service]], pages: Pages, nc: NatsClient, topology: Topology
) -> None:
    first = await start()
    raised = escalation()
    await publish_event(nc.jetstream(), topology.escalation(SPA, "raised"), raised)
    round_one = await pages.wait_for(2)
    assert sorted(s.to_number for s in round_one) == ON_CALL
    assert {s.body for s in round_one} == {PAGE}, "no clinical detail, no client words: a sentence and a link"
    assert all(s.conversation_id != CONV for s in round_one), "pages stay out of the client's transcript"

    await stop(first)
    before_restart = len(pages.keys())
    await asyncio.sleep(INTERVAL_SECONDS)
    _spec, _ctx, inbox = await start()
    await pages.wait_for(before_restart + 2)  # a round after the restart, from the schedule in PostgreSQL
    assert len(pages.seen) == len(pages.keys()), "no round is sent twice"

    path = f"/api/conversations/{SPA}/{CONV}/pages"
    listed = (await inbox.get(path)).json()["pages"]
    assert listed[0]["paging"] is True and listed[0]["pages_sent"] >= 2
    ack = await inbox.post(f"/api/escalations/{raised.escalation_id}/acknowledge")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "Maria"
    again = await inbox.post(f"/api/escalations/{raised.escalation_id}/acknowledge")
    assert again.json()["status"] == "already_acknowledged"
    sent = len(pages.keys())
    await asyncio.sleep(INTERVAL_SECONDS * 2)
    assert len(pages.keys()) == sent, "no page after the acknowledgement"
    listed = (await inbox.get(path)).json()["pages"]
    assert listed[0]["paging"] is False and listed[0]["acknowledged_by"] == "Maria"

    async def acknowledged() -> list[dict[str, Any]]:
        return [r for r in await audit_actions(nc, topology) if r.get("action") == "staff.acknowledge_page"]

    records = await until(acknowledged, "the acknowledgement's audit record")
    assert records[0]["actor"]["staff_user"] == str((await inbox.get("/api/me")).json()["user_id"])
    assert CLIENT not in json.dumps(records[0])


async def test_only_urgent_and_listed_categories_page_and_resolving_stops_paging(
    start: Callable[[], Awaitable[Service]], pages: Pages, nc: NatsClient, topology: Topology
) -> None:
    _spec, _ctx, inbox = await start()
    js = nc.jetstream()
    await publish_event(js, topology.escalation(SPA, "raised"), escalation(priority="normal"))
    complaint = escalation(priority="normal", category="complaint", conversation_id="c2")
    await publish_event(js, topology.escalation(SPA, "raised"), complaint)
    paged = await pages.wait_for(2)
    assert {s.caused_by for s in paged} == {str(complaint.escalation_id)}, "a normal medical one pages nobody"

    resolved = await inbox.post(f"/api/escalations/{complaint.escalation_id}/resolve")
    assert resolved.status_code == 200
    await asyncio.sleep(INTERVAL_SECONDS * 2)
    assert len(pages.keys()) == 2, "a resolved escalation pages nobody"
    refused = await inbox.post(f"/api/escalations/{escalation().escalation_id}/acknowledge")
    assert refused.status_code == 404
