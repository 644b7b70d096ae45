"""End-to-end load: many clients hold booking conversations with the whole system on this machine.

All five services run as processes (`tests/e2e/system_support.started_system`, as the e2e tests
start them) on embedded NATS and PostgreSQL (or NATS_URL / DATABASE_URL). Simulated clients text
the demo spa through the gateway's signed Twilio webhook and wait for each reply at the fake Twilio
before they text again (closed loop): "Hi, I'm <name>. Something for my forehead lines", "Monday
around 2pm", "1" (a booking), then a new client. Clients ask for different treatments and days (the
WANTS and WHENS tables), as a spa's clients do. Run once with one agent process, then with three.

Figures per run: sustained turns/s, webhook ack p50/p99, turn latency (webhook acknowledged →
send issued to Twilio) p50/p99, CPU ms per turn by process, and a lost/duplicate check at the end
(every acknowledged text has exactly one reply). Written to a JSON of figures and a PNG chart of
latency over time (SYSTEM_BENCH_OUT, default .data/bench/).

The work behind CPU per turn is counted too, per turn: tool calls by tool (the audit log),
conversation events, bus messages delivered to each service's durable consumers, and PostgreSQL
statements and transactions (pg_stat_statements, loaded into the embedded server at start; on a
DATABASE_URL server only if it is loaded there), with the busiest statements by their text. Unlike
CPU time these do not move with the machine's load. The ceiling line divides the machine's cores by
the CPU NATS and PostgreSQL alone spend per turn: the most turns/s this machine could sustain if
every Python process, the load generator included, cost nothing.

A closed loop saturates the system, so its latency is mostly waiting in line (40 clients at 20
turns/s wait two seconds whatever the code does). A last run paces the load instead (open loop, one
agent): a new client every few seconds, each pausing a moment before answering, at
SYSTEM_BENCH_PACE turns/s offered (default 10): the latency a client sees when the system is busy but
not overrun.

Knobs: SYSTEM_BENCH_CLIENTS (default 40), SYSTEM_BENCH_SECONDS (default 30),
SYSTEM_BENCH_REPLICAS (default "1,3"), SYSTEM_BENCH_PACE (default 10; 0 skips the paced run),
SYSTEM_BENCH_SAME_SLOT=1 (every client asks for the same treatment and hour: holds race),
SYSTEM_BENCH_TWILIO_MS (default 0: each send waits this long at the fake Twilio, as the real API's
round trip would; the turn latency then includes it), SYSTEM_BENCH_SENDER=1 (the gateway as two
processes: GATEWAY_ROLE=webhooks takes the webhooks, GATEWAY_ROLE=sender sends; CPU counted as
"gateway"). The
load generator shares the machine with everything it measures; the load average is printed beside
the figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from shared.embedded import EmbeddedPostgres, LocalServers
from tests.e2e.replicas import start_agent_replicas, start_gateway_sender
from tests.e2e.system_support import ROOT, TENANT, System, started_system
from tests.support.fake_twilio import FakeTwilio

SCRIPT = ("Hi, I'm {name}. {want}", "{when}", "1")
# What clients ask for, as real clients spread over treatments and days. SYSTEM_BENCH_SAME_SLOT=1 has
# every client ask for the first of each (forehead lines, Monday around 2pm): forty clients racing for
# one hour, so most turns are holds lost to another client and searches again.
WANTS = (
    "Something for my forehead lines",
    "I'd like to book a hydrafacial",
    "Can I get laser hair removal?",
    "Looking to get lip filler",
    "Do you do chemical peels? I'd like one",
    "I want microneedling",
    "Could I book dermaplaning?",
)
WHENS = (
    "Monday around 2pm",
    "Tuesday morning",
    "Wednesday after 3",
    "Thursday at 11am",
    "Friday around noon",
    "Saturday morning",
    "Tuesday afternoon",
    "Friday at 4pm",
    "Wednesday at 10am",
)
NAMES = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Logan")
WARM_UP_SECONDS = 3.0
REPLY_TIMEOUT = 20.0
THINK_SECONDS = 1.0  # a paced client's pause between a reply and its next text
SETTLE_SECONDS = 5.0
ADMIN_TOKEN = secrets.token_urlsafe(24)
TARGETS = {"turns_per_s": 300.0, "ack_p99_ms": 25.0, "turn_p99_ms": 250.0}


@dataclass
class Turn:
    """One text and its reply: wall-clock times (seconds) and whether a reply came."""

    number: str
    step: int  # 1 greeting, 2 day and time, 3 the pick
    started: float
    acked: float
    replied: float | None = None

    @property
    def ack_ms(self) -> float:
        return (self.acked - self.started) * 1000

    @property
    def turn_ms(self) -> float | None:
        return None if self.replied is None else (self.replied - self.acked) * 1000


class Replies:
    """Follows what the fake Twilio was asked to send, per number (one wake-up per send)."""

    def __init__(self, twilio: FakeTwilio) -> None:
        self._twilio = twilio
        self._seen = 0
        self.times: dict[str, list[float]] = defaultdict(list)
        self._waiters: dict[str, list[tuple[int, asyncio.Future[float]]]] = defaultdict(list)

    async def follow(self) -> None:
        """Run until cancelled: file every new send under its number, wake who waits for it."""
        changed = self._twilio._changed
        assert changed is not None
        while True:
            async with changed:
                await changed.wait_for(lambda: len(self._twilio.sent) > self._seen)
            # The fake's own timestamps are whole seconds: the moment it filed the send is taken here,
            # woken by the same notify (the fake runs in this event loop).
            now = time.time()
            new = self._twilio.sent[self._seen :]
            self._seen += len(new)
            for message in new:
                self.times[message.to].append(now)
                self._wake(message.to)

    def _wake(self, number: str) -> None:
        have = len(self.times[number])
        waiting = self._waiters[number]
        for count, future in [w for w in waiting if w[0] <= have]:
            if not future.done():
                future.set_result(self.times[number][count - 1])
            waiting.remove((count, future))

    async def nth(self, number: str, count: int, timeout: float) -> float | None:
        """When the `count`-th text to `number` was sent, or None if it did not come in time."""
        if len(self.times[number]) >= count:
            return self.times[number][count - 1]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[number].append((count, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None


async def _conversation(
    system: System,
    replies: Replies,
    number: str,
    name: str,
    turns: list[Turn],
    stop_at: float,
    think: float = 0.0,
) -> None:
    """One client's booking conversation: each text once the reply to the one before came (and, with
    `think`, after a pause)."""
    ask = _request(int(number[-7:]))
    for n, line in enumerate(SCRIPT, start=1):
        started = time.time()
        await system.text(number, line.format(name=name, **ask))
        turn = Turn(number, n, started, time.time())
        turns.append(turn)
        turn.replied = await replies.nth(number, n, REPLY_TIMEOUT)
        if turn.replied is None or time.monotonic() >= stop_at:
            return
        await asyncio.sleep(think)


def _request(seed: int) -> dict[str, str]:
    """What one client asks for: a treatment and a day, spread over the tables (or the one slot)."""
    if os.environ.get("SYSTEM_BENCH_SAME_SLOT") == "1":
        return {"want": WANTS[0], "when": WHENS[0]}
    return {"want": WANTS[seed % len(WANTS)], "when": WHENS[(seed // len(WANTS)) % len(WHENS)]}


async def _client(system: System, replies: Replies, index: int, stop_at: float, turns: list[Turn]) -> None:
    """One simulated client after another on this slot, each holding the whole booking conversation."""
    conversation = 0
    while time.monotonic() < stop_at and conversation < 1000:
        number = f"+1628{2_000_000 + index * 1000 + conversation:07d}"
        name = NAMES[(index + conversation) % len(NAMES)]
        conversation += 1
        await _conversation(system, replies, number, name, turns, stop_at)


async def _paced(system: System, replies: Replies, pace: float, stop_at: float, turns: list[Turn]) -> None:
    """Open loop: a new client every len(SCRIPT)/pace seconds until `stop_at`, whatever the replies do."""
    interval, started, index = len(SCRIPT) / pace, time.monotonic(), 0
    talks: list[asyncio.Task[None]] = []
    while time.monotonic() < stop_at:
        number, name = f"+1628{3_000_000 + index:07d}", NAMES[index % len(NAMES)]
        talks.append(
            asyncio.create_task(_conversation(system, replies, number, name, turns, stop_at, THINK_SECONDS))
        )
        index += 1
        await asyncio.sleep(max(0.0, started + index * interval - time.monotonic()))
    await asyncio.gather(*talks)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _processes(system: System) -> dict[str, list[psutil.Process]]:
    """The processes whose CPU is counted: each service, NATS + PostgreSQL, and this generator."""
    by_name: dict[str, list[psutil.Process]] = defaultdict(list)
    service_pids = set()
    for name, proc in system.procs.items():
        by_name[name.split("-")[0]].append(psutil.Process(proc.pid))
        service_pids.add(proc.pid)
    me = psutil.Process()
    by_name["nats+postgres"] = [p for p in me.children(recursive=True) if p.pid not in service_pids]
    by_name["load generator"] = [me]
    return by_name


def _cpu(processes: dict[str, list[psutil.Process]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, procs in processes.items():
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        out[name] = total
    return out


async def _raise_cap(system: System) -> None:
    """The demo spa's daily cap (500) would hold texts back: staff raise it (the admin endpoint)."""
    resp = await system.http.post(
        f"{system.urls['gateway']}/admin/spas/{TENANT}/send-cap",
        json={"daily_cap": 1_000_000},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    resp.raise_for_status()


async def _work(system: System) -> dict[str, int]:
    """What the system did in the run: tool calls by tool (the audit log) and conversation events.

    CPU per turn follows these counts: a turn that searches the calendar seven times costs the
    scheduler, the audit service and PostgreSQL seven times.
    """
    conn = await asyncpg.connect(system.database_url)
    try:
        rows = await conn.fetch("SELECT action, count(*) AS n FROM audit.audit_log GROUP BY action")
    finally:
        await conn.close()
    # A staff sign-in, the compliance token, the cap raised for the run: not the clients' turns.
    people = ("staff.", "audit.", "gateway.")
    work = {f"tool {r['action']}": int(r["n"]) for r in rows if not r["action"].startswith(people)}
    info = await system.nc.jetstream().stream_info(system.topology.stream_conversations.name)
    work["conversation events"] = int(info.state.messages)
    return work


async def _load_statement_counter(servers: LocalServers) -> None:
    """Restart the embedded PostgreSQL with pg_stat_statements loaded (a server we did not start is
    left as it is)."""
    for server in servers.started:
        if isinstance(server, EmbeddedPostgres):
            conn = await asyncpg.connect(servers.database_url)
            try:
                await conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
            finally:
                await conn.close()
            server.stop()
            server.start()


async def _reset_statements(database_url: str) -> bool:
    """Start counting this database's statements; False when pg_stat_statements is not loaded."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.execute("SELECT pg_stat_statements_reset()")
        return True
    except asyncpg.PostgresError:
        return False
    finally:
        await conn.close()


_THIS_DATABASE = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"


async def _statements(database_url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Statements (and transactions: BEGINs) this database ran since `_reset_statements`, and the
    busiest statements' calls by their text (whitespace folded, cut at 100 characters)."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT coalesce(sum(calls), 0) AS statements,"
            " coalesce(sum(calls) FILTER (WHERE query ILIKE 'BEGIN%'), 0) AS transactions"
            f" FROM pg_stat_statements WHERE {_THIS_DATABASE}"
        )
        busiest = await conn.fetch(
            f"SELECT query, calls FROM pg_stat_statements WHERE {_THIS_DATABASE} ORDER BY calls DESC LIMIT 40"
        )
    finally:
        await conn.close()
    assert row is not None
    totals = {
        "postgres statements": int(row["statements"]),
        "postgres transactions": int(row["transactions"]),
    }
    by_text: dict[str, int] = defaultdict(int)
    for r in busiest:
        by_text[" ".join(r["query"].split())[:100]] += int(r["calls"])
    return totals, dict(sorted(by_text.items(), key=lambda kv: -kv[1]))


async def _deliveries(system: System) -> dict[str, int]:
    """Bus messages delivered so far to each service's durable consumers (redeliveries included)."""
    js = system.nc.jetstream()
    ours = f"{system.topology.prefix.upper()}_"
    by_service: dict[str, int] = defaultdict(int)
    for stream in await js.streams_info():
        if not stream.config.name or not stream.config.name.startswith(ours):
            continue
        for consumer in await js.consumers_info(stream.config.name):
            service = (consumer.name or "?").split("-")[0]
            by_service[f"bus messages to {service}"] += consumer.delivered.consumer_seq or 0
    return by_service


def _settled(replies: Replies, turns: list[Turn]) -> tuple[int, int]:
    """(lost, duplicates): acknowledged texts without a reply, and replies beyond one per text."""
    asked: dict[str, int] = defaultdict(int)
    for turn in turns:
        asked[turn.number] += 1
    lost = sum(max(0, n - len(replies.times[number])) for number, n in asked.items())
    duplicates = sum(max(0, len(replies.times[number]) - n) for number, n in asked.items())
    return lost, duplicates


@dataclass
class Run:
    """The figures of one run."""

    agents: int
    clients: int
    seconds: float
    pace: float = 0.0  # turns/s offered by a paced run; 0: a closed loop of `clients`
    turns: int = 0
    turns_per_s: float = 0.0
    ack_p50_ms: float = 0.0
    ack_p99_ms: float = 0.0
    turn_p50_ms: float = 0.0
    turn_p99_ms: float = 0.0
    turn_p50_ms_by_step: dict[int, float] = field(default_factory=dict)
    lost: int = 0
    duplicates: int = 0
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)
    work_per_turn: dict[str, float] = field(default_factory=dict)  # tool calls by tool, events
    statements_per_turn: dict[str, float] = field(default_factory=dict)  # the busiest SQL, per turn
    load_average: float = 0.0
    series: list[tuple[float, float, float]] = field(default_factory=list)  # (t, ack ms, turn ms)


