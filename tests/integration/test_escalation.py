"""The escalation service against a real nats-server and PostgreSQL, with local webhook and SMTP fakes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig

from services.escalation import readmodel
from services.escalation.accounts import StaffUser
from services.escalation.app import EscalationService, build
from services.escalation.settings import EscalationSettings
from shared.bus import Delivery, durable_subscriber, make_broker, publish_event
from shared.contracts.conversation import StaffNoteAdded
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SmsReceived, SmsSendFailed, SmsSent
from shared.runtime import ServiceContext, ServiceSpec, start_context, stop_context
from shared.subjects import Topology
from tests.support.fake_notifiers import SmtpSink, WebhookReceiver
from tests.support.staff_accounts import create_staff, sign_in
from tests.support.waiting import until

pytestmark = pytest.mark.integration

SPA = "glow-medspa"
CLIENT = "+14155550142"
CONV = "c0123456789abcdef"
MARIA = "maria@glow.example"


@dataclass
class Running:
    """A started escalation service and the ways a test reaches it."""

    spec: ServiceSpec
    ctx: ServiceContext
    http: httpx.AsyncClient
    js: JetStreamContext
    topology: Topology
    db: asyncpg.Pool
    staff: StaffUser

    @property
    def service(self) -> EscalationService:
        return self.ctx.extras["service"]  # type: ignore[return-value]


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    """A local Slack-style webhook receiver."""
    receiver = await WebhookReceiver().start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpSink]:
    """A local SMTP sink."""
    sink = await SmtpSink().start()
    yield sink
    await sink.stop()


def write_spa(path: Path, webhook_url: str, smtp_port: int) -> Path:
    """A spa file whose notifiers point at the local fakes."""
    path.write_text(
        f"id: {SPA}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\n"
        "notifiers:\n"
        f"  webhook:\n    url: {webhook_url}\n"
        f"  email:\n    smtp_host: 127.0.0.1\n    smtp_port: {smtp_port}\n"
        "    from: frontdesk@glow.example\n    to: [staff@glow.example]\n"
    )
    return path


StartService = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_service(
    nats_url: str,
    database_url: str,
    topology: Topology,
    tmp_path: Path,
    webhook: WebhookReceiver,
    smtp: SmtpSink,
    nc: NatsClient,
) -> AsyncIterator[StartService]:
    """Start the escalation service in this test's loop (settings overridable); stopped afterwards."""
    started: list[Running] = []

    async def start(**overrides: Any) -> Running:
        spa_file = write_spa(tmp_path / "spa.yaml", webhook.url, overrides.pop("smtp_port", smtp.port))
        settings = EscalationSettings(
            nats_url=nats_url,
            database_url=database_url,
            subject_prefix=topology.prefix,
            spa_files=str(spa_file),
            notifier_backoff_seconds=0.2,
            notifier_poll_seconds=0.1,
            notifier_timeout_seconds=2.0,
            **overrides,
        )
        spec, ctx = build(settings)
        await start_context(spec, ctx)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
        assert ctx.pool is not None
        found = await ctx.pool.fetchval("SELECT user_id FROM staff_users WHERE email = $1", MARIA)
        staff = await create_staff(ctx.pool, SPA, email=MARIA) if found is None else None
        client.headers.update(await sign_in(client, MARIA))  # every change carries the CSRF token
        running = Running(spec, ctx, client, nc.jetstream(), topology, ctx.pool, staff or started[0].staff)
        started.append(running)
        return running

    yield start
    for running in started:
        await running.http.aclose()
        await stop_context(running.spec, running.ctx)


async def messages_on(js: JetStreamContext, stream: str, subject: str) -> list[dict[str, Any]]:
    """Every message stored on a subject of a stream, decoded."""
    info = await js.stream_info(stream, subjects_filter=subject)
    count = sum((info.state.subjects or {}).values()) if info.state.subjects else 0
    if count == 0:
        return []
    sub = await js.pull_subscribe(subject, stream=stream, config=ConsumerConfig(ack_policy=AckPolicy.NONE))
    try:
        msgs = await sub.fetch(count, timeout=5)
        return [json.loads(m.data) for m in msgs]
    finally:
        await sub.unsubscribe()


