"""Gateway use cases: send a text, release waiting texts, record a delivery status (inbound: `inbound.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

import asyncpg
import structlog

from services.gateway import notices, repo
from services.gateway.domain import (
    OPTED_OUT_CODE,
    backoff,
    count_segments,
    is_retryable,
    spa_day,
)
from services.gateway.providers import SendResult, SmsProvider, UnknownOutcome
from services.gateway.spas import Spa, SpaDirectory
from services.gateway.spool import InboundPublisher
from shared import metrics
from shared.audit import record as record_audit
from shared.bus import encode
from shared.contracts.audit import AuditActor, AuditRecorded
from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import (
    SendSms,
    SmsDeferred,
    SmsDeliveryUpdated,
    SmsSendFailed,
    SmsSent,
)
from shared.contracts.tools import UpcomingBookingsFound
from shared.db import transaction
from shared.ids import client_ref, conversation_id
from shared.outbox import OutboxRelay, enqueue
from shared.subjects import Topology

log = structlog.get_logger()

State = Literal["new", "deferred", "retrying", "sending", "sent", "failed"]
# What a database that is away looks like to asyncpg.
# InternalClientError: a connection the server dropped, met as the pool takes it back (a restart).
DB_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


# Asks the scheduler how many bookings a number has ahead: (spa, number, conversation, correlation).
BookingsLookup = Callable[[str, str, str, UUID], Awaitable[UpcomingBookingsFound]]


class SendInProgress(Exception):
    """Another delivery of the same key holds a fresh claim: try this one again later."""


@dataclass
class Ports:
    """What the use cases talk to."""

    pool: asyncpg.Pool
    topology: Topology
    spas: SpaDirectory
    provider: SmsProvider
    publisher: InboundPublisher
    relay: OutboxRelay | None
    id_key: str
    max_reply_chars: int = 320
    send_attempts: int = 4
    send_backoff: float = 0.5
    stale_sending: timedelta = timedelta(seconds=60)
    # A text the carrier cannot take for now is tried again after retry_first, doubling up to
    # retry_max, until retry_window after its first try has passed.
    retry_first: float = 15.0
    retry_max: float = 300.0
    retry_window: timedelta = timedelta(minutes=20)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    release_wake: asyncio.Event = field(default_factory=asyncio.Event)
    bookings: BookingsLookup | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def kick(self) -> None:
        """Publish what the last transaction put in the outbox."""
        if self.relay is not None:
            self.relay.kick()

    def spawn(self, work: Coroutine[None, None, None]) -> None:
        """Run follow-up work after the webhook answered; kept so a shutdown can wait for it."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


# ---------------------------------------------------------------- outbound
async def send_sms(cmd: SendSms, *, ports: Ports) -> State:
    """Handle one SendSms: record its key, refuse what must not go, then deliver it (once)."""
    spa = ports.spas.get(cmd.tenant_id)
    # A system text or a page to the spa's on-call staff is not a client conversation: no opt-out notice.
    plain = cmd.purpose in ("system", "page")
    first_body = None if plain else notices.with_notice(cmd.body, ports.max_reply_chars)
    now = ports.clock()
    ref = client_ref(ports.id_key, cmd.tenant_id, cmd.to_number)
    async with transaction(ports.pool) as conn:
        await repo.lock_tenant_cap(conn, cmd.tenant_id)
        inserted = await repo.insert_outbound(conn, cmd, first_body, ref)
        new_row, noticed, checks = inserted or (None, False, None)
        fresh = new_row is not None
        if fresh and (spa is None or len(cmd.body) > ports.max_reply_chars):
            reason = "unknown_spa" if spa is None else "too_long"
            await _fail(
                conn,
                ports,
                cmd.tenant_id,
                cmd.idempotency_key,
                cmd.conversation_id,
                reason,
                None,
                correlation=cmd.correlation_id,
            )
            ports.kick()
            log.warning("outbound.refused", tenant=cmd.tenant_id, reason=reason, length=len(cmd.body))
            return "failed"
        if not fresh:
            log.info("outbound.redelivered", tenant=cmd.tenant_id, key=cmd.idempotency_key)
        elif noticed:
            added = notices.segments_added(cmd.body, ports.max_reply_chars)
            log.info("outbound.first_notice", tenant=cmd.tenant_id, segments_added=added)
        if spa is None:
            return "failed"
        # The claim shares the request's transaction: one commit (and one connection) before the
        # text goes out, as deliver() commits its claim before the HTTP call.
        claim = await _claim(conn, spa, cmd.idempotency_key, now, ports, row=new_row, checks=checks)
    return await _send_claimed(spa, cmd.idempotency_key, claim, now, ports)