def _figures(run: Run, turns: list[Turn], began: float, cpu: dict[str, float]) -> Run:
    steady = [t for t in turns if t.started >= began + WARM_UP_SECONDS and t.turn_ms is not None]
    answered = [t for t in turns if t.turn_ms is not None]
    if steady:
        span = max(t.replied or t.acked for t in steady) - min(t.started for t in steady)
        run.turns_per_s = len(steady) / span if span > 0 else 0.0
    run.turns = len(answered)
    acks = [t.ack_ms for t in steady]
    latencies = [t.turn_ms for t in steady if t.turn_ms is not None]
    run.ack_p50_ms, run.ack_p99_ms = _pct(acks, 50), _pct(acks, 99)
    run.turn_p50_ms, run.turn_p99_ms = _pct(latencies, 50), _pct(latencies, 99)
    run.turn_p50_ms_by_step = {
        step: round(_pct([t.turn_ms for t in steady if t.step == step and t.turn_ms is not None], 50), 1)
        for step in range(1, len(SCRIPT) + 1)
    }
    run.cpu_ms_per_turn = {name: round(s * 1000 / max(1, len(answered)), 2) for name, s in cpu.items()}
    run.load_average = os.getloadavg()[0]
    run.series = [(round(t.acked - began, 3), round(t.ack_ms, 2), round(t.turn_ms or 0, 2)) for t in answered]
    return run