def escalation(**fields: Any) -> EscalationRaised:
    """A medical escalation from the agent, with a handoff text."""
    return EscalationRaised(
        **{
            "tenant_id": SPA,
            "conversation_id": CONV,
            "category": "medical",
            "reason": "asked whether Botox is safe while pregnant",
            "client_number": CLIENT,
            "client_name": "Dana",
            "handoff_text": "I'm connecting you with our team; someone will text you shortly.",
            **fields,
        }
    )


async def raise_and_wait(svc: Running, event: EscalationRaised) -> dict[str, Any]:
    """Publish an escalation and wait until the inbox shows it."""
    await publish_event(svc.js, svc.topology.escalation(SPA, "raised"), event)

    async def shown() -> Any:
        data = (await svc.http.get("/api/escalations")).json()
        return next((e for e in data["escalations"] if e["escalation_id"] == str(event.escalation_id)), None)

    return await until(shown, what="the escalation in the inbox")


async def alert_states(svc: Running, escalation_id: uuid.UUID) -> dict[str, tuple[str, int]]:
    rows = await svc.db.fetch(
        "SELECT notifier, state, attempts FROM alert_deliveries WHERE escalation_id = $1", escalation_id
    )
    return {r["notifier"]: (r["state"], r["attempts"]) for r in rows}


