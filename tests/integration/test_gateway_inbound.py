"""Inbound texts through the real webhook: signatures, dedupe, keywords, bad input (real NATS and PG)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import pytest
from nats.aio.client import Client as NatsClient

from services.gateway import webhooks
from shared.ids import client_ref, conversation_id
from shared.subjects import Topology
from tests.support.gateway_harness import (
    AUTH_TOKEN,
    BASE,
    HELP_TEXT,
    SERVICE_SID,
    SPA_ID,
    SPA_NUMBER,
    RunningGateway,
    gateway_settings,
    running_gateway,
    signed,
    sms_form,
    stream_messages,
    subject_count,
    write_spa,
)

pytestmark = pytest.mark.integration

CLIENT = "+14155550123"


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[RunningGateway]:
    """A gateway serving one spa, with the simulator as its provider."""
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    async with running_gateway(gateway_settings(nats_url, database_url, topology, tmp_path)) as gw:
        yield gw


async def inbound_count(nc: NatsClient, topology: Topology) -> int:
    return await subject_count(nc.jetstream(), topology.stream_sms_inbound.name, topology.all_sms_inbound)


async def test_signed_webhook_publishes_sms_received_then_answers_empty_twiml(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    resp = await gateway.post_sms(sms_form("SM0001", "Hi, do you have Botox on Friday?"))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/xml")
    assert "<Response/>" in resp.text
    conv = conversation_id(gateway.settings.id_hash_key.get_secret_value(), SPA_ID, CLIENT)
    [msg] = await stream_messages(nc.jetstream(), topology.sms_inbound(SPA_ID, conv), 1)
    assert msg["headers"]["Nats-Msg-Id"] == "SM0001"
    data = msg["data"]
    assert data["tenant_id"] == SPA_ID and data["conversation_id"] == conv
    assert data["from_number"] == CLIENT and data["to_number"] == SPA_NUMBER
    assert data["body"] == "Hi, do you have Botox on Friday?" and data["keyword"] is None


async def test_invalid_signature_is_403_and_publishes_nothing(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    params = sms_form("SM0002", "hello")
    wrong = signed(BASE + "/twilio/sms", params, token="someone-elses-token")
    resp = await gateway.http.post("/twilio/sms", content=urlencode(params), headers=wrong)
    assert resp.status_code == 403
    headers = signed(BASE + "/twilio/sms", params)
    tampered = {**params, "Body": "hello there"}
    resp = await gateway.http.post("/twilio/sms", content=urlencode(tampered), headers=headers)
    assert resp.status_code == 403
    del headers["X-Twilio-Signature"]
    resp = await gateway.http.post("/twilio/sms", content=urlencode(params), headers=headers)
    assert resp.status_code == 403
    assert await inbound_count(nc, topology) == 0


async def test_forwarded_headers_from_anyone_are_not_the_url_signatures_are_checked_against(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    # A caller that chooses X-Forwarded-Host chooses the URL its own signature is checked on.
    params = sms_form("SM0003", "hello via a header I made up")
    public = "https://attacker.example/twilio/sms"
    headers = {**signed(public, params), "X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker.example"}
    resp = await gateway.http.post("/twilio/sms", content=urlencode(params), headers=headers)
    assert resp.status_code == 403
    assert await inbound_count(nc, topology) == 0


async def test_signature_behind_a_trusted_proxy_uses_forwarded_proto_and_host(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    # The test client connects from 127.0.0.1: that is the proxy here.
    settings = gateway_settings(
        nats_url,
        database_url,
        topology,
        tmp_path,
        trust_forwarded_headers=True,
        trusted_proxies="127.0.0.0/8",
    )
    async with running_gateway(settings) as gw:
        params = sms_form("SM0003", "hello via ingress")
        public = "https://sms.glow.example/twilio/sms"
        proxied = {
            **signed(public, params),
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "sms.glow.example",
        }
        assert (
            await gw.http.post("/twilio/sms", content=urlencode(params), headers=proxied)
        ).status_code == 200
        # Signed for the public URL but sent without the proxy headers: the URL we see differs.
        plain = signed(public, params)
        assert (
            await gw.http.post("/twilio/sms", content=urlencode(params), headers=plain)
        ).status_code == 403
    other_proxy = gateway_settings(
        nats_url, database_url, topology, tmp_path, trust_forwarded_headers=True, trusted_proxies="10.0.0.0/8"
    )
    async with running_gateway(other_proxy) as gw:
        params = sms_form("SM0016", "hello from outside the proxy")
        proxied = {
            **signed(public, params),
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "sms.glow.example",
        }
        assert (
            await gw.http.post("/twilio/sms", content=urlencode(params), headers=proxied)
        ).status_code == 403
    assert await inbound_count(nc, topology) == 1


async def test_public_base_url_setting_is_the_url_signatures_are_checked_against(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    settings = gateway_settings(
        nats_url, database_url, topology, tmp_path, public_base_url="https://gw.glow.example/"
    )
    async with running_gateway(settings) as gw:
        params = sms_form("SM0004", "hi")
        ok = signed("https://gw.glow.example/twilio/sms", params)
        assert (await gw.http.post("/twilio/sms", content=urlencode(params), headers=ok)).status_code == 200
        assert (await gw.post_sms(sms_form("SM0005", "hi"))).status_code == 403


async def test_messaging_service_sid_picks_the_spa_and_its_own_token(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient, monkeypatch
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    monkeypatch.setenv("SECOND_SPA_TOKEN", "second-spa-token")
    other_service = "MG" + "b" * 32
    write_spa(
        tmp_path / "spas",
        "second-spa",
        numbers=["+14155550777"],
        service_sid=other_service,
        auth_token_env="SECOND_SPA_TOKEN",
    )
    async with running_gateway(gateway_settings(nats_url, database_url, topology, tmp_path)) as gw:
        # A pool number not listed in any spa file: the Messaging Service names the spa.
        params = {**sms_form("SM0006", "hi", to="+14155550888"), "MessagingServiceSid": other_service}
        assert (await gw.post_sms(params, token="second-spa-token")).status_code == 200
        assert (await gw.post_sms({**params, "MessageSid": "SM0007"}, token=AUTH_TOKEN)).status_code == 403
        [msg] = await stream_messages(nc.jetstream(), topology.sms_inbound("second-spa", ">"), 1)
        assert msg["data"]["tenant_id"] == "second-spa"


async def test_during_a_token_rotation_texts_signed_with_the_old_token_still_arrive(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, nc: NatsClient
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    settings = gateway_settings(
        nats_url, database_url, topology, tmp_path, twilio_auth_token="new-token",
        twilio_auth_token_previous=AUTH_TOKEN,
    )  # fmt: skip
    async with running_gateway(settings) as gw:
        assert (await gw.post_sms(sms_form("SM0031", "hi"), token="new-token")).status_code == 200
        assert (await gw.post_sms(sms_form("SM0032", "hi"), token=AUTH_TOKEN)).status_code == 200
        assert (await gw.post_sms(sms_form("SM0033", "hi"), token="a-guess")).status_code == 403
        assert await inbound_count(nc, topology) == 2


async def test_unknown_number_is_answered_and_nothing_published(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    params = {**sms_form("SM0008", "hi", to="+14155550000"), "MessagingServiceSid": ""}
    resp = await gateway.post_sms(params)
    assert resp.status_code == 200 and "<Response/>" in resp.text
    assert await inbound_count(nc, topology) == 0


async def test_unknown_and_served_numbers_get_the_same_signature_check_and_answer(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    served = sms_form("SM0017", "hi")
    unknown = {**sms_form("SM0018", "hi", to="+14155550000"), "MessagingServiceSid": ""}
    answers = []
    for params in (served, unknown):
        forged = signed(BASE + "/twilio/sms", params, token="a-guess")
        resp = await gateway.http.post("/twilio/sms", content=urlencode(params), headers=forged)
        answers.append((resp.status_code, resp.text))
        no_signature = {"Content-Type": "application/x-www-form-urlencoded"}
        resp = await gateway.http.post("/twilio/sms", content=urlencode(params), headers=no_signature)
        answers.append((resp.status_code, resp.text))
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert answers[0][0] == 403 and answers[1][0] == 403
    status = {"MessageSid": "SM0019", "MessageStatus": "delivered", "From": "+14155550000", "To": CLIENT}
    forged = signed(BASE + "/twilio/status", status, token="a-guess")
    resp = await gateway.http.post("/twilio/status", content=urlencode(status), headers=forged)
    assert resp.status_code == 403
    assert await inbound_count(nc, topology) == 0


async def test_message_sid_retried_three_times_is_one_event(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    params = sms_form("SM0009", "Do you take walk-ins?")
    for _ in range(3):
        assert (await gateway.post_sms(params)).status_code == 200
    assert await inbound_count(nc, topology) == 1


async def test_unicode_and_1600_character_bodies_are_accepted(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    emoji = "Can I book lip filler 💋✨ for Saturday? Merci beaucoup, Zoë 😊"
    long_body = ("I would like to know more about your packages. " * 40)[:1600]
    assert len(long_body) == 1600
    assert (await gateway.post_sms(sms_form("SM0010", emoji))).status_code == 200
    assert (await gateway.post_sms(sms_form("SM0011", long_body))).status_code == 200
    msgs = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 2)
    assert [m["data"]["body"] for m in msgs] == [emoji, long_body]


async def test_bad_input_gets_a_clear_4xx_never_a_500(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    url = "/twilio/sms"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    huge = "Body=" + "a" * (gateway.settings.max_body_bytes + 1)
    assert (await gateway.http.post(url, content=huge, headers=form)).status_code == 413
    assert (await gateway.http.post(url, json={"Body": "hi"})).status_code == 415
    assert (await gateway.http.post(url, content=b"Body=%ff%fe&To=%2B1", headers=form)).status_code == 400
    assert (await gateway.http.post(url, content=b"\xff\xfe=\x80", headers=form)).status_code == 400
    missing_sid = sms_form("", "hi")
    del missing_sid["MessageSid"], missing_sid["SmsSid"]
    resp = await gateway.post_sms(missing_sid)
    assert resp.status_code == 400 and "MessageSid" in resp.json()["detail"]
    no_body = sms_form("SM0012", "x")
    del no_body["Body"]
    assert (await gateway.post_sms(no_body)).status_code == 400
    bad_from = sms_form("SM0013", "hi", from_number="not-a-number")
    assert (await gateway.post_sms(bad_from)).status_code == 400
    bad_media = {**sms_form("SM0014", "hi"), "NumMedia": "lots"}
    assert (await gateway.post_sms(bad_media)).status_code == 400
    assert await inbound_count(nc, topology) == 0
    # The gateway still works after all that.
    assert (await gateway.post_sms(sms_form("SM0015", "still here?"))).status_code == 200


async def test_digits_of_other_scripts_are_a_400_never_a_500_or_a_new_client(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    superscript_media = {**sms_form("SM0021", "hi"), "NumMedia": "²"}
    resp = await gateway.post_sms(superscript_media)
    assert resp.status_code == 400 and "NumMedia" in resp.json()["detail"]
    arabic_indic = sms_form("SM0022", "hi", from_number="+١٤١٥٥٥٥٠١٢٣")
    resp = await gateway.post_sms(arabic_indic)
    assert resp.status_code == 400 and "From" in resp.json()["detail"]
    status = {"MessageSid": "SM0023", "MessageStatus": "failed", "ErrorCode": "²"}
    status |= {"From": SPA_NUMBER, "To": CLIENT}
    resp = await gateway.post_sms(status, path="/twilio/status")
    assert resp.status_code == 400 and "ErrorCode" in resp.json()["detail"]
    assert await inbound_count(nc, topology) == 0


async def test_a_superscript_last_event_id_on_the_simulator_stream_is_ignored_not_a_500(
    gateway: RunningGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "SSE_LIFETIME", 0.2)  # the stream ends soon; the client reconnects
    # Header bytes are Latin-1 on the wire: b"\xb2" is "²", which str.isdigit() accepts.
    for last_event_id in (b"\xb2", b"\xb9\xb2", b"12"):
        headers = {"Last-Event-ID": last_event_id}
        resp = await gateway.http.get("/simulator/stream", params={"number": CLIENT}, headers=headers)
        assert resp.status_code == 200 and resp.text.startswith("retry: 500"), last_event_id


async def _opted_out(gateway: RunningGateway, number: str) -> bool | None:
    conn = await asyncpg.connect(gateway.settings.database_url)
    try:
        ref = client_ref(gateway.settings.id_hash_key.get_secret_value(), SPA_ID, number)
        return await conn.fetchval(
            "SELECT opted_out FROM gateway.opt_outs WHERE tenant_id = $1 AND phone_ref = $2", SPA_ID, ref
        )
    finally:
        await conn.close()


@pytest.mark.parametrize("word", ["STOP", " stop ", "Cancel", "unsubscribe", "OptOut", "quit"])
async def test_opt_out_keyword_records_opt_out_and_marks_the_text(
    gateway: RunningGateway, nc: NatsClient, topology: Topology, word: str
) -> None:
    assert (await gateway.post_sms(sms_form("SM0100", word))).status_code == 200
    [msg] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
    assert msg["data"]["keyword"] == "stop"
    assert await _opted_out(gateway, CLIENT) is True
    [event] = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, "optout"), 1)
    assert event["data"]["phone_ref"].startswith("p") and CLIENT not in str(event["data"])


async def test_a_sentence_with_cancel_is_not_a_keyword(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    assert (await gateway.post_sms(sms_form("SM0101", "I need to cancel my appointment"))).status_code == 200
    [msg] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
    assert msg["data"]["keyword"] is None
    assert await _opted_out(gateway, CLIENT) is None


async def test_start_after_stop_opts_back_in(gateway: RunningGateway) -> None:
    await gateway.post_sms(sms_form("SM0102", "STOP"))
    assert await _opted_out(gateway, CLIENT) is True
    await gateway.post_sms(sms_form("SM0103", "start"))
    assert await _opted_out(gateway, CLIENT) is False


async def test_help_gets_the_spa_help_text_on_the_simulated_phone(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    await gateway.post_sms(sms_form("SM0104", "HELP"))
    [received] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
    assert received["data"]["keyword"] == "help"
    [sent] = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, "sent"), 1)
    assert sent["data"]["body"] == HELP_TEXT
    assert sent["data"]["idempotency_key"] == "help:SM0104" and sent["data"]["provider"] == "simulator"


async def test_delivery_status_callback_becomes_an_event(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    params = {
        "MessageSid": "SM0200",
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
        "AccountSid": "AC" + "1" * 32,
        "MessagingServiceSid": SERVICE_SID,
        "From": SPA_NUMBER,
        "To": CLIENT,
    }
    resp = await gateway.post_sms(params, path="/twilio/status")
    assert resp.status_code == 204
    [event] = await stream_messages(nc.jetstream(), topology.sms_event(SPA_ID, "status"), 1)
    assert event["data"]["status"] == "undelivered" and event["data"]["error_code"] == 30003
    conv = conversation_id(gateway.settings.id_hash_key.get_secret_value(), SPA_ID, CLIENT)
    assert event["data"]["conversation_id"] == conv
    bad = {**params, "MessageStatus": "exploded"}
    assert (await gateway.post_sms(bad, path="/twilio/status")).status_code == 400
    unsigned = await gateway.http.post(
        "/twilio/status",
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert unsigned.status_code == 403