async def _one_run(
    servers: LocalServers, agents: int, clients: int, seconds: float, pace: float = 0.0
) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-system-"))
    # The services' own polling at their production intervals (the e2e tests poll faster).
    extra = {
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX": "10",
        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "RELEASE_INTERVAL_SECONDS": "30",
        "NOTIFIER_POLL_SECONDS": "1",
    }
    split = os.environ.get("SYSTEM_BENCH_SENDER") == "1"
    if split:
        extra["GATEWAY_ROLE"] = "webhooks"
    async with started_system(servers.database_url, servers.nats_url, tmp, extra_env=extra) as system:
        if agents > 1:
            await start_agent_replicas(system, agents - 1)
        if split:
            await start_gateway_sender(system)
        await _raise_cap(system)
        # Twilio's own round trip (SYSTEM_BENCH_TWILIO_MS): the local fake answers at once otherwise.
        system.twilio.latency = float(os.environ.get("SYSTEM_BENCH_TWILIO_MS", "0")) / 1000
        replies = Replies(system.twilio)
        follower = asyncio.create_task(replies.follow())
        processes = _processes(system)
        turns: list[Turn] = []
        counting = await _reset_statements(system.database_url)
        delivered_before = await _deliveries(system)
        cpu_before = _cpu(processes)
        began = time.time()
        stop_at = time.monotonic() + seconds
        if pace:
            await _paced(system, replies, pace, stop_at, turns)
        else:
            await asyncio.gather(*(_client(system, replies, i, stop_at, turns) for i in range(clients)))
        cpu_after = _cpu(processes)
        counted, busiest = await _statements(system.database_url) if counting else ({}, {})
        delivered = await _deliveries(system)
        counted |= {k: n - delivered_before.get(k, 0) for k, n in delivered.items()}
        await asyncio.sleep(SETTLE_SECONDS)  # a late reply, or a second one, shows up here
        follower.cancel()
        run = _figures(
            Run(agents, clients, seconds, pace),
            turns,
            began,
            {k: cpu_after[k] - cpu_before[k] for k in cpu_after},
        )
        run.lost, run.duplicates = _settled(replies, turns)
        work = await _work(system) | counted  # after the settling pause: the audit log has caught up
        run.work_per_turn = {k: round(n / max(1, run.turns), 2) for k, n in sorted(work.items())}
        run.statements_per_turn = {k: round(n / max(1, run.turns), 2) for k, n in busiest.items()}
    return run


