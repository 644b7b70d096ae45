"""Gateway use cases for inbound texts: keywords and opt-outs, the gateway's answers, CANCEL alerts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

import structlog

from services.gateway import notices, repo
from services.gateway.abuse import HOLD_REASONS, NumberActivity, auto_reply_rule, held_for
from services.gateway.domain import Reading, keyword_variant, opt_in_counts, read_text, spa_day
from services.gateway.handlers import DB_ERRORS, Ports
from services.gateway.spas import Spa
from services.gateway.spool import Outcome
from shared.bus import encode
from shared.contracts.envelope import Event
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import ClientOptedIn, ClientOptedOut, HeldFor, SendSms, SmsReceived
from shared.contracts.tools import UpcomingBookingsFound
from shared.db import transaction
from shared.ids import client_ref, conversation_id

log = structlog.get_logger()

# A number found in a reply loop waits for staff this long (staff can still text it).
LOOP_HOLD = timedelta(hours=24)


@dataclass(frozen=True)
class InboundText:
    """A text as the carrier (or the simulator) handed it over, already mapped to its spa."""

    spa: Spa
    message_sid: str
    from_number: str
    to_number: str
    body: str
    num_media: int = 0
    media_urls: tuple[str, ...] = ()
    provider: Literal["twilio", "simulator"] = "twilio"
    number_limits: bool = True  # NUMBER_LIMITS: off only for scripted test clients


async def receive_text(text: InboundText, *, ports: Ports) -> Outcome | Literal["ignored"]:
    """Record opt-outs and opt-ins, then publish SmsReceived (acked or spooled) and what it implies.

    A text from one of the served spas' own numbers is counted and dropped: two spas (or a spa and
    itself) would otherwise answer each other without end.
    """
    spa = text.spa
    now = ports.clock()
    if ports.spas.serves_number(text.from_number):
        await _count_ignored(spa, "own_number", now, ports)
        return "ignored"
    conv = conversation_id(ports.id_key, spa.id, text.from_number)
    reading = await _read(text, ports)
    if reading.keyword in ("stop", "start"):
        await _record_opt_change(text, reading, conv, now, ports)
    # A keyword is always honoured; anything else may wait for staff (see abuse.py).
    screen = Screening() if reading.keyword else await _screen(text, now, ports)
    event = SmsReceived(
        tenant_id=spa.id,
        message_sid=text.message_sid,
        conversation_id=conv,
        from_number=text.from_number,
        to_number=text.to_number,
        body=text.body,
        num_media=text.num_media,
        media_urls=list(text.media_urls),
        keyword=reading.keyword,
        provider=text.provider,
        held=screen.held,
        occurred_at=now,
    )
    outcome = await ports.publisher.publish(
        ports.topology.sms_inbound(spa.id, conv), text.message_sid, encode(event)
    )
    for subject, msg_id, follow_up in _follow_ups(text, reading, event, ports):
        await ports.publisher.publish(subject, msg_id, encode(follow_up))
    if screen.alert_staff:
        await _alert_held(text, event, screen, ports)
    if reading.cancel:
        ports.spawn(alert_if_booked(text, conv, event.correlation_id, ports=ports))
    log.info(
        "inbound.received",
        tenant=spa.id,
        conversation=conv,
        outcome=outcome,
        keyword=reading.keyword,
        rule=reading.rule,
        held=screen.held,
        held_by=screen.rule,
    )
    return outcome


async def _record_opt_change(
    text: InboundText, reading: Reading, conv: str, now: datetime, ports: Ports
) -> None:
    """Recorded before the publish: an outbound text racing the STOP must already see it.

    If the database is away the text is still published with its ClientOptedOut/In event, which the
    gateway's own opt-out consumer records once the database is back.
    """
    try:
        ref = client_ref(ports.id_key, text.spa.id, text.from_number)
        await apply_opt_change(ports, text.spa.id, ref, reading.keyword == "stop", now, text.message_sid)
    except DB_ERRORS as exc:
        log.error("optout.record_deferred", tenant=text.spa.id, conversation=conv, error=type(exc).__name__)


@dataclass(frozen=True)
class Screening:
    """Whether a text waits for staff (and by which rule, for the log), and whether staff are alerted now."""

    held: HeldFor | None = None
    rule: str | None = None
    alert_staff: bool = False
    phone_ref: str = ""
    day: date | None = None


async def _screen(text: InboundText, now: datetime, ports: Ports) -> Screening:
    """Note the text's arrival; hold an auto-reply, a looping number or one over its limits for staff.

    With the database away nothing is held: the agent answers as it always did.
    """
    spa = text.spa
    ref = client_ref(ports.id_key, spa.id, text.from_number)
    day = spa_day(now, spa.tz)
    auto = auto_reply_rule(text.body)
    try:
        # No transaction: each statement stands alone, and the common case is one round trip.
        async with ports.pool.acquire() as conn:
            counts = await repo.note_arrival(
                conn, spa.id, ref, text.from_number, text.message_sid, now, day, spa.limits.loop_replies
            )
            if auto is not None:
                await repo.count_ignored(conn, spa.id, day, f"auto_reply:{auto.name}")
                return Screening("auto_reply", auto.name)
            cap = spa.daily_send_cap if counts.cap_override is None else counts.cap_override
            held = held_for(_activity(counts), spa.limits, cap) if text.number_limits else None
            if held is None:
                return Screening()
            if held == "loop" and not counts.held_for_loop:
                await repo.hold_number(conn, spa.id, ref, held, now, now + LOOP_HOLD)
            alert = await repo.claim_hold_alert(conn, spa.id, ref, held, day)
    except DB_ERRORS as exc:
        log.error("inbound.limits_unknown", tenant=spa.id, error=type(exc).__name__)
        return Screening()
    log.warning("inbound.held_for_staff", tenant=spa.id, held=held, alert=alert)
    return Screening(held, held, alert, ref, day)


def _activity(counts: repo.NumberCounts) -> NumberActivity:
    return NumberActivity(
        texts_last_hour=counts.texts_last_hour,
        sent_today=counts.sent_today,
        seconds_after_reply=counts.seconds_after_reply,
        held_for_loop=counts.held_for_loop,
    )


async def _alert_held(text: InboundText, received: SmsReceived, screen: Screening, ports: Ports) -> None:
    """Tell staff once a day that a number's texts wait for them (no text to the number itself)."""
    assert screen.held is not None and screen.day is not None
    spa = text.spa
    alert = EscalationRaised(
        tenant_id=spa.id,
        correlation_id=received.correlation_id,
        conversation_id=received.conversation_id,
        category="other",
        source="gateway",
        reason=HOLD_REASONS[screen.held],
        client_number=text.from_number,
    )
    key = f"held:{spa.id}:{screen.phone_ref}:{screen.held}:{screen.day.isoformat()}"
    await ports.publisher.publish(ports.topology.escalation(spa.id), key, encode(alert))


