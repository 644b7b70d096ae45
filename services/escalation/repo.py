"""The only SQL of the escalation service (schema `escalation`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

LIVE_CHANNEL = "escalation_inbox"

# An outbound text's status only moves forward: events from two streams can arrive crossed.
_RANK = "array_position(ARRAY['queued','deferred','sent','failed']::text[], {})"


async def notify(conn: asyncpg.Connection, kind: str, tenant_id: str, conversation_id: str | None) -> None:
    """Tell every inbox instance something changed; delivered at commit, dropped on rollback."""
    await conn.execute("SELECT pg_notify($1, $2)", LIVE_CHANNEL, _notice(kind, tenant_id, conversation_id))


# ----- conversations -----

# What a conversation keeps when it is touched again: known number and name, the latest activity.
_TOUCHED = (
    " ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET"
    "  client_number = COALESCE(EXCLUDED.client_number, conversations.client_number),"
    "  client_name = COALESCE(EXCLUDED.client_name, conversations.client_name),"
    "  last_activity_at = GREATEST(conversations.last_activity_at, EXCLUDED.last_activity_at)"
)


async def touch_conversation(
    conn: asyncpg.Connection,
    tenant_id: str,
    conversation_id: str,
    at: datetime,
    *,
    client_number: str | None = None,
    client_name: str | None = None,
) -> None:
    """Create the conversation or move its last activity forward; keep known number and name."""
    await conn.execute(
        "INSERT INTO conversations (tenant_id, conversation_id, client_number, client_name, last_activity_at)"
        " VALUES ($1, $2, $3, $4, $5)" + _TOUCHED,
        tenant_id,
        conversation_id,
        client_number,
        client_name,
        at,
    )


async def set_paused(
    conn: asyncpg.Connection, tenant_id: str, conversation_id: str, paused: bool, by: str | None, at: datetime
) -> None:
    """Record whether the AI is paused on a conversation, and who paused it."""
    await conn.execute(
        "UPDATE conversations SET ai_paused = $3, paused_by = CASE WHEN $3 THEN $4::text ELSE NULL END,"
        " paused_at = CASE WHEN $3 THEN $5::timestamptz ELSE NULL END"
        " WHERE tenant_id = $1 AND conversation_id = $2",
        tenant_id,
        conversation_id,
        paused,
        by,
        at,
    )


async def get_conversation(
    conn: asyncpg.Connection, tenant_id: str, conversation_id: str, *, for_update: bool = False
) -> asyncpg.Record | None:
    """One conversation row."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        "SELECT * FROM conversations WHERE tenant_id = $1 AND conversation_id = $2" + lock,
        tenant_id,
        conversation_id,
    )


async def list_conversations(
    conn: asyncpg.Connection,
    tenant_id: str | None,
    limit: int,
    *,
    reader: str | None = None,
    name_like: str | None = None,
    number_digits: str | None = None,
    assigned_to: str | None = None,
) -> list[asyncpg.Record]:
    """Conversations needing a person first (urgent before others), then unread by `reader`, then newest.

    `name_like` (a LIKE pattern) or `number_digits` (digits of the number) narrow to a search;
    `assigned_to` to one staff member's conversations.
    """
    return await conn.fetch(
        "SELECT *, (last_inbound_at IS NOT NULL AND (read_at IS NULL OR last_inbound_at > read_at)) AS unread"
        " FROM (SELECT c.tenant_id, c.conversation_id, c.client_number, c.client_name, c.ai_paused,"
        "  c.paused_by, c.last_activity_at, c.assigned_to,"
        "  (SELECT m.body FROM messages m WHERE m.tenant_id = c.tenant_id"
        "     AND m.conversation_id = c.conversation_id ORDER BY m.occurred_at DESC, m.seq DESC LIMIT 1)"
        "     AS last_body,"
        "  (SELECT max(m.occurred_at) FROM messages m WHERE m.tenant_id = c.tenant_id"
        "     AND m.conversation_id = c.conversation_id AND m.direction = 'in') AS last_inbound_at,"
        "  (SELECT r.read_at FROM conversation_reads r WHERE r.user_id = $3 AND r.tenant_id = c.tenant_id"
        "     AND r.conversation_id = c.conversation_id) AS read_at,"
        "  (SELECT count(*) FROM escalations e WHERE e.tenant_id = c.tenant_id"
        "     AND e.conversation_id = c.conversation_id AND e.status = 'open') AS open_escalations,"
        "  (SELECT array_agg(DISTINCT e.category) FROM escalations e WHERE e.tenant_id = c.tenant_id"
        "     AND e.conversation_id = c.conversation_id AND e.status = 'open') AS open_categories,"
        "  EXISTS (SELECT 1 FROM escalations e WHERE e.tenant_id = c.tenant_id"
        "     AND e.conversation_id = c.conversation_id AND e.status = 'open' AND e.priority = 'urgent')"
        "     AS urgent"
        " FROM conversations c WHERE ($1::text IS NULL OR c.tenant_id = $1)"
        "  AND ($6::text IS NULL OR c.assigned_to = $6)"
        "  AND (($4::text IS NULL AND $5::text IS NULL) OR c.client_name ILIKE $4"
        "   OR regexp_replace(coalesce(c.client_number, ''), '\\D', '', 'g') LIKE '%' || $5 || '%')"
        " ) listed"
        " ORDER BY urgent DESC, (open_escalations > 0) DESC,"
        "  (last_inbound_at IS NOT NULL AND (read_at IS NULL OR last_inbound_at > read_at)) DESC,"
        "  last_activity_at DESC LIMIT $2",
        tenant_id,
        limit,
        reader,
        name_like,
        number_digits,
        assigned_to,
    )


