"""Outbound texts through the real twilio SDK to a fake Twilio: idempotency, retries, opt-out, cap."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient

from services.gateway import handlers
from services.gateway.settings import GatewaySettings
from shared.bus import ensure_streams, publish_event
from shared.contracts.sms import ClientOptedOut, SendSms
from shared.ids import client_ref, conversation_id
from shared.subjects import Topology
from tests.support.fake_twilio import FakeTwilio, SentMessage
from tests.support.gateway_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BASE,
    SPA_ID,
    RunningGateway,
    gateway_settings,
    noticed,
    running_gateway,
    sms_form,
    stream_messages,
    subject_count,
    write_spa,
)

pytestmark = pytest.mark.integration

CLIENT = "+14155550123"


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A fake Twilio that knows the test account."""
    fake = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
    yield fake
    await fake.stop()


def twilio_settings(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, cap: int = 100
) -> GatewaySettings:
    """A gateway sending through the real SDK to the fake Twilio."""
    if not (tmp_path / "spas").exists():
        (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas", cap=cap)
    return gateway_settings(
        nats_url,
        database_url,
        topology,
        tmp_path,
        sms_provider="twilio",
        twilio_api_base_url=twilio.base_url,
        public_base_url=BASE,
    )


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio
) -> AsyncIterator[RunningGateway]:
    """A gateway using Twilio (the fake, through the real SDK)."""
    async with running_gateway(twilio_settings(nats_url, database_url, topology, tmp_path, twilio)) as gw:
        yield gw


def send_cmd(key: str, body: str = "You're booked for Friday 3pm.", to: str = CLIENT, **kw: Any) -> SendSms:
    conv = conversation_id("frontdesk-local-development-key", SPA_ID, to)
    return SendSms(tenant_id=SPA_ID, idempotency_key=key, conversation_id=conv, to_number=to, body=body, **kw)


async def request_send(nc: NatsClient, topology: Topology, cmd: SendSms) -> None:
    """Publish a SendSms as the agent would; each publish is a distinct bus message."""
    await publish_event(
        nc.jetstream(),
        topology.sms_outbound(cmd.tenant_id, cmd.conversation_id),
        cmd,
        msg_id=str(uuid.uuid4()),
    )


async def events(nc: NatsClient, topology: Topology, kind: str, count: int) -> list[dict[str, Any]]:
    return [m["data"] for m in await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, kind), count)]