def _print(run: Run) -> None:
    load = f"paced at {run.pace:g} turns/s offered" if run.pace else f"{run.clients} clients"
    print(f"--- {run.agents} agent process(es), {load}, {run.seconds:.0f} s")
    print(f"turns answered       {run.turns} ({run.turns_per_s:.1f} turns/s sustained after warm-up)")
    print(f"webhook ack (ms)     p50 {run.ack_p50_ms:.1f}  p99 {run.ack_p99_ms:.1f}")
    print(f"turn latency (ms)    p50 {run.turn_p50_ms:.1f}  p99 {run.turn_p99_ms:.1f}  (ack → send issued)")
    print("turn p50 by step     " + "  ".join(f"#{k} {v:.0f} ms" for k, v in run.turn_p50_ms_by_step.items()))
    print("CPU ms per turn      " + "  ".join(f"{k} {v:.1f}" for k, v in run.cpu_ms_per_turn.items()))
    servers_ms = run.cpu_ms_per_turn.get("nats+postgres", 0.0)
    if servers_ms:  # the most this machine could do if every Python process cost nothing
        cores = os.cpu_count() or 1
        ceiling = 1000 * cores / servers_ms
        print(f"ceiling              {ceiling:.0f} turns/s on {cores} cores: NATS and PostgreSQL alone")
    print("work per turn        " + "  ".join(f"{k} {v:.1f}" for k, v in run.work_per_turn.items()))
    for query, calls in list(run.statements_per_turn.items())[:6]:
        print(f"  SQL per turn {calls:4.1f}  {query}")
    print(f"lost / duplicates    {run.lost} / {run.duplicates}")
    print(f"load average         {run.load_average:.2f} on {os.cpu_count()} cores (shared machine)")
    met = {
        "≥ 300 turns/s": run.turns_per_s >= TARGETS["turns_per_s"],
        "ack p99 < 25 ms": run.ack_p99_ms < TARGETS["ack_p99_ms"],
        "turn p99 < 250 ms": run.turn_p99_ms < TARGETS["turn_p99_ms"],
        "0 lost, 0 duplicates": run.lost == 0 and run.duplicates == 0,
    }
    print("targets              " + "  ".join(f"{k}: {'met' if ok else 'NOT met'}" for k, ok in met.items()))


