"""Scheduler benchmark: find_availability in-process, tool calls over NATS under load, bookings/s.

A spa with 20 providers, 40 services, a 90-day horizon and 5,000 existing bookings, on embedded
nats-server and PostgreSQL in a temporary directory. `python -m benchmarks scheduler`.
The scheduler runs as its own process (`python -m services.scheduler`, as deployed); this process is
the load generator (a raw nats-py client with pre-encoded requests, on uvloop when installed).
Set BENCH_SECONDS (default 8) for the length of each load phase, BENCH_CONCURRENCY (default 64) for
the requests in flight, BENCH_TOOL_WORKERS (default 16) for the scheduler's TOOL_WORKERS.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import nats
import yaml

from services.scheduler import domain, handlers, spafile
from services.scheduler.cli import ROOT
from services.scheduler.handlers import CatalogCache, Ports
from services.scheduler.loading import SCHEMA, load_files
from shared.bus import make_broker, request_tool
from shared.contracts.tools import (
    TOOLS,
    Actor,
    ConfirmBooking,
    FindAvailability,
    GetSpaProfile,
    TimePreference,
)
from shared.db import create_pool
from shared.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from shared.subjects import Topology

SPA_ID = "bench-spa"
KEY = "bench-key"
ACTOR = Actor(service="bench")
QUALIFICATIONS = ("injector", "laser", "esthetician", "body")
HOURS = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")}


def spa_document() -> dict[str, Any]:
    """20 providers (plus one kept free for booking), 40 services, 90-day horizon."""
    rng = random.Random(7)
    catalog = [
        {
            "key": f"service-{i}",
            "name": f"Service {i}",
            "category": QUALIFICATIONS[i % 4],
            "duration_minutes": rng.choice([30, 45, 60, 90]),
            "price": 100 + i,
            "requires": QUALIFICATIONS[i % 4],
        }
        for i in range(40)
    ]
    providers = [
        {
            "key": f"provider-{i}",
            "name": f"Provider {i}",
            "qualifications": sorted({QUALIFICATIONS[i % 4], QUALIFICATIONS[(i * 7 + 1) % 4]}),
            "hours": HOURS,
        }
        for i in range(20)
    ]
    for key in ("booker", "booker-2"):  # kept free for the confirm_booking phases
        providers.append({"key": key, "name": f"Booker {key}", "qualifications": ["body"], "hours": HOURS})
    return {
        "id": SPA_ID,
        "name": "Bench Spa",
        "timezone": "America/New_York",
        "booking_rules": {
            "lead_time_minutes": 60,
            "horizon_days": 90,
            "slot_minutes": 15,
            "buffer_minutes": 10,
        },
        "opening_hours": HOURS,
        "catalog": catalog,
        "providers": providers,
    }


async def seed_bookings(pool: asyncpg.Pool, spa: spafile.SpaFile, count: int) -> None:
    """`count` non-overlapping bookings spread over the 20 providers and the next 90 days."""
    rng = random.Random(11)
    tz = spa.catalog_view().tz
    today = datetime.now(tz).date()
    services = [spa.service_id(s.key) for s in spa.catalog]
    taken: set[tuple[str, Any, int]] = set()
    rows = []
    while len(rows) < count:
        provider = f"provider-{rng.randrange(20)}"
        day = today + timedelta(days=rng.randrange(1, 90))
        if day.weekday() == 6:
            continue
        hour = rng.randrange(9, 17)
        if (provider, day, hour) in taken:
            continue
        taken.add((provider, day, hour))
        start = domain.local_at(day, domain.time(hour), tz)
        end = start + timedelta(minutes=50)
        rows.append(
            (uuid4(), SPA_ID, spa.provider_id(provider), rng.choice(services), start, end,
             asyncpg.Range(start, end + timedelta(minutes=10)))
        )  # fmt: skip
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO bookings (id, spa_id, provider_id, service_id, start_at, end_at, blocked) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            rows,
        )


def random_request(spa: spafile.SpaFile, rng: random.Random) -> FindAvailability:
    """A mix of what clients ask: asap, a day around a time, a range and a part of day, weekdays."""
    today = datetime.now(ZoneInfo(spa.timezone)).date()
    day = today + timedelta(days=rng.randrange(2, 85))
    kind = rng.randrange(4)
    if kind == 0:
        pref = TimePreference(asap=True)
    elif kind == 1:
        pref = TimePreference(dates=[day], target_time=domain.time(rng.randrange(10, 17)))
    elif kind == 2:
        pref = TimePreference(date_from=day, date_to=day + timedelta(days=4), part_of_day="afternoon")
    else:
        pref = TimePreference(weekdays=[rng.randrange(6)], part_of_day="morning")
    service = spa.service_id(f"service-{rng.randrange(40)}")
    return FindAvailability(tenant_id=SPA_ID, actor=ACTOR, service_id=service, preference=pref)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


async def in_process(pool: asyncpg.Pool, spa: spafile.SpaFile, topology: Topology, n: int = 2000) -> None:
    """find_availability as the handler runs it (cached catalog + one bookings query), no NATS."""
    ports = Ports(pool=pool, topology=topology, catalogs=CatalogCache(), id_hash_key=KEY)
    rng = random.Random(3)
    requests = [random_request(spa, rng) for _ in range(n)]
    timings: list[float] = []
    pure: list[float] = []
    catalog = spa.catalog_view()
    async with pool.acquire() as conn:
        cat = await ports.catalogs.get(conn, SPA_ID)
        for req in requests[:50]:  # warm up
            await handlers.find_availability(req, conn=conn, spa=cat, ports=ports)
        for req in requests:
            cat = await ports.catalogs.get(conn, SPA_ID)
            started = time.perf_counter()
            served = await handlers.find_availability(req, conn=conn, spa=cat, ports=ports)
            timings.append((time.perf_counter() - started) * 1000)
            assert served.result is not None
        # The pure computation for one day, without the query, for comparison.
        for req in requests[:500]:
            service = catalog.services[req.service_id]
            day = datetime.now(catalog.tz).date() + timedelta(days=3)
            window = domain.Window.of(catalog, datetime.now(UTC))
            started = time.perf_counter()
            domain.choose(
                domain.day_candidates(
                    catalog, service, catalog.qualified(service), day, req.preference, window, {}
                ),
                3,
            )
            pure.append((time.perf_counter() - started) * 1000)
    print(f"find_availability in-process (handler + bookings query), {n} mixed requests:")
    mean = statistics.mean(timings)
    print(
        f"  p50 {pct(timings, 50):.2f} ms   p99 {pct(timings, 99):.2f} ms   mean {mean:.2f} ms"
        "   (target: p50 < 2 ms, p99 < 10 ms)"
    )
    print(f"  pure slot computation, one day:  p50 {pct(pure, 50):.3f} ms   p99 {pct(pure, 99):.3f} ms")


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time used so far by these processes (Linux /proc; None elsewhere)."""
    try:
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


