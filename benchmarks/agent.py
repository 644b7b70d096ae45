"""Turns per second through the agent alone, and p50/p99 turn latency.

The scheduler runs in its own process (`python -m services.scheduler`, demo spa loaded, real
PostgreSQL), and so does the agent (`python -m services.agent`), both on embedded servers this
benchmark starts. A turn starts when the benchmark publishes an SmsReceived to SMS_INBOUND (what the
gateway does) and ends when the reply's SendSms reaches SMS_OUTBOUND. Each conversation texts its
next message only after the previous reply (like a person); N conversations run at once.

Figures: one conversation at a time (latency with no queueing), then a closed loop at a few
concurrencies (throughput, and the latency a client sees at that load). Target: at least 300
turns/s, p99 under 100 ms.

Environment: BENCH_AGENT_CONCURRENCY (e.g. "8,32,64"), BENCH_AGENT_CONVERSATIONS (per level),
BENCH_AGENT_WORKERS (AGENT_MAX_WORKERS of the agent), BENCH_AGENT_PROFILE=FILE /
BENCH_SCHEDULER_PROFILE=FILE (cProfile the agent / scheduler process into FILE), NATS_URL /
DATABASE_URL (use existing servers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import nats

from shared.embedded import LocalServers, free_port
from shared.logging import configure_logging
from shared.subjects import Topology

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "bench"
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_AGENT_CONCURRENCY", "8,32,64").split(",")]
CONVERSATIONS = int(os.environ.get("BENCH_AGENT_CONVERSATIONS", "256"))
WORKERS = os.environ.get("BENCH_AGENT_WORKERS", "")
PROFILE = os.environ.get("BENCH_AGENT_PROFILE", "")
SCHEDULER_PROFILE = os.environ.get("BENCH_SCHEDULER_PROFILE", "")
# Greeting, name, service (catalog match), then a question the flow answers with a follow-up.
SCRIPT = ["Hi there", "I'm Robin", "I'd like a HydraFacial", "what about dermaplaning"]
# The whole booking flow: name and service in one text, a time (find, hold, propose), a digit (book).
BOOKING = ["Hi, I'm Robin and I'd like a HydraFacial", "anytime next week", "2"]
# Clients competing for the same earliest slots: holds race, some are taken and searched again.
BOOKING_CONCURRENCY = int(os.environ.get("BENCH_AGENT_BOOKING_CONCURRENCY", "8"))
BOOKING_CONVERSATIONS = int(os.environ.get("BENCH_AGENT_BOOKING_CONVERSATIONS", "48"))
REPLY_TIMEOUT = float(os.environ.get("BENCH_AGENT_REPLY_TIMEOUT", "10"))


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds used so far), from /proc (Linux; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(stat[1]), cmdline, (int(stat[11]) + int(stat[12])) / ticks)
    return table


def _cpu_seconds(roots: dict[str, int | str]) -> dict[str, float]:
    """CPU seconds used by each part of this benchmark's system: a root is a pid or a marker in the
    command line (the servers' data directory); children of a root count for it (PostgreSQL backends)."""
    table = _proc_table()
    owner: dict[int, str] = {}
    for pid, (_ppid, cmdline, _cpu) in table.items():
        for name, root in roots.items():
            if pid == root or (isinstance(root, str) and root in cmdline and name in cmdline):
                owner[pid] = name
    for pid, (ppid, _cmdline, _cpu) in table.items():
        if pid not in owner and ppid in owner:
            owner[pid] = owner[ppid]
    out: dict[str, float] = {}
    for pid, name in owner.items():
        out[name] = out.get(name, 0.0) + table[pid][2]
    return out


def _cpu_line(before: dict[str, float], after: dict[str, float], turns: int) -> str:
    used = {k: (after.get(k, 0.0) - before.get(k, 0.0)) * 1000 / max(turns, 1) for k in after}
    total = sum(used.values())
    # What the machine could do if the whole system had every core to itself (others share it).
    capacity = (os.cpu_count() or 1) * 1000 / total if total else 0.0
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1]))
    return f"{parts}; total {total:.1f} = {capacity:.0f} turns/s on {os.cpu_count()} idle cores"


