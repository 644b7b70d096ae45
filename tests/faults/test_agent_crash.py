"""kill -9 an agent replica mid-turn with three running: the turn completes on another, one reply."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from tests.e2e.replicas import kill, start_agent_replicas
from tests.e2e.system_support import System
from tests.faults.conftest import StartSystem
from tests.faults.invariants import Ledger, check_invariants

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]


async def _in_flight(system: System) -> int:
    info = await system.nc.jetstream().consumer_info(system.topology.stream_sms_inbound.name, "agent-inbound")
    return info.num_ack_pending


def _signal(system: System, names: list[str], sig: signal.Signals) -> None:
    for name in names:
        os.kill(system.procs[name].pid, sig)


async def test_turn_of_a_killed_agent_completes_on_another_with_one_reply(start_system: StartSystem) -> None:
    # A dead replica's unacked text comes back after the ack wait: short here, so the test is quick.
    async with start_system(AGENT_ACK_WAIT_SECONDS="4") as system:
        ledger = Ledger()
        robin = "+14155550185"
        await ledger.text(system, robin, "Hi, I'm Robin. Something for my forehead lines")
        await system.sent(robin, 1)
        others = await start_agent_replicas(system, 2)  # three running
        # Make sure the first agent takes the next text: the others are paused until their pending
        # pulls (1 s) have expired, and the scheduler is paused so the turn stays in progress.
        _signal(system, others, signal.SIGSTOP)
        await asyncio.sleep(1.5)
        _signal(system, ["scheduler"], signal.SIGSTOP)
        try:
            await ledger.text(system, robin, "Monday around 2pm")
            await system.eventually(lambda: _in_flight(system), "the turn in the first agent's hands", 5)
            _signal(system, others, signal.SIGCONT)
            kill(system, "agent")  # mid-turn: its tool call is still waiting for the scheduler
        finally:
            _signal(system, [*others, "scheduler"], signal.SIGCONT)
        await check_invariants(system, ledger, timeout=90)
        assert "Reply 1" in system.twilio.sent_to(robin)[-1].body
