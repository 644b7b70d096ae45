"""A text the carrier cannot take for now (429/5xx) waits and is tried again, bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient

from services.gateway.settings import GatewaySettings
from shared.subjects import Topology
from tests.integration.test_gateway_outbound import request_send, send_cmd, twilio_settings
from tests.support.fake_twilio import FakeTwilio
from tests.support.gateway_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SPA_ID,
    noticed,
    running_gateway,
    stream_messages,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A fake Twilio that knows the test account."""
    fake = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
    yield fake
    await fake.stop()


async def events(nc: NatsClient, topology: Topology, kind: str, count: int) -> list[dict[str, Any]]:
    """The gateway's events of a kind, once `count` are there (waits up to 15 s)."""
    found = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, kind), count, timeout=15)
    return [m["data"] for m in found]


def retrying_settings(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, window: float
) -> GatewaySettings:
    """Two tries per round, the next round 0.2 s later (doubling), for `window` seconds."""
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio)
    return settings.model_copy(
        update={"send_attempts": 2, "send_retry_seconds": 0.2, "send_retry_window_seconds": window}
    )


async def _row(database_url: str, key: str) -> asyncpg.Record:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT state, reason, attempts FROM gateway.outbound_messages "
            "WHERE tenant_id = $1 AND idempotency_key = $2",
            SPA_ID,
            key,
        )
    finally:
        await conn.close()
    assert row is not None
    return row


async def test_text_held_up_by_twilio_errors_goes_out_once_when_twilio_recovers(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = retrying_settings(nats_url, database_url, topology, tmp_path, twilio, window=60)
    twilio.fail_next(503, times=3)
    twilio.fail_next(429, times=2, code=20429)  # two full rounds and one try of the third fail
    async with running_gateway(settings):
        await request_send(nc, topology, send_cmd("reply:held-up"))
        [waiting] = await events(nc, topology, "failed", 1)
        assert waiting["reason"] == "provider_unavailable" and waiting["permanent"] is False
        [sent] = await twilio.wait_for_sent(1)
        [event] = await events(nc, topology, "sent", 1)
        await asyncio.sleep(0.5)  # a second send of the same text would show up now
    assert sent.body == noticed(send_cmd("reply:held-up").body) and event["provider_sid"] == sent.sid
    assert len(twilio.requests) == 6 and len(twilio.sent) == 1
    row = await _row(database_url, "reply:held-up")
    assert (row["state"], row["attempts"]) == ("sent", 3)


async def test_text_twilio_never_takes_fails_after_the_retry_window_and_staff_are_alerted_once(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = retrying_settings(nats_url, database_url, topology, tmp_path, twilio, window=1.0)
    twilio.fail_next(500, times=1000)
    async with running_gateway(settings):
        await request_send(nc, topology, send_cmd("reply:never-1", to="+14155550124"))
        await request_send(nc, topology, send_cmd("reply:never-2", to="+14155550125"))
        failed = await events(nc, topology, "failed", 4)
        [alert] = [m["data"] for m in await stream_messages(nc.jetstream(), topology.escalation(SPA_ID), 1)]
        tries = len(twilio.requests)
        await asyncio.sleep(0.6)  # nothing is tried after it was given up
        assert len(twilio.requests) == tries
    final = [f for f in failed if f["permanent"]]
    assert sorted(f["idempotency_key"] for f in final) == ["reply:never-1", "reply:never-2"]
    assert {f["reason"] for f in final} == {"provider_unavailable"}
    assert alert["category"] == "delivery_failed" and alert["source"] == "gateway"
    assert alert["client_number"] is None and alert["conversation_id"] is None
    assert tries > 2 * settings.send_attempts, "each was tried again before it was given up"
    assert not twilio.sent
    assert (await _row(database_url, "reply:never-1"))["state"] == "failed"


async def test_a_permanent_twilio_error_is_never_tried_again_later(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = retrying_settings(nats_url, database_url, topology, tmp_path, twilio, window=60)
    twilio.fail_next(400, code=21211)
    async with running_gateway(settings):
        await request_send(nc, topology, send_cmd("reply:invalid-number"))
        [failed] = await events(nc, topology, "failed", 1)
        await asyncio.sleep(0.6)  # three retry pauses
    assert failed["permanent"] is True and failed["reason"] == "rejected"
    assert len(twilio.requests) == 1
    assert (await _row(database_url, "reply:invalid-number"))["state"] == "failed"


async def test_a_later_text_to_the_same_number_waits_behind_the_held_up_one_and_both_go_in_order(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = retrying_settings(nats_url, database_url, topology, tmp_path, twilio, window=60)
    settings = settings.model_copy(update={"send_retry_seconds": 0.6})
    twilio.fail_next(503, times=2)  # the first text's first round
    async with running_gateway(settings):
        await request_send(nc, topology, send_cmd("order:1", body="Here are two times."))
        await events(nc, topology, "failed", 1)  # waiting for its next try
        await request_send(nc, topology, send_cmd("order:2", body="Reply 1 or 2."))
        await request_send(nc, topology, send_cmd("order:other", body="Hello!", to="+14155550126"))
        sent = await twilio.wait_for_sent(3)
    # Another client's text did not wait; this client's two arrived in the order they were asked for.
    assert [m.body for m in sent] == [noticed("Hello!"), noticed("Here are two times."), "Reply 1 or 2."]
    assert (await _row(database_url, "order:2"))["attempts"] == 1
