"""Webhook ack latency: signed Twilio webhooks at a steady rate against a running gateway process.

Each request is checked (signature) and published to JetStream before it is answered, so the
latency measured is signature check + JetStream publish ack + HTTP. The load is open-loop (a
request every 1/RATE s, whatever the answers do) from aiohttp in this process; the gateway runs as
its own process (`python -m services.gateway`) on embedded NATS and PostgreSQL, or on NATS_URL /
DATABASE_URL when set.

Knobs: GATEWAY_BENCH_RATE (default 500/s), GATEWAY_BENCH_SECONDS (default 10),
GATEWAY_BENCH_LOG_LEVEL (default INFO, as in production: one redacted log line per webhook).
The machine is shared (2 cores here, with the generator and NATS on them too): the load average
is printed beside the figures, and the tail follows it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import httpx
import nats
from twilio.request_validator import RequestValidator

from shared.embedded import LocalServers, free_port
from shared.subjects import Topology

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token"
SPA_NUMBER = "+14155550199"


def _spa_file(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.yaml").write_text(
        "id: bench-spa\nname: Bench Spa\ntimezone: America/Los_Angeles\n"
        f"sms:\n  numbers: ['{SPA_NUMBER}']\n  daily_send_cap: 100000\n"
    )


async def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1) as client:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError("gateway exited during start-up")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("gateway not ready")


def _requests(count: int, url: str) -> list[tuple[str, dict[str, str]]]:
    """Pre-signed bodies, so the generator spends its time sending, not hashing."""
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": f"+1415555{i % 10000:04d}",
            "To": SPA_NUMBER,
            "Body": f"Hi, can I book a facial this week? ({i})",
            "NumMedia": "0",
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": validator.compute_signature(url, params),
        }
        out.append((urlencode(params), headers))
    return out


async def _load(base: str, rate: float, seconds: float) -> tuple[list[float], int, float]:
    url = base + "/twilio/sms"
    total = int(rate * seconds)
    prepared = _requests(total, url)
    latencies: list[float] = []
    errors = 0
    # aiohttp: its connection pool stays cheap at a few hundred requests in flight.
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as session:
        # Warm up connections and code paths.
        for body, headers in _requests(50, url):
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()

        async def one(body: str, headers: dict[str, str]) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
                return
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        # The generator's own garbage collections would show up as gateway latency: not during the run.
        gc.collect()
        gc.disable()
        begun = time.perf_counter()
        for i, (body, headers) in enumerate(prepared):
            delay = begun + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body, headers)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begun
        gc.enable()
    return latencies, errors, elapsed


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _run(rate: float, seconds: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="frontdesk-bench-gw-"))
    os.chmod(tmp, 0o755)
    local = LocalServers(tmp, database="bench")
    nats_url, database_url = local.nats_url, local.database_url
    topology = Topology(prefix=f"bench{uuid.uuid4().hex[:8]}")
    _spa_file(tmp / "spas")
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "SUBJECT_PREFIX": topology.prefix,
        "SPA_FILES": str(tmp / "spas" / "*.yaml"),
        "SPOOL_DIR": str(tmp / "spool"),
        "GATEWAY_HTTP_PORT": str(port),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "SMS_PROVIDER": "twilio",
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # nothing is sent in this benchmark
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",  # the URL the webhooks are signed for
        "LOG_LEVEL": os.environ.get("GATEWAY_BENCH_LOG_LEVEL", "INFO"),
        "LOG_FORMAT": "json",
    }
    proc = subprocess.Popen([sys.executable, "-m", "services.gateway"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(base, proc)
        cpu_before = _cpu_seconds(proc.pid)
        latencies, errors, elapsed = await _load(base, rate, seconds)
        cpu = _cpu_seconds(proc.pid) - cpu_before
        nc = await nats.connect(nats_url)
        try:
            info = await nc.jetstream().stream_info(topology.stream_sms_inbound.name)
            stored = info.state.messages
        finally:
            await nc.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        local.stop(remove_data=True)
    done = len(latencies)
    print(f"target rate          {rate:.0f} webhooks/s for {seconds:.0f} s ({int(rate * seconds)} requests)")
    print(f"sustained rate       {done / elapsed:.0f} acked webhooks/s")
    print(f"errors               {errors}")
    if done:
        # CPU the gateway process spent per webhook: what the latency tail depends on when the
        # machine is shared (load average shown) and the generator runs on the same cores.
        per = cpu / (done + 50) * 1000
        print(f"gateway CPU          {per:.2f} ms per webhook ({cpu / elapsed:.0%} of a core)")
    print(f"load average         {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"in JetStream         {stored} (warm-up 50 + {done} acked)")
    if latencies:
        print(
            f"ack latency (ms)     p50 {_pct(latencies, 50):.1f}  p90 {_pct(latencies, 90):.1f}  "
            f"p99 {_pct(latencies, 99):.1f}  max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
        )
        verdict = "met" if _pct(latencies, 99) < 25 and errors == 0 else "NOT met"
        print(f"target p99 < 25 ms with no errors: {verdict}")


def main() -> None:
    """Run the webhook benchmark and print its figures."""
    rate = float(os.environ.get("GATEWAY_BENCH_RATE", "500"))
    seconds = float(os.environ.get("GATEWAY_BENCH_SECONDS", "10"))
    asyncio.run(_run(rate, seconds))


if __name__ == "__main__":
    main()