# ----- messages -----


async def insert_inbound(
    conn: asyncpg.Connection,
    tenant_id: str,
    conversation_id: str,
    message_sid: str,
    body: str,
    keyword: str | None,
    at: datetime,
    media_urls: Sequence[str] = (),
) -> bool:
    """A client's text (and the links of its pictures); False when it was already recorded."""
    row = await conn.fetchval(
        "INSERT INTO messages (tenant_id, conversation_id, direction, message_key, body, status, keyword,"
        " occurred_at, media_urls) VALUES ($1, $2, 'in', $3, $4, 'received', $5, $6, $7)"
        " ON CONFLICT (tenant_id, direction, message_key) DO NOTHING RETURNING 1",
        tenant_id,
        conversation_id,
        message_sid,
        body,
        keyword,
        at,
        list(media_urls),
    )
    return row is not None


# A text the spa sends, seen again: the first body and purpose stay, the status only moves forward.
_OUTBOUND_MOVED = (
    " ON CONFLICT (tenant_id, direction, message_key) DO UPDATE SET"
    "  body = CASE WHEN messages.body = '' THEN EXCLUDED.body ELSE messages.body END,"
    "  purpose = COALESCE(messages.purpose, EXCLUDED.purpose),"
    f"  status = CASE WHEN {_RANK.format('EXCLUDED.status')} >= {_RANK.format('messages.status')}"
    "    THEN EXCLUDED.status ELSE messages.status END,"
    "  provider_sid = COALESCE(EXCLUDED.provider_sid, messages.provider_sid),"
    "  error = COALESCE(EXCLUDED.error, messages.error),"
    "  updated_at = now()"
)


async def upsert_outbound(
    conn: asyncpg.Connection,
    tenant_id: str,
    conversation_id: str,
    idempotency_key: str,
    at: datetime,
    *,
    status: str,
    body: str = "",
    purpose: str | None = None,
    provider_sid: str | None = None,
    error: str | None = None,
) -> None:
    """A text the spa sends, at whatever stage we learn of it; status only moves forward."""
    await conn.execute(
        "INSERT INTO messages (tenant_id, conversation_id, direction, message_key, body, purpose, status,"
        " provider_sid, error, occurred_at) VALUES ($1, $2, 'out', $3, $4, $5, $6, $7, $8, $9)"
        + _OUTBOUND_MOVED,
        tenant_id,
        conversation_id,
        idempotency_key,
        body,
        purpose,
        status,
        provider_sid,
        error,
        at,
    )


# ----- the read model's texts: one statement each -----

