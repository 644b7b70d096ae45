"""The whole system as real processes for end-to-end tests: five services, fake Twilio, alert sinks.

`started_system` loads a copy of the demo spa (its notifiers pointed at local sinks) with
`frontdesk scheduler load-spa`, starts `python -m services.<name>` for every service against the
session's NATS and PostgreSQL (one database and one subject prefix of its own), waits for every
`/readyz`, and plays the client's phone through the gateway's Twilio webhook with signed requests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import nats
import yaml
from nats.aio.client import Client as NatsClient
from twilio.request_validator import RequestValidator

from shared.embedded import free_port
from shared.ids import conversation_id
from shared.subjects import Topology
from tests.integration.agent_harness import Phone
from tests.integration.audit_fixtures import signing_key_b64
from tests.support.fake_notifiers import SmtpSink, WebhookReceiver
from tests.support.fake_twilio import FakeTwilio, SentMessage
from tests.support.staff_accounts import staff_session_for_system

ROOT = Path(__file__).resolve().parents[2]
DEMO_SPA = ROOT / "spas" / "demo-spa.yaml"
TENANT = "glow-medspa"
SPA_NUMBER = "+14155550199"
ID_KEY = "frontdesk-local-development-key"
ACCOUNT_SID = "AC" + "e" * 32
AUTH_TOKEN = "e2e-auth-token-0123456789abcdef"
SERVICES = ("audit", "scheduler", "escalation", "gateway", "agent")  # the order `make run` uses


def _free_ports(count: int) -> list[int]:
    """Distinct free ports (free_port alone may hand out the same one twice in a row)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass
