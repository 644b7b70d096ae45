"""The gateway's SQL: opt-outs, outbound claims and results, send caps, per-number limits, the simulator's
phone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from shared.contracts.sms import SendSms, SmsSent
from shared.outbox import enqueue_with


@dataclass(frozen=True)
class CapClaim:
    """Whether a text was claimed within the daily cap, the cap in force, and the day's count before it."""

    claimed: bool
    cap: int
    counted: int


@dataclass(frozen=True)
class Outbound:
    """One outbound text's row."""

    tenant_id: str
    idempotency_key: str
    conversation_id: str
    to_number: str
    body: str
    purpose: str
    state: str
    attempts: int
    cap_day: date | None
    claimed_at: datetime | None
    provider_sid: str | None
    correlation_id: str
    created_at: datetime | None = None
    retry_at: datetime | None = None


def _outbound(row: asyncpg.Record) -> Outbound:
    return Outbound(
        tenant_id=row["tenant_id"],
        idempotency_key=row["idempotency_key"],
        conversation_id=row["conversation_id"],
        to_number=row["to_number"],
        body=row["body"],
        purpose=row["purpose"],
        state=row["state"],
        attempts=row["attempts"],
        cap_day=row["cap_day"],
        claimed_at=row["claimed_at"],
        provider_sid=row["provider_sid"],
        correlation_id=row["command"].get("correlation_id", ""),
        created_at=row["created_at"],
        retry_at=row["retry_at"],
    )


# ---- opt-outs ----
async def set_opt_out(
    conn: asyncpg.Connection, tenant_id: str, phone_ref: str, opted_out: bool, at: datetime, sid: str | None
) -> None:
    """Record an opt-out or opt-in; an older keyword arriving late does not undo a newer one."""
    await conn.execute(
        "INSERT INTO opt_outs (tenant_id, phone_ref, opted_out, changed_at, source_sid) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, phone_ref) DO UPDATE "
        "SET opted_out = EXCLUDED.opted_out, changed_at = EXCLUDED.changed_at, "
        # The same change recorded again without its sid (from the bus) keeps the sid it had.
        "source_sid = CASE WHEN EXCLUDED.source_sid IS NULL AND opt_outs.opted_out = EXCLUDED.opted_out "
        "THEN opt_outs.source_sid ELSE EXCLUDED.source_sid END "
        "WHERE opt_outs.changed_at <= EXCLUDED.changed_at",
        tenant_id,
        phone_ref,
        opted_out,
        at,
        sid,
    )


async def is_opted_out(conn: asyncpg.Connection | asyncpg.Pool, tenant_id: str, phone_ref: str) -> bool:
    """Whether the client opted out of this spa's texts (one primary-key lookup)."""
    value = await conn.fetchval(
        "SELECT opted_out FROM opt_outs WHERE tenant_id = $1 AND phone_ref = $2", tenant_id, phone_ref
    )
    return bool(value)


@dataclass(frozen=True)
class SendChecks:
    """What a text's claim checks besides the cap: the number's opt-out, and an earlier text waiting."""

    opted_out: bool
    opted_out_by: str | None  # the MessageSid of the text that opted the number out
    retry_ahead: datetime | None  # when an earlier text to the number is tried again


async def send_checks(
    conn: asyncpg.Connection, tenant_id: str, phone_ref: str, to_number: str, created_at: datetime | None
) -> SendChecks:
    """The opt-out in force and the earliest retry of a text asked for before `created_at` to the same
    number, in one round trip (read after the text's row is locked)."""
    row = await conn.fetchrow(
        "SELECT o.opted_out, o.source_sid, (SELECT min(retry_at) FROM outbound_messages"
        "  WHERE tenant_id = $1 AND to_number = $3 AND state = 'retrying' AND created_at < $4) AS ahead"
        " FROM (SELECT 1) AS one"
        " LEFT JOIN opt_outs o ON o.tenant_id = $1 AND o.phone_ref = $2",
        tenant_id,
        phone_ref,
        to_number,
        created_at,
    )
    assert row is not None
    return SendChecks(bool(row["opted_out"]), row["source_sid"], row["ahead"])