# A consumer's claim of a message, its effects and the live notice in one statement, which is its
# own transaction: all of it happens or none, a message seen before changes nothing, and a text in
# or out costs one round trip instead of a BEGIN, four statements and a COMMIT.
# $1 consumer, $2 message id, $3 notice, $4 spa, $5 conversation, $6 when, $7 client number.
_CLAIMED_TEXT = (
    "WITH claimed AS (INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)"
    "  ON CONFLICT DO NOTHING RETURNING 1),"
    " touched AS (INSERT INTO conversations"
    "  (tenant_id, conversation_id, client_number, client_name, last_activity_at)"
    "  SELECT $4::text, $5::text, $7::text, NULL, $6::timestamptz FROM claimed" + _TOUCHED + "),"
    " stored AS ({stored}),"
    f" notified AS (SELECT pg_notify('{LIVE_CHANNEL}', $3) FROM claimed)"
    " SELECT count(*) FROM notified"
)
_INBOUND_STORED = (
    "INSERT INTO messages (tenant_id, conversation_id, direction, message_key, body, status, keyword,"
    " occurred_at, media_urls) SELECT $4::text, $5::text, 'in', $8, $9, 'received', $10, $6::timestamptz, $11"
    " FROM claimed ON CONFLICT (tenant_id, direction, message_key) DO NOTHING"
)
_OUTBOUND_STORED = (
    "INSERT INTO messages (tenant_id, conversation_id, direction, message_key, body, purpose, status,"
    " provider_sid, error, occurred_at) SELECT $4::text, $5::text, 'out', $8, $9, $10, $11, $12, $13,"
    " $6::timestamptz FROM claimed" + _OUTBOUND_MOVED
)
_INBOUND_TEXT = _CLAIMED_TEXT.format(stored=_INBOUND_STORED)
_OUTBOUND_TEXT = _CLAIMED_TEXT.format(stored=_OUTBOUND_STORED)
# The client's first name, as _CLAIMED_TEXT but with nothing stored beside the conversation.
# $1 consumer, $2 message id, $3 notice, $4 spa, $5 conversation, $6 when, $7 name.
_CLIENT_NAME = (
    "WITH claimed AS (INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)"
    "  ON CONFLICT DO NOTHING RETURNING 1),"
    " touched AS (INSERT INTO conversations"
    "  (tenant_id, conversation_id, client_number, client_name, last_activity_at)"
    "  SELECT $4::text, $5::text, NULL, $7::text, $6::timestamptz FROM claimed" + _TOUCHED + "),"
    f" notified AS (SELECT pg_notify('{LIVE_CHANNEL}', $3) FROM claimed)"
    " SELECT count(*) FROM notified"
)


@dataclass(frozen=True)
class Claim:
    """Which consumer handled which message: a message claimed before is not recorded again."""

    consumer: str
    message_id: str


def _notice(kind: str, tenant_id: str, conversation_id: str | None) -> str:
    return json.dumps({"kind": kind, "tenant_id": tenant_id, "conversation_id": conversation_id})


async def record_inbound_text(
    conn: asyncpg.Connection,
    claim: Claim,
    tenant_id: str,
    conversation_id: str,
    *,
    client_number: str,
    message_sid: str,
    body: str,
    keyword: str | None,
    at: datetime,
    media_urls: Sequence[str] = (),
) -> bool:
    """A client's text in its conversation, with the live notice; False when `claim` was made before."""
    count = await conn.fetchval(
        _INBOUND_TEXT,
        claim.consumer,
        claim.message_id,
        _notice("message", tenant_id, conversation_id),
        tenant_id,
        conversation_id,
        at,
        client_number,
        message_sid,
        body,
        keyword,
        list(media_urls),
    )
    return bool(count)


async def record_outbound_text(
    conn: asyncpg.Connection,
    claim: Claim,
    tenant_id: str,
    conversation_id: str,
    *,
    idempotency_key: str,
    at: datetime,
    status: str,
    client_number: str | None = None,
    body: str = "",
    purpose: str | None = None,
    provider_sid: str | None = None,
    error: str | None = None,
) -> bool:
    """A text the spa sends, as far as `claim`'s message tells, with the live notice (as upsert_outbound)."""
    count = await conn.fetchval(
        _OUTBOUND_TEXT,
        claim.consumer,
        claim.message_id,
        _notice("message", tenant_id, conversation_id),
        tenant_id,
        conversation_id,
        at,
        client_number,
        idempotency_key,
        body,
        purpose,
        status,
        provider_sid,
        error,
    )
    return bool(count)


