"""Twilio answers 500s and 429s for a while: each text goes out once when it recovers."""

from __future__ import annotations

import pytest

from tests.e2e.system_support import System
from tests.faults.invariants import Ledger, check_invariants

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

GREETING = "Hi, I'm {name}. Something for my forehead lines"


async def test_texts_held_up_by_twilio_errors_are_each_delivered_once(system: System) -> None:
    ledger = Ledger()
    # More failures than one send's attempts (4): a text must outlast them, not be given up.
    system.twilio.fail_next(500, times=6)
    system.twilio.fail_next(429, times=6, code=20429)
    clients = {"+14155550181": "Robin", "+14155550182": "Sasha", "+14155550183": "Toni"}
    for number, name in clients.items():
        await ledger.text(system, number, GREETING.format(name=name))
    await check_invariants(system, ledger, timeout=90)
    assert len(system.twilio.requests) > len(system.twilio.sent), "the failures were served"