class System:
    """The running system and the test's handles on it."""

    env: dict[str, str]
    database_url: str
    topology: Topology
    twilio: FakeTwilio
    webhook: WebhookReceiver
    smtp: SmtpSink
    urls: dict[str, str]
    nc: NatsClient
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    audit_token: str = ""
    staff_token: str = ""  # a signed-in inbox account's session, sent as a bearer token
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10))

    @property
    def agent_log(self) -> Phone:
        """Reads conversations' event streams (the agent's log is the truth about turns)."""
        return Phone(self.nc, self.topology)

    def conversation(self, number: str) -> str:
        """The conversation id every service derives for a client number."""
        return conversation_id(ID_KEY, TENANT, number)

    async def text(self, number: str, body: str) -> None:
        """A client's text, as Twilio would POST it to the gateway (signed with the auth token)."""
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": number,
            "To": SPA_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        params["SmsSid"] = params["MessageSid"]
        url = self.urls["gateway"] + "/twilio/sms"
        headers = {
            "X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        resp = await self.http.post(url, content=urlencode(params), headers=headers)
        assert resp.status_code == 200, resp.text

    async def sent(self, number: str, count: int, timeout: float = 15.0) -> list[SentMessage]:
        """Wait until the fake Twilio was asked to send `count` texts to `number`; returns them."""
        changed = self.twilio._changed
        assert changed is not None
        try:
            async with asyncio.timeout(timeout), changed:
                await changed.wait_for(lambda: len(self.twilio.sent_to(number)) >= count)
        except TimeoutError:
            bodies = [m.body for m in self.twilio.sent_to(number)]
            raise AssertionError(f"expected {count} texts, got {bodies}") from None
        return self.twilio.sent_to(number)

    async def say(self, number: str, body: str, timeout: float = 15.0) -> str:
        """Text the spa and wait for the next text Twilio is asked to send back."""
        before = len(self.twilio.sent_to(number))
        await self.text(number, body)
        return (await self.sent(number, before + 1, timeout))[before].body

    @property
    def staff(self) -> dict[str, str]:
        """Headers that sign an inbox request in as the system's test account."""
        return {"Authorization": f"Bearer {self.staff_token}"}

    async def inbox(self, path: str, **params: Any) -> Any:
        """GET the staff inbox API, signed in as the system's test account."""
        resp = await self.http.get(self.urls["escalation"] + path, params=params, headers=self.staff)
        resp.raise_for_status()
        return resp.json()

    async def alert_for(self, number: str, timeout: float = 15.0) -> tuple[str, str]:
        """Wait for this client's staff alert at both sinks; returns (webhook text, email body)."""
        tag = f"ending {number[-4:]}"

        async def both() -> tuple[str, str] | None:
            hooks = [a["text"] for a in self.webhook.received if tag in a.get("text", "")]
            mails = [str(m.get_payload(decode=True), "utf-8") for m in self.smtp.messages]
            mails = [body for body in mails if tag in body]
            return (hooks[0], mails[0]) if hooks and mails else None

        return await self.eventually(both, f"alerts for the client {tag}", timeout)  # type: ignore[no-any-return]

    async def eventually(self, check: Any, what: str, timeout: float = 15.0) -> Any:
        """Poll an async check until it returns something truthy; fail naming `what` otherwise.

        A 404 from a service's API counts as "not yet": the inbox's read model may not have seen a
        conversation's first event when the check first asks for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                result = await check()
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 404:
                    raise
                result = None
            if result:
                return result
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)


def write_spa(folder: Path, webhook_url: str, smtp_port: int) -> Path:
    """The demo spa with its notifiers pointed at the test's sinks."""
    spa = yaml.safe_load(DEMO_SPA.read_text())
    spa["notifiers"]["webhook"]["url"] = webhook_url
    spa["notifiers"]["email"]["smtp_port"] = smtp_port
    spa["notifiers"]["email"]["smtp_host"] = "127.0.0.1"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "glow-medspa.yaml"
    path.write_text(yaml.safe_dump(spa, sort_keys=False))
    return path


async def run_cli(env: dict[str, str], *args: str, timeout: float = 60.0) -> str:
    """`python -m shared.cli ARGS` (what `frontdesk ARGS` runs); returns stdout, fails on non-zero."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, f"frontdesk {' '.join(args)}: {err.decode()[-2000:]}"
    return out.decode()


async def wait_ready(system: System, timeout: float = 60.0) -> None:
    """Wait until every service answers 200 on /readyz; fail at once if one exits."""

    async def one(name: str) -> None:
        url = system.urls[name] + "/readyz"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                proc = system.procs[name]
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited with {proc.returncode}: {tail(system, name)}")
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if loop.time() > deadline:
                    raise AssertionError(f"{name} not ready in {timeout} s: {tail(system, name)}")
                await asyncio.sleep(0.1)

    await asyncio.gather(*(one(name) for name in SERVICES))


def tail(system: System, name: str, chars: int = 3000) -> str:
    """The end of a service's output, for failure messages."""
    path = system.logs / f"{name}.log"
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@asynccontextmanager
async def started_system(
    admin_dsn: str, nats_url: str, tmp: Path, extra_env: dict[str, str] | None = None
) -> AsyncIterator[System]:
    """Start everything (see the module docstring); stop it and drop its database afterwards.

    `extra_env` is added to every process's environment (e.g. a short AGENT_HOLD_TTL_SECONDS).
    """
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, rest = admin_dsn.rpartition("/")
    query = "?" + rest.split("?", 1)[1] if "?" in rest else ""
    database_url = f"{base}/{name}{query}"
    topology = Topology(prefix=f"e{uuid.uuid4().hex[:12]}")

    twilio = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
    webhook = await WebhookReceiver().start()
    smtp = await SmtpSink().start()
    spa_file = write_spa(tmp / "spas", webhook.url, smtp.port)
    ports = dict(zip(SERVICES, _free_ports(len(SERVICES)), strict=True))
    urls = {svc: f"http://127.0.0.1:{port}" for svc, port in ports.items()}
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "SUBJECT_PREFIX": topology.prefix,
        "SPA_FILES": str(spa_file),
        "ID_HASH_KEY": ID_KEY,
        "LOG_FORMAT": "json",
        "FRONTDESK_DATA_DIR": str(tmp / "data"),
        "DB_POOL_MAX": "4",
        # audit
        "AUDIT_HTTP_PORT": str(ports["audit"]),
        "AUDIT_SIGNING_KEY": signing_key_b64(),
        "AUDIT_API_URL": urls["audit"],
        # scheduler
        "SCHEDULER_HTTP_PORT": str(ports["scheduler"]),
        # escalation: retries quick enough for a test
        "INBOX_HTTP_PORT": str(ports["escalation"]),
        "NOTIFIER_BACKOFF_SECONDS": "0.2",
        "NOTIFIER_POLL_SECONDS": "0.2",
        "NOTIFIER_TIMEOUT_SECONDS": "3",
        # gateway: Twilio, faked at the wire
        "GATEWAY_HTTP_PORT": str(ports["gateway"]),
        "SMS_PROVIDER": "twilio",
        "TWILIO_API_BASE_URL": twilio.base_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": urls["gateway"],
        "SPOOL_DIR": str(tmp / "spool"),
        "SEND_BACKOFF_SECONDS": "0.05",
        # Scripted clients answer every reply at once and reuse numbers, as a bot would: the
        # per-number limits and loop detection (test_gateway_loops.py) would hold them for staff.
        "NUMBER_LIMITS": "false",
        # agent
        "AGENT_HTTP_PORT": str(ports["agent"]),
    }
    for var in ("AUDIT_TOKEN", "INBOX_DEV_OWNER_PASSWORD", "INBOX_SESSION_TOKEN", "HTTP_HOST"):
        env.pop(var, None)  # the developer's own settings must not leak into the system under test
    env.update(extra_env or {})
    logs = tmp / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    nc = await nats.connect(nats_url)
    system = System(env, database_url, topology, twilio, webhook, smtp, urls, nc, logs)
    try:
        await run_cli(env, "scheduler", "load-spa", str(spa_file))
        for svc in SERVICES:
            with (logs / f"{svc}.log").open("wb") as out:
                system.procs[svc] = subprocess.Popen(
                    [sys.executable, "-m", f"services.{svc}"], env=env, cwd=ROOT,
                    stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
        await wait_ready(system)
        system.audit_token = await run_cli(env, "audit", "token", "create", "--all-spas", "--name", "e2e")
        system.audit_token = system.audit_token.strip().splitlines()[-1]
        system.staff_token = await staff_session_for_system(database_url, urls["escalation"], "glow-medspa")
        yield system
        # Every service stops cleanly on SIGTERM (what a deploy or `make run`'s Ctrl-C sends).
        codes = await stop_processes(system)
        unclean = {svc: code for svc, code in codes.items() if code != 0}
        assert not unclean, f"unclean exits {unclean}: " + "".join(tail(system, s, 1500) for s in unclean)
    finally:
        await stop_processes(system)
        await system.http.aclose()
        await nc.drain()
        for server in (twilio, webhook, smtp):
            await server.stop()
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def stop_processes(system: System, timeout: float = 20.0) -> dict[str, int | None]:
    """SIGTERM every service (last started first), wait, kill what hangs; returns exit codes."""
    for svc in reversed(list(system.procs)):
        proc = system.procs[svc]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes: dict[str, int | None] = {}
    for svc, proc in system.procs.items():
        try:
            codes[svc] = await asyncio.to_thread(proc.wait, timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            codes[svc] = None
    return codes


async def play_scenarios(
    servers: dict[str, str], tmp: Path, scenario_dirs: list[Path], extra_env: dict[str, str] | None = None
) -> list[Any]:
    """Start the system, play the conversation scenarios through its webhook and inbox, stop it."""
    from services.agent.scenarios.main import run_suite
    from services.agent.scenarios.play import Target
    from services.agent.scenarios.spa import read_spa
    from services.agent.scenarios.spec import load

    scenarios = load(scenario_dirs)
    async with started_system(servers["postgres"], servers["nats"], tmp, extra_env=extra_env) as system:
        target = Target(
            gateway=system.urls["gateway"],
            inbox=system.urls["escalation"],
            auth_token=AUTH_TOKEN,
            account_sid=ACCOUNT_SID,
            spa=read_spa(tmp / "spas" / "glow-medspa.yaml"),
            staff_token=system.staff_token,
            settle=0.7,
            poll=0.15,
        )
        results = await run_suite(scenarios, target, concurrency=8, fresh=False)
    assert len(results) == len(scenarios), "every scenario was played"
    return results