async def test_escalation_sends_one_handoff_and_alerts_every_notifier(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    svc = await start_service()
    event = escalation()
    await raise_and_wait(svc, event)

    outbound = svc.topology.stream_sms_outbound.name
    sends = await until(lambda: messages_on(svc.js, outbound, svc.topology.all_sms_outbound), what="SendSms")
    assert len(sends) == 1
    assert sends[0]["purpose"] == "handoff"
    assert sends[0]["idempotency_key"] == f"handoff:{event.escalation_id}"
    assert sends[0]["to_number"] == CLIENT and sends[0]["conversation_id"] == CONV

    [hook] = await webhook.wait_for(1)
    [mail] = await smtp.wait_for(1)
    for text in (hook["text"], mail.get_payload(decode=True).decode()):
        assert "0142" in text and CLIENT not in text and "4155550142" not in text
        assert "pregnant" not in text and "Botox" not in text  # no clinical detail leaves the inbox
        assert f"/#/c/{CONV}" in text
    assert mail["To"] == "staff@glow.example"
    await until(lambda: _all_delivered(svc, event.escalation_id), what="every alert recorded as delivered")

    listing = (await svc.http.get("/api/conversations")).json()["conversations"]
    [conv] = listing
    assert conv["conversation_id"] == CONV and conv["ai_paused"] is True
    assert conv["open_escalations"] == 1 and conv["open_categories"] == ["medical"]
    assert conv["client"] == CLIENT and conv["client_last4"] == "0142"  # staff see it whole; alerts never
    detail = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()
    assert [m["purpose"] for m in detail["messages"]] == ["handoff"]


async def _all_delivered(svc: Running, escalation_id: uuid.UUID) -> bool:
    states = await alert_states(svc, escalation_id)
    return set(states) == {"inbox", "webhook", "email"} and all(s == "delivered" for s, _ in states.values())


async def test_send_cap_alert_without_a_conversation_alerts_staff_and_texts_nobody(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    svc = await start_service()
    event = EscalationRaised(
        tenant_id=SPA, category="send_cap", reason="daily send cap of 500 reached", source="gateway"
    )
    shown = await raise_and_wait(svc, event)
    assert shown["conversation_id"] is None and shown["label"] == "Daily text limit reached"
    [hook] = await webhook.wait_for(1)
    await smtp.wait_for(1)
    assert "daily send cap" in hook["text"] and f"/#/e/{event.escalation_id}" in hook["text"]
    await until(lambda: _all_delivered(svc, event.escalation_id), what="alerts delivered")
    await until(lambda: svc.db.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"))
    assert (
        await messages_on(svc.js, svc.topology.stream_sms_outbound.name, svc.topology.all_sms_outbound) == []
    )
    assert (await svc.http.get("/api/conversations")).json()["conversations"] == []


async def test_redelivered_escalation_is_handled_once(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    svc = await start_service()
    event = escalation()
    await raise_and_wait(svc, event)
    # The same message again (past JetStream's dedupe), and the same escalation under a new message id.
    subject = svc.topology.escalation(SPA, "raised")
    await publish_event(svc.js, subject, event, msg_id=f"again-{event.id}")
    await publish_event(svc.js, subject, event.model_copy(update={"id": uuid.uuid4()}))
    stream = svc.topology.stream_escalations.name

    async def consumed() -> bool:
        info = await svc.js.consumer_info(stream, "escalation-raised")
        return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= 3

    await until(consumed, what="all three messages handled")
    await until(lambda: _all_delivered(svc, event.escalation_id), what="alerts delivered")
    await until(lambda: svc.db.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"))

    sends = await messages_on(svc.js, svc.topology.stream_sms_outbound.name, svc.topology.all_sms_outbound)
    assert len(sends) == 1
    assert len(webhook.received) == 1 and len(smtp.messages) == 1
    assert await svc.db.fetchval("SELECT count(*) FROM escalations") == 1


async def test_webhook_down_still_alerts_by_email_and_retries_the_webhook(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    webhook.fail_next = 2
    svc = await start_service()
    event = escalation()
    await raise_and_wait(svc, event)

    await smtp.wait_for(1)
    [hook] = await webhook.wait_for(1)
    assert webhook.attempts == 3 and "0142" in hook["text"]
    await until(lambda: _all_delivered(svc, event.escalation_id), what="webhook delivered after retries")
    states = await alert_states(svc, event.escalation_id)
    assert states["webhook"] == ("delivered", 3) and states["email"] == ("delivered", 1)


async def test_notifier_that_stays_down_is_marked_failed_and_others_delivered(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    await smtp.stop()  # nothing listens on the SMTP port any more
    svc = await start_service(notifier_max_attempts=2)
    event = escalation()
    await raise_and_wait(svc, event)
    await webhook.wait_for(1)

    async def email_failed() -> Any:
        data = (await svc.http.get("/api/escalations?status=open")).json()
        alerts = {a["notifier"]: a for a in data["escalations"][0]["alerts"]}
        return alerts["email"]["state"] == "failed" and alerts

    alerts = await until(email_failed, what="email marked failed")
    assert alerts["email"]["attempts"] == 2 and alerts["email"]["last_error"].startswith("smtp")
    assert alerts["webhook"]["state"] == "delivered" and alerts["inbox"]["state"] == "delivered"


async def _audit_records(svc: Running) -> list[dict[str, Any]]:
    """The audit records of staff actions (the fixture's own sign-in aside)."""
    records = await messages_on(svc.js, svc.topology.stream_audit.name, svc.topology.all_audit)
    return [r for r in records if r["action"] != "staff.signed_in"]


async def test_staff_resume_publishes_resume_ai_with_an_audit_record(start_service: StartService) -> None:
    svc = await start_service()
    await raise_and_wait(svc, escalation())

    response = await svc.http.post(f"/api/conversations/{SPA}/{CONV}/resume")
    assert response.status_code == 200, response.text
    stream = svc.topology.stream_escalations.name
    [resume] = await until(
        lambda: messages_on(svc.js, stream, svc.topology.staff(SPA, "resume")), what="ResumeAi"
    )
    maria = str(svc.staff.user_id)  # audit records and commands name the account, not a typed name
    assert resume["conversation_id"] == CONV and resume["staff_user"] == maria
    [audit] = await until(lambda: _audit_records(svc), what="audit record")
    assert audit["action"] == "staff.resume_ai" and audit["actor"]["staff_user"] == maria
    conv = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()["conversation"]
    assert conv["ai_paused"] is False


async def test_staff_reply_sends_one_text_and_records_the_reply(start_service: StartService) -> None:
    svc = await start_service()
    await raise_and_wait(svc, escalation())
    request_id = str(uuid.uuid4())
    payload = {"body": "Hi Dana, this is Maria from Glow. Happy to help.", "request_id": request_id}
    for _ in range(2):  # a double-submitted reply is one text
        response = await svc.http.post(f"/api/conversations/{SPA}/{CONV}/reply", json=payload)
        assert response.status_code == 200, response.text

    escalations = svc.topology.stream_escalations.name
    [reply] = await until(
        lambda: messages_on(svc.js, escalations, svc.topology.staff(SPA, "reply")), what="StaffReply"
    )
    assert reply["id"] == request_id and reply["to_number"] == CLIENT and reply["body"] == payload["body"]

    async def staff_sends() -> list[dict[str, Any]]:
        sends = await messages_on(
            svc.js, svc.topology.stream_sms_outbound.name, svc.topology.all_sms_outbound
        )
        return [s for s in sends if s["purpose"] == "staff"]

    [send] = await until(staff_sends, what="staff SendSms")
    assert send["idempotency_key"] == f"staff:{request_id}" and send["body"] == payload["body"]
    audits = await until(lambda: _audit_records(svc), what="audit record")
    assert [a["action"] for a in audits] == ["staff.reply"]
    assert payload["body"] not in json.dumps(audits)  # the audit log keeps sizes, not texts
    detail = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()
    assert [m["purpose"] for m in detail["messages"]] == ["handoff", "staff"]


async def test_staff_take_over_and_resolve(start_service: StartService) -> None:
    svc = await start_service()
    event = escalation()
    await raise_and_wait(svc, event)
    assert (await svc.http.post(f"/api/conversations/{SPA}/{CONV}/pause")).status_code == 200
    resolved = await svc.http.post(f"/api/escalations/{event.escalation_id}/resolve")
    assert resolved.json() == {"resolved": True, "already_resolved": False}
    again = await svc.http.post(f"/api/escalations/{event.escalation_id}/resolve")
    assert again.json() == {"resolved": False, "already_resolved": True}

    stream = svc.topology.stream_escalations.name
    await until(lambda: messages_on(svc.js, stream, svc.topology.staff(SPA, "pause")), what="PauseAi")
    [done] = await until(
        lambda: messages_on(svc.js, stream, svc.topology.escalation(SPA, "resolved")),
        what="EscalationResolved",
    )
    assert done["escalation_id"] == str(event.escalation_id) and done["staff_user"] == str(svc.staff.user_id)
    audits = await until(lambda: _audit_records(svc), what="audit records")
    assert sorted(a["action"] for a in audits) == ["staff.pause_ai", "staff.resolve_escalation"]
    shown = (await svc.http.get("/api/escalations")).json()["escalations"]
    assert shown[0]["resolved_by"] == "Maria"  # the account's name, looked up from its id
    assert (await svc.http.get("/api/escalations?status=open")).json()["escalations"] == []


async def test_staff_actions_reject_bad_input_and_change_nothing(start_service: StartService) -> None:
    svc = await start_service()
    missing = await svc.http.post(f"/api/conversations/{SPA}/cunknown/resume")
    assert missing.status_code == 404
    await raise_and_wait(svc, escalation())
    empty = await svc.http.post(f"/api/conversations/{SPA}/{CONV}/reply", json={"body": ""})
    assert empty.status_code == 422
    extra = await svc.http.post(f"/api/conversations/{SPA}/{CONV}/reply", json={"body": "hi", "to": "+1"})
    assert extra.status_code == 422
    cross_site = await svc.http.post(
        f"/api/conversations/{SPA}/{CONV}/resume", headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    same_site = await svc.http.get(f"/api/conversations/{SPA}/{CONV}", headers={"Origin": "http://inbox"})
    assert same_site.status_code == 200
    no_csrf = await svc.http.post(f"/api/conversations/{SPA}/{CONV}/pause", headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    assert await svc.db.fetchval("SELECT count(*) FROM outbox WHERE subject LIKE '%.staff.%'") == 0
    conv = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()["conversation"]
    assert conv["ai_paused"] is True


async def test_inbox_page_renders_and_api_shows_messages_in_and_out(start_service: StartService) -> None:
    svc = await start_service()
    page = await svc.http.get("/")
    assert page.status_code == 200 and "staff inbox" in page.text and "/static/inbox.js" in page.text
    assert (await svc.http.get("/static/inbox.js")).status_code == 200

    t = svc.topology
    inbound = SmsReceived(
        tenant_id=SPA,
        message_sid="SM1",
        conversation_id=CONV,
        from_number=CLIENT,
        to_number="+14155550199",
        body="Do you have anything Monday?",
    )
    await publish_event(svc.js, t.sms_inbound(SPA, CONV), inbound)
    sent = SmsSent(
        tenant_id=SPA,
        idempotency_key="reply:SM1",
        conversation_id=CONV,
        provider_sid="SMx1",
        segments=1,
        encoding="GSM-7",
        body="Monday at 1:30pm with Julia works. Reply 1 to book.",
    )
    await publish_event(svc.js, t.sms_event(SPA, "sent"), sent)
    failed = SmsSendFailed(
        tenant_id=SPA,
        idempotency_key="reply:SM2",
        conversation_id=CONV,
        reason="opted out",
        error_code=21610,
    )
    await publish_event(svc.js, t.sms_event(SPA, "failed"), failed)

    async def three() -> Any:
        response = await svc.http.get(f"/api/conversations/{SPA}/{CONV}")
        return response.status_code == 200 and len(response.json()["messages"]) == 3 and response.json()

    detail = await until(three, what="three messages")
    directions = [(m["direction"], m["status"]) for m in detail["messages"]]
    assert directions == [("in", "received"), ("out", "sent"), ("out", "failed")]
    assert detail["messages"][0]["body"] == inbound.body and detail["messages"][1]["body"] == sent.body
    assert detail["conversation"]["ai_paused"] is False
    failed_list = (await svc.http.get("/api/failed-deliveries")).json()["messages"]
    assert [m["key"] for m in failed_list] == ["reply:SM2"] and "21610" in failed_list[0]["error"]


async def test_booking_events_count_as_recovered_and_unknown_events_are_ignored(
    start_service: StartService,
) -> None:
    svc = await start_service()
    subject = svc.topology.conversation(SPA, CONV)
    for body in (
        {"type": "SlotsProposed", "id": str(uuid.uuid4()), "tenant_id": SPA, "options": []},
        # 23:10 in San Francisco: after hours.
        {
            "type": "BookingConfirmed",
            "id": str(uuid.uuid4()),
            "tenant_id": SPA,
            "booking_id": "b1",
            "service_name": "Botox consultation",
            "price_cents": 45000,
            "occurred_at": "2026-03-05T07:10:00+00:00",
        },
        {
            "type": "BookingConfirmed",
            "id": str(uuid.uuid4()),
            "tenant_id": SPA,
            "booking": {"booking_id": "b2", "service_name": "HydraFacial", "price_cents": 20000},
            "occurred_at": "2026-03-05T19:00:00+00:00",
        },
    ):
        await svc.js.publish(subject, json.dumps(body).encode())

    async def summary() -> Any:
        spas = (await svc.http.get("/api/recovered")).json()["spas"]
        return spas and spas[0]["bookings"] == 2 and spas[0]

    spa = await until(summary, what="two recovered bookings")
    assert spa["revenue_cents"] == 65000 and spa["name"] == "Glow Med Spa"
    assert spa["after_hours_bookings"] == 1 and spa["after_hours_revenue_cents"] == 45000


async def test_the_name_the_client_gave_the_agent_shows_in_the_inbox(start_service: StartService) -> None:
    svc = await start_service()

    def identified(first_name: str | None, event_id: str | None = None, conv: str = CONV) -> bytes:
        event = {
            "type": "client_identified",
            "id": event_id or str(uuid.uuid4()),
            "tenant_id": SPA,
            "conversation_id": conv,
            "client_id": str(uuid.uuid4()),
            "first_name": first_name,
            "occurred_at": "2026-03-05T19:00:00+00:00",
        }
        return json.dumps(event).encode()

    # A new client is identified before giving a name, then by the name; that event comes again (a
    # redelivery, here carrying another name: it changes nothing); then another client's name, which
    # the consumer reaches only after all of those.
    named_id, other = str(uuid.uuid4()), "c" + uuid.uuid4().hex[:12]
    for conv, body in (
        (CONV, identified(None)),
        (CONV, identified("Dana", named_id)),
        (CONV, identified("Eve", named_id)),
        (other, identified("Zed", conv=other)),
    ):
        await svc.js.publish(svc.topology.conversation(SPA, conv), body)

    async def names() -> Any:
        rows = (await svc.http.get("/api/conversations")).json()["conversations"]
        shown = {c["conversation_id"]: c["client_name"] for c in rows}
        return other in shown and shown

    shown = await until(names, what="the second client's name in the inbox")
    assert shown[CONV] == "Dana"
    # Only the events that showed something were claimed: the nameless one cost no transaction.
    claimed = await svc.db.fetchval(
        "SELECT count(*) FROM processed_messages WHERE consumer = $1", readmodel.CONVERSATIONS
    )
    assert claimed == 2


def assert_no_client_content(esc: dict[str, Any], stream: str) -> None:
    """A dead letter's escalation carries neither the text nor the client's number: not its words
    anywhere, not the number's digits where staff read it (ids, times and the run's random stream
    name can hold any four digits)."""
    assert "private" not in json.dumps(esc)
    shown = " ".join(str(esc[k]) for k in ("reason", "client", "client_last4", "client_name"))
    assert CLIENT[-4:] not in shown.replace(stream, "<stream>")


async def test_dead_letter_advisory_becomes_a_dead_letter_escalation(
    start_service: StartService, webhook: WebhookReceiver
) -> None:
    svc = await start_service()
    t = svc.topology
    stream = t.stream_sms_inbound.name
    inbound = SmsReceived(
        tenant_id=SPA,
        message_sid="SMdead",
        conversation_id=CONV,
        from_number=CLIENT,
        to_number="+14155550199",
        body="private words",
    )
    seq = await publish_event(svc.js, t.sms_inbound(SPA, CONV), inbound)
    # A consumer that fails this message on every attempt, as a buggy service would.
    sub = await svc.js.pull_subscribe(
        t.all_sms_inbound,
        durable="broken-worker",
        stream=stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=2, ack_wait=30),
    )
    for _ in range(2):
        [msg] = await sub.fetch(1, timeout=5)
        await msg.nak()

    async def dead_letter() -> Any:
        with_timeout = sub.fetch(1, timeout=0.2)  # asking again makes the server notice it is exhausted
        try:
            await with_timeout
        except TimeoutError:
            pass
        data = (await svc.http.get("/api/escalations")).json()["escalations"]
        return [e for e in data if e["category"] == "dead_letter"]

    [esc] = await until(dead_letter, what="a dead_letter escalation")
    assert esc["tenant_id"] == SPA and esc["conversation_id"] is None
    assert stream in esc["reason"] and "broken-worker" in esc["reason"] and str(seq) in esc["reason"]
    assert_no_client_content(esc, stream)
    [hook] = await webhook.wait_for(1)
    assert "could not process" in hook["text"]
    await sub.unsubscribe()


async def test_a_message_a_consumer_gave_up_on_is_a_dead_letter_escalation_staff_see(
    start_service: StartService, webhook: WebhookReceiver, nats_url: str
) -> None:
    svc = await start_service()
    t = svc.topology
    broker = make_broker(nats_url, name="test-broken-gateway")

    @durable_subscriber(
        broker,
        t,
        service="gateway",
        subject=t.all_sms_inbound,
        stream=t.stream_sms_inbound,
        durable="broken-consumer",
        delivery=Delivery(max_deliver=2, retry_first=0.05, retry_max=0.05),
    )
    async def always_fails(message: SmsReceived) -> None:
        raise RuntimeError(f"cannot handle {message.body}")

    await broker.start()
    try:
        inbound = SmsReceived(
            tenant_id=SPA,
            message_sid="SMparked",
            conversation_id=CONV,
            from_number=CLIENT,
            to_number="+14155550199",
            body="private words",
        )
        seq = await publish_event(svc.js, t.sms_inbound(SPA, CONV), inbound)

        async def dead_letter() -> Any:
            data = (await svc.http.get("/api/escalations")).json()["escalations"]
            return [e for e in data if e["category"] == "dead_letter"]

        [esc] = await until(dead_letter, what="a dead_letter escalation")
    finally:
        await broker.stop()
    assert esc["tenant_id"] == SPA
    assert "broken-consumer" in esc["reason"] and str(seq) in esc["reason"]
    assert "after 2 attempts (RuntimeError)" in esc["reason"]
    assert_no_client_content(esc, t.stream_sms_inbound.name)
    [hook] = await webhook.wait_for(1)
    assert "could not process" in hook["text"]


async def test_live_updates_reach_a_listening_inbox(start_service: StartService) -> None:
    svc = await start_service()
    async with svc.service.hub.subscribe() as changes:
        await publish_event(svc.js, svc.topology.escalation(SPA, "raised"), escalation())
        change = await asyncio.wait_for(changes.get(), 10)
    assert change == {"kind": "escalation", "tenant_id": SPA, "conversation_id": CONV}


# ----- urgency and the agent's notes for staff -----

URGENT_CONV = "c0fedcba987654321"


async def test_urgent_escalation_is_stored_listed_first_and_marked_in_inbox_and_alerts(
    start_service: StartService, webhook: WebhookReceiver, smtp: SmtpSink
) -> None:
    svc = await start_service()
    urgent = escalation(
        conversation_id=URGENT_CONV,
        client_number="+14155550199",
        reason="swelling and trouble breathing after filler",
        priority="urgent",
    )
    await raise_and_wait(svc, urgent)
    normal = escalation()  # raised later, so its conversation is the newer one
    await raise_and_wait(svc, normal)

    stored = await svc.db.fetch("SELECT escalation_id, priority FROM escalations")
    assert {r["escalation_id"]: r["priority"] for r in stored} == {
        urgent.escalation_id: "urgent",
        normal.escalation_id: "normal",
    }
    listing = (await svc.http.get("/api/conversations")).json()["conversations"]
    assert [(c["conversation_id"], c["urgent"]) for c in listing] == [(URGENT_CONV, True), (CONV, False)]
    open_ = (await svc.http.get("/api/escalations?status=open")).json()["escalations"]
    assert [(e["escalation_id"], e["priority"]) for e in open_] == [
        (str(urgent.escalation_id), "urgent"),
        (str(normal.escalation_id), "normal"),
    ]
    detail = (await svc.http.get(f"/api/conversations/{SPA}/{URGENT_CONV}")).json()
    assert [e["priority"] for e in detail["escalations"]] == ["urgent"]

    hooks = {h["link"].rsplit("/", 1)[-1]: h["text"] for h in await webhook.wait_for(2)}
    mails = {m["Subject"]: m.get_payload(decode=True).decode() for m in await smtp.wait_for(2)}
    assert hooks[URGENT_CONV].startswith("URGENT: ") and "URGENT" not in hooks[CONV]
    assert "0199" in hooks[URGENT_CONV] and "4155550199" not in hooks[URGENT_CONV]
    assert "breathing" not in hooks[URGENT_CONV] and "filler" not in hooks[URGENT_CONV]
    urgent_mail = mails["[Glow Med Spa] URGENT: Needs staff: a medical question"]
    assert urgent_mail.startswith("URGENT: ") and f"/#/c/{URGENT_CONV}" in urgent_mail
    assert "breathing" not in urgent_mail and "4155550199" not in urgent_mail
    assert "URGENT" not in mails["[Glow Med Spa] Needs staff: a medical question"]


async def test_resolved_urgent_escalation_no_longer_lists_its_conversation_first(
    start_service: StartService,
) -> None:
    svc = await start_service()
    urgent = escalation(conversation_id=URGENT_CONV, client_number="+14155550199", priority="urgent")
    await raise_and_wait(svc, urgent)
    await raise_and_wait(svc, escalation())
    response = await svc.http.post(f"/api/escalations/{urgent.escalation_id}/resolve")
    assert response.status_code == 200, response.text

    listing = (await svc.http.get("/api/conversations")).json()["conversations"]
    assert [(c["conversation_id"], c["urgent"]) for c in listing] == [(CONV, False), (URGENT_CONV, False)]


async def test_escalation_stored_before_priorities_existed_reads_as_normal(
    start_service: StartService,
) -> None:
    svc = await start_service()
    old = uuid.uuid4()
    # A row as the first schema wrote it: no priority column named.
    await svc.db.execute(
        "INSERT INTO escalations (escalation_id, tenant_id, category, reason, source, raised_at)"
        " VALUES ($1, $2, 'refund', 'asked for a refund', 'agent', now())",
        old,
        SPA,
    )
    [shown] = (await svc.http.get("/api/escalations")).json()["escalations"]
    assert shown["escalation_id"] == str(old) and shown["priority"] == "normal"


async def test_the_agents_staff_note_shows_in_the_conversation_view_once(start_service: StartService) -> None:
    svc = await start_service()
    await raise_and_wait(svc, escalation())
    note = StaffNoteAdded(
        tenant_id=SPA,
        conversation_id=CONV,
        note="the text is about someone else: the client wrote for a relative",
    )
    subject = svc.topology.conversation(SPA, CONV)
    await svc.js.publish(subject, note.model_dump_json().encode())
    # Redelivered past JetStream's dedupe: the same event id is one note.
    await svc.js.publish(subject, note.model_dump_json().encode(), headers={"Nats-Msg-Id": "again"})

    async def noted() -> Any:
        detail = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()
        return detail["staff_notes"] and detail

    detail = await until(noted, what="the staff note in the conversation view")
    stream = svc.topology.stream_conversations.name

    async def consumed() -> bool:
        info = await svc.js.consumer_info(stream, "escalation-inbox-conversations")
        return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= 2

    await until(consumed, what="both copies handled")
    detail = (await svc.http.get(f"/api/conversations/{SPA}/{CONV}")).json()
    assert [n["note"] for n in detail["staff_notes"]] == [note.note]
    # A note is for staff: it is not a text of the conversation.
    assert [m["purpose"] for m in detail["messages"]] == ["handoff"]
