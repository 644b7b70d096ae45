"""Escalation service throughput and latency on this machine (embedded NATS and PostgreSQL).

Figures: escalations/s from EscalationRaised published to every alert delivered (inbox, webhook and
email to local fakes) with the handoff SendSms on the outbound stream; p50/p99 from publish to the
handoff SendSms; staff reply p50/p99 (HTTP in-process); inbox list p50/p99 with every conversation.
Set NATS_URL / DATABASE_URL to use existing servers; ESCALATION_BENCH_N sets the escalation count.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import nats

from services.escalation.app import build
from services.escalation.settings import EscalationSettings
from shared.bus import publish_event
from shared.contracts.escalation import EscalationRaised
from shared.embedded import EmbeddedNats, EmbeddedPostgres
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.support.fake_notifiers import SmtpSink, WebhookReceiver
from tests.support.staff_accounts import create_staff, sign_in

SPA = "bench-spa"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(nats_url: str, database_url: str, n: int) -> None:
    topology = Topology(f"b{uuid.uuid4().hex[:10]}")
    webhook, smtp = await WebhookReceiver().start(), await SmtpSink().start()
    spa_dir = Path(tempfile.mkdtemp(prefix="esc-bench-"))
    (spa_dir / "spa.yaml").write_text(
        f"id: {SPA}\nname: Bench Spa\nnotifiers:\n  webhook:\n    url: {webhook.url}\n"
        f"  email:\n    smtp_port: {smtp.port}\n    from: a@b.example\n    to: [s@b.example]\n"
    )
    settings = EscalationSettings(
        nats_url=nats_url,
        database_url=database_url,
        subject_prefix=topology.prefix,
        spa_files=str(spa_dir / "*.yaml"),
        notifier_poll_seconds=0.05,
    )
    spec, ctx = build(settings)
    await start_context(spec, ctx)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    arrived: dict[str, float] = {}
    got_one = asyncio.Event()

    async def on_send(msg: nats.aio.msg.Msg) -> None:
        arrived[msg.header.get("Nats-Msg-Id", "") if msg.header else ""] = time.perf_counter()
        got_one.set()

    sub = await js.subscribe(topology.all_sms_outbound, cb=on_send, manual_ack=False)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://localhost")
    assert ctx.pool is not None
    maria = await create_staff(ctx.pool, SPA)
    http.headers.update(await sign_in(http, maria.email))  # staff act signed in (session + CSRF)
    try:
        sent_at: dict[str, float] = {}
        began = time.perf_counter()
        for i in range(n):
            event = EscalationRaised(
                tenant_id=SPA,
                conversation_id=f"cbench{i}",
                category="human_request",
                reason="asked for a person",
                client_number=f"+1415555{i:04d}",
                handoff_text="Connecting you with our team.",
            )
            sent_at[f"handoff:{event.escalation_id}"] = time.perf_counter()
            await publish_event(js, topology.escalation(SPA, "raised"), event)
        pool = ctx.pool
        assert pool is not None
        while True:
            done = await pool.fetchval("SELECT count(*) FROM alert_deliveries WHERE state = 'delivered'")
            if done >= 3 * n and len(arrived) >= n:
                break
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - began
        latencies = [(arrived[k] - t) * 1000 for k, t in sent_at.items() if k in arrived]
        print(f"escalations                         {n}")
        print(f"escalations/s (all alerts + handoff) {n / elapsed:8.1f}")
        print(
            f"burst: publish → handoff p50/p99 {_pct(latencies, 0.5):6.1f} / {_pct(latencies, 0.99):6.1f} ms"
        )
        print(f"webhook calls / emails              {len(webhook.received)} / {len(smtp.messages)}")

        # One at a time, nothing queued: the latency a client and staff actually see.
        single: list[float] = []
        for i in range(50):
            event = EscalationRaised(
                tenant_id=SPA,
                conversation_id=f"csolo{i}",
                category="human_request",
                reason="asked for a person",
                client_number=f"+1415666{i:04d}",
                handoff_text="Connecting you with our team.",
            )
            key = f"handoff:{event.escalation_id}"
            t0 = time.perf_counter()
            await publish_event(js, topology.escalation(SPA, "raised"), event)
            while key not in arrived:
                await got_one.wait()
                got_one.clear()
            single.append((arrived[key] - t0) * 1000)
        print(f"one at a time: publish → handoff {_pct(single, 0.5):6.1f} / {_pct(single, 0.99):6.1f} ms")

        replies: list[float] = []
        for i in range(min(n, 200)):
            t0 = time.perf_counter()
            r = await http.post(
                f"/api/conversations/{SPA}/cbench{i}/reply", json={"body": "Hi, this is Maria."}
            )
            replies.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
        print(
            f"staff reply p50/p99                  {_pct(replies, 0.5):6.1f} / {_pct(replies, 0.99):6.1f} ms"
        )
        lists: list[float] = []
        for _ in range(50):
            t0 = time.perf_counter()
            r = await http.get("/api/conversations?limit=500")
            lists.append((time.perf_counter() - t0) * 1000)
        print(
            f"inbox list ({len(r.json()['conversations'])} conversations) p50/p99 "
            f"{statistics.median(lists):6.1f} / {_pct(lists, 0.99):6.1f} ms"
        )
    finally:
        await http.aclose()
        await sub.unsubscribe()
        await nc.close()
        await stop_context(spec, ctx)
        await webhook.stop()
        await smtp.stop()


def main() -> None:
    """Start servers (unless given), run the measurements, print the figures."""
    n = int(os.environ.get("ESCALATION_BENCH_N", "300"))
    tmp = Path(tempfile.mkdtemp(prefix="esc-bench-srv-"))
    started: list[EmbeddedNats | EmbeddedPostgres] = []
    nats_url = os.environ.get("NATS_URL")
    if not nats_url:
        server = EmbeddedNats(tmp / "nats").start()
        started.append(server)
        nats_url = server.url
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        os.chmod(tmp, 0o755)
        pg = EmbeddedPostgres(tmp / "pg", durable=False).start()
        started.append(pg)
        database_url = pg.create_database("bench")
    else:
        name = f"bench_{uuid.uuid4().hex[:8]}"

        async def create() -> None:
            conn = await asyncpg.connect(database_url)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        database_url = database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        asyncio.run(_run(nats_url, database_url, n))
    finally:
        for s in reversed(started):
            s.stop()


if __name__ == "__main__":
    main()