async def _count_ignored(spa: Spa, reason: str, now: datetime, ports: Ports) -> None:
    log.warning("inbound.ignored", tenant=spa.id, reason=reason)
    try:
        async with transaction(ports.pool) as conn:
            await repo.count_ignored(conn, spa.id, spa_day(now, spa.tz), reason)
    except DB_ERRORS as exc:
        log.error("inbound.ignored_not_counted", tenant=spa.id, error=type(exc).__name__)


async def carrier_answer(text: InboundText, ports: Ports) -> str | None:
    """What the carrier itself answers to its keyword, as the simulator plays it (call before
    `receive_text`: it reads the number's state as it was).

    Twilio answers STOP and START with its opt-out messages; configured from the spa's wording
    (Advanced Opt-Out, see docs/gateway.md) a bare CANCEL's answer says how to cancel a booking.
    """
    reading = await _read(text, ports)
    if not reading.carrier or reading.keyword not in ("stop", "start"):
        return None
    said: notices.Confirmation = (
        "start" if reading.keyword == "start" else "cancel" if reading.cancel else "stop"
    )
    return notices.confirmation(said, reading.language, text.spa)


async def _read(text: InboundText, ports: Ports) -> Reading:
    """What the text means; START/YES/UNSTOP opt in only a number that opted out (one indexed read)."""
    reading = read_text(text.body)
    if not reading.opt_in_word:
        return reading
    ref = client_ref(ports.id_key, text.spa.id, text.from_number)
    try:
        opted_out: bool | None = await repo.is_opted_out(ports.pool, text.spa.id, ref)
    except DB_ERRORS as exc:
        log.error("optout.state_unknown", tenant=text.spa.id, error=type(exc).__name__)
        opted_out = None
    if opt_in_counts(keyword_variant(text.body), opted_out):
        return replace(reading, keyword="start")
    return reading