async def record_client_name(
    conn: asyncpg.Connection, claim: Claim, tenant_id: str, conversation_id: str, name: str, at: datetime
) -> bool:
    """The first name a client gave, on its conversation, with the live notice (one statement, its own
    transaction); False when `claim` was made before."""
    count = await conn.fetchval(
        _CLIENT_NAME,
        claim.consumer,
        claim.message_id,
        _notice("conversation", tenant_id, conversation_id),
        tenant_id,
        conversation_id,
        at,
        name,
    )
    return bool(count)


async def upsert_delivery(
    conn: asyncpg.Connection,
    tenant_id: str,
    provider_sid: str,
    status: str,
    error_code: int | None,
    at: datetime,
) -> None:
    """The carrier's latest status for a sent text (the latest callback wins)."""
    await conn.execute(
        "INSERT INTO deliveries (tenant_id, provider_sid, status, error_code, occurred_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, provider_sid) DO UPDATE SET"
        "  status = EXCLUDED.status, error_code = EXCLUDED.error_code, occurred_at = EXCLUDED.occurred_at"
        " WHERE deliveries.occurred_at <= EXCLUDED.occurred_at",
        tenant_id,
        provider_sid,
        status,
        error_code,
        at,
    )


async def conversation_of_delivery(conn: asyncpg.Connection, tenant_id: str, provider_sid: str) -> str | None:
    """Which conversation a sent text belongs to, when we know."""
    return await conn.fetchval(
        "SELECT conversation_id FROM messages WHERE tenant_id = $1 AND provider_sid = $2 LIMIT 1",
        tenant_id,
        provider_sid,
    )


_MESSAGE_COLUMNS = (
    "m.seq, m.tenant_id, m.conversation_id, m.direction, m.message_key, m.body, m.purpose, m.status,"
    " m.provider_sid, m.error, m.keyword, m.occurred_at, m.media_urls, d.status AS delivery_status,"
    " d.error_code"
)


async def list_messages(
    conn: asyncpg.Connection, tenant_id: str, conversation_id: str
) -> list[asyncpg.Record]:
    """A conversation's texts, oldest first, with carrier delivery status."""
    return await conn.fetch(
        f"SELECT {_MESSAGE_COLUMNS} FROM messages m LEFT JOIN deliveries d"
        " ON d.tenant_id = m.tenant_id AND d.provider_sid = m.provider_sid"
        " WHERE m.tenant_id = $1 AND m.conversation_id = $2 ORDER BY m.occurred_at, m.seq",
        tenant_id,
        conversation_id,
    )


async def failed_deliveries(
    conn: asyncpg.Connection, tenant_id: str | None, limit: int
) -> list[asyncpg.Record]:
    """Texts the spa could not get to a client: refused by the carrier or reported undelivered."""
    return await conn.fetch(
        f"SELECT {_MESSAGE_COLUMNS} FROM messages m LEFT JOIN deliveries d"
        " ON d.tenant_id = m.tenant_id AND d.provider_sid = m.provider_sid"
        " WHERE m.direction = 'out' AND ($1::text IS NULL OR m.tenant_id = $1)"
        "  AND (m.status = 'failed' OR d.status IN ('failed', 'undelivered'))"
        " ORDER BY m.occurred_at DESC LIMIT $2",
        tenant_id,
        limit,
    )


# ----- escalations -----


async def insert_escalation(
    conn: asyncpg.Connection,
    *,
    escalation_id: UUID,
    tenant_id: str,
    conversation_id: str | None,
    category: str,
    reason: str,
    source: str,
    client_last4: str | None,
    raised_at: datetime,
    priority: str = "normal",
) -> bool:
    """Store an escalation; False when this escalation id is already stored."""
    row = await conn.fetchval(
        "INSERT INTO escalations (escalation_id, tenant_id, conversation_id, category, reason, source,"
        " client_last4, raised_at, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (escalation_id) DO NOTHING RETURNING 1",
        escalation_id,
        tenant_id,
        conversation_id,
        category,
        reason,
        source,
        client_last4,
        raised_at,
        priority,
    )
    return row is not None