async def _load(
    nc: Any, subject: str, bodies: list[bytes], seconds: float, concurrency: int, pids: list[int]
) -> str:
    """Keep `concurrency` requests in flight for `seconds`; the rate, latencies and CPU as a line."""
    # A raw nats-py client with pre-encoded requests: the load generator shares the two cores with
    # the scheduler, PostgreSQL and nats-server, so it should spend as little as it can.
    done = failed = 0
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal done, failed
        i = offset
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            msg = await nc.request(subject, bodies[i % len(bodies)], timeout=10)
            latencies.append((time.perf_counter() - started) * 1000)
            done += 1
            failed += b'"ok":true' not in msg.data
            i += concurrency

    began = time.perf_counter()
    cpu_before = cpu_seconds(pids)
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    cpu_after = cpu_seconds(pids)
    rate = done / (time.perf_counter() - began)
    cpu = ""
    if cpu_before is not None and cpu_after is not None and done:
        # Robust to a shared machine: what one request costs the scheduler, whatever else runs.
        per_request = (cpu_after - cpu_before) / done * 1000
        cpu = f"; scheduler CPU {per_request:.2f} ms/request = {1000 / per_request:,.0f} requests/s per core"
    return (
        f"{rate:,.0f} requests/s (p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms, "
        f"{failed} errors{cpu})"
    )


