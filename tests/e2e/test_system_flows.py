"""The five flows of the mission, end to end: every service a real process, texts in through the
gateway's signed Twilio webhook, replies out through a fake Twilio server, alerts at local sinks.

Each test uses its own client number, so the tests share one running system (started once for the
module) and stay independent of each other's order.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from shared.contracts.conversation import BookingConfirmed, SlotsProposed, TurnCompleted
from tests.e2e.system_support import TENANT, System, started_system

pytestmark = pytest.mark.e2e

BEN = "+14155550102"  # demo client with 2 HydraFacial sessions left on a package
OPTION = re.compile(
    r"(?P<day>today|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[^,]*? at "
    r"(?P<time>\d{1,2}(?::\d{2})?[ap]m) with (?P<provider>[A-Z][a-z]+)"
)
SPA_TZ = ZoneInfo("America/Los_Angeles")  # the demo spa's time zone
HANDOFF = "connecting you with our team"


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes on a database and subject prefix of this module's own."""
    tmp: Path = tmp_path_factory.mktemp("system")
    async with started_system(servers["postgres"], servers["nats"], tmp) as running:
        yield running


async def test_new_client_is_booked_from_first_text_to_confirmation(system: System) -> None:
    dana = "+14155550160"
    first = await system.say(dana, "Hi, I'm Dana — something for my forehead lines")
    assert "Neurotoxin Consultation" in first, first
    offer = await system.say(dana, "Monday around 2pm")
    assert "Reply 1, 2, or 3" in offer, offer
    options = list(OPTION.finditer(offer))
    assert len(options) == 3, offer
    second = options[1]
    confirmation = await system.say(dana, "2")
    assert confirmation.startswith("You're booked: Botox / Neurotoxin Consultation"), confirmation
    # Options say "today"/"tomorrow" when they can; the confirmation always names the weekday.
    today = datetime.now(SPA_TZ).date()
    day = {"today": today, "tomorrow": today + timedelta(days=1)}.get(second["day"])
    weekday = day.strftime("%A") if day else second["day"]
    for part in (f"on {weekday}, ", f" at {second['time']} with {second['provider']} "):
        assert part in confirmation, (part, offer, confirmation)
    assert "2140 Chestnut St" in confirmation

    # The booking is in the system of record, and the inbox counts it as recovered.
    conn = await asyncpg.connect(system.database_url)
    try:
        booked = await conn.fetch(
            "SELECT b.status, s.name FROM scheduler.bookings b JOIN scheduler.clients c ON c.id = b.client_id"
            " JOIN scheduler.services s ON s.id = b.service_id WHERE c.phone = $1",
            dana,
        )
    finally:
        await conn.close()
    assert [(r["status"], r["name"]) for r in booked] == [("booked", "Botox / Neurotoxin Consultation")]

    async def recovered() -> bool:
        spas = (await system.inbox("/api/recovered"))["spas"]
        return any(s["tenant_id"] == TENANT and s.get("bookings", s.get("count", 0)) for s in spas)

    await system.eventually(recovered, "the inbox's recovered summary")

    # Every tool call of the conversation is in the audit log, readable through the compliance API.
    async def audited() -> set[str]:
        resp = await system.http.post(
            system.urls["audit"] + "/v1/records/search",
            json={"spa": TENANT, "conversation_id": system.conversation(dana), "limit": 1000},
            headers={"Authorization": f"Bearer {system.audit_token}"},
        )
        resp.raise_for_status()
        actions = {r["action"] for r in resp.json()["records"]}
        return actions if {"hold_slots", "confirm_booking"} <= actions else set()

    actions = await system.eventually(audited, "audit records of the booking's tool calls")
    assert {"find_availability", "hold_slots", "confirm_booking"} <= actions, actions


async def test_medical_question_hands_off_alerts_staff_and_pauses_the_ai(system: System) -> None:
    client = "+14155550161"
    handoff = await system.say(client, "Is Botox safe while I'm pregnant?")
    assert HANDOFF in handoff, handoff
    webhook, email = await system.alert_for(client)
    assert "medical" in webhook.lower() and "medical" in email.lower(), (webhook, email)
    for alert in (webhook, email):
        assert "pregnan" not in alert.lower() and "botox" not in alert.lower(), "never the clinical reason"

    path = f"/api/conversations/{TENANT}/{system.conversation(client)}"

    async def paused() -> dict[str, Any] | None:
        view = await system.inbox(path)
        return view if view["conversation"]["ai_paused"] and view["escalations"] else None

    view = await system.eventually(paused, "the inbox to show the conversation paused")
    assert [e["category"] for e in view["escalations"]] == ["medical"]

    await system.text(client, "hello? can I book for monday")
    events = await system.agent_log.wait_for_turns(client, 2, timeout=15)
    outcomes = [e.outcome for e in events if isinstance(e, TurnCompleted)]
    assert outcomes == ["escalated", "paused"]
    assert [m.body for m in system.twilio.sent_to(client)] == [handoff], "no AI reply while paused"


async def test_price_objection_with_a_package_says_how_many_sessions_remain(system: System) -> None:
    await system.say(BEN, "Hi it's Ben, I'd like a HydraFacial")
    answer = await system.say(BEN, "hmm that's expensive")
    assert "2 sessions left" in answer, answer