async def _fail(
    conn: asyncpg.Connection,
    ports: Ports,
    tenant: str,
    key: str,
    conv: str,
    reason: str,
    code: int | None,
    *,
    permanent: bool = True,
    correlation: UUID | str | None = None,
) -> None:
    await repo.mark_failed(conn, tenant, key, reason, code)
    metrics.send_settled("failed", reason)
    extra = {"correlation_id": correlation} if correlation else {}
    event = SmsSendFailed(
        tenant_id=tenant,
        idempotency_key=key,
        conversation_id=conv,
        reason=reason,
        error_code=code,
        permanent=permanent,
        **extra,  # type: ignore[arg-type]
    )
    await enqueue(
        conn, ports.topology.sms_event(tenant, "failed"), event, message_id=f"failed:{tenant}:{key}"
    )


async def deliver(spa: Spa, key: str, *, ports: Ports) -> State:
    """Claim the key, check opt-out and the daily cap, send with retries, record the result.

    The claim ('sending') is committed before the HTTP call and the result after it. A gateway that
    dies in between leaves a 'sending' row; whoever finds it stale asks the provider whether the
    text went out (Twilio's message log; the simulator knows exactly) before sending again. A text
    the provider cannot take for now ends 'retrying' and comes back here when its next try is due.
    """
    now = ports.clock()
    async with transaction(ports.pool) as conn:
        await repo.lock_tenant_cap(conn, spa.id)
        claim = await _claim(conn, spa, key, now, ports)
    return await _send_claimed(spa, key, claim, now, ports)


async def _send_claimed(spa: Spa, key: str, claim: Claim | State, now: datetime, ports: Ports) -> State:
    """Send a text this delivery claimed (asking the provider first after a stale claim), record it."""
    if not isinstance(claim, Claim):
        return claim
    row = claim.row
    if claim.reconcile:
        settled = await _reconcile(spa, key, row, now, ports)
        if settled is not None:
            return settled
    result = await _send_with_retries(spa, row.to_number, row.body, key, ports)
    return await _record(spa, row, result, ports)


@dataclass(frozen=True)
class Claim:
    """This delivery may send the text; `reconcile`: a dead process's stale claim, ask the provider first."""

    row: repo.Outbound
    reconcile: bool = False