def _follow_ups(
    text: InboundText, reading: Reading, received: SmsReceived, ports: Ports
) -> list[tuple[str, str, Event | SendSms]]:
    """What a keyword text implies besides itself: the opt change event, and the gateway's answer."""
    spa, conv, sid = text.spa, received.conversation_id, text.message_sid
    correlation = received.correlation_id
    out: list[tuple[str, str, Event | SendSms]] = []
    if reading.keyword in ("stop", "start"):
        kind = "optout" if reading.keyword == "stop" else "optin"
        change_type = ClientOptedOut if reading.keyword == "stop" else ClientOptedIn
        change = change_type(
            tenant_id=spa.id,
            conversation_id=conv,
            phone_ref=client_ref(ports.id_key, spa.id, text.from_number),
            correlation_id=correlation,
            occurred_at=received.occurred_at,
        )
        out.append((ports.topology.sms_event(spa.id, kind), f"{kind}:{sid}", change))
        # The carrier answers its own keywords (and blocks the number after STOP); the gateway
        # answers what only it understood ("stop texting me"), and everything on the simulator.
        if not (reading.carrier and ports.provider.answers_keywords):
            said: notices.Confirmation = (
                "start" if kind == "optin" else "cancel" if reading.cancel else "stop"
            )
            body = notices.confirmation(said, reading.language, spa)
            out.append(
                _answer(text, conv, correlation, notices.confirmation_key(kind, sid), body, "system", ports)
            )
    elif reading.keyword == "help":
        out.append(_answer(text, conv, correlation, f"help:{sid}", spa.help_text, "help", ports))
    return out


def _answer(
    text: InboundText,
    conv: str,
    correlation: UUID,
    key: str,
    body: str,
    purpose: Literal["help", "system"],
    ports: Ports,
) -> tuple[str, str, SendSms]:
    """The gateway's own text to the client who wrote `text` (HELP, an opt-out/opt-in answer)."""
    cmd = SendSms(
        tenant_id=text.spa.id,
        correlation_id=correlation,
        idempotency_key=key,
        conversation_id=conv,
        to_number=text.from_number,
        body=body,
        purpose=purpose,
        caused_by=text.message_sid,
    )
    return ports.topology.sms_outbound(text.spa.id, conv), key, cmd


async def alert_if_booked(text: InboundText, conv: str, correlation: UUID, *, ports: Ports) -> None:
    """A bare CANCEL opted the number out: with bookings ahead (or unknown), staff should call.

    The scheduler is asked by the gateway itself (the tool is bound to the number the text came
    from, and nothing of its answer reaches a model). The alert carries no handoff text: the number
    is opted out. Published with a key of the text, so a repeated webhook is one alert.
    """
    spa = text.spa
    found: UpcomingBookingsFound | None = None
    if ports.bookings is not None:
        try:
            found = await ports.bookings(spa.id, text.from_number, conv, correlation)
        except Exception as exc:  # a scheduler that is away still leaves staff an alert
            log.warning("cancel_optout.lookup_failed", tenant=spa.id, error=type(exc).__name__)
    if found is not None and found.count == 0:
        log.info("cancel_optout.no_bookings", tenant=spa.id, conversation=conv)
        return
    alert = EscalationRaised(
        tenant_id=spa.id,
        correlation_id=correlation,
        conversation_id=conv,
        category="cancellation",
        source="gateway",
        reason=notices.cancel_alert_reason(found, spa.tz),
        client_number=text.from_number,
    )
    key = f"cancel_optout:{spa.id}:{text.message_sid}"
    outcome = await ports.publisher.publish(ports.topology.escalation(spa.id), key, encode(alert))
    log.warning("cancel_optout.escalated", tenant=spa.id, conversation=conv, outcome=outcome)


async def apply_opt_change(
    ports: Ports, tenant: str, phone_ref: str, opted_out: bool, at: datetime, sid: str | None
) -> None:
    """Record an opt-out or opt-in (idempotent; a late, older change does not undo a newer one)."""
    async with transaction(ports.pool) as conn:
        await repo.set_opt_out(conn, tenant, phone_ref, opted_out, at, sid)
    log.info("optout.recorded" if opted_out else "optin.recorded", tenant=tenant)


async def opt_change_published(
    event: ClientOptedOut | ClientOptedIn, *, ports: Ports, message_sid: str | None = None
) -> None:
    """The gateway's own opt-out events, recorded from the bus (repeating the inline write is harmless)."""
    opted_out = isinstance(event, ClientOptedOut)
    await apply_opt_change(ports, event.tenant_id, event.phone_ref, opted_out, event.occurred_at, message_sid)