async def test_price_objection_without_a_package_offers_package_pricing_and_the_free_consult(
    system: System,
) -> None:
    client = "+14155550162"
    await system.say(client, "Hi I'm Dana, I'm interested in laser hair removal")
    answer = await system.say(client, "that's expensive")
    assert "$125 per session" in answer, answer  # the 6-session package: $750 / 6
    assert "consultation is free" in answer, answer
    assert "sessions left" not in answer and "% off" not in answer, "no invented package or discount"


async def test_digit_reply_after_the_hold_expired_apologises_with_fresh_options(system: System) -> None:
    client = "+14155550163"
    await system.say(client, "Hi I'm Erin, I'd like a HydraFacial")
    offer = await system.say(client, "Friday afternoon")
    assert "Reply 1" in offer, offer
    # The hold runs out while the client decides (the scheduler's clock is the database's).
    conn = await asyncpg.connect(system.database_url)
    try:
        expired = await conn.execute(
            "UPDATE scheduler.holds h SET expires_at = now() - interval '1 second' FROM scheduler.clients c"
            " WHERE c.id = h.client_id AND c.phone = $1 AND h.status = 'held'",
            client,
        )
    finally:
        await conn.close()
    assert expired != "UPDATE 0", "the options were held for this client"
    again = await system.say(client, "1")
    assert again.startswith("Sorry"), again
    assert "Reply 1" in again, again
    events = await system.agent_log.events(client)
    assert not any(isinstance(e, BookingConfirmed) for e in events)
    assert sum(isinstance(e, SlotsProposed) for e in events) == 2


async def test_digit_reply_after_a_short_agent_hold_ttl_ran_out_gets_fresh_options(
    servers: dict[str, str], tmp_path: Path
) -> None:
    # A system of its own whose agent holds options for AGENT_HOLD_TTL_SECONDS=10 (its minimum):
    # the client really does answer after the hold ran out on the clock.
    client = "+14155550166"
    async with started_system(
        servers["postgres"], servers["nats"], tmp_path, {"AGENT_HOLD_TTL_SECONDS": "10"}
    ) as short:
        await short.say(client, "Hi I'm Fay, I'd like a HydraFacial")
        offer = await short.say(client, "Friday afternoon")
        assert "Reply 1" in offer, offer
        conn = await asyncpg.connect(short.database_url)
        try:
            query = (
                "SELECT h.expires_at - h.created_at AS ttl, h.expires_at <= now() AS expired"
                " FROM scheduler.holds h JOIN scheduler.clients c ON c.id = h.client_id WHERE c.phone = $1"
            )
            holds = await conn.fetch(query, client)
            assert holds and all(timedelta(seconds=9) <= h["ttl"] <= timedelta(seconds=11) for h in holds)

            async def ran_out() -> bool:
                return all(h["expired"] for h in await conn.fetch(query, client))

            await short.eventually(ran_out, "the holds to run out", timeout=20)
        finally:
            await conn.close()
        again = await short.say(client, "1")
        assert again.startswith("Sorry"), again
        assert "Reply 1" in again, again
        events = await short.agent_log.events(client)
        assert not any(isinstance(e, BookingConfirmed) for e in events)


async def test_cancellation_request_goes_to_staff_with_an_alert_and_pauses_the_ai(system: System) -> None:
    client = "+14155550164"
    handoff = await system.say(client, "I need to cancel my appointment tomorrow")
    assert HANDOFF in handoff, handoff
    webhook, _email = await system.alert_for(client)
    assert "cancel" in webhook.lower() or "reschedul" in webhook.lower(), webhook

    path = f"/api/conversations/{TENANT}/{system.conversation(client)}"

    async def paused() -> dict[str, Any] | None:
        view = await system.inbox(path)
        return view if view["conversation"]["ai_paused"] and view["escalations"] else None

    view = await system.eventually(paused, "the inbox to show the conversation paused")
    assert view["escalations"][0]["category"] in ("cancellation", "reschedule")


async def test_after_stop_a_staff_reply_is_not_sent(system: System) -> None:
    client = "+14155550165"
    await system.say(client, "Hi I'm Sam, I'd like a HydraFacial")
    await system.text(client, "STOP")
    path = f"/api/conversations/{TENANT}/{system.conversation(client)}"

    async def stopped() -> bool:
        view = await system.inbox(path)
        return any(m["direction"] == "in" and m["keyword"] == "stop" for m in view["messages"])

    await system.eventually(stopped, "the inbox to record the STOP")
    resp = await system.http.post(
        system.urls["escalation"] + path + "/reply",
        json={"body": "Hi Sam, this is Glow, any questions?"},
        headers=system.staff,
    )
    assert resp.status_code == 200, resp.text

    async def refused() -> bool:
        view = await system.inbox(path)
        return any(m["direction"] == "out" and m["status"] == "failed" for m in view["messages"])

    await system.eventually(refused, "the staff reply to be recorded as not sent")
    assert len(system.twilio.sent_to(client)) == 1, [m.body for m in system.twilio.sent_to(client)]
