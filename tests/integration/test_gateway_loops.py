"""Reply loops and one number's limits through the real gateway, fake Twilio and real NATS/PostgreSQL.

A carrier bridge hands every text the fake Twilio accepted for a number back to the gateway as a
signed inbound webhook (a spa number, or a bot that answers at once); a replier answers every text
the gateway publishes, as an agent that never tires would, unless the gateway held it for staff.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from services.gateway import repo
from services.gateway.domain import spa_day
from shared.bus import publish_event
from shared.contracts.sms import SendSms, SmsReceived
from shared.ids import conversation_id
from shared.subjects import Topology
from tests.integration.audit_fixtures import eventually
from tests.support.fake_twilio import FakeTwilio, SentMessage
from tests.support.gateway_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BASE,
    SERVICE_SID,
    SPA_ID,
    SPA_NUMBER,
    RunningGateway,
    gateway_settings,
    running_gateway,
    sms_form,
    stream_messages,
    write_spa,
)

pytestmark = pytest.mark.integration

OTHER_SPA = "lux-test"
OTHER_NUMBER = "+14155550777"
BOT = "+14155550142"
CLIENT = "+14155550123"


def spa_with_limits(folder: Path, spa_id: str = SPA_ID, **limits: Any) -> None:
    """A spa file with an `sms.limits` section."""
    path = write_spa(folder, spa_id) if spa_id == SPA_ID else write_spa(
        folder, spa_id, numbers=[OTHER_NUMBER], service_sid=None
    )  # fmt: skip
    data = json.loads(path.read_text())
    data["sms"]["limits"] = limits
    path.write_text(json.dumps(data))


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A fake Twilio that knows the test account."""
    fake = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
    yield fake
    await fake.stop()


@contextlib.asynccontextmanager
async def carrier(
    gw: RunningGateway, twilio: FakeTwilio, answer: Callable[[SentMessage, int], dict[str, str] | None]
) -> AsyncIterator[None]:
    """Hand each accepted text to `answer`; the webhook it returns is posted to the gateway at once."""

    async def bridge() -> None:
        handled = 0
        while True:
            await twilio.wait_for_sent(handled + 1, timeout=3600)
            for message in twilio.sent[handled:]:
                handled += 1
                params = answer(message, handled)
                if params is not None:
                    assert (await gw.post_sms(params)).status_code == 200

    task = asyncio.create_task(bridge())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def replier(nc: NatsClient, topology: Topology) -> AsyncIterator[list[SmsReceived]]:
    """Answer every text the gateway publishes, unless it is a keyword or held for staff."""
    seen: list[SmsReceived] = []

    async def on_text(msg: Msg) -> None:
        sms = SmsReceived.model_validate_json(msg.data)
        seen.append(sms)
        if sms.keyword or sms.held:
            return
        reply = SendSms(
            tenant_id=sms.tenant_id,
            idempotency_key=f"reply:{sms.id}",
            conversation_id=sms.conversation_id,
            to_number=sms.from_number,
            body=f"Thanks! We have openings Friday at 2pm or 4pm ({len(seen)}).",
        )
        subject = topology.sms_outbound(sms.tenant_id, sms.conversation_id)
        await publish_event(nc.jetstream(), subject, reply, msg_id=reply.idempotency_key)

    sub = await nc.subscribe(topology.all_sms_inbound, cb=on_text)
    try:
        yield seen
    finally:
        await sub.unsubscribe()


async def gateway_with(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, **more: Any
) -> contextlib.AbstractAsyncContextManager[RunningGateway]:
    settings = gateway_settings(
        nats_url,
        database_url,
        topology,
        tmp_path,
        sms_provider="twilio",
        twilio_api_base_url=twilio.base_url,
        public_base_url=BASE,
        **more,
    )
    return running_gateway(settings)


