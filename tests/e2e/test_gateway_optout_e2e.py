"""Opt-out by meaning and a bare CANCEL through every service as a process, Twilio faked at the wire.

On Twilio the carrier answers its own keywords (CANCEL among them), so the gateway sends nothing
after a bare CANCEL; it answers "Stop texting me" itself, since Twilio does not know that phrase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.conversation import TurnCompleted
from tests.e2e.system_support import TENANT, System, started_system

pytestmark = pytest.mark.e2e

NOTICE = "Reply STOP to opt out."


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes on a database and subject prefix of this module's own."""
    tmp: Path = tmp_path_factory.mktemp("optout")
    async with started_system(servers["postgres"], servers["nats"], tmp) as running:
        yield running


async def _messages(system: System, number: str) -> list[dict[str, Any]]:
    view = await system.inbox(f"/api/conversations/{TENANT}/{system.conversation(number)}")
    return view["messages"]  # type: ignore[no-any-return]


async def test_stop_texting_me_is_answered_once_and_nothing_follows(system: System) -> None:
    client = "+14155550181"
    first = await system.say(client, "Hi I'm Sam, I'd like a HydraFacial")
    assert first.endswith(NOTICE), first  # the spa's first text to the number
    confirmation = await system.say(client, "Stop texting me")
    assert "unsubscribed" in confirmation and NOTICE not in confirmation, confirmation
    await system.text(client, "Friday?")  # still opted out: the agent may answer, nothing is sent
    events = await system.agent_log.wait_for_turns(client, 3, timeout=15)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)][1] == "keyword"

    async def refused() -> bool:
        return any(
            m["direction"] == "out" and m["status"] == "failed" for m in await _messages(system, client)
        )

    await system.eventually(refused, "the reply after the opt-out to be recorded as not sent")
    assert [m.body for m in system.twilio.sent_to(client)] == [first, confirmation]


async def test_bare_cancel_with_a_booking_ahead_alerts_staff(system: System) -> None:
    client = "+14155550182"
    await system.say(client, "Hi I'm Jo, I'd like a HydraFacial")
    offer = await system.say(client, "tomorrow afternoon")
    assert "Reply 1" in offer, offer
    booked = await system.say(client, "1")
    assert booked.startswith("You're booked"), booked
    await system.text(client, "CANCEL")
    webhook, email = await system.alert_for(client)
    assert "cancellation" in webhook.lower() and "cancellation" in email.lower(), (webhook, email)

    async def escalated() -> list[dict[str, Any]]:
        view = await system.inbox(f"/api/conversations/{TENANT}/{system.conversation(client)}")
        return [e for e in view["escalations"] if e["category"] == "cancellation"]

    [alert] = await system.eventually(escalated, "the cancellation escalation in the inbox")
    assert "1 upcoming booking" in alert["reason"], alert
    assert len(system.twilio.sent_to(client)) == 3  # Twilio itself answers CANCEL on a real number
