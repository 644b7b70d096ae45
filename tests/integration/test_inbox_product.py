"""The inbox as staff and owners use it, on real NATS and PostgreSQL.

Search by name or number, "needs a person" then unread then recent, assignment, views and staff
actions found by the client's phone through the audit API, and the owner's figures on known data
(after hours from the spa's own opening hours; package sessions and free consultations not revenue).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from services.audit import handlers as audit_handlers
from services.escalation.accounts import StaffUser
from services.escalation.app import build
from services.escalation.settings import EscalationSettings
from shared.bus import publish_event
from shared.contracts.envelope import utcnow
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SmsReceived, SmsSent
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.integration.audit_fixtures import RunningAudit, audit
from tests.support.staff_accounts import create_staff, sign_in
from tests.support.waiting import until

pytestmark = pytest.mark.integration
__all__ = ["audit"]

SPA = "glow-medspa"
LA = ZoneInfo("America/Los_Angeles")
DANA = ("+14155550142", "cdana0123456789ab")
BEA = ("+14155550143", "cbea00123456789ab")
CARL = ("+13105550199", "ccarl0123456789ab")
# Open 09:00-18:00 every day; the inbox-wide fallback says always open, so it must not be what counts.
SPA_FILE = f"id: {SPA}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\nopening_hours:\n" + "".join(
    f"  {d}: '09:00-18:00'\n" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


@dataclass
class Inbox:
    """The escalation service with an owner and a staff member of the spa signed in."""

    owner: httpx.AsyncClient
    staff: httpx.AsyncClient
    maria: StaffUser
    olga: StaffUser
    js: JetStreamContext
    topology: Topology

    async def ok(self, client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
        response = await client.request(method, path, **kwargs)
        assert response.is_success, (path, response.status_code, response.text)
        return response.json()


@pytest.fixture
async def inbox(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> AsyncIterator[Inbox]:
    """The escalation service; Ana (owner) and Maria (staff) signed in, Olga of another spa exists."""
    spa = tmp_path / "spa.yaml"
    spa.write_text(SPA_FILE)
    settings = EscalationSettings(
        nats_url=nats_url,
        database_url=database_url,
        subject_prefix=topology.prefix,
        spa_files=str(spa),
        inbox_business_hours="00:00-23:59",
    )
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    assert ctx.pool is not None
    await create_staff(ctx.pool, SPA, name="Ana", role="owner")
    maria = await create_staff(ctx.pool, SPA, name="Maria")
    olga = await create_staff(ctx.pool, "other-spa", name="Olga")
    clients = []
    for name in ("ana", "maria"):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
        client.headers.update(await sign_in(client, f"{name}@{SPA}.example"))
        clients.append(client)
    yield Inbox(clients[0], clients[1], maria, olga, nc.jetstream(), topology)
    for client in clients:
        await client.aclose()
    await stop_context(spec, ctx)


async def text_in(inbox: Inbox, who: tuple[str, str], body: str, at: datetime | None = None) -> None:
    """A client's text reaches the inbox."""
    sid = f"SM{uuid.uuid4().hex[:12]}"
    event = SmsReceived(
        tenant_id=SPA,
        message_sid=sid,
        conversation_id=who[1],
        from_number=who[0],
        to_number="+14155550199",
        body=body,
        occurred_at=at or utcnow(),
    )
    await publish_event(inbox.js, inbox.topology.sms_inbound(SPA, who[1]), event)


async def text_out(inbox: Inbox, who: tuple[str, str], at: datetime) -> None:
    """The spa's reply, sent."""
    sent = SmsSent(
        tenant_id=SPA,
        idempotency_key=f"reply:{uuid.uuid4().hex[:12]}",
        conversation_id=who[1],
        provider_sid=f"SMx{uuid.uuid4().hex[:10]}",
        segments=1,
        encoding="GSM-7",
        body="Thanks, we have Monday at 1:30pm.",
        occurred_at=at,
    )
    await publish_event(inbox.js, inbox.topology.sms_event(SPA, "sent"), sent)


async def escalate(
    inbox: Inbox, who: tuple[str, str], category: str, name: str | None = None, **kw: Any
) -> str:
    """An escalation from the agent on a client's conversation; its id."""
    event = EscalationRaised(
        tenant_id=SPA,
        conversation_id=who[1],
        category=category,
        reason="asked for a person",
        client_number=who[0],
        client_name=name,
        **kw,
    )
    await publish_event(inbox.js, inbox.topology.escalation(SPA, "raised"), event)
    return str(event.escalation_id)