# ---- outbound ----
# What send_checks reads, for a row just inserted: the insert's own snapshot is taken under the
# spa's send lock, as send_checks' would be. $1 spa, $4 number, $9 the number's phone_ref.
_CHECKS_OF_NEW_ROW = (
    " (SELECT o.opted_out FROM opt_outs o WHERE o.tenant_id = $1 AND o.phone_ref = $9) AS check_opted_out,"
    " (SELECT o.source_sid FROM opt_outs o WHERE o.tenant_id = $1 AND o.phone_ref = $9) AS check_source_sid,"
    " (SELECT min(w.retry_at) FROM outbound_messages w WHERE w.tenant_id = $1 AND w.to_number = $4"
    "  AND w.state = 'retrying' AND w.created_at < outbound_messages.created_at) AS check_retry_ahead"
)


async def insert_outbound(
    conn: asyncpg.Connection, cmd: SendSms, first_body: str | None, phone_ref: str
) -> tuple[Outbound, bool, SendChecks] | None:
    """Record a send request by its idempotency key: (the new row, whether it carries the opt-out
    notice, its send_checks), or None when the key was recorded before. The new row stays this
    transaction's own (no other transaction sees or claims it before the commit).

    `first_body` is the body to send instead while the number has no text holding the notice that
    has not failed (the body with the notice; the body itself when it already says it). Decided
    here, once: a redelivered key keeps its row, so the notice is never added twice. Call under
    lock_tenant_cap: of two replicas sending a new number's first two texts at once, one adds it.
    """
    row = await conn.fetchrow(
        "WITH texted AS (SELECT EXISTS (SELECT 1 FROM outbound_messages "
        "WHERE tenant_id = $1 AND to_number = $4 "
        "AND opt_out_notice AND state <> 'failed') AS seen) "
        "INSERT INTO outbound_messages "
        "(tenant_id, idempotency_key, conversation_id, to_number, body, purpose, command, opt_out_notice) "
        "SELECT $1, $2, $3, $4, CASE WHEN $8::text IS NULL OR texted.seen THEN $5 ELSE $8::text END, "
        "$6, $7, $8::text IS NOT NULL AND NOT texted.seen FROM texted "
        "ON CONFLICT DO NOTHING RETURNING *," + _CHECKS_OF_NEW_ROW,
        cmd.tenant_id,
        cmd.idempotency_key,
        cmd.conversation_id,
        cmd.to_number,
        cmd.body,
        cmd.purpose,
        cmd.model_dump(mode="json"),
        first_body,
        phone_ref,
    )
    if row is None:
        return None
    checks = SendChecks(bool(row["check_opted_out"]), row["check_source_sid"], row["check_retry_ahead"])
    return _outbound(row), bool(row["opt_out_notice"]), checks