async def _claim(
    conn: asyncpg.Connection,
    spa: Spa,
    key: str,
    now: datetime,
    ports: Ports,
    *,
    row: repo.Outbound | None = None,
    checks: repo.SendChecks | None = None,
) -> Claim | State:
    """Claim the text for sending, or settle it here: already done, opted out, or over the cap.

    The caller holds the spa's send lock (`repo.lock_tenant_cap`, taken first: one lock order for
    every path). `row`: the key's row this transaction has just inserted (its own already), with
    its `checks` read by the insert; otherwise both are read here, the row locked.
    """
    row = row or await repo.lock_outbound(conn, spa.id, key)
    if row is None or row.state in ("sent", "failed"):
        return row.state if row else "failed"  # type: ignore[return-value]
    if row.state == "sending":
        if row.claimed_at and now - row.claimed_at < ports.stale_sending:
            raise SendInProgress(key)
        # Re-claim with a fresh time so nobody else reconciles the same row at once.
        await repo.reclaim(conn, spa.id, key, now)
        return Claim(row, reconcile=True)
    if row.state == "retrying" and row.retry_at is not None and row.retry_at > now:
        return "retrying"  # a redelivered command, or another replica's timer: its next try is not due
    if checks is None:
        ref = client_ref(ports.id_key, spa.id, row.to_number)
        checks = await repo.send_checks(conn, spa.id, ref, row.to_number, row.created_at)
    if _opted_out_for(checks, key):
        conv, correlation = row.conversation_id, row.correlation_id
        await _fail(conn, ports, spa.id, key, conv, "opted_out", OPTED_OUT_CODE, correlation=correlation)
        ports.kick()
        log.info("outbound.opted_out", tenant=spa.id, conversation=row.conversation_id)
        return "failed"
    if await _behind_a_waiting_text(conn, spa, row, checks.retry_ahead, ports):
        return "retrying"
    day = spa_day(now, spa.tz)
    within = await repo.claim_within_cap(
        conn,
        spa.id,
        key,
        day=day,
        now=now,
        provider=ports.provider.name,
        default_cap=spa.daily_send_cap,
        # A page to on-call staff about a possible emergency never waits behind the daily cap.
        exempt=row.purpose == "page",
    )
    if not within.claimed:
        await _wait_for_cap(conn, spa, row, day, within.cap, ports)
        return "deferred"
    return Claim(row)


async def _behind_a_waiting_text(
    conn: asyncpg.Connection, spa: Spa, row: repo.Outbound, ahead: datetime | None, ports: Ports
) -> bool:
    """An earlier text to the same number waits for the carrier: this one waits with it, behind it.

    Two texts to a client leave in the order they were asked for, after an outage too: a round of
    retries takes the oldest first and stops at one that fails again.
    """
    if row.created_at is None or ahead is None:
        return False
    await repo.mark_retrying(conn, spa.id, row.idempotency_key, ahead, None)
    asyncio.get_running_loop().call_later(
        max(0.0, (ahead - ports.clock()).total_seconds()), ports.release_wake.set
    )
    log.info("outbound.behind_waiting_text", tenant=spa.id, conversation=row.conversation_id)
    return True


async def _wait_for_cap(
    conn: asyncpg.Connection, spa: Spa, row: repo.Outbound, day: date, cap: int, ports: Ports
) -> None:
    """The daily cap is reached: the text waits (SmsDeferred once) and staff are alerted once a day."""
    key = row.idempotency_key
    if row.state != "deferred":
        await repo.mark_deferred(conn, spa.id, key)
        extra = {"correlation_id": row.correlation_id} if row.correlation_id else {}
        deferred = SmsDeferred(
            tenant_id=spa.id, idempotency_key=key, conversation_id=row.conversation_id, **extra
        )
        subject = ports.topology.sms_event(spa.id, "deferred")
        await enqueue(conn, subject, deferred, message_id=f"deferred:{spa.id}:{key}")
    if await repo.claim_cap_alert(conn, spa.id, day):
        alert = EscalationRaised(
            tenant_id=spa.id,
            category="send_cap",
            source="gateway",
            reason=(
                f"Daily send cap of {cap} texts reached for {day.isoformat()}. Further texts "
                "wait and go out tomorrow, or as soon as the cap is raised."
            ),
        )
        alert_id = f"send_cap:{spa.id}:{day.isoformat()}"
        await enqueue(conn, ports.topology.escalation(spa.id), alert, message_id=alert_id)
        log.warning("send_cap.reached", tenant=spa.id, cap=cap, day=day.isoformat())
    metrics.CAP_HITS.inc()
    if row.state != "deferred":
        metrics.send_settled("deferred", "send_cap")
    ports.kick()