async def get_escalation(
    conn: asyncpg.Connection, escalation_id: UUID, *, for_update: bool = False
) -> asyncpg.Record | None:
    """One escalation row."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow("SELECT * FROM escalations WHERE escalation_id = $1" + lock, escalation_id)


async def mark_resolved(conn: asyncpg.Connection, escalation_id: UUID, by: str, at: datetime) -> bool:
    """Close an open escalation; False when it was not open."""
    row = await conn.fetchval(
        "UPDATE escalations SET status = 'resolved', resolved_by = $2, resolved_at = $3"
        " WHERE escalation_id = $1 AND status = 'open' RETURNING 1",
        escalation_id,
        by,
        at,
    )
    return row is not None


async def list_escalations(
    conn: asyncpg.Connection,
    *,
    tenant_id: str | None = None,
    conversation_id: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[asyncpg.Record]:
    """Open urgent escalations first, then newest first; each with its alert deliveries."""
    return await conn.fetch(
        "SELECT e.*, COALESCE((SELECT json_agg(json_build_object('notifier', a.notifier, 'state', a.state,"
        "   'attempts', a.attempts, 'last_error', a.last_error) ORDER BY a.notifier)"
        "   FROM alert_deliveries a WHERE a.escalation_id = e.escalation_id), '[]'::json) AS alerts"
        " FROM escalations e WHERE ($1::text IS NULL OR e.tenant_id = $1)"
        "  AND ($2::text IS NULL OR e.conversation_id = $2) AND ($3::text IS NULL OR e.status = $3)"
        " ORDER BY (e.status = 'open' AND e.priority = 'urgent') DESC, e.raised_at DESC LIMIT $4",
        tenant_id,
        conversation_id,
        status,
        limit,
    )


# ----- alert deliveries -----


async def add_alerts(
    conn: asyncpg.Connection, escalation_id: UUID, notifiers: list[str], delivered: set[str]
) -> None:
    """One delivery row per notifier; those in `delivered` (the live inbox) are done already."""
    await conn.executemany(
        "INSERT INTO alert_deliveries (escalation_id, notifier, state, attempts, delivered_at)"
        " VALUES ($1, $2, $3, $4, CASE WHEN $3 = 'delivered' THEN now() END) ON CONFLICT DO NOTHING",
        [
            (escalation_id, n, "delivered" if n in delivered else "pending", 1 if n in delivered else 0)
            for n in notifiers
        ],
    )


async def lease_due_alerts(
    conn: asyncpg.Connection, limit: int, lease_seconds: float
) -> list[asyncpg.Record]:
    """Take due pending alerts for a while (another instance skips them; a crash gives them back)."""
    return await conn.fetch(
        "WITH due AS (SELECT escalation_id, notifier FROM alert_deliveries"
        "  WHERE state = 'pending' AND next_attempt_at <= now()"
        "  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        " UPDATE alert_deliveries a SET next_attempt_at = now() + make_interval(secs => $2)"
        " FROM due, escalations e"
        " WHERE a.escalation_id = due.escalation_id AND a.notifier = due.notifier"
        "  AND e.escalation_id = a.escalation_id"
        " RETURNING a.escalation_id, a.notifier, a.attempts, e.tenant_id, e.conversation_id, e.category,"
        "  e.client_last4, e.priority",
        limit,
        lease_seconds,
    )


async def alert_delivered(conn: asyncpg.Connection, escalation_id: UUID, notifier: str) -> None:
    """An alert reached its notifier."""
    await conn.execute(
        "UPDATE alert_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = now(),"
        " last_error = NULL WHERE escalation_id = $1 AND notifier = $2",
        escalation_id,
        notifier,
    )


async def alert_attempt_failed(
    conn: asyncpg.Connection,
    escalation_id: UUID,
    notifier: str,
    error: str,
    *,
    retry_in: float | None,
) -> None:
    """An attempt failed: retry later, or give up when `retry_in` is None."""
    await conn.execute(
        "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $3,"
        " state = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = now() + make_interval(secs => COALESCE($4::float8, 0))"
        " WHERE escalation_id = $1 AND notifier = $2",
        escalation_id,
        notifier,
        error[:500],
        retry_in,
    )


# ----- the agent's notes for staff -----


async def insert_staff_note(
    conn: asyncpg.Connection,
    *,
    note_key: str,
    tenant_id: str,
    conversation_id: str,
    note: str,
    at: datetime,
) -> bool:
    """A note the agent left for staff on a conversation; False when already stored."""
    row = await conn.fetchval(
        "INSERT INTO staff_notes (note_key, tenant_id, conversation_id, note, occurred_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (note_key) DO NOTHING RETURNING 1",
        note_key,
        tenant_id,
        conversation_id,
        note,
        at,
    )
    return row is not None


async def list_staff_notes(
    conn: asyncpg.Connection, tenant_id: str, conversation_id: str
) -> list[asyncpg.Record]:
    """A conversation's staff notes, oldest first."""
    return await conn.fetch(
        "SELECT note, occurred_at FROM staff_notes WHERE tenant_id = $1 AND conversation_id = $2"
        " ORDER BY occurred_at, note_key",
        tenant_id,
        conversation_id,
    )