async def test_send_goes_through_the_sdk_and_emits_sms_sent_with_segments(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    await request_send(nc, topology, send_cmd("reply:1", body="Your Botox consult is Fri 3pm 💉"))
    [sent] = await twilio.wait_for_sent(1)
    # The spa's first text to the number carries the opt-out notice (and still fits one segment).
    assert sent.to == CLIENT and sent.body == noticed("Your Botox consult is Fri 3pm 💉")
    assert sent.from_ == "+14155550199" and sent.messaging_service_sid is not None
    [event] = await events(nc, topology, "sent", 1)
    assert event["provider_sid"] == sent.sid and event["encoding"] == "UCS-2" and event["segments"] == 1
    assert event["body"] == sent.body and event["provider"] == "twilio"


async def test_redelivered_outbound_request_is_one_twilio_call(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    cmd = send_cmd("reply:redelivered")
    for _ in range(3):
        await request_send(nc, topology, cmd)
    await request_send(nc, topology, send_cmd("reply:after", body="later"))
    # The later text went out, so the three copies before it were all handled.
    await twilio.wait_for_sent(2)
    await events(nc, topology, "sent", 2)
    assert [m.body for m in twilio.sent] == [noticed(cmd.body), "later"]
    assert len([r for r in twilio.requests if r["form"]["Body"] == noticed(cmd.body)]) == 1


async def test_restarted_gateway_does_not_send_the_same_key_again(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio)
    cmd = send_cmd("reply:restart")
    async with running_gateway(settings):
        await request_send(nc, topology, cmd)
        await twilio.wait_for_sent(1)
    async with running_gateway(settings):
        await request_send(nc, topology, cmd)
        await request_send(nc, topology, send_cmd("reply:restart-2", body="second"))
        await twilio.wait_for_sent(2)
    assert [m.body for m in twilio.sent] == [noticed(cmd.body), "second"]


async def test_twilio_500_then_201_is_one_message(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    twilio.fail_next(500)
    twilio.fail_next(429, code=20429)
    await request_send(nc, topology, send_cmd("reply:retry"))
    [event] = await events(nc, topology, "sent", 1)
    assert len(twilio.sent) == 1 and len(twilio.requests) == 3
    assert event["provider_sid"] == twilio.sent[0].sid


async def test_twilio_down_for_every_attempt_fails_visibly_not_permanently(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    twilio.fail_next(503, times=gateway.settings.send_attempts)
    await request_send(nc, topology, send_cmd("reply:down"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["reason"] == "provider_unavailable" and failed["permanent"] is False
    assert len(twilio.requests) == gateway.settings.send_attempts and not twilio.sent


async def test_twilio_21610_is_not_retried_and_the_number_is_never_tried_again(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    twilio.opted_out.add(CLIENT)
    await request_send(nc, topology, send_cmd("reply:21610"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["reason"] == "opted_out" and failed["error_code"] == 21610 and failed["permanent"] is True
    assert len(twilio.requests) == 1
    await request_send(nc, topology, send_cmd("reply:21610-again"))
    await events(nc, topology, "failed", 2)
    assert len(twilio.requests) == 1


async def test_invalid_number_21211_fails_permanently(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    twilio.fail_next(400, code=21211)
    await request_send(nc, topology, send_cmd("reply:invalid"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["error_code"] == 21211 and failed["permanent"] is True and failed["reason"] == "rejected"
    assert len(twilio.requests) == 1


async def test_stop_then_outbound_request_sends_nothing_and_start_sends_again(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    assert (await gateway.post_sms(sms_form("SM0300", "STOP", from_number=CLIENT))).status_code == 200
    await request_send(nc, topology, send_cmd("reply:after-stop"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["reason"] == "opted_out"
    assert twilio.requests == []
    assert (await gateway.post_sms(sms_form("SM0301", "START", from_number=CLIENT))).status_code == 200
    await request_send(nc, topology, send_cmd("reply:after-start", body="Welcome back!"))
    [sent] = await twilio.wait_for_sent(1)
    # Nothing reached the number before: its first text carries the notice.
    assert sent.body == noticed("Welcome back!")


async def test_reply_longer_than_the_limit_is_refused_not_truncated(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    await request_send(nc, topology, send_cmd("reply:long", body="x" * 321))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["reason"] == "too_long" and failed["permanent"] is True
    assert twilio.requests == []


async def test_cap_of_5_with_8_requests_sends_5_waits_3_alerts_once_then_sends_3_when_raised(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio, cap=5)
    async with running_gateway(settings) as gw:
        for i in range(8):
            await request_send(
                nc, topology, send_cmd(f"reply:cap:{i}", body=f"text {i}", to=f"+1415555020{i}")
            )
        deferred = await events(nc, topology, "deferred", 3)
        assert len(deferred) == 3
        assert len(twilio.sent) == 5
        alerts = await stream_messages(nc.jetstream(), topology.escalation(SPA_ID), 1)
        assert len(alerts) == 1
        alert = alerts[0]["data"]
        assert alert["category"] == "send_cap" and alert["source"] == "gateway"
        assert alert["client_number"] is None and alert["conversation_id"] is None
        refused = await gw.http.post(f"/admin/spas/{SPA_ID}/send-cap", json={"daily_cap": 10})
        assert refused.status_code == 401
        resp = await gw.http.post(
            f"/admin/spas/{SPA_ID}/send-cap",
            json={"daily_cap": 10},
            headers={"Authorization": "Bearer admin-secret"},
        )
        assert resp.status_code == 200 and resp.json()["released"] == 3
        sent = await twilio.wait_for_sent(8)
        assert sorted(m.body for m in sent) == [noticed(f"text {i}") for i in range(8)]
        assert (
            await subject_count(nc.jetstream(), topology.stream_escalations.name, topology.escalation(SPA_ID))
            == 1
        )


async def test_waiting_texts_go_out_when_the_spa_day_rolls_over(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio, cap=1)
    async with running_gateway(settings) as gw:
        await request_send(nc, topology, send_cmd("day:1", body="first"))
        await request_send(nc, topology, send_cmd("day:2", body="second"))
        await events(nc, topology, "deferred", 1)
        assert [m.body for m in twilio.sent] == [noticed("first")]
        # Tomorrow, in the spa's time zone.
        gw.ports.clock = lambda: datetime.now(UTC) + timedelta(days=1)
        gw.ports.release_wake.set()
        sent = await twilio.wait_for_sent(2)
        assert [m.body for m in sent] == [noticed("first"), "second"]


async def test_crash_after_twilio_accepted_is_reconciled_not_resent(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    """A gateway died between Twilio's 201 and the commit: the stale claim finds the text in the log."""
    cmd = send_cmd("reply:crash", body="See you Friday!")
    claimed = datetime.now(UTC) - timedelta(minutes=5)
    twilio.sent.append(
        SentMessage("SM" + "c" * 32, ACCOUNT_SID, CLIENT, cmd.body, "+14155550199", None, None, claimed)
    )
    conn = await asyncpg.connect(gateway.settings.database_url)
    try:
        await conn.execute(
            "INSERT INTO gateway.outbound_messages (tenant_id, idempotency_key, conversation_id, to_number,"
            " body, purpose, command, state, attempts, cap_day, claimed_at, provider)"
            " VALUES ($1, $2, $3, $4, $5, 'reply', $6::jsonb, 'sending', 1, $7, $8, 'twilio')",
            SPA_ID, cmd.idempotency_key, cmd.conversation_id, CLIENT, cmd.body,
            cmd.model_dump_json(), claimed.date(), claimed,
        )  # fmt: skip
    finally:
        await conn.close()
    await request_send(nc, topology, cmd)
    [event] = await events(nc, topology, "sent", 1)
    assert event["provider_sid"] == "SM" + "c" * 32
    assert not [r for r in twilio.requests if r["form"].get("Body") == cmd.body]


async def test_status_callback_records_delivery_on_the_sent_text(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    await request_send(nc, topology, send_cmd("reply:status"))
    [sent] = await twilio.wait_for_sent(1)
    await events(nc, topology, "sent", 1)
    params = {
        "MessageSid": sent.sid,
        "MessageStatus": "failed",
        "ErrorCode": "30007",
        "AccountSid": ACCOUNT_SID,
        "From": "+14155550199",
        "To": CLIENT,
    }
    assert (await gateway.post_sms(params, path="/twilio/status")).status_code == 204
    [update] = await events(nc, topology, "status", 1)
    assert update["status"] == "failed" and update["conversation_id"] == send_cmd("x").conversation_id
    conn = await asyncpg.connect(gateway.settings.database_url)
    try:
        status = await conn.fetchval(
            "SELECT delivery_status FROM gateway.outbound_messages WHERE provider_sid = $1", sent.sid
        )
    finally:
        await conn.close()
    assert status == "failed"


async def test_opt_out_event_on_the_bus_is_recorded_even_without_the_inline_write(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    """What a replica publishes when its database write failed during STOP still stops sends."""
    key = gateway.settings.id_hash_key.get_secret_value()
    opted_out = ClientOptedOut(
        tenant_id=SPA_ID,
        conversation_id=send_cmd("x").conversation_id,
        phone_ref=client_ref(key, SPA_ID, CLIENT),
    )
    await publish_event(nc.jetstream(), topology.sms_event(SPA_ID, "optout"), opted_out)
    conn = await asyncpg.connect(gateway.settings.database_url)
    try:
        for _ in range(200):  # the consumer records it within moments
            if await conn.fetchval("SELECT opted_out FROM gateway.opt_outs WHERE tenant_id = $1", SPA_ID):
                break
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    await request_send(nc, topology, send_cmd("reply:after-bus-optout"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["reason"] == "opted_out" and twilio.requests == []


async def test_simulator_routes_do_not_exist_when_twilio_is_the_provider(gateway: RunningGateway) -> None:
    resp = await gateway.http.post("/simulator/messages", json={"from_number": CLIENT, "body": "hi"})
    assert resp.status_code == 404
    assert (await gateway.http.get("/simulator")).status_code == 404


async def test_editing_the_spa_file_cap_releases_waiting_texts(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio, cap=1)
    async with running_gateway(settings) as gw:
        await request_send(nc, topology, send_cmd("file:1", body="first"))
        await request_send(nc, topology, send_cmd("file:2", body="second"))
        await events(nc, topology, "deferred", 1)
        write_spa(tmp_path / "spas", cap=5)
        gw.ports.release_wake.set()
        sent = await twilio.wait_for_sent(2)
        assert [m.body for m in sent] == [noticed("first"), "second"]
        assert gw.ports.spas.get(SPA_ID).daily_send_cap == 5  # type: ignore[union-attr]
        (tmp_path / "spas" / "broken.yaml").write_text("id: [not a slug\n")
        gw.ports.release_wake.set()
        await request_send(nc, topology, send_cmd("file:3", body="third"))
        await twilio.wait_for_sent(3)  # a broken file leaves the spas as they were


async def test_status_callback_carrying_the_key_settles_a_send_whose_result_was_lost(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    cmd = send_cmd("reply:lost-result", body="See you soon")
    conn = await asyncpg.connect(gateway.settings.database_url)
    try:
        now = datetime.now(UTC)
        await conn.execute(
            "INSERT INTO gateway.outbound_messages (tenant_id, idempotency_key, conversation_id, to_number,"
            " body, purpose, command, state, attempts, cap_day, claimed_at, provider)"
            " VALUES ($1, $2, $3, $4, $5, 'reply', $6::jsonb, 'sending', 1, $7, $8, 'twilio')",
            SPA_ID, cmd.idempotency_key, cmd.conversation_id, CLIENT, cmd.body,
            cmd.model_dump_json(), now.date(), now,
        )  # fmt: skip
        params = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "sent", "AccountSid": ACCOUNT_SID,
                  "From": "+14155550199", "To": CLIENT}  # fmt: skip
        path = f"/twilio/status?ik={cmd.idempotency_key}"
        assert (await gateway.post_sms(params, path=path)).status_code == 204
        [sent] = await events(nc, topology, "sent", 1)
        assert sent["idempotency_key"] == cmd.idempotency_key and sent["provider_sid"] == "SM" + "d" * 32
        state = await conn.fetchval(
            "SELECT state FROM gateway.outbound_messages WHERE idempotency_key = $1", cmd.idempotency_key
        )
        assert state == "sent"
    finally:
        await conn.close()
    await request_send(nc, topology, cmd)  # the redelivery finds it sent
    await request_send(nc, topology, send_cmd("reply:next", body="next"))
    [only] = await twilio.wait_for_sent(1)
    # The row written by hand holds no notice (like a text sent before the notice existed): the
    # number gets it once, with its next text.
    assert only.body == noticed("next")


async def test_a_first_text_that_failed_leaves_the_notice_to_the_next_one(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    twilio.fail_next(400, code=21612)  # this text cannot be routed: it never reaches the client
    await request_send(nc, topology, send_cmd("notice:1", body="Hi! What can we book for you?"))
    [failed] = await events(nc, topology, "failed", 1)
    assert failed["idempotency_key"] == "notice:1"
    await request_send(nc, topology, send_cmd("notice:2", body="Friday at 3pm works."))
    await request_send(nc, topology, send_cmd("notice:3", body="See you then!"))
    sent = await twilio.wait_for_sent(2)
    assert [m.body for m in sent] == [noticed("Friday at 3pm works."), "See you then!"]
    # The notice went with a text the carrier took, and with only one.
    assert [r["form"]["Body"].count("Reply STOP to opt out.") for r in twilio.requests] == [1, 1, 0]


async def test_a_reply_too_long_for_the_notice_goes_without_it_and_the_next_text_carries_it(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, twilio: FakeTwilio
) -> None:
    long = "x" * 310  # within the 320-character limit, but not with the notice
    await request_send(nc, topology, send_cmd("fit:1", body=long))
    await request_send(nc, topology, send_cmd("fit:2", body="Friday at 3pm works."))
    sent = await twilio.wait_for_sent(2)
    assert [m.body for m in sent] == [long, noticed("Friday at 3pm works.")]


async def test_concurrent_first_texts_carry_one_notice_and_stay_within_the_cap(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio
) -> None:
    # Sends handled at once (as by several replicas) take the spa's send lock in one order: of a new
    # number's first texts one carries the opt-out notice, and no more than the cap are claimed.
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio, cap=3)
    async with running_gateway(settings) as gw:
        cmds = [send_cmd(f"race:{i}", body=f"text {i}") for i in range(8)]
        states = await asyncio.gather(*(handlers.send_sms(cmd, ports=gw.ports) for cmd in cmds))
        assert sorted(states) == ["deferred"] * 5 + ["sent"] * 3
        bodies = [m.body for m in twilio.sent]
        assert len(bodies) == 3
        assert sum(body.count("Reply STOP to opt out.") for body in bodies) == 1


async def test_texts_to_other_clients_go_out_beside_a_slow_one_and_each_clients_stay_in_order(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    # Per-conversation lanes: the send to one client is slow (its first text takes a second to be
    # accepted); another client's text goes out meanwhile, and the slow client's second text waits
    # for its first.
    slow, quick = CLIENT, "+14155550124"
    twilio.slow[slow] = 1.0
    await ensure_streams(nc.jetstream(), topology)
    # Queued before the gateway starts, so its first fetch takes all three.
    for cmd in (
        send_cmd("lane:slow:1", body="first", to=slow),
        send_cmd("lane:slow:2", body="second", to=slow),
        send_cmd("lane:quick:1", body="other client", to=quick),
    ):
        await request_send(nc, topology, cmd)
    async with running_gateway(twilio_settings(nats_url, database_url, topology, tmp_path, twilio)):
        sent = await twilio.wait_for_sent(3, timeout=15)
    order = [(m.to, m.body.split("\n")[0].split(" Reply")[0]) for m in sent]
    assert order[0] == (quick, "other client")
    assert [body for to, body in order if to == slow] == ["first", "second"]


async def test_a_webhooks_gateway_takes_texts_and_leaves_sending_to_a_sender_gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    # GATEWAY_ROLE: the webhooks process acknowledges clients' texts without ever waiting behind a
    # send; the sender process sends and takes no webhook.
    from nats.js.errors import NotFoundError

    from services.gateway.app import OUTBOUND_DURABLE

    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio)
    webhooks = settings.model_copy(update={"gateway_role": "webhooks"})
    sender = settings.model_copy(update={"gateway_role": "sender", "spool_dir": tmp_path / "sender-spool"})
    js = nc.jetstream()
    async with running_gateway(webhooks) as front:
        resp = await front.post_sms(sms_form("SM" + "7" * 32, "hi, botox friday?"))
        assert resp.status_code == 200, resp.text
        assert await stream_messages(js, topology.all_sms_inbound, 1)
        with pytest.raises(NotFoundError):  # no outbound consumer: this process never sends
            await js.consumer_info(topology.stream_sms_outbound.name, OUTBOUND_DURABLE)
        await request_send(nc, topology, send_cmd("role:1", body="See you Friday"))
        async with running_gateway(sender) as back:
            assert (await back.post_sms(sms_form("SM" + "8" * 32, "hello"))).status_code == 404
            (sent,) = await twilio.wait_for_sent(1, timeout=15)
    assert sent.body.startswith("See you Friday") and sent.to == CLIENT