def _lock_key(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big", signed=True)


async def lock_outbound(conn: asyncpg.Connection, tenant_id: str, key: str) -> Outbound | None:
    """The row of a key, locked for this transaction."""
    row = await conn.fetchrow(
        "SELECT * FROM outbound_messages WHERE tenant_id = $1 AND idempotency_key = $2 FOR UPDATE",
        tenant_id,
        key,
    )
    return _outbound(row) if row else None


async def get_outbound(conn: asyncpg.Connection, tenant_id: str, key: str) -> Outbound | None:
    """The row of a key."""
    row = await conn.fetchrow(
        "SELECT * FROM outbound_messages WHERE tenant_id = $1 AND idempotency_key = $2", tenant_id, key
    )
    return _outbound(row) if row else None


async def reclaim(conn: asyncpg.Connection, tenant_id: str, key: str, now: datetime) -> None:
    """Renew a stale 'sending' claim so nobody else reconciles the same row at once."""
    await conn.execute(
        "UPDATE outbound_messages SET claimed_at = $3 WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant_id,
        key,
        now,
    )


async def lock_tenant_cap(conn: asyncpg.Connection, tenant_id: str) -> None:
    """Serialise one spa's send decisions (across replicas) until this transaction ends: the cap, and
    whether a new number's first text carries the opt-out notice."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key("gateway-cap", tenant_id))


async def claim_within_cap(
    conn: asyncpg.Connection,
    tenant_id: str,
    key: str,
    *,
    day: date,
    now: datetime,
    provider: str,
    default_cap: int,
    exempt: bool,
) -> CapClaim:
    """Claim the key for sending ('sending', as mark_sending) unless the spa's day is at its cap, and
    read the cap and the day's count, in one round trip. `exempt`: claimed whatever the count.

    Run after lock_tenant_cap, in a statement of its own, so the count sees every claim committed
    before the lock was granted; the count does not include this key's own row.
    """
    row = await conn.fetchrow(
        "WITH cap AS (SELECT (SELECT daily_cap FROM send_caps WHERE tenant_id = $1) AS daily_cap,"
        "  (SELECT count(*) FROM outbound_messages"
        "   WHERE tenant_id = $1 AND cap_day = $3 AND state IN ('sending', 'sent')) AS counted),"
        " claimed AS (UPDATE outbound_messages SET state = 'sending', cap_day = $3, claimed_at = $4,"
        "  provider = $5, attempts = attempts + 1, updated_at = now() FROM cap"
        "  WHERE tenant_id = $1 AND idempotency_key = $2"
        "  AND ($7 OR cap.counted < coalesce(cap.daily_cap, $6)) RETURNING 1)"
        " SELECT cap.daily_cap, cap.counted, EXISTS (SELECT 1 FROM claimed) AS claimed FROM cap",
        tenant_id,
        key,
        day,
        now,
        provider,
        default_cap,
        exempt,
    )
    assert row is not None
    override = row["daily_cap"]
    return CapClaim(row["claimed"], default_cap if override is None else int(override), int(row["counted"]))


async def cap_override(conn: asyncpg.Connection, tenant_id: str) -> int | None:
    """The cap staff set, if any."""
    value = await conn.fetchval("SELECT daily_cap FROM send_caps WHERE tenant_id = $1", tenant_id)
    return None if value is None else int(value)


async def set_cap(conn: asyncpg.Connection, tenant_id: str, daily_cap: int) -> None:
    """Staff raise (or lower) a spa's daily cap."""
    await conn.execute(
        "INSERT INTO send_caps (tenant_id, daily_cap) VALUES ($1, $2) ON CONFLICT (tenant_id) "
        "DO UPDATE SET daily_cap = EXCLUDED.daily_cap, updated_at = now()",
        tenant_id,
        daily_cap,
    )


async def claim_cap_alert(conn: asyncpg.Connection, tenant_id: str, day: date) -> bool:
    """True the first time the cap is hit on a spa's day: one alert per spa per day."""
    row = await conn.fetchval(
        "INSERT INTO cap_alerts (tenant_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        tenant_id,
        day,
    )
    return row is not None


async def mark_deferred(conn: asyncpg.Connection, tenant_id: str, key: str) -> None:
    """The text waits for the cap."""
    await conn.execute(
        "UPDATE outbound_messages SET state = 'deferred', updated_at = now() "
        "WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant_id,
        key,
    )


_MARK_SENT = (
    "UPDATE outbound_messages SET state = 'sent', provider_sid = $3, segments = $4, encoding = $5, "
    "reason = NULL, error_code = NULL, updated_at = now() WHERE tenant_id = $1 AND idempotency_key = $2"
)


async def mark_sent(
    conn: asyncpg.Connection, tenant_id: str, key: str, sid: str, segments: int, encoding: str
) -> None:
    """The carrier accepted the text."""
    await conn.execute(_MARK_SENT, tenant_id, key, sid, segments, encoding)


async def mark_sent_announcing(
    conn: asyncpg.Connection, sent: SmsSent, subject: str, message_id: str
) -> None:
    """mark_sent and the SmsSent event's outbox row in one statement (one round trip, one commit)."""
    await enqueue_with(
        conn,
        _MARK_SENT,
        sent.tenant_id,
        sent.idempotency_key,
        sent.provider_sid,
        sent.segments,
        sent.encoding,
        subject=subject,
        message=sent,
        message_id=message_id,
    )


async def mark_failed(
    conn: asyncpg.Connection, tenant_id: str, key: str, reason: str, error_code: int | None
) -> None:
    """The text was not sent and will not be (by this request)."""
    await conn.execute(
        "UPDATE outbound_messages SET state = 'failed', reason = $3, error_code = $4, updated_at = now() "
        "WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant_id,
        key,
        reason,
        error_code,
    )


async def mark_retrying(
    conn: asyncpg.Connection, tenant_id: str, key: str, retry_at: datetime, error_code: int | None
) -> None:
    """The carrier could not take the text for now: it is tried again from `retry_at`."""
    await conn.execute(
        "UPDATE outbound_messages SET state = 'retrying', retry_at = $3, reason = 'provider_unavailable', "
        "error_code = $4, updated_at = now() WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant_id,
        key,
        retry_at,
        error_code,
    )


async def due_retry_keys(
    conn: asyncpg.Connection, tenant_id: str, now: datetime, limit: int = 500
) -> list[str]:
    """Keys of texts whose next try is due, oldest text first."""
    rows = await conn.fetch(
        "SELECT idempotency_key FROM outbound_messages WHERE tenant_id = $1 AND state = 'retrying' "
        "AND retry_at <= $2 ORDER BY created_at LIMIT $3",
        tenant_id,
        now,
        limit,
    )
    return [r["idempotency_key"] for r in rows]


async def claim_delivery_alert(conn: asyncpg.Connection, tenant_id: str, hour: datetime) -> bool:
    """True the first time in an hour that a spa's text is given up: one staff alert per spa and hour."""
    row = await conn.fetchval(
        "INSERT INTO delivery_alerts (tenant_id, hour) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        tenant_id,
        hour,
    )
    return row is not None


async def waiting_keys(conn: asyncpg.Connection, tenant_id: str, limit: int = 500) -> list[str]:
    """Keys of texts waiting for the cap, oldest first."""
    rows = await conn.fetch(
        "SELECT idempotency_key FROM outbound_messages WHERE tenant_id = $1 AND state = 'deferred' "
        "ORDER BY created_at LIMIT $2",
        tenant_id,
        limit,
    )
    return [r["idempotency_key"] for r in rows]


async def set_delivery_status(
    conn: asyncpg.Connection, sid: str, status: str, code: int | None
) -> str | None:
    """Record a carrier status on the text it belongs to; returns its conversation id, if ours."""
    return await conn.fetchval(
        "UPDATE outbound_messages SET delivery_status = $2, error_code = coalesce($3, error_code), "
        "updated_at = now() WHERE provider_sid = $1 RETURNING conversation_id",
        sid,
        status,
        code,
    )


# ---- per-number limits ----
@dataclass(frozen=True)
class NumberCounts:
    """A number's recent texts and today's replies, as the limits read them."""

    texts_last_hour: int
    sent_today: int
    seconds_after_reply: tuple[float | None, ...]  # newest first, this text included
    held_for_loop: bool
    cap_override: int | None


async def note_arrival(
    conn: asyncpg.Connection,
    tenant_id: str,
    phone_ref: str,
    number: str,
    sid: str,
    now: datetime,
    day: date,
    recent: int,
) -> NumberCounts:
    """Note a text's arrival (once per MessageSid; the number's arrivals older than a day go) and
    read what the per-number limits need. One statement: it runs on every inbound webhook.

    A reply counts from its claim, just before the carrier is called: an instant answer can arrive
    before the send's result is recorded. The statement's reads do not see its own insert, so this
    text is added to them here.
    """
    row = await conn.fetchrow(
        "WITH last_reply AS (SELECT max(claimed_at) AS at FROM outbound_messages "
        "  WHERE tenant_id = $1 AND to_number = $3 AND state IN ('sending', 'sent')), "
        "last_text AS (SELECT max(received_at) AS at FROM inbound_arrivals "
        "  WHERE tenant_id = $1 AND phone_ref = $2 AND message_sid <> $4), "
        "arrival AS (SELECT CASE WHEN r.at IS NOT NULL AND (t.at IS NULL OR r.at > t.at) "
        "  THEN greatest(0, extract(epoch FROM $5::timestamptz - r.at))::double precision END AS gap "
        "  FROM last_reply r, last_text t), "
        "pruned AS (DELETE FROM inbound_arrivals WHERE tenant_id = $1 AND phone_ref = $2 "
        "  AND received_at < $5::timestamptz - interval '1 day'), "
        "noted AS (INSERT INTO inbound_arrivals "
        "  (tenant_id, message_sid, phone_ref, received_at, seconds_after_reply) "
        "  SELECT $1, $4, $2, $5::timestamptz, gap FROM arrival "
        "  ON CONFLICT (tenant_id, message_sid) DO NOTHING) "
        "SELECT (SELECT gap FROM arrival) AS gap, "
        "  ARRAY(SELECT seconds_after_reply FROM inbound_arrivals WHERE tenant_id = $1 AND phone_ref = $2 "
        "    AND message_sid <> $4 ORDER BY received_at DESC LIMIT $7) AS earlier_gaps, "
        "  (SELECT count(*) FROM inbound_arrivals WHERE tenant_id = $1 AND phone_ref = $2 "
        "    AND message_sid <> $4 AND received_at > $5::timestamptz - interval '1 hour') AS earlier_hour, "
        "  (SELECT count(*) FROM outbound_messages WHERE tenant_id = $1 AND to_number = $3 "
        "    AND cap_day = $6 AND state IN ('sending', 'sent') "
        "    AND purpose IN ('reply', 'confirmation')) AS sent_today, "
        "  EXISTS (SELECT 1 FROM number_holds WHERE tenant_id = $1 AND phone_ref = $2 "
        "    AND held_until > $5::timestamptz) AS held, "
        "  (SELECT daily_cap FROM send_caps WHERE tenant_id = $1) AS cap_override",
        tenant_id,
        phone_ref,
        number,
        sid,
        now,
        day,
        recent,
    )
    assert row is not None
    return NumberCounts(
        texts_last_hour=int(row["earlier_hour"]) + 1,
        sent_today=int(row["sent_today"]),
        seconds_after_reply=(row["gap"], *row["earlier_gaps"])[:recent],
        held_for_loop=bool(row["held"]),
        cap_override=row["cap_override"],
    )


async def hold_number(
    conn: asyncpg.Connection, tenant_id: str, phone_ref: str, reason: str, now: datetime, until: datetime
) -> None:
    """Hold a number's texts for staff until a time."""
    await conn.execute(
        "INSERT INTO number_holds (tenant_id, phone_ref, reason, held_at, held_until) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, phone_ref) DO UPDATE SET "
        "reason = EXCLUDED.reason, held_at = EXCLUDED.held_at, held_until = EXCLUDED.held_until",
        tenant_id,
        phone_ref,
        reason,
        now,
        until,
    )


async def claim_hold_alert(
    conn: asyncpg.Connection, tenant_id: str, phone_ref: str, reason: str, day: date
) -> bool:
    """True the first time a number is held for `reason` on a spa day (one staff alert)."""
    row = await conn.fetchval(
        "INSERT INTO hold_alerts (tenant_id, phone_ref, reason, day) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        tenant_id,
        phone_ref,
        reason,
        day,
    )
    return row is not None


async def count_ignored(conn: asyncpg.Connection, tenant_id: str, day: date, reason: str) -> None:
    """One more text nobody answers, for the spa's day and reason."""
    await conn.execute(
        "INSERT INTO ignored_texts (tenant_id, day, reason, count) VALUES ($1, $2, $3, 1) "
        "ON CONFLICT (tenant_id, day, reason) DO UPDATE SET count = ignored_texts.count + 1",
        tenant_id,
        day,
        reason,
    )


async def ignored_counts(conn: asyncpg.Connection, tenant_id: str, day: date) -> dict[str, int]:
    """Texts nobody answered on a spa day, by reason."""
    rows = await conn.fetch(
        "SELECT reason, count FROM ignored_texts WHERE tenant_id = $1 AND day = $2", tenant_id, day
    )
    return {r["reason"]: int(r["count"]) for r in rows}


# ---- simulator ----
async def simulator_record(
    conn: asyncpg.Connection, tenant_id: str, client_number: str, direction: str, body: str, sid: str
) -> bool:
    """A text on the simulated phone; False when that sid is already there (idempotent)."""
    row = await conn.fetchval(
        "INSERT INTO simulator_messages (tenant_id, client_number, direction, body, sid) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sid) DO NOTHING RETURNING 1",
        tenant_id,
        client_number,
        direction,
        body,
        sid,
    )
    return row is not None


async def simulator_has(conn: asyncpg.Connection, sid: str) -> bool:
    """Whether the simulator carried this sid."""
    return bool(await conn.fetchval("SELECT 1 FROM simulator_messages WHERE sid = $1", sid))


async def simulator_thread(
    conn: asyncpg.Connection, tenant_id: str, client_number: str, after: int = 0
) -> list[dict[str, object]]:
    """The simulated phone's texts with a spa after a sequence number, oldest first."""
    rows = await conn.fetch(
        "SELECT seq, direction, body, created_at FROM simulator_messages "
        "WHERE tenant_id = $1 AND client_number = $2 AND seq > $3 ORDER BY seq LIMIT 500",
        tenant_id,
        client_number,
        after,
    )
    return [
        {"seq": r["seq"], "direction": r["direction"], "body": r["body"], "at": r["created_at"].isoformat()}
        for r in rows
    ]