async def _reconcile(spa: Spa, key: str, row: repo.Outbound, now: datetime, ports: Ports) -> State | None:
    """A stale claim: settle it from the provider's own record; None when the text never went out."""
    try:
        sid = await ports.provider.find_sent(spa, row.to_number, row.body, key, row.claimed_at or now)
    except UnknownOutcome:
        async with transaction(ports.pool) as conn:
            await _fail(
                conn,
                ports,
                spa.id,
                key,
                row.conversation_id,
                "send_outcome_unknown",
                None,
                permanent=False,
                correlation=row.correlation_id,
            )
        ports.kick()
        log.error("outbound.outcome_unknown", tenant=spa.id, conversation=row.conversation_id)
        return "failed"
    if sid is None:
        return None
    await _record(spa, row, SendResult(sid=sid, status=201), ports)
    log.info("outbound.reconciled", tenant=spa.id, conversation=row.conversation_id)
    return "sent"


def _opted_out_for(checks: repo.SendChecks, key: str) -> bool:
    """Opted out, unless this text is the answer to the very text that opted the number out."""
    source_sid = checks.opted_out_by
    return checks.opted_out and (source_sid is None or key != notices.confirmation_key("optout", source_sid))


async def _send_with_retries(spa: Spa, to: str, body: str, key: str, ports: Ports) -> SendResult:
    result = SendResult()
    for attempt in range(1, ports.send_attempts + 1):
        result = await ports.provider.send(spa, to, body, key)
        if result.ok or not is_retryable(result.status, result.code):
            return result
        log.warning("outbound.retry", tenant=spa.id, attempt=attempt, status=result.status, code=result.code)
        if attempt < ports.send_attempts:
            await asyncio.sleep(backoff(attempt, ports.send_backoff))
    return result


async def _record(spa: Spa, row: repo.Outbound, result: SendResult, ports: Ports) -> State:
    """Commit a send's outcome with its event: sent, tried again later, or failed."""
    if result.ok:
        async with ports.pool.acquire() as conn:  # one statement: its own transaction
            state = await _record_sent(conn, spa, row, result, ports)
    else:
        async with transaction(ports.pool) as conn:
            state = await _record_failure(conn, spa, row, result, ports)
    ports.kick()
    return state


async def _record_sent(
    conn: asyncpg.Connection, spa: Spa, row: repo.Outbound, result: SendResult, ports: Ports
) -> State:
    assert result.sid is not None
    key, conv = row.idempotency_key, row.conversation_id
    extra = {"correlation_id": row.correlation_id} if row.correlation_id else {}
    seg = count_segments(row.body)
    sent = SmsSent(
        tenant_id=spa.id,
        idempotency_key=key,
        conversation_id=conv,
        provider_sid=result.sid,
        segments=seg.count,
        encoding=seg.encoding,
        provider=ports.provider.name,
        body=row.body,
        **extra,  # type: ignore[arg-type]
    )
    subject = ports.topology.sms_event(spa.id, "sent")
    await repo.mark_sent_announcing(conn, sent, subject, message_id=f"sent:{spa.id}:{key}")
    metrics.send_settled("sent")
    log.info("outbound.sent", tenant=spa.id, conversation=conv, segments=seg.count, encoding=seg.encoding)
    return "sent"


async def _record_failure(
    conn: asyncpg.Connection, spa: Spa, row: repo.Outbound, result: SendResult, ports: Ports
) -> State:
    """A permanent error fails at once; 'unavailable' waits for its next try until the window is over."""
    key, conv = row.idempotency_key, row.conversation_id
    if result.code == OPTED_OUT_CODE:
        reason = "opted_out"
        # The carrier knows of an opt-out we missed: remember it, never try again.
        ref = client_ref(ports.id_key, spa.id, row.to_number)
        await repo.set_opt_out(conn, spa.id, ref, True, ports.clock(), None)
    elif is_retryable(result.status, result.code):
        if await _retry_later(conn, spa, row, result, ports):
            return "retrying"
        reason = "provider_unavailable"
        await _alert_given_up(conn, spa.id, ports)
    else:
        reason = "rejected"
    await _fail(conn, ports, spa.id, key, conv, reason, result.code, correlation=row.correlation_id)
    log.warning(
        "outbound.failed",
        tenant=spa.id,
        conversation=conv,
        reason=reason,
        code=result.code,
        status=result.status,
        attempts=row.attempts + 1,
    )
    return "failed"