# ----- what the agent recovered -----


_BOOKING = (
    "WITH claimed AS (INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)"
    "  ON CONFLICT DO NOTHING RETURNING 1),"
    " booked AS (INSERT INTO bookings (booking_id, tenant_id, conversation_id, service_name, price_cents,"
    "  after_hours, occurred_at, covered_by_package) SELECT $4, $5, $6, $7, $8, $9, $10, $11 FROM claimed"
    "  ON CONFLICT (booking_id) DO NOTHING),"
    f" notified AS (SELECT pg_notify('{LIVE_CHANNEL}', $3) FROM claimed)"
    " SELECT count(*) FROM notified"
)


async def record_booking(
    conn: asyncpg.Connection,
    claim: Claim,
    *,
    booking_id: str,
    tenant_id: str,
    conversation_id: str | None,
    service_name: str,
    price_cents: int,
    after_hours: bool,
    at: datetime,
    covered_by_package: str | None = None,
) -> bool:
    """A booking the agent confirmed (counted once), with the live notice, in one statement (its own
    transaction); False when `claim` was made before."""
    count = await conn.fetchval(
        _BOOKING,
        claim.consumer,
        claim.message_id,
        _notice("booking", tenant_id, conversation_id),
        booking_id,
        tenant_id,
        conversation_id,
        service_name,
        price_cents,
        after_hours,
        at,
        covered_by_package,
    )
    return bool(count)


async def recovered_summary(conn: asyncpg.Connection, tenant_id: str | None) -> list[asyncpg.Record]:
    """Bookings and revenue per spa, in total and after hours; a package's session is not revenue."""
    return await conn.fetch(
        "SELECT tenant_id, count(*) AS bookings,"
        "  COALESCE(sum(price_cents) FILTER (WHERE covered_by_package IS NULL), 0)::bigint AS revenue_cents,"
        "  count(*) FILTER (WHERE after_hours) AS after_hours_bookings,"
        "  COALESCE(sum(price_cents) FILTER (WHERE after_hours AND covered_by_package IS NULL), 0)::bigint"
        "   AS after_hours_revenue_cents"
        " FROM bookings WHERE ($1::text IS NULL OR tenant_id = $1) GROUP BY tenant_id ORDER BY tenant_id",
        tenant_id,
    )


# ----- reading, assignment, the owner's figures -----


async def mark_read(
    conn: asyncpg.Connection, user_id: str, tenant_id: str, conversation_id: str, at: datetime
) -> None:
    """A staff member has read a conversation up to `at` (never moves back)."""
    await conn.execute(
        "INSERT INTO conversation_reads (user_id, tenant_id, conversation_id, read_at)"
        " VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (user_id, tenant_id, conversation_id) DO UPDATE SET"
        "  read_at = GREATEST(conversation_reads.read_at, EXCLUDED.read_at)",
        user_id,
        tenant_id,
        conversation_id,
        at,
    )


