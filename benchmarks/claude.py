"""The Claude brain's own cost per turn, how often it falls back, and its tokens per turn on the
scenario suite, against a fake Messages API.

In-process on embedded NATS and PostgreSQL: the real scheduler (demo spa) and one agent with
AGENT_BRAIN=claude, its model route pointed at tests/support/fake_anthropic.py answered by the playing
model (tests/support/playing_model.py: match, find, hold, offer; confirm the number the client sent),
which answers instantly. Figures:

- the latency the model layer adds to a turn, model time excluded: ClaudeBrain.decide minus the time
  waiting on the model and minus the scheduler's time in the tool calls (history read, prompt, tool
  schema checks, allow-listing, events), p50/p99, one conversation at a time;
- the request size the model would be billed for (the fake counts JSON characters / 4: an estimate);
- the fallback rate when the fake fails 20% of requests (429/500/529 at random), with the SDK's
  retries off and with one retry;
- the scenario suite (tests/conversations) through the playing model, the whole system as processes:
  pass rate, the share of turns the model answered, tool calls, and tokens per answered turn (the
  fake's estimate from the actual system prompt, messages and tool schemas the brain sent).

Environment: BENCH_CLAUDE_CONVERSATIONS (default 40), BENCH_CLAUDE_SUITE=0 skips the suite (~3 min).
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import nats

from services.agent.claude import limits
from services.agent.claude.brain import ClaudeBrain
from services.agent.scenarios.main import rate
from shared.embedded import LocalServers
from shared.logging import configure_logging
from shared.subjects import Topology
from tests.e2e.test_conversation_suite import SUITE
from tests.integration.agent_harness import Phone, System, ensure
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.model_turns import play_with_model
from tests.support.playing_model import PlayingModel

CONVERSATIONS = int(os.environ.get("BENCH_CLAUDE_CONVERSATIONS", "40"))
TEXTS = ["Hi, I'd like to book a HydraFacial sometime next week", "1"]


def _timed(brain: ClaudeBrain, samples: list[float]) -> None:
    decide = brain.decide

    async def timed(ctx: Any) -> Any:
        model, tools, started = brain.model_seconds, brain.tool_seconds, time.perf_counter()
        try:
            return await decide(ctx)
        finally:
            spent = time.perf_counter() - started
            samples.append(spent - (brain.model_seconds - model) - (brain.tool_seconds - tools))

    brain.decide = timed  # type: ignore[method-assign]


def _brain(system: System) -> ClaudeBrain:
    ctx = next(c for spec, c in system.services if spec.name == "agent")
    return ctx.extras["runtime"].ports.brain  # type: ignore[no-any-return]


async def _conversations(phone: Phone, base: int, count: int, concurrency: int) -> int:
    """Run the conversations (each text waits for its reply: an unanswered turn fails the run);
    how many ended booked."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> bool:
        async with gate:
            number = f"+1415556{base + i:04d}"
            replies = [await phone.say(number, body, timeout=30) for body in TEXTS]
            return replies[-1].startswith("You're booked")  # the playing model says the brain's words

    return sum(await asyncio.gather(*(one(i) for i in range(count))))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _phase(system: System, fake: FakeAnthropic, **settings: Any) -> None:
    await system.stop_agents()
    base = {"brain": "claude", "model_route": "self-hosted", "model_base_url": fake.base_url}
    await system.add_agent(**base, **settings)
    limits.TURNS.clear()
    limits.FALLBACKS.clear()


async def run(tmp: Path) -> None:
    """Start the servers, the scheduler, the agent and the fake; print the figures."""
    servers = LocalServers(tmp)
    fake = await FakeAnthropic(default=PlayingModel()).start()
    topology = Topology("benchclaude")
    nc = await nats.connect(servers.nats_url)
    system = System(servers.nats_url, servers.database_url, topology)
    try:
        await ensure(nc, topology)
        phone = Phone(nc, topology)
        await phone.start()
        await system.start(brain="claude", model_route="self-hosted", model_base_url=fake.base_url)
        samples: list[float] = []
        _timed(_brain(system), samples)
        started = time.perf_counter()
        booked = await _conversations(phone, 0, CONVERSATIONS, concurrency=1)
        elapsed = time.perf_counter() - started
        turns = len(samples)
        print(f"turns: {turns}, {booked}/{CONVERSATIONS} conversations booked, {turns / elapsed:.1f} turns/s")
        print(
            f"model layer per turn (model and scheduler time excluded): p50 {_pct(samples, 0.5):.1f} ms,"
            f" p99 {_pct(samples, 0.99):.1f} ms, mean {statistics.mean(samples) * 1000:.1f} ms"
        )
        sizes = [len(r.raw) // 4 for r in fake.requests]
        per_turn = len(fake.requests) / turns
        print(f"model requests per turn: {per_turn:.2f}; size ~{statistics.mean(sizes):.0f} tokens (chars/4)")
        fake.fail_rate = 0.2
        for retries, base in ((0, 1000), (1, 2000)):
            await _phase(system, fake, model_max_retries=retries)
            before = len(fake.requests)
            booked = await _conversations(phone, base, CONVERSATIONS, concurrency=4)
            fell, total = sum(limits.FALLBACKS.values()), limits.TURNS["turns"]
            print(
                f"fake failing 20% of requests, retries={retries}: {fell}/{total} turns fell back"
                f" ({100 * fell / max(1, total):.0f}%), {dict(limits.FALLBACKS)};"
                f" {len(fake.requests) - before} requests; all answered, {booked}/{CONVERSATIONS} booked"
            )
        await phone.stop()
    finally:
        await system.stop()
        await fake.stop()
        await nc.close()
        servers.stop(remove_data=True)


async def suite(tmp: Path) -> None:
    """The scenario suite through the playing model, the whole system as processes: pass rate, turns
    the model answered, tokens per turn."""
    servers = LocalServers(tmp / "servers")
    fake = await FakeAnthropic(default=PlayingModel()).start()
    try:
        started = time.perf_counter()
        results, turns = await play_with_model(
            {"nats": servers.nats_url, "postgres": servers.database_url},
            tmp / "suite",
            fake.base_url,
            [SUITE],
        )
        elapsed = time.perf_counter() - started
    finally:
        await fake.stop()
        servers.stop()
    print(
        f"scenario suite with the playing model: {sum(r.passed for r in results)}/{len(results)}"
        f" reached their outcome ({rate(results):.1%}) in {elapsed:.0f} s;"
        f" {len(fake.requests)} model requests"
    )
    print(turns.summary())


def main() -> None:
    """Print the Claude brain's figures."""
    configure_logging("bench-claude", "WARNING")
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        asyncio.run(run(Path(tmp)))
    if os.environ.get("BENCH_CLAUDE_SUITE", "1") != "0":
        with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
            asyncio.run(suite(Path(tmp)))


if __name__ == "__main__":
    main()