def _chart(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(runs), 1, figsize=(10, 3.5 * len(runs)), squeeze=False, sharex=True)
    for ax, run in zip(axes[:, 0], runs, strict=True):
        t = [s[0] for s in run.series]
        ax.scatter(t, [s[2] for s in run.series], s=3, label="turn (ack → send issued)")
        ax.scatter(t, [s[1] for s in run.series], s=3, label="webhook ack")
        ax.axhline(
            TARGETS["turn_p99_ms"], color="red", linewidth=0.8, linestyle="--", label="turn p99 target"
        )
        ax.set_yscale("log")
        ax.set_ylabel("ms")
        load = f"paced at {run.pace:g} turns/s" if run.pace else f"{run.clients} clients"
        ax.set_title(f"{run.agents} agent process(es): {run.turns_per_s:.0f} turns/s, {load}")
        ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("seconds since the load began")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


async def _run_all(replicas: list[int], clients: int, seconds: float, pace: float) -> list[Run]:
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-servers-"))
    servers = LocalServers(tmp)
    try:
        await _load_statement_counter(servers)
        runs = [await _one_run(servers, n, clients, seconds) for n in replicas]
        if pace:
            runs.append(await _one_run(servers, 1, clients, seconds, pace))
        return runs
    finally:
        servers.stop(remove_data=True)


def main() -> None:
    """Run the end-to-end load with each replica count; print, write JSON and a PNG chart."""
    clients = int(os.environ.get("SYSTEM_BENCH_CLIENTS", "40"))
    seconds = float(os.environ.get("SYSTEM_BENCH_SECONDS", "30"))
    replicas = [int(n) for n in os.environ.get("SYSTEM_BENCH_REPLICAS", "1,3").split(",") if n]
    pace = float(os.environ.get("SYSTEM_BENCH_PACE", "10"))
    out = Path(os.environ.get("SYSTEM_BENCH_OUT", ROOT / ".data" / "bench"))
    runs = asyncio.run(_run_all(replicas, clients, seconds, pace))
    for run in runs:
        _print(run)
    out.mkdir(parents=True, exist_ok=True)
    figures: list[dict[str, Any]] = [{k: v for k, v in asdict(r).items() if k != "series"} for r in runs]
    (out / "system.json").write_text(json.dumps({"targets": TARGETS, "runs": figures}, indent=2))
    _chart(runs, out / "system.png")
    print(f"figures: {out / 'system.json'}  chart: {out / 'system.png'}")
    if any(r.lost or r.duplicates for r in runs):
        raise SystemExit("messages were lost or duplicated")


if __name__ == "__main__":
    main()
