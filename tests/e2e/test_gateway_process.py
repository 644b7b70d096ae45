"""The gateway as its own process: readiness, the simulator page, live replies over SSE, chat CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client as NatsClient

from services.gateway.dev import urls
from shared.bus import publish_event
from shared.contracts.sms import SendSms
from shared.embedded import free_port
from shared.subjects import Topology
from tests.support.gateway_harness import SPA_ID, noticed, stream_messages, write_spa

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+14155550177"


async def _ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1) as client:
        for _ in range(int(timeout / 0.1)):
            assert proc.poll() is None, "gateway exited during start-up"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("gateway not ready")


async def test_gateway_process_serves_the_simulator_with_live_replies(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": database_url,
        "SUBJECT_PREFIX": topology.prefix,
        "SPA_FILES": str(tmp_path / "spas" / "*.yaml"),
        "SPOOL_DIR": str(tmp_path / "spool"),
        "GATEWAY_HTTP_PORT": str(port),
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "SMS_PROVIDER": "",
        "LOG_FORMAT": "json",
    }
    base = urls(env)["SMS simulator (phone)"].removesuffix("/simulator")
    assert base == f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "services.gateway"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        await _ready(base, proc)
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert "EventSource" in (await client.get("/simulator")).text
            async with client.stream("GET", "/simulator/stream", params={"number": PHONE}) as stream:
                lines = stream.aiter_lines()

                async def next_event() -> dict[str, object]:
                    async for line in lines:
                        if line.startswith("data: "):
                            return json.loads(line[6:])  # type: ignore[no-any-return]
                    raise AssertionError("stream ended")

                resp = await client.post("/simulator/messages", json={"from_number": PHONE, "body": "hello"})
                assert resp.status_code == 202
                first = await asyncio.wait_for(next_event(), 10)
                assert first["direction"] == "in" and first["body"] == "hello"
                [received] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
                reply = SendSms(
                    tenant_id=SPA_ID,
                    idempotency_key="e2e:reply",
                    conversation_id=received["data"]["conversation_id"],
                    to_number=PHONE,
                    body="Hi! Botox or filler?",
                )
                await publish_event(
                    nc.jetstream(), topology.sms_outbound(SPA_ID, reply.conversation_id), reply
                )
                second = await asyncio.wait_for(next_event(), 10)
                # The spa's first text to the number carries the opt-out notice.
                assert second["direction"] == "out" and second["body"] == noticed("Hi! Botox or filler?")

        chat = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.gateway", "chat", "--from", "+14155550178", "--url", base,
            env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(chat.communicate(b"typed in a terminal\n"), 20)
        assert chat.returncode == 0, out.decode()
        msgs = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 2)
        assert msgs[-1]["data"]["body"] == "typed in a terminal"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0, proc.stdout.read().decode() if proc.stdout else ""
