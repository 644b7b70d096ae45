"""Turns per second through the agent alone, and p50/p99 turn latency.

An inbound SmsReceived goes in on SMS_INBOUND; the turn ends when its SendSms reaches SMS_OUTBOUND.
The scheduler is real (in-process, PostgreSQL with the demo spa), as are NATS and JetStream.
Each conversation texts its next message only after the previous reply (like a person); many
conversations run at once. Target: at least 300 turns/s, p99 under 100 ms.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

import nats

from shared.embedded import EmbeddedNats, EmbeddedPostgres
from shared.logging import configure_logging
from shared.subjects import Topology

CONVERSATIONS = int(os.environ.get("BENCH_AGENT_CONVERSATIONS", "200"))
SCRIPT = ["Hi there", "I'm Robin", "I'd like a HydraFacial", "what about dermaplaning"]


async def _run(nats_url: str, database_url: str) -> None:
    from tests.integration.agent_harness import Phone, System, ensure

    topology = Topology("bench")
    nc = await nats.connect(nats_url)
    await ensure(nc, topology)
    phone = Phone(nc, topology)
    await phone.start()
    system = System(nats_url, database_url, topology)
    await system.start(replicas=1, log_level="WARNING")
    numbers = [f"+1415556{i:04d}" for i in range(CONVERSATIONS)]
    latencies: list[float] = []

    async def converse(number: str) -> None:
        for body in SCRIPT:
            started = time.perf_counter()
            await phone.text(number, body)
            await phone.reply(number, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)

    try:
        # Warm-up, then one conversation at a time: latency with no queueing behind other turns.
        await converse("+14155569999")
        latencies.clear()
        for i in range(10):
            await converse(f"+1415557{i:04d}")
        solo = sorted(latencies)
        latencies.clear()
        begun = time.perf_counter()
        await asyncio.gather(*(converse(n) for n in numbers))
        elapsed = time.perf_counter() - begun
    finally:
        await system.stop()
        await phone.stop()
        await nc.drain()
    turns = len(latencies)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"agent: one conversation at a time: p50 {statistics.median(solo):.1f} ms, "
        f"p99 {solo[min(len(solo) - 1, int(len(solo) * 0.99))]:.1f} ms"
    )
    print(f"agent: {turns} turns over {CONVERSATIONS} conversations in {elapsed:.2f} s")
    print(f"agent: {turns / elapsed:.0f} turns/s (target >= 300)")
    p50 = statistics.median(latencies)
    print(f"agent: turn latency p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 < 100 ms)")


def main() -> None:
    """Start embedded NATS and PostgreSQL unless NATS_URL / DATABASE_URL are set, then measure."""
    logging.disable(logging.WARNING)
    configure_logging("bench-agent", "WARNING", "json")
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-agent-"))
    started: list[EmbeddedNats | EmbeddedPostgres] = []
    nats_url = os.environ.get("NATS_URL")
    if not nats_url:
        n = EmbeddedNats(tmp / "nats").start()
        started.append(n)
        nats_url = n.url
    pg_url = os.environ.get("DATABASE_URL")
    if not pg_url:
        os.chmod(tmp, 0o755)
        p = EmbeddedPostgres(tmp / "postgres", durable=False).start()
        started.append(p)
        pg_url = p.create_database("bench_agent")
    try:
        asyncio.run(_run(nats_url, pg_url))
    finally:
        for s in reversed(started):
            s.stop()


if __name__ == "__main__":
    main()