async def over_nats(
    nats_url: str,
    topology: Topology,
    spa: spafile.SpaFile,
    seconds: float,
    concurrency: int,
    tools: tuple[str, ...] = ("find_availability", "spa_profile"),
    pids: tuple[int, ...] = (),
) -> None:
    """find_availability and spa_profile over request/reply against the scheduler process(es)."""
    nc = await nats.connect(nats_url)
    rng = random.Random(5)
    phases = {
        "find_availability": [random_request(spa, rng).model_dump_json().encode() for _ in range(500)],
        "spa_profile": [GetSpaProfile(tenant_id=SPA_ID, actor=ACTOR).model_dump_json().encode()],
    }
    try:
        for name in tools:
            bodies = phases[name]
            figures = await _load(nc, topology.tool(name), bodies, seconds, concurrency, list(pids))
            target = "  (target: >= 1,000 requests/s)" if name == "find_availability" else ""
            line = f"{name} over NATS, {concurrency} in flight, each audited via the outbox: {figures}"
            print(line + target)
    finally:
        await nc.drain()


async def confirms(
    nats_url: str,
    pool: asyncpg.Pool,
    topology: Topology,
    spa: spafile.SpaFile,
    concurrency: int,
    provider_key: str = "booker",
) -> None:
    """confirm_booking throughput: holds on a free provider, confirmed over NATS concurrently."""
    tz = spa.catalog_view().tz
    today = datetime.now(tz).date()
    provider = spa.provider_id(provider_key)
    service = spa.service_id("service-3")  # a body service, 30-90 minutes
    duration = next(s.duration_minutes for s in spa.catalog if s.key == "service-3")
    holds: list[UUID] = []
    rows = []
    for d in range(2, 88):
        day = today + timedelta(days=d)
        if day.weekday() == 6:
            continue
        start = domain.local_at(day, domain.time(9), tz)
        while start + timedelta(minutes=duration + 10) <= domain.local_at(day, domain.time(18), tz):
            end = start + timedelta(minutes=duration)
            hold_id = uuid4()
            holds.append(hold_id)
            rows.append(
                (
                    hold_id,
                    SPA_ID,
                    provider,
                    service,
                    start,
                    end,
                    asyncpg.Range(start, end + timedelta(minutes=10)),
                )
            )
            start = end + timedelta(minutes=10)
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO holds (id, spa_id, provider_id, service_id, start_at, end_at, blocked, expires_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, now() + interval '1 hour')",
            rows,
        )
    broker = make_broker(nats_url, name="bench-booker")
    await broker.start()
    queue: asyncio.Queue[UUID] = asyncio.Queue()
    for h in holds:
        queue.put_nowait(h)
    ok = 0

    async def worker() -> None:
        nonlocal ok
        while not queue.empty():
            hold_id = queue.get_nowait()
            req = ConfirmBooking(tenant_id=SPA_ID, actor=ACTOR, hold_id=hold_id)
            reply = await request_tool(
                broker, topology, "confirm_booking", req, TOOLS["confirm_booking"][1], timeout=10
            )
            ok += reply.ok

    began = time.perf_counter()
    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await broker.stop()
    elapsed = time.perf_counter() - began
    print(
        f"confirm_booking over NATS, {concurrency} in flight: {len(holds) / elapsed:,.0f} bookings/s "
        f"({ok}/{len(holds)} booked, one provider: they serialize on its advisory lock; "
        "exclusion constraints and audit outbox in every transaction)"
    )


