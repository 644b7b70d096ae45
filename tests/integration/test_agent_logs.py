"""The agent's logs never hold a phone number or what a client or staff member wrote (invariant 6)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from nats.aio.client import Client as NatsClient

from shared.logging import configure_logging
from shared.subjects import Topology
from tests.integration.agent_harness import TENANT, Phone, System, ensure

pytestmark = pytest.mark.integration

CLIENT = "+14155550177"
SECRET_TEXTS = [
    "Hi I'm Quentin, I'd like a HydraFacial",
    "Is Botox safe while I'm pregnant with twins",
    "Zanzibar-marmalade",
]


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Everything the process logs during the test, set up as the services do (JSON, redacted)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    sink = io.StringIO()
    monkeypatch.setattr(sys, "stderr", sink)
    configure_logging("agent", "INFO", "json")
    yield sink
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    structlog.reset_defaults()


@pytest.fixture
async def system(
    nats_url: str, database_url: str, topology: Topology, nc: NatsClient, logs: io.StringIO
) -> AsyncIterator[tuple[System, Phone]]:
    """The scheduler and one agent, and a phone, with logging set up as the services do."""
    await ensure(nc, topology)
    phone = Phone(nc, topology)
    await phone.start()
    s = System(nats_url, database_url, topology)
    await s.start()
    yield s, phone
    await s.stop()
    await phone.stop()


async def test_agent_logs_hold_no_phone_number_and_no_message_text(
    system: tuple[System, Phone], logs: io.StringIO, topology: Topology
) -> None:
    _, phone = system
    await phone.say(CLIENT, SECRET_TEXTS[0])
    await phone.text(CLIENT, SECRET_TEXTS[1])
    await phone.escalation()
    # A malformed text and a malformed staff reply: both fail validation, whose error quotes its input.
    bad_inbound = {
        "message_sid": {"sid": SECRET_TEXTS[2], "from": CLIENT},
        "tenant_id": TENANT,
        "conversation_id": phone.conversation(CLIENT),
        "from_number": CLIENT,
        "to_number": "+14155550199",
        "body": SECRET_TEXTS[2],
    }
    await phone.js.publish(
        topology.sms_inbound(TENANT, phone.conversation(CLIENT)), json.dumps(bad_inbound).encode()
    )
    bad_reply = {"tenant_id": TENANT, "conversation_id": "c1", "to_number": CLIENT, "body": SECRET_TEXTS[2]}
    await phone.js.publish(topology.staff(TENANT, "reply"), json.dumps(bad_reply).encode())

    async with asyncio.timeout(15):
        # The log is the thing under test: poll it until both failures were logged.
        while True:
            if "agent.staff.invalid" in logs.getvalue() and "ValidationError" in logs.getvalue():
                break
            await asyncio.sleep(0.05)
    text = logs.getvalue()
    assert "agent.turn.handled" in text, "the agent logged its turns at all"
    digits = CLIENT.lstrip("+")
    for needle in (CLIENT, digits, digits[1:], "555-0177", "5550177"):
        assert needle not in text, f"a phone number reached the logs: {needle}"
    for secret in [*SECRET_TEXTS, "Quentin", "pregnant", "Zanzibar"]:
        assert secret not in text, f"message text reached the logs: {secret}"