async def assign(
    conn: asyncpg.Connection, tenant_id: str, conversation_id: str, user_id: str | None, at: datetime
) -> bool:
    """Assign a conversation to a staff member (None: nobody); False when there is no such conversation."""
    row = await conn.fetchval(
        "UPDATE conversations SET assigned_to = $3, assigned_at = CASE WHEN $3::text IS NULL THEN NULL"
        " ELSE $4::timestamptz END WHERE tenant_id = $1 AND conversation_id = $2 RETURNING 1",
        tenant_id,
        conversation_id,
        user_id,
        at,
    )
    return row is not None


async def client_names(
    conn: asyncpg.Connection, tenant_id: str, conversation_ids: list[str]
) -> dict[str, Any]:
    """Conversation id → (client name, client number) for a spa's conversations."""
    rows = await conn.fetch(
        "SELECT conversation_id, client_name, client_number FROM conversations"
        " WHERE tenant_id = $1 AND conversation_id = ANY($2::text[])",
        tenant_id,
        conversation_ids,
    )
    return {r["conversation_id"]: (r["client_name"], r["client_number"]) for r in rows}


async def texts_since(conn: asyncpg.Connection, tenant_id: str, since: datetime) -> list[asyncpg.Record]:
    """Every text in and out of a spa since a moment, by conversation then time (for the owner's figures)."""
    return await conn.fetch(
        "SELECT conversation_id, direction, purpose, occurred_at FROM messages"
        " WHERE tenant_id = $1 AND occurred_at >= $2 ORDER BY conversation_id, occurred_at, seq",
        tenant_id,
        since,
    )


async def bookings_since(conn: asyncpg.Connection, tenant_id: str, since: datetime) -> list[asyncpg.Record]:
    """The bookings the agent made for a spa since a moment."""
    return await conn.fetch(
        "SELECT booking_id, service_name, price_cents, covered_by_package, occurred_at FROM bookings"
        " WHERE tenant_id = $1 AND occurred_at >= $2 ORDER BY occurred_at",
        tenant_id,
        since,
    )


async def escalations_since(
    conn: asyncpg.Connection, tenant_id: str, since: datetime
) -> list[asyncpg.Record]:
    """A spa's escalations raised since a moment: category and time."""
    return await conn.fetch(
        "SELECT category, raised_at FROM escalations WHERE tenant_id = $1 AND raised_at >= $2"
        " ORDER BY raised_at",
        tenant_id,
        since,
    )


def row_dict(row: asyncpg.Record | None) -> dict[str, Any] | None:
    """A record as a plain dict (for the JSON API)."""
    return dict(row) if row is not None else None


# ----- draft mode: the owner's reply mode and the agent's drafts -----


async def get_reply_mode(conn: asyncpg.Connection, tenant_id: str) -> asyncpg.Record | None:
    """The owner's choice of reply mode for a spa, if one was made."""
    return await conn.fetchrow("SELECT mode, set_by, set_at FROM reply_modes WHERE tenant_id = $1", tenant_id)


async def set_reply_mode(conn: asyncpg.Connection, tenant_id: str, mode: str, by: str, at: datetime) -> None:
    """Record the owner's choice of reply mode (it wins over the spa file)."""
    await conn.execute(
        "INSERT INTO reply_modes (tenant_id, mode, set_by, set_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (tenant_id) DO UPDATE SET mode = $2, set_by = $3, set_at = $4",
        tenant_id,
        mode,
        by,
        at,
    )


async def insert_draft(
    conn: asyncpg.Connection,
    *,
    draft_id: UUID,
    tenant_id: str,
    conversation_id: str,
    inbound_id: UUID,
    body: str,
    at: datetime,
) -> bool:
    """Store an agent's draft once (by its event id); False when it was stored before."""
    status = await conn.execute(
        "INSERT INTO reply_drafts (draft_id, tenant_id, conversation_id, inbound_id, body, drafted_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (draft_id) DO NOTHING",
        draft_id,
        tenant_id,
        conversation_id,
        inbound_id,
        body,
        at,
    )
    return status.endswith(" 1")


async def lock_draft(conn: asyncpg.Connection, draft_id: UUID) -> asyncpg.Record | None:
    """A draft, locked for a staff decision."""
    return await conn.fetchrow("SELECT * FROM reply_drafts WHERE draft_id = $1 FOR UPDATE", draft_id)