def _percentile(ordered: Sequence[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _by_text_line(by_text: dict[str, list[float]]) -> str:
    """p50 / p99 of each text of the script: which step of a conversation makes the tail."""
    parts = []
    for body, times in by_text.items():
        ordered = sorted(times)
        parts.append(f"{body[:24]!r} {statistics.median(ordered):.0f}/{_percentile(ordered, 0.99):.0f}")
    return "; ".join(parts) + " (ms, p50/p99)"


def _spawn(module: str, env: dict[str, str], log_path: Path, profile: str = "") -> subprocess.Popen[bytes]:
    """A service as its own process, as in production (`python -m services.<name>`)."""
    args = [sys.executable]
    if profile:
        args += ["-m", "cProfile", "-o", profile]
    args += ["-m", module]
    out = log_path.open("ab")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _wait_for_scheduler(nc: nats.NATS, topology: Topology, timeout: float = 30.0) -> None:
    """The scheduler answers tool requests (its schema is migrated)."""
    from shared.contracts.tools import Actor, GetSpaProfile

    request = GetSpaProfile(tenant_id="glow-medspa", actor=Actor(service="bench", instance="bench"))
    deadline = time.monotonic() + timeout
    while True:
        try:
            await nc.request(topology.tool("spa_profile"), request.model_dump_json().encode(), timeout=1)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _tool_latency(nc: nats.NATS, topology: Topology, calls: int = 40) -> None:
    """The scheduler's own latency per tool a turn uses, one request at a time."""
    from shared.contracts.tools import Actor, GetSpaProfile, LookupOrCreateClient, MatchService

    actor = Actor(service="bench", instance="bench")
    tenant = "glow-medspa"
    requests = {
        "spa_profile": lambda i: GetSpaProfile(tenant_id=tenant, actor=actor),
        "lookup_or_create_client": lambda i: LookupOrCreateClient(
            tenant_id=tenant, actor=actor, phone=f"+1415888{i % 10:04d}"
        ),
        "match_service": lambda i: MatchService(tenant_id=tenant, actor=actor, text="I'd like a HydraFacial"),
    }
    figures = []
    for name, make in requests.items():
        times = []
        for i in range(calls):
            payload = make(i).model_dump_json().encode()
            started = time.perf_counter()
            await nc.request(topology.tool(name), payload, timeout=5)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        figures.append(
            f"{name} p50 {statistics.median(times):.1f} ms / p99 {_percentile(times, 0.99):.1f} ms"
        )
    print("agent: scheduler tool latency, one at a time: " + "; ".join(figures), flush=True)


async def _measure(nats_url: str, roots: dict[str, int | str]) -> None:
    from tests.integration.agent_harness import Phone

    topology = Topology(PREFIX)
    nc = await nats.connect(nats_url)
    phone = Phone(nc, topology)
    await phone.start()
    latencies: list[float] = []
    by_text: dict[str, list[float]] = {}
    counter = iter(range(10_000_000))

    unanswered: list[str] = []

    async def converse(number: str, script: Sequence[str] = SCRIPT) -> None:
        for body in script:
            started = time.perf_counter()
            await phone.text(number, body)
            try:
                await phone.reply(number, timeout=REPLY_TIMEOUT)
            except TimeoutError:
                # Counted and reported, not fatal: the rest of the run still measures.
                unanswered.append(body)
                return
            latencies.append((time.perf_counter() - started) * 1000)
            by_text.setdefault(body, []).append(latencies[-1])

    def numbers(n: int) -> list[str]:
        return [f"+1415{next(counter):07d}" for _ in range(n)]

    try:
        # Warm-up (first catalog load, first connection of each pool), then one at a time.
        await asyncio.gather(*(converse(n) for n in numbers(8)))
        latencies.clear()
        for number in numbers(16):
            await converse(number)
        solo = sorted(latencies)
        await _tool_latency(nc, topology)
        print(
            f"agent: one conversation at a time: {len(solo)} turns, p50 {statistics.median(solo):.1f} ms, "
            f"p99 {_percentile(solo, 0.99):.1f} ms",
            flush=True,
        )
        runs = [(level, SCRIPT, max(CONVERSATIONS, level), "conversations") for level in CONCURRENCY]
        if BOOKING_CONCURRENCY:
            runs.append((BOOKING_CONCURRENCY, BOOKING, BOOKING_CONVERSATIONS, "bookings"))
        for level, script, count, what in runs:
            latencies.clear()
            by_text.clear()
            queue: asyncio.Queue[str] = asyncio.Queue()
            for number in numbers(count):
                queue.put_nowait(number)

            async def client(queue: asyncio.Queue[str], script: Sequence[str]) -> None:
                while not queue.empty():
                    await converse(queue.get_nowait(), script)

            cpu = _cpu_seconds(roots)
            begun = time.perf_counter()
            await asyncio.gather(*(client(queue, script) for _ in range(level)))
            elapsed = time.perf_counter() - begun
            cpu_line = _cpu_line(cpu, _cpu_seconds(roots), len(latencies))
            ordered = sorted(latencies)
            print(
                f"agent: {level:>3} {what} at once: {len(ordered)} turns in {elapsed:.2f} s = "
                f"{len(ordered) / elapsed:.0f} turns/s; latency p50 {statistics.median(ordered):.1f} ms, "
                f"p99 {_percentile(ordered, 0.99):.1f} ms",
                flush=True,
            )
            print(f"agent:      CPU ms per turn: {cpu_line}", flush=True)
            print(f"agent:      by text: {_by_text_line(by_text)}", flush=True)
            if unanswered:
                print(
                    f"agent:      {len(unanswered)} texts got no reply within {REPLY_TIMEOUT:.0f} s",
                    flush=True,
                )
                unanswered.clear()
        print(f"agent: load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("agent: targets: >= 300 turns/s, p99 < 100 ms")
    finally:
        await phone.stop()
        await nc.drain()


def main() -> None:
    """Start embedded NATS and PostgreSQL (unless NATS_URL / DATABASE_URL are set), the scheduler and
    the agent as processes, then measure."""
    logging.disable(logging.WARNING)
    configure_logging("bench-agent", "WARNING", "json")
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-agent-"))
    local = LocalServers(tmp, database="bench_agent")
    nats_url, pg_url = local.nats_url, local.database_url
    procs: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": pg_url,
        "SUBJECT_PREFIX": PREFIX,
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "SCHEDULER_HTTP_PORT": str(free_port()),
        "AGENT_HTTP_PORT": str(free_port()),
    }
    if WORKERS:
        env["AGENT_MAX_WORKERS"] = WORKERS
    log_path = tmp / "services.log"
    try:
        procs.append(_spawn("services.scheduler", env, log_path, profile=SCHEDULER_PROFILE))

        async def prepare() -> None:
            from services.scheduler.loading import load_files
            from shared.bus import ensure_streams
            from tests.integration.agent_harness import DEMO_SPA, KEY

            nc = await nats.connect(nats_url)
            try:
                await ensure_streams(nc.jetstream(), Topology(PREFIX))
                await _wait_for_scheduler(nc, Topology(PREFIX))
            finally:
                await nc.drain()
            await load_files(pg_url, [DEMO_SPA], KEY)

        asyncio.run(prepare())
        procs.append(_spawn("services.agent", env, log_path, profile=PROFILE))
        roots: dict[str, int | str] = {
            "agent": procs[1].pid,
            "scheduler": procs[0].pid,
            "bench": os.getpid(),
            "nats-server": str(tmp),
            "postgres": str(tmp),
        }
        asyncio.run(_measure(nats_url, roots))
    finally:
        for proc in reversed(procs):
            _stop(proc)
        with contextlib.suppress(Exception):
            local.stop(remove_data=True)
        print(f"agent: service logs in {log_path}")


if __name__ == "__main__":
    main()
