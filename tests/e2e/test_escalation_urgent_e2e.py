"""Urgency and the agent's notes reach staff: every service a real process, Twilio faked at the wire.

A possible emergency texted to the spa comes back with the 911 advice, alerts staff with "URGENT" at
both sinks (last four digits, no symptoms) and lists first in the inbox; a text written for a relative
leaves the agent's note in the conversation view.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.system_support import TENANT, System, started_system

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes on a database and subject prefix of this module's own."""
    tmp: Path = tmp_path_factory.mktemp("urgent")
    async with started_system(servers["postgres"], servers["nats"], tmp) as running:
        yield running


async def test_trouble_breathing_after_a_treatment_is_urgent_for_staff(system: System) -> None:
    calm, urgent = "+14155550171", "+14155550172"
    handoff = await system.say(urgent, "having trouble breathing since the filler yesterday")
    assert "911" in handoff, handoff
    webhook, email = await system.alert_for(urgent)
    # A later, ordinary handoff: newer, yet listed after the urgent one.
    await system.say(calm, "Can I cancel my appointment on Friday?")
    for alert in (webhook, email):
        assert alert.startswith("URGENT: "), alert
        assert "0172" in alert and "4155550172" not in alert
        assert "breath" not in alert.lower() and "filler" not in alert.lower(), "never the symptoms"
    calm_hook, _ = await system.alert_for(calm)
    assert "URGENT" not in calm_hook

    listing = (await system.inbox("/api/conversations"))["conversations"]
    order = [c["conversation_id"] for c in listing]
    first = order.index(system.conversation(urgent))
    assert first < order.index(system.conversation(calm)), "the urgent conversation lists first"
    assert listing[first]["urgent"] is True
    view = await system.inbox(f"/api/conversations/{TENANT}/{system.conversation(urgent)}")
    assert [e["priority"] for e in view["escalations"]] == ["urgent"]


async def test_a_text_for_a_relative_leaves_the_agents_note_for_staff(system: System) -> None:
    client = "+14155550173"
    await system.say(client, "hi, I'd like to book a hydrafacial for my daughter")
    path = f"/api/conversations/{TENANT}/{system.conversation(client)}"

    async def noted() -> list[dict[str, Any]] | None:
        return (await system.inbox(path))["staff_notes"] or None

    notes = await system.eventually(noted, "the agent's note in the conversation view")
    assert len(notes) == 1 and "someone else" in notes[0]["note"], notes
