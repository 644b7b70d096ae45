"""Audit log figures: append throughput from the stream, verify over 1M records, a client's month in 10M rows.

Runs against its own embedded nats-server and PostgreSQL (fsync on) in a temporary directory, or
against NATS_URL / DATABASE_URL (a database it may fill: it creates the `audit` schema there).
Sizes: AUDIT_BENCH_APPEND (default 50,000), AUDIT_BENCH_VERIFY (1,000,000), AUDIT_BENCH_ROWS (10,000,000).
The 10M rows are generated in SQL with generate_series (their hashes are not a valid chain; they
serve the query figure only). Takes a few minutes, most of it generating rows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import nats

from services.audit import handlers, repo
from services.audit.app import MIGRATIONS
from services.audit.consumer import Recorder
from services.audit.domain import prepare
from shared.bus import MSG_ID, encode, ensure_streams
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.db import create_pool
from shared.embedded import LocalServers
from shared.logging import configure_logging
from shared.migrations import apply_migrations
from shared.subjects import Topology

WRITER = "frontdesk_audit_writer"
BIG_SPA = "bench-big"
CLIENTS = 20_000


def _record(spa: str, i: int, when: datetime | None = None) -> AuditRecorded:
    return AuditRecorded(
        tenant_id=spa,
        occurred_at=when or datetime.now(UTC),
        actor=AuditActor(
            service="scheduler", instance="bench", conversation_id=f"c{i % 5000}", client_ref=f"p{i % 5000}"
        ),
        action="find_availability",
        arguments={"service": "botox", "window_days": 3, "provider": None},
        result_summary={"slots": 3},
        disclosed_fields=["first_name"],
        latency_ms=4.2,
    )


async def bench_append(nats_url: str, pool: asyncpg.Pool, count: int) -> float:
    """Records/s from the AUDIT stream into the chain (batches of 1000, one transaction each)."""
    topology = Topology("benchaudit")
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_streams(js, topology)
    spas = [f"spa-{n}" for n in range(4)]
    acks = []
    for i in range(count):
        r = _record(spas[i % len(spas)], i)
        acks.append(js.publish(topology.audit(r.tenant_id), encode(r), headers={MSG_ID: f"audit:{r.id}"}))
        if len(acks) >= 2000:
            await asyncio.gather(*acks)
            acks.clear()
    await asyncio.gather(*acks)
    done = asyncio.Event()
    appended = 0

    def counted(result: handlers.AppendResult) -> None:
        nonlocal appended
        appended += result.inserted
        if appended >= count:
            done.set()

    recorder = Recorder(
        nats_url, pool, topology, writer_role=WRITER, partitions=handlers.Partitions(), batch_size=1000,
        now=lambda: datetime.now(UTC), on_appended=counted,
    )  # fmt: skip
    began = time.perf_counter()
    await recorder.start()
    await asyncio.wait_for(done.wait(), 600)
    seconds = time.perf_counter() - began
    await recorder.stop()
    await nc.close()
    return count / seconds


async def bench_verify(pool: asyncpg.Pool, count: int, trusted: handlers.Keys) -> tuple[float, float]:
    """(direct append records/s while generating, verify seconds) for one spa with `count` records."""
    spa = "bench-verify"
    partitions = handlers.Partitions()
    began = time.perf_counter()
    now = datetime.now(UTC)
    batch = 10_000
    for start in range(0, count, batch):
        rows = [prepare(_record(spa, i, now), now=now) for i in range(start, min(count, start + batch))]
        await handlers.append_records(pool, rows, writer_role=WRITER, partitions=partitions)
    append_rate = count / (time.perf_counter() - began)
    assert trusted.signing is not None
    await handlers.checkpoint(pool, trusted.signing, writer_role=WRITER, tenant_id=spa)
    report = await handlers.verify(pool, spa, trusted.trusted)
    if not report.ok or report.records_checked != count:
        raise RuntimeError(f"verify did not pass: {report.to_dict()}")
    return append_rate, report.seconds


async def generate_rows(pool: asyncpg.Pool, count: int) -> float:
    """`count` rows of one spa over the twelve months of 2025, generated in SQL; returns seconds."""
    await handlers.Partitions().ensure(pool, {datetime(2025, m, 1, tzinfo=UTC) for m in range(1, 13)})
    began = time.perf_counter()
    step = 1_000_000
    async with pool.acquire() as conn:
        for lo in range(1, count + 1, step):
            hi = min(count, lo + step - 1)
            await conn.execute(
                f"""
                INSERT INTO audit.audit_log ({", ".join(repo.ROW_COLUMNS)})
                SELECT $1, i, gen_random_uuid(),
                       timestamptz '2025-01-01 00:00:00+00' + ((i - 1)::float8 / $2) * interval '365 days',
                       now(), 1, gen_random_uuid(), 'scheduler', 'bench', 'c' || (i % 50000),
                       'p' || (i % {CLIENTS}), NULL, NULL,
                       (ARRAY['find_availability', 'hold_slots', 'confirm_booking',
                              'lookup_or_create_client'])[1 + i % 4],
                       '{{"service":"botox","window_days":3}}', '{{"slots":3}}', '["first_name"]', 'ok', 4.2,
                       decode(md5((i - 1)::text), 'hex'), decode(md5(i::text), 'hex')
                FROM generate_series($3::bigint, $4::bigint) AS i
                """,
                BIG_SPA,
                count,
                lo,
                hi,
            )
            print(f"  generated {hi:,} of {count:,} rows ({time.perf_counter() - began:.0f} s)", flush=True)
        await conn.execute("ANALYZE audit.audit_log")
    return time.perf_counter() - began


async def bench_client_month(pool: asyncpg.Pool) -> tuple[float, float, int]:
    """(median ms, p95 ms, rows) of one client's records for one month, the API's own query."""
    timings: list[float] = []
    rows_seen = 0
    async with pool.acquire() as conn:
        for n in range(60):
            month = 1 + n % 12
            f = repo.Filters(
                tenant_id=BIG_SPA,
                client_ref=f"p{(n * 7919) % CLIENTS}",
                start=datetime(2025, month, 1, tzinfo=UTC),
                end=datetime(2025 + (month == 12), month % 12 + 1, 1, tzinfo=UTC),
            )
            began = time.perf_counter()
            rows = await repo.query_records(conn, f, after=None, limit=1001)
            timings.append((time.perf_counter() - began) * 1000)
            rows_seen = max(rows_seen, len(rows))
    warm = timings[10:]  # the first few warm the cache
    return statistics.median(warm), sorted(warm)[int(len(warm) * 0.95) - 1], rows_seen


async def run(nats_url: str, database_url: str, data_dir: Path) -> None:
    """Every figure, printed as it is measured."""
    append_n = int(os.environ.get("AUDIT_BENCH_APPEND", "50000"))
    verify_n = int(os.environ.get("AUDIT_BENCH_VERIFY", "1000000"))
    rows_n = int(os.environ.get("AUDIT_BENCH_ROWS", "10000000"))
    await apply_migrations(database_url, repo.SCHEMA, MIGRATIONS)
    pool = await create_pool(database_url, min_size=2, max_size=4, schema=repo.SCHEMA)
    try:
        async with pool.acquire() as conn:
            await repo.ensure_writer_role(conn, WRITER)
        keys = handlers.load_keys("", "", data_dir)

        rate = await bench_append(nats_url, pool, append_n)
        print(
            f"append from the stream:      {rate:>12,.0f} records/s  ({append_n:,} records, 4 spas; "
            "target 10,000)"
        )

        direct, seconds = await bench_verify(pool, verify_n, keys)
        print(f"append direct (generation):  {direct:>12,.0f} records/s")
        print(f"verify {verify_n:,} records:    {seconds:>12.2f} s          (target < 10 s)", flush=True)

        took = await generate_rows(pool, rows_n)
        print(f"generated {rows_n:,} rows in {took:.0f} s (generate_series)")
        median, p95, rows = await bench_client_month(pool)
        print(
            f"client's month of {rows_n:,}:  {median:>12.2f} ms median, {p95:.2f} ms p95 "
            f"({rows} records per client-month; target < 20 ms)"
        )
    finally:
        await pool.close()


def main() -> None:
    """Start servers unless given, run, clean up."""
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-audit-"))
    os.chmod(tmp, 0o755)
    local = LocalServers(tmp, database=f"bench_audit_{uuid4().hex[:8]}", durable=True)
    try:
        nats_url, database_url = local.nats_url, local.database_url
        configure_logging("audit-bench", "WARNING", "console")
        asyncio.run(run(nats_url, database_url, tmp))
    finally:
        local.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