async def ignored(gw: RunningGateway, spa_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(gw.settings.database_url)
    try:
        await conn.execute("SET search_path TO gateway")
        day = spa_day(datetime.now(UTC), gw.ports.spas.get(spa_id).tz)  # type: ignore[union-attr]
        return await repo.ignored_counts(conn, spa_id, day)
    finally:
        await conn.close()


def inbound_to(spa_number: str, service_sid: str = "") -> Callable[[SentMessage, int], dict[str, str]]:
    """The carrier delivering a spa's text to another served number, as an inbound webhook."""

    def deliver(message: SentMessage, n: int) -> dict[str, str]:
        sender = message.from_ or SPA_NUMBER
        form = sms_form(f"SMloop{n:04d}", message.body, from_number=sender, to=message.to)
        return {**form, "MessagingServiceSid": service_sid}

    return deliver


async def test_two_spas_pointed_at_each_other_stop_after_the_first_text(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas")
    spa_with_limits(tmp_path / "spas", OTHER_SPA)
    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio)
    async with gw_ctx as gw, replier(nc, topology) as texts, carrier(gw, twilio, inbound_to(SPA_NUMBER)):
        # Spa Glow texts spa Lux's number (a staff typo, a forwarded contact): the carrier delivers it.
        conv = conversation_id(gw.settings.id_hash_key.get_secret_value(), SPA_ID, OTHER_NUMBER)
        first = SendSms(
            tenant_id=SPA_ID,
            idempotency_key="staff:1",
            conversation_id=conv,
            to_number=OTHER_NUMBER,
            body="Hi!",
        )
        await publish_event(nc.jetstream(), topology.sms_outbound(SPA_ID, conv), first, msg_id="staff:1")

        async def counted() -> bool:
            return (await ignored(gw, OTHER_SPA)).get("own_number") == 1

        await eventually(counted)
        await asyncio.sleep(0.5)  # anything the loop would still do happens well within this
        assert len(twilio.sent) == 1, [m.body for m in twilio.sent]
        assert texts == [], "a text from a served spa's number is never published for an answer"


async def test_a_number_that_answers_every_reply_within_seconds_stops_getting_replies(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas", loop_replies=3, loop_reply_seconds=5)

    def bot(message: SentMessage, n: int) -> dict[str, str] | None:
        # A chatbot on another business's number: answers everything at once, never the same words.
        return sms_form(f"SMbot{n:04d}", f"Got it, reference {n}. Anything else?", from_number=BOT)

    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio)
    async with gw_ctx as gw, replier(nc, topology) as texts, carrier(gw, twilio, bot):
        assert (
            await gw.post_sms(sms_form("SMbot0000", "Hello, is this the spa?", from_number=BOT))
        ).status_code == 200

        async def held() -> bool:
            return any(t.held == "loop" for t in texts)

        await eventually(held, timeout=20)
        await asyncio.sleep(0.5)
        sent = len(twilio.sent_to(BOT))
        assert 3 <= sent <= 4, f"{sent} replies: the loop stops after 3 instant answers"
        await asyncio.sleep(0.5)
        assert len(twilio.sent_to(BOT)) == sent, "no reply after the loop was found"
        [alert] = await stream_messages(nc.jetstream(), topology.escalation(SPA_ID), 1)
        assert alert["headers"]["Nats-Msg-Id"].startswith(f"held:{SPA_ID}:")
        assert "within seconds" in alert["data"]["reason"] and alert["data"]["client_number"] == BOT
        assert alert["data"]["handoff_text"] is None, "nothing more is texted to a looping number"


async def test_a_number_over_its_hourly_limit_waits_for_staff_and_staff_are_told_once(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas", texts_per_number_per_hour=3)
    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio)
    async with gw_ctx as gw:
        for n in range(5):
            assert (await gw.post_sms(sms_form(f"SMrate{n}", f"question {n}?"))).status_code == 200
        texts = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 5)
        assert [t["data"]["held"] for t in texts] == [None, None, None, "rate_limit", "rate_limit"]
        alerts = await stream_messages(nc.jetstream(), topology.escalation(SPA_ID), 1)
        assert len(alerts) == 1 and "in an hour" in alerts[0]["data"]["reason"]
        stop = await gw.post_sms(sms_form("SMrate9", "STOP"))
        assert stop.status_code == 200
        [last] = (await stream_messages(nc.jetstream(), topology.all_sms_inbound, 6))[5:]
        assert last["data"]["keyword"] == "stop" and last["data"]["held"] is None, "STOP is never held"


async def test_number_limits_off_holds_nothing_for_scripted_clients(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas", texts_per_number_per_hour=1)
    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio, number_limits=False)
    async with gw_ctx as gw:
        for n in range(3):
            assert (await gw.post_sms(sms_form(f"SMoff{n}", f"question {n}?"))).status_code == 200
        texts = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 3)
        assert [t["data"]["held"] for t in texts] == [None, None, None]


async def test_one_number_uses_only_its_share_of_the_daily_cap(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas", number_share_of_daily_cap=0.02)  # cap 100: 2 replies a day
    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio)
    async with gw_ctx as gw, replier(nc, topology) as texts:
        for n in range(3):
            await gw.post_sms(sms_form(f"SMshare{n}", f"and another thing {n}"))
            await twilio.wait_for_sent(min(n + 1, 2))
        other = await gw.post_sms(sms_form("SMshare9", "hi, can I book?", from_number="+14155550124"))
        assert other.status_code == 200
        await twilio.wait_for_sent(3)
        assert [t.held for t in texts] == [None, None, "number_share", None]
        assert len(twilio.sent_to(CLIENT)) == 2 and len(twilio.sent_to("+14155550124")) == 1


async def test_an_auto_reply_is_published_for_the_inbox_but_held_and_counted(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    spa_with_limits(tmp_path / "spas")
    gw_ctx = await gateway_with(nats_url, database_url, topology, tmp_path, twilio)
    async with gw_ctx as gw:
        driving = (
            "I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get there."
        )
        assert (await gw.post_sms(sms_form("SMauto1", driving))).status_code == 200
        [text] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
        assert text["data"]["held"] == "auto_reply"
        assert await ignored(gw, SPA_ID) == {"auto_reply:driving": 1}
        served = {**sms_form("SMauto2", "hi", from_number=SPA_NUMBER), "MessagingServiceSid": SERVICE_SID}
        assert (await gw.post_sms(served)).status_code == 200
        assert (await ignored(gw, SPA_ID))["own_number"] == 1