async def decide_draft(
    conn: asyncpg.Connection,
    draft_id: UUID,
    status: str,
    by: str,
    at: datetime,
    *,
    sent_body: str | None = None,
    command_id: UUID | None = None,
) -> None:
    """Record what staff did with a draft: sent (as is), edited (and sent), or discarded."""
    await conn.execute(
        "UPDATE reply_drafts SET status = $2, decided_by = $3, decided_at = $4, sent_body = $5,"
        " command_id = $6 WHERE draft_id = $1",
        draft_id,
        status,
        by,
        at,
        sent_body,
        command_id,
    )


async def list_drafts(conn: asyncpg.Connection, tenant_id: str, conversation_id: str) -> list[asyncpg.Record]:
    """A conversation's drafts, oldest first, with the name of whoever decided each."""
    return list(
        await conn.fetch(
            "SELECT d.*, u.display_name AS decided_by_name FROM reply_drafts d"
            " LEFT JOIN staff_users u ON u.user_id::text = d.decided_by"
            " WHERE d.tenant_id = $1 AND d.conversation_id = $2 ORDER BY d.drafted_at, d.draft_id",
            tenant_id,
            conversation_id,
        )
    )


# ----- paging the on-call staff -----


async def insert_page(
    conn: asyncpg.Connection, escalation_id: UUID, tenant_id: str, conversation_id: str | None, at: datetime
) -> None:
    """Schedule an escalation's first page (once)."""
    await conn.execute(
        "INSERT INTO pages (escalation_id, tenant_id, conversation_id, next_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (escalation_id) DO NOTHING",
        escalation_id,
        tenant_id,
        conversation_id,
        at,
    )


async def lease_due_pages(conn: asyncpg.Connection, now: datetime, limit: int = 20) -> list[asyncpg.Record]:
    """Pages due now and not acknowledged, locked for this transaction (other replicas skip them)."""
    return list(
        await conn.fetch(
            "SELECT p.*, e.status AS escalation_status FROM pages p"
            " JOIN escalations e USING (escalation_id)"
            " WHERE p.acknowledged_at IS NULL AND p.stopped_at IS NULL AND p.next_at <= $1"
            " ORDER BY p.next_at LIMIT $2 FOR UPDATE OF p SKIP LOCKED",
            now,
            limit,
        )
    )


async def mark_paged(
    conn: asyncpg.Connection, escalation_id: UUID, rounds: int, at: datetime, next_at: datetime
) -> None:
    """A round of pages went out; the next one is due at `next_at` unless acknowledged first."""
    await conn.execute(
        "UPDATE pages SET rounds = $2, last_paged_at = $3, next_at = $4 WHERE escalation_id = $1",
        escalation_id,
        rounds,
        at,
        next_at,
    )


async def stop_page(conn: asyncpg.Connection, escalation_id: UUID, at: datetime) -> None:
    """No more pages for this escalation (resolved, or nobody left to page)."""
    await conn.execute("UPDATE pages SET stopped_at = $2 WHERE escalation_id = $1", escalation_id, at)


async def lock_page(conn: asyncpg.Connection, escalation_id: UUID) -> asyncpg.Record | None:
    """An escalation's page row, locked."""
    return await conn.fetchrow("SELECT * FROM pages WHERE escalation_id = $1 FOR UPDATE", escalation_id)


async def acknowledge_page(conn: asyncpg.Connection, escalation_id: UUID, by: str, at: datetime) -> None:
    """A staff member acknowledged: paging stops."""
    await conn.execute(
        "UPDATE pages SET acknowledged_by = $2, acknowledged_at = $3 WHERE escalation_id = $1",
        escalation_id,
        by,
        at,
    )


async def list_pages(conn: asyncpg.Connection, tenant_id: str, conversation_id: str) -> list[asyncpg.Record]:
    """A conversation's paged escalations, with who acknowledged each."""
    return list(
        await conn.fetch(
            "SELECT p.*, e.category, e.priority, e.status AS escalation_status,"
            " u.display_name AS acknowledged_by_name FROM pages p"
            " JOIN escalations e USING (escalation_id)"
            " LEFT JOIN staff_users u ON u.user_id::text = p.acknowledged_by"
            " WHERE p.tenant_id = $1 AND p.conversation_id = $2 ORDER BY e.raised_at",
            tenant_id,
            conversation_id,
        )
    )