async def _retry_later(
    conn: asyncpg.Connection, spa: Spa, row: repo.Outbound, result: SendResult, ports: Ports
) -> bool:
    """Schedule the text's next try; False when its retry window is over (then it is given up)."""
    now = ports.clock()
    deadline = (row.created_at or now) + ports.retry_window
    if now >= deadline:
        return False
    tries = row.attempts + 1  # the claim that just failed included
    pause = backoff(tries, ports.retry_first, ports.retry_max)
    retry_at = min(now + timedelta(seconds=pause), deadline)
    await repo.mark_retrying(conn, spa.id, row.idempotency_key, retry_at, result.code)
    if tries == 1:
        # Staff see the text as waiting (not failed) in its conversation.
        extra = {"correlation_id": row.correlation_id} if row.correlation_id else {}
        waiting = SmsSendFailed(
            tenant_id=spa.id,
            idempotency_key=row.idempotency_key,
            conversation_id=row.conversation_id,
            reason="provider_unavailable",
            error_code=result.code,
            permanent=False,
            **extra,  # type: ignore[arg-type]
        )
        subject = ports.topology.sms_event(spa.id, "failed")
        await enqueue(conn, subject, waiting, message_id=f"retrying:{spa.id}:{row.idempotency_key}")
    metrics.send_settled("retrying", "provider_unavailable")
    # This replica looks again when it is due; every replica also looks at each release interval.
    asyncio.get_running_loop().call_later((retry_at - now).total_seconds(), ports.release_wake.set)
    log.warning(
        "outbound.retry_later",
        tenant=spa.id,
        conversation=row.conversation_id,
        attempt=tries,
        delay_s=round((retry_at - now).total_seconds(), 1),
        status=result.status,
        code=result.code,
    )
    return True


async def _alert_given_up(conn: asyncpg.Connection, tenant: str, ports: Ports) -> None:
    """A text is given up after its retry window: staff are alerted (once per spa and hour)."""
    hour = ports.clock().replace(minute=0, second=0, microsecond=0)
    if not await repo.claim_delivery_alert(conn, tenant, hour):
        return
    minutes = round(ports.retry_window.total_seconds() / 60)
    alert = EscalationRaised(
        tenant_id=tenant,
        category="delivery_failed",
        source="gateway",
        reason=(
            f"Texts to clients could not be sent: the SMS provider stayed unavailable for {minutes} "
            "minutes. Each one shows as not delivered in its conversation; please follow up by phone."
        ),
    )
    message_id = f"delivery_failed:{tenant}:{hour.isoformat()}"
    await enqueue(conn, ports.topology.escalation(tenant), alert, message_id=message_id)
    log.error("outbound.given_up", tenant=tenant, window_s=ports.retry_window.total_seconds())


async def release_waiting(ports: Ports, tenant_id: str | None = None) -> int:
    """Try again texts whose next try is due; send texts that waited for the cap while the cap allows
    (new day, or cap raised). Returns how many waiting (capped) texts were released."""
    released = 0
    for spa in ports.spas:
        if tenant_id is not None and spa.id != tenant_id:
            continue
        await retry_due(spa, ports)
        async with ports.pool.acquire() as conn:
            keys = await repo.waiting_keys(conn, spa.id)
        for key in keys:
            try:
                state = await deliver(spa, key, ports=ports)
            except SendInProgress:
                continue
            if state == "deferred":
                break
            released += 1
    if released:
        log.info("send_cap.released", count=released)
    return released


