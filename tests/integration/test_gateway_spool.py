"""No inbound text is lost when NATS is down: spooled to disk, published once when it is back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import nats
import pytest

from shared.embedded import EmbeddedNats
from shared.subjects import Topology
from tests.support.gateway_harness import (
    gateway_settings,
    running_gateway,
    sms_form,
    stream_messages,
    subject_count,
    write_spa,
)

pytestmark = pytest.mark.integration


async def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll a condition that has no event of its own (a connection state, a directory) until true."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("condition not met")


async def test_nats_stopped_during_a_webhook_text_is_published_once_after_restart(
    database_url: str, topology: Topology, tmp_path: Path
) -> None:
    server = EmbeddedNats(tmp_path / "nats").start()
    try:
        (tmp_path / "spas").mkdir()
        write_spa(tmp_path / "spas")
        settings = gateway_settings(server.url, database_url, topology, tmp_path)
        async with running_gateway(settings) as gw:
            assert (await gw.post_sms(sms_form("SM0400", "before the outage"))).status_code == 200
            await asyncio.to_thread(server.stop)
            client = gw.ctx.broker._connection
            await _wait(lambda: not client.is_connected)

            resp = await gw.post_sms(sms_form("SM0401", "during the outage 🙏"))
            assert resp.status_code == 200 and "<Response/>" in resp.text
            # Twilio gave up on the first try and retries the webhook: still one text.
            assert (await gw.post_sms(sms_form("SM0401", "during the outage 🙏"))).status_code == 200
            assert len(gw.ports.publisher.spool) >= 1

            server.start()
            await _wait(lambda: len(gw.ports.publisher.spool) == 0)
            # A retry after the bus is back is deduplicated too.
            assert (await gw.post_sms(sms_form("SM0401", "during the outage 🙏"))).status_code == 200

        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            msgs = await stream_messages(js, topology.all_sms_inbound, 2)
            assert [m["data"]["body"] for m in msgs] == ["before the outage", "during the outage 🙏"]
            assert [m["headers"]["Nats-Msg-Id"] for m in msgs] == ["SM0400", "SM0401"]
            assert await subject_count(js, topology.stream_sms_inbound.name, topology.all_sms_inbound) == 2
        finally:
            await nc.close()
    finally:
        server.stop()
