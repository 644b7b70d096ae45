"""`make run` end to end: `frontdesk dev` brings the whole system up on embedded servers, a text typed
on the simulator gets the AI's reply, and Ctrl-C stops every process it started."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.system_support import _free_ports

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PORT_VARS = (
    "FRONTDESK_NATS_PORT",
    "FRONTDESK_PG_PORT",
    "AUDIT_HTTP_PORT",
    "SCHEDULER_HTTP_PORT",
    "INBOX_HTTP_PORT",
    "GATEWAY_HTTP_PORT",
    "AGENT_HTTP_PORT",
    "ESCALATION_DEV_WEBHOOK_PORT",
    "ESCALATION_DEV_SMTP_PORT",
)
# Settings of a developer's shell that would point the run elsewhere than its own embedded servers.
FOREIGN = (
    "NATS_URL",
    "DATABASE_URL",
    "SUBJECT_PREFIX",
    "SPA_FILES",
    "SMS_PROVIDER",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "INBOX_STAFF_TOKEN",
    "HTTP_HOST",
    "FRONTDESK_RUN_SECONDS",
    "SPOOL_DIR",
)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data directory the embedded PostgreSQL's own system user can reach (as the session's is)."""
    path = Path(tempfile.mkdtemp(prefix="frontdesk-make-run-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def processes_using(path: Path) -> list[str]:
    """Command lines of live processes that name `path` (nats-server's store, postgres' data)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        cmd = raw.replace(b"\0", b" ").decode(errors="replace")
        if str(path) in cmd and int(pid) != os.getpid():
            found.append(f"{pid}: {cmd}")
    return found


async def _answers(
    client: httpx.AsyncClient, url: str, proc: subprocess.Popen[bytes], timeout: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        assert proc.poll() is None, f"frontdesk dev exited with {proc.returncode} before {url} answered"
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert loop.time() < deadline, f"{url} did not answer 200 in {timeout} s"
        await asyncio.sleep(0.1)


async def test_make_run_starts_everything_answers_a_text_and_stops_cleanly_on_ctrl_c(data_dir: Path) -> None:
    ports = dict(zip(PORT_VARS, map(str, _free_ports(len(PORT_VARS))), strict=True))
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN}
    env.update(ports, FRONTDESK_DATA_DIR=str(data_dir), LOG_FORMAT="json")
    out_path = data_dir / "dev.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "dev"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        url = {name: f"http://127.0.0.1:{ports[var]}" for name, var in (
            ("audit", "AUDIT_HTTP_PORT"), ("scheduler", "SCHEDULER_HTTP_PORT"),
            ("escalation", "INBOX_HTTP_PORT"), ("gateway", "GATEWAY_HTTP_PORT"), ("agent", "AGENT_HTTP_PORT"),
        )}  # fmt: skip
        async with httpx.AsyncClient(timeout=5) as client:
            await asyncio.gather(*(_answers(client, u + "/readyz", proc, 90) for u in url.values()))
            await _answers(client, url["gateway"] + "/simulator", proc, 5)
            await _answers(client, url["escalation"] + "/", proc, 5)

            number = "+14155550170"
            sent = await client.post(
                url["gateway"] + "/simulator/messages",
                json={"from_number": number, "body": "Hi, I'm Dana, I'd like a HydraFacial"},
            )
            assert sent.status_code == 202, sent.text

            async def reply() -> str:
                while True:
                    thread = await client.get(
                        url["gateway"] + "/simulator/messages", params={"number": number}
                    )
                    out = [m for m in thread.json() if m["direction"] == "out"]
                    if out:
                        return str(out[0]["body"])
                    await asyncio.sleep(0.1)

            answer = await asyncio.wait_for(reply(), 20)
            assert "Glow Med Spa" in answer and "HydraFacial" in answer, answer

            # The inbox needs no account set up by hand: make run prints a demo owner's sign-in.
            printed = re.search(r"owner@glow-medspa  password (\S+)", out_path.read_text(errors="replace"))
            assert printed, "make run prints the demo owner's sign-in"
            login = await client.post(
                url["escalation"] + "/api/login",
                json={"email": "owner@glow-medspa", "password": printed.group(1)},
            )
            assert login.status_code == 200 and login.json()["role"] == "owner", login.text

            # Another terminal's command finds make run's servers with nothing exported.
            recorded = json.loads((data_dir / "servers.json").read_text())
            assert recorded["nats_url"].endswith(f":{ports['FRONTDESK_NATS_PORT']}")
            assert f":{ports['FRONTDESK_PG_PORT']}/" in recorded["database_url"]
            load = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "shared.cli", "scheduler", "load-spa", "--demo"],
                cwd=ROOT, env={k: v for k, v in env.items() if k not in ("NATS_URL", "DATABASE_URL")},
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert load.returncode == 0, load.stderr[-2000:]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            code = await asyncio.to_thread(proc.wait, 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
    output = out_path.read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert "stopped." in output.splitlines(), output[-3000:]
    # The dev alert sinks moved to the ports given, off the demo's fixed defaults.
    assert f"http://127.0.0.1:{ports['ESCALATION_DEV_WEBHOOK_PORT']}" in output
    assert f"smtp://127.0.0.1:{ports['ESCALATION_DEV_SMTP_PORT']}" in output
    assert processes_using(data_dir) == [], "nats-server/postgres of this data dir still running"
    assert not (data_dir / "servers.json").exists(), "a stopped make run leaves no server record"