async def listed(inbox: Inbox, client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    return list((await inbox.ok(client, "GET", "/api/conversations", params=params))["conversations"])


def order(rows: list[dict[str, Any]]) -> list[str]:
    return [r["conversation_id"] for r in rows]


async def test_needs_a_person_then_unread_then_recent_and_search_by_name_or_number(inbox: Inbox) -> None:
    await escalate(inbox, DANA, "human_request", name="Dana")
    await text_in(inbox, BEA, "Do you have anything Monday?")
    await until(lambda: _count(inbox, 2), "two conversations")
    await text_in(inbox, CARL, "What time do you open?")  # the most recent
    rows = await until(lambda: _count(inbox, 3), "three conversations")
    assert all(r["unread"] for r in rows if r["conversation_id"] != DANA[1])
    await inbox.ok(inbox.staff, "GET", f"/api/conversations/{SPA}/{CARL[1]}")  # Maria reads Carl's text

    rows = await listed(inbox, inbox.staff)
    assert order(rows) == [DANA[1], BEA[1], CARL[1]]  # needs a person, unread, then read though newest
    dana = rows[0]
    assert dana["client"] == DANA[0] and dana["open_labels"] == ["Asked for a person"]
    assert [r["unread"] for r in rows[1:]] == [True, False]
    assert order(await listed(inbox, inbox.owner))[1:] == [CARL[1], BEA[1]]  # unread is per staff member

    await text_in(inbox, CARL, "Also, is parking free?")  # unread again, and newer than Bea's
    await until(lambda: _first_unread(inbox, CARL[1]), "Carl's new text unread")
    assert order(await listed(inbox, inbox.staff)) == [DANA[1], CARL[1], BEA[1]]

    assert order(await listed(inbox, inbox.staff, q="dan")) == [DANA[1]]
    assert order(await listed(inbox, inbox.staff, q="(415) 555-0143")) == [BEA[1]]
    assert order(await listed(inbox, inbox.staff, q="310")) == [CARL[1]]
    assert await listed(inbox, inbox.staff, q="%") == []  # a wildcard is a character, not "everyone"
    escalations = (await inbox.ok(inbox.staff, "GET", "/api/escalations?status=open"))["escalations"]
    assert [(e["client_name"], e["client"], e["label"]) for e in escalations] == [
        ("Dana", DANA[0], "Asked for a person")
    ]


async def _count(inbox: Inbox, n: int) -> list[dict[str, Any]] | None:
    rows = await listed(inbox, inbox.staff)
    return rows if len(rows) == n else None


async def _first_unread(inbox: Inbox, conversation_id: str) -> bool:
    rows = await listed(inbox, inbox.staff)
    return any(r["conversation_id"] == conversation_id and r["unread"] for r in rows)


async def test_assignment_is_kept_shown_and_filters_mine(inbox: Inbox) -> None:
    await text_in(inbox, BEA, "Hi")
    await text_in(inbox, CARL, "Hello")
    await until(lambda: _count(inbox, 2), "two conversations")
    path = f"/api/conversations/{SPA}/{BEA[1]}/assign"
    done = await inbox.ok(inbox.owner, "POST", path, json={"user_id": str(inbox.maria.user_id)})
    assert done == {"assigned_to": str(inbox.maria.user_id), "assigned_name": "Maria"}

    mine = await listed(inbox, inbox.staff, mine="true")
    assert order(mine) == [BEA[1]] and mine[0]["assigned_name"] == "Maria"
    assert await listed(inbox, inbox.owner, mine="true") == []
    everyone = {r["conversation_id"]: r["assigned_name"] for r in await listed(inbox, inbox.owner)}
    assert everyone == {BEA[1]: "Maria", CARL[1]: None}

    for bad, status in ((str(inbox.olga.user_id), 422), (str(uuid.uuid4()), 422), ("maria", 422)):
        refused = await inbox.owner.post(path, json={"user_id": bad})
        assert refused.status_code == status, refused.text
    missing = await inbox.owner.post(f"/api/conversations/{SPA}/cnobody/assign", json={"user_id": None})
    assert missing.status_code == 404
    assert order(await listed(inbox, inbox.staff, mine="true")) == [BEA[1]]  # the refusals changed nothing

    await inbox.ok(inbox.staff, "POST", path, json={"user_id": None})
    assert await listed(inbox, inbox.staff, mine="true") == []


async def test_views_and_staff_actions_are_found_by_the_clients_phone_in_the_audit_api(
    inbox: Inbox, audit: RunningAudit
) -> None:
    escalation_id = await escalate(inbox, DANA, "medical", name="Dana")
    await text_in(inbox, BEA, "Hi")
    await until(lambda: _count(inbox, 2), "two conversations")
    base = f"/api/conversations/{SPA}/{DANA[1]}"
    await inbox.ok(inbox.staff, "GET", base)
    await inbox.ok(inbox.staff, "POST", base + "/reply", json={"body": "Hi Dana, Maria here."})
    await inbox.ok(inbox.staff, "POST", f"/api/escalations/{escalation_id}/resolve")
    await inbox.ok(inbox.staff, "POST", base + "/resume")
    await inbox.ok(inbox.staff, "GET", f"/api/conversations/{SPA}/{BEA[1]}")  # another client

    token = await audit_handlers.create_token(audit.pool, "compliance", SPA)
    expected = ["staff.reply", "staff.resolve_escalation", "staff.resume_ai", "staff.view_conversation"]

    async def dana_records() -> list[dict[str, Any]] | None:
        response = await audit.http.post(
            "/v1/records/search",
            json={"spa": SPA, "client_phone": "(415) 555-0142"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        records = [r for r in response.json()["records"] if r["actor"]["service"] == "escalation"]
        return records if sorted({r["action"] for r in records}) == expected else None

    records = await until(dana_records, "Dana's records in the audit log")
    maria = str(inbox.maria.user_id)
    assert {(r["actor"]["staff_user"], r["actor"]["conversation_id"]) for r in records} == {(maria, DANA[1])}
    assert "Hi Dana" not in json.dumps(records) and DANA[0] not in json.dumps(records)


async def test_owner_figures_on_known_data(inbox: Inbox) -> None:
    yesterday = datetime.now(LA).date() - timedelta(days=1)
    p, q = BEA, CARL
    await text_in(inbox, p, "Can I book a facial?", local(yesterday, 10, 0))  # open
    await text_out(inbox, p, local(yesterday, 10, 0, 30))  # answered in 30 s
    await text_in(inbox, q, "Any Botox tomorrow?", local(yesterday, 22, 0))  # after the spa's hours
    await text_out(inbox, q, local(yesterday, 22, 1))  # 60 s
    await escalate(inbox, q, "medical", occurred_at=local(yesterday, 22, 3))
    for conversation, price, package, at in (
        (q[1], 35000, None, local(yesterday, 22, 2)),  # paid: revenue, after hours
        (p[1], 20000, "HydraFacial x3", local(yesterday, 10, 5)),  # a package session: not revenue
        (p[1], 0, None, local(yesterday, 10, 6)),  # a free consultation: not revenue
    ):
        await booking(inbox, conversation, price, package, at)

    async def figures() -> dict[str, Any] | None:
        out = await inbox.ok(inbox.owner, "GET", "/api/owner/stats", params={"days": 7})
        day = next(d for d in out["days"] if d["start"] == yesterday.isoformat())
        # Texts, replies, bookings and escalations arrive on four streams: wait until all are in.
        landed = day["bookings"] == 3 and day["escalations"] and day["conversations"] == 2
        return out if landed and day["median_first_response_seconds"] == 45.0 else None  # 30 s and 60 s

    out = await until(figures, "yesterday's figures")
    day = next(d for d in out["days"] if d["start"] == yesterday.isoformat())
    assert (day["conversations"], day["after_hours_conversations"], day["after_hours_share"]) == (2, 1, 0.5)
    assert (day["bookings"], day["revenue_cents"], day["package_sessions"], day["free_bookings"]) == (
        3,
        35000,
        1,
        1,
    )
    assert day["escalations"] == {"medical": 1}
    assert len(out["days"]) == 7 and out["total"]["revenue_cents"] == 35000 and out["weeks"]
    assert out["opening_hours"]["mon"] == "09:00-18:00" and out["fallback_hours"] is None
    recovered = (await inbox.ok(inbox.owner, "GET", "/api/recovered"))["spas"][0]
    # After hours by the spa's hours (not the 00:00-23:59 fallback); the package session is not revenue.
    summary = (recovered["after_hours_bookings"], recovered["bookings"], recovered["revenue_cents"])
    assert summary == (1, 3, 35000)
    forbidden = await inbox.staff.get("/api/owner/stats")
    assert forbidden.status_code == 403  # owners only
    assert (await inbox.owner.get("/api/owner/stats", params={"days": 0})).status_code == 422


def local(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    """A spa-local moment."""
    return datetime.combine(day, time(hour, minute, second), LA)


async def booking(inbox: Inbox, conversation_id: str, price: int, package: str | None, at: datetime) -> None:
    """The agent's BookingConfirmed on the conversation stream."""
    event = {
        "type": "booking_confirmed",
        "id": str(uuid.uuid4()),
        "tenant_id": SPA,
        "conversation_id": conversation_id,
        "booking_id": str(uuid.uuid4()),
        "service_name": "HydraFacial",
        "price_cents": price,
        "covered_by_package": package,
        "occurred_at": at.isoformat(),
    }
    await inbox.js.publish(inbox.topology.conversation(SPA, conversation_id), json.dumps(event).encode())
