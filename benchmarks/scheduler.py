"""Scheduler benchmark: find_availability in-process, tool calls over NATS under load, bookings/s.

A spa with 20 providers, 40 services, a 90-day horizon and 5,000 existing bookings, on embedded
nats-server and PostgreSQL in a temporary directory. `python -m benchmarks scheduler`.
Set BENCH_SECONDS (default 8) for the length of each load phase.
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
    providers.append({"key": "booker", "name": "Booker Free", "qualifications": ["body"], "hours": HOURS})
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
    print(f"  p50 {pct(timings, 50):.2f} ms   p99 {pct(timings, 99):.2f} ms   mean {mean:.2f} ms")
    print(f"  pure slot computation, one day:  p50 {pct(pure, 50):.3f} ms   p99 {pct(pure, 99):.3f} ms")


async def _load(nc: Any, subject: str, bodies: list[bytes], seconds: float, concurrency: int) -> str:
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
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    rate = done / (time.perf_counter() - began)
    return (
        f"{rate:,.0f} requests/s (p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms, "
        f"{failed} errors)"
    )


async def over_nats(
    nats_url: str, topology: Topology, spa: spafile.SpaFile, seconds: float, concurrency: int
) -> None:
    """find_availability and spa_profile over request/reply against the scheduler process."""
    nc = await nats.connect(nats_url)
    rng = random.Random(5)
    try:
        for name, bodies in (
            ("find_availability", [random_request(spa, rng).model_dump_json().encode() for _ in range(500)]),
            ("spa_profile", [GetSpaProfile(tenant_id=SPA_ID, actor=ACTOR).model_dump_json().encode()]),
        ):
            figures = await _load(nc, topology.tool(name), bodies, seconds, concurrency)
            print(f"{name} over NATS, {concurrency} in flight, each audited via the outbox: {figures}")
    finally:
        await nc.drain()


async def confirms(
    nats_url: str, pool: asyncpg.Pool, topology: Topology, spa: spafile.SpaFile, concurrency: int
) -> None:
    """confirm_booking throughput: holds on a free provider, confirmed over NATS concurrently."""
    tz = spa.catalog_view().tz
    today = datetime.now(tz).date()
    provider = spa.provider_id("booker")
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
        f"({ok}/{len(holds)} booked, exclusion constraints and audit outbox in every transaction)"
    )


async def run(tmp: Path) -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    nats = EmbeddedNats(tmp / "nats").start()
    os.chmod(tmp, 0o755)
    pg = EmbeddedPostgres(tmp / "postgres", durable=os.environ.get("BENCH_FSYNC", "1") == "1").start()
    proc: subprocess.Popen[bytes] | None = None
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
            "SCHEDULER_HTTP_PORT": str(free_port()),
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "DB_POOL_MAX": "20",
            "TOOL_WORKERS": os.environ.get("BENCH_TOOL_WORKERS", "16"),
        }
        proc = subprocess.Popen([sys.executable, "-m", "services.scheduler"], cwd=ROOT, env=env)
        await wait_ready(nats.url, topology)
        await over_nats(nats.url, topology, spa, seconds, concurrency=64)
        await confirms(nats.url, pool, topology, spa, concurrency=32)
        await pool.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
        pg.stop()
        nats.stop()


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
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        asyncio.run(run(Path(tmp)))


if __name__ == "__main__":
    main()
