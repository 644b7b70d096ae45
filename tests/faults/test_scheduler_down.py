"""The scheduler down for 30 s: the client hears something (never silence), the turn completes after."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.replicas import kill, restart
from tests.e2e.system_support import System
from tests.faults.invariants import Ledger, check_invariants, served_tool_calls

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

DOWN_SECONDS = 30.0
HEARD_WITHIN = 15.0  # a client waiting longer than this for any answer has been left in silence
HOLDING_OR_HANDOFF = ("moment", "connecting you with our team")


async def test_client_is_answered_while_the_scheduler_is_down_and_the_turn_completes_after(
    system: System,
) -> None:
    ledger = Ledger()
    robin = "+14155550186"
    await ledger.text(system, robin, "Hi, I'm Robin. Something for my forehead lines")
    await system.sent(robin, 1)
    served_earlier = await served_tool_calls(system)
    kill(system, "scheduler")
    loop = asyncio.get_running_loop()
    down_at = loop.time()
    await ledger.text(system, robin, "Monday around 2pm")
    heard = (await system.sent(robin, 2, timeout=HEARD_WITHIN))[1].body
    assert any(words in heard.lower() for words in HOLDING_OR_HANDOFF), heard
    ledger.holding[robin] += 1
    await asyncio.sleep(max(0.0, DOWN_SECONDS - (loop.time() - down_at)))
    await restart(system, "scheduler")
    await check_invariants(system, ledger, served_earlier=served_earlier, timeout=90)
    if "moment" in heard.lower():
        assert "Reply 1" in system.twilio.sent_to(robin)[-1].body, "the turn completed once it was back"
