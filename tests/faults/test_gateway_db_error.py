"""A database error inside the gateway's send handler: the text is sent once after recovery."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.e2e.system_support import System
from tests.faults.invariants import Ledger, check_invariants

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]


async def test_send_that_meets_a_database_error_is_sent_once_after_recovery(system: System) -> None:
    ledger = Ledger()
    robin = "+14155550184"
    await ledger.text(system, robin, "Hi, I'm Robin. Something for my forehead lines")
    await system.sent(robin, 1)
    conn = await asyncpg.connect(system.database_url)
    try:
        # The outbound table away: every statement of the send handler fails (UndefinedTableError).
        await conn.execute("ALTER TABLE gateway.outbound_messages RENAME TO outbound_messages_away")
        try:
            await ledger.text(system, robin, "Monday around 2pm")
            await asyncio.sleep(3.0)  # the reply's SendSms meets the error, at least once
            assert len(system.twilio.sent_to(robin)) == 1, "sent while its table was away"
        finally:
            await conn.execute("ALTER TABLE gateway.outbound_messages_away RENAME TO outbound_messages")
    finally:
        await conn.close()
    await check_invariants(system, ledger, timeout=90)