async def retry_due(spa: Spa, ports: Ports) -> int:
    """Try again a spa's texts the carrier could not take earlier, oldest first; how many went out.

    One that fails again stops the round: the carrier is still away, and the rest stay due for the
    next look (this replica's timer for the one that failed, or the next release interval).
    """
    async with ports.pool.acquire() as conn:
        keys = await repo.due_retry_keys(conn, spa.id, ports.clock())
    sent = 0
    for key in keys:
        try:
            state = await deliver(spa, key, ports=ports)
        except SendInProgress:
            continue
        if state == "retrying":
            break
        sent += state == "sent"
    if keys:
        log.info("outbound.retried", tenant=spa.id, due=len(keys), sent=sent)
    return sent


async def set_send_cap(
    tenant_id: str, daily_cap: int, *, ports: Ports, changed_by: str = "admin-token"
) -> int:
    """Staff change a spa's daily cap (recorded in the audit log); texts waiting go out if it allows."""
    async with transaction(ports.pool) as conn:
        previous = await repo.cap_override(conn, tenant_id)
        await repo.set_cap(conn, tenant_id, daily_cap)
        change = {"daily_cap": daily_cap, "previous_cap": previous}
        await record_audit(conn, ports.topology, cap_change_record(tenant_id, change, changed_by))
    ports.kick()
    log.info("send_cap.changed", tenant=tenant_id, cap=daily_cap)
    return await release_waiting(ports, tenant_id)


def cap_change_record(tenant_id: str, change: dict[str, int | None], changed_by: str) -> AuditRecorded:
    """The audit record of a daily cap change."""
    actor = AuditActor(service="gateway", staff_user=changed_by)
    return AuditRecorded(
        tenant_id=tenant_id, actor=actor, action="gateway.send_cap_changed", arguments=change
    )


# ---------------------------------------------------------------- status callbacks
async def record_status(
    spa: Spa,
    *,
    sid: str,
    status: str,
    error_code: int | None,
    client_number: str | None,
    idempotency_key: str | None,
    ports: Ports,
) -> SmsDeliveryUpdated:
    """A carrier status callback: publish the event (acked or spooled), then update the text's row.

    The event goes first so that a database outage loses no status staff should see; the row
    update (and settling a send whose result a crash left unrecorded) is then best effort.
    """
    conv = conversation_id(ports.id_key, spa.id, client_number) if client_number else None
    event = SmsDeliveryUpdated(
        tenant_id=spa.id,
        provider_sid=sid,
        status=status,  # type: ignore[arg-type]
        error_code=error_code,
        conversation_id=conv,
    )
    await ports.publisher.publish(
        ports.topology.sms_event(spa.id, "status"), f"status:{sid}:{status}", encode(event)
    )
    try:
        await _settle_from_status(spa, sid, status, error_code, idempotency_key, ports)
    except DB_ERRORS as exc:
        log.error("delivery.record_failed", tenant=spa.id, error=type(exc).__name__)
    log.info("delivery.updated", tenant=spa.id, status=status, error_code=error_code)
    return event


async def _settle_from_status(
    spa: Spa, sid: str, status: str, error_code: int | None, idempotency_key: str | None, ports: Ports
) -> None:
    async with transaction(ports.pool) as conn:
        if idempotency_key:
            row = await repo.lock_outbound(conn, spa.id, idempotency_key)
            if row is not None and row.state == "sending":
                # The send's result was never recorded (we died after Twilio accepted it): now it is.
                seg = count_segments(row.body)
                await repo.mark_sent(conn, spa.id, idempotency_key, sid, seg.count, seg.encoding)
                sent = SmsSent(
                    tenant_id=spa.id,
                    idempotency_key=idempotency_key,
                    conversation_id=row.conversation_id,
                    provider_sid=sid,
                    segments=seg.count,
                    encoding=seg.encoding,
                    provider=ports.provider.name,
                    body=row.body,
                )
                message_id = f"sent:{spa.id}:{idempotency_key}"
                await enqueue(conn, ports.topology.sms_event(spa.id, "sent"), sent, message_id=message_id)
        await repo.set_delivery_status(conn, sid, status, error_code)
    ports.kick()
