"""The gateway starts and takes texts while NATS is down, and publishes them when it is back."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import nats
import pytest

from services.gateway.app import OUTBOUND_DURABLE, build
from shared.embedded import EmbeddedNats
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.support.gateway_harness import BASE, gateway_settings, signed, sms_form, stream_messages, write_spa

pytestmark = pytest.mark.integration


async def _spool_empty(ports: object, timeout: float = 20.0) -> bool:
    """Whether the gateway's spool empties within `timeout` (a directory has no event to wait on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not len(ports.publisher.spool):  # type: ignore[attr-defined]
            return True
        await asyncio.sleep(0.05)
    return False


async def test_gateway_started_while_nats_is_down_takes_a_signed_text_and_publishes_it_later(
    database_url: str, topology: Topology, tmp_path: Path
) -> None:
    server = EmbeddedNats(tmp_path / "nats")  # its port is reserved; nothing listens yet
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    spec, ctx = build(gateway_settings(server.url, database_url, topology, tmp_path))
    spec.bus_wait_seconds = 0.2
    started = time.monotonic()
    await start_context(spec, ctx)
    try:
        assert time.monotonic() - started < 15, "start-up must not wait for NATS"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url=BASE) as http:
            form = sms_form("SM0900", "booked while the bus was away")
            resp = await http.post("/twilio/sms", data=form, headers=signed(BASE + "/twilio/sms", form))
            assert resp.status_code == 200 and "<Response/>" in resp.text
            ports = ctx.extras["ports"]
            assert len(ports.publisher.spool) == 1  # type: ignore[attr-defined]
            ready = await http.get("/readyz")
            assert ready.status_code == 200 and "nats" not in ready.json()["checks"]

            await asyncio.to_thread(server.start)
            assert await _spool_empty(ports), "the spooled text was not published after NATS came back"
        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            [msg] = await stream_messages(js, topology.all_sms_inbound, 1)
            assert msg["headers"]["Nats-Msg-Id"] == "SM0900"
            assert msg["data"]["body"] == "booked while the bus was away"
            # The outbound consumer joined with the bus too.
            info = await js.consumer_info(topology.stream_sms_outbound.name, OUTBOUND_DURABLE)
            assert info.name == OUTBOUND_DURABLE
        finally:
            await nc.close()
    finally:
        await stop_context(spec, ctx)
        await asyncio.to_thread(server.stop)