async def run(tmp: Path) -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    nats = EmbeddedNats(tmp / "nats").start()
    os.chmod(tmp, 0o755)
    pg = EmbeddedPostgres(tmp / "postgres", durable=os.environ.get("BENCH_FSYNC", "1") == "1").start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        dsn = pg.create_database("bench")
        spa_path = tmp / "bench-spa.yaml"
        spa_path.write_text(yaml.safe_dump(spa_document(), sort_keys=False))
        spa = spafile.read(spa_path)
        await load_files(dsn, [spa_path], KEY)
        pool = await create_pool(dsn, min_size=2, max_size=4, schema=SCHEMA)
        topology = Topology("bench")
        await seed_bookings(pool, spa, 5000)
        fsync = "on" if os.environ.get("BENCH_FSYNC", "1") == "1" else "off"
        print(f"spa: 20 providers, 40 services, 90-day horizon, 5,000 bookings (PostgreSQL fsync {fsync})")
        await in_process(pool, spa, topology)
        env = {
            **os.environ,
            "NATS_URL": nats.url,
            "DATABASE_URL": dsn,
            "SUBJECT_PREFIX": topology.prefix,
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "DB_POOL_MAX": "20",
            "TOOL_WORKERS": os.environ.get("BENCH_TOOL_WORKERS", "16"),
        }
        concurrency = int(os.environ.get("BENCH_CONCURRENCY", "64"))
        loop_kind = type(asyncio.get_running_loop()).__module__.split(".")[0]
        print(
            f"load generator: this process (pid {os.getpid()}, {loop_kind} loop); each scheduler replica "
            f"its own process (TOOL_WORKERS={env['TOOL_WORKERS']}, DB_POOL_MAX={env['DB_POOL_MAX']})"
        )
        procs.append(await start_scheduler(env, "bench-1"))
        await wait_ready(nats.url, topology)
        print(f"-- one scheduler process (pid {procs[0].pid}):")
        await over_nats(nats.url, topology, spa, seconds, concurrency=concurrency, pids=(procs[0].pid,))
        await confirms(nats.url, pool, topology, spa, concurrency=32)
        # Replicas share the tool subjects through the "scheduler" queue group: one per core here.
        procs.append(await start_scheduler(env, "bench-2"))
        print(f"-- two scheduler processes (replicas, pids {procs[0].pid} and {procs[1].pid}):")
        only = ("find_availability",)
        pids = tuple(p.pid for p in procs)
        await over_nats(nats.url, topology, spa, seconds, concurrency=concurrency, tools=only, pids=pids)
        await confirms(nats.url, pool, topology, spa, concurrency=32, provider_key="booker-2")
        await pool.close()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        pg.stop()
        nats.stop()


async def start_scheduler(env: dict[str, str], instance: str) -> subprocess.Popen[bytes]:
    """A scheduler process, returned once its HTTP port answers (its tool subscriptions exist then)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.scheduler"],
        cwd=ROOT,
        env={**env, "SCHEDULER_HTTP_PORT": str(port), "INSTANCE_ID": instance},
    )
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)).status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"scheduler {instance} did not start")


async def wait_ready(nats_url: str, topology: Topology) -> None:
    """Until the scheduler process answers."""
    broker = make_broker(nats_url, name="bench-wait")
    await broker.start()
    try:
        for _ in range(300):
            try:
                req = GetSpaProfile(tenant_id=SPA_ID, actor=ACTOR)
                if (
                    await request_tool(
                        broker, topology, "spa_profile", req, TOOLS["spa_profile"][1], timeout=0.5
                    )
                ).ok:
                    return
            except Exception:
                await asyncio.sleep(0.1)
        raise TimeoutError("the scheduler did not answer")
    finally:
        await broker.stop()


def main() -> None:
    """Print the scheduler's figures."""
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(run(Path(tmp)))


if __name__ == "__main__":
    main()
