"""The inbox read model's texts in and out, each written in one statement, against the real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.escalation import repo
from services.escalation.app import MIGRATIONS
from shared.db import create_pool
from shared.migrations import apply_migrations
from tests.support.waiting import until

pytestmark = pytest.mark.integration

SPA = "glow-medspa"
CONV = "c0123456789abcdef"
CLIENT = "+14155550142"
AT = datetime(2026, 3, 5, 19, 0, tzinfo=UTC)


@pytest.fixture
async def inbox(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, list[dict[str, str]]]]:
    """The escalation schema's pool, and the live notices it sends (as a listening browser hub sees them)."""
    await apply_migrations(database_url, "escalation", MIGRATIONS)
    pool = await create_pool(database_url, schema="escalation", session_reset=False)
    listener = await asyncpg.connect(database_url)
    notices: list[dict[str, str]] = []
    await listener.add_listener(repo.LIVE_CHANNEL, lambda *args: notices.append(json.loads(args[3])))
    yield pool, notices
    await listener.close()
    await pool.close()


MARK = {"kind": "mark"}


async def _settle(pool: asyncpg.Pool, notices: list[dict[str, str]]) -> None:
    """Every notice of the writes so far has arrived: one sent after them did (and is dropped)."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_notify($1, $2)", repo.LIVE_CHANNEL, json.dumps(MARK))
    await until(lambda: MARK in notices, what="the marking notice")
    notices.remove(MARK)


async def test_a_redelivered_text_is_one_message_one_conversation_and_one_notice(
    inbox: tuple[asyncpg.Pool, list[dict[str, str]]],
) -> None:
    pool, notices = inbox
    claim = repo.Claim("escalation-inbox-sms-inbound", "m-1")
    text = {"client_number": CLIENT, "message_sid": "SM1", "body": "Monday?", "keyword": None, "at": AT}
    async with pool.acquire() as conn:
        assert await repo.record_inbound_text(conn, claim, SPA, CONV, **text) is True
        assert await repo.record_inbound_text(conn, claim, SPA, CONV, **text) is False
        messages = await conn.fetch("SELECT direction, body, status FROM messages")
        [conversation] = await conn.fetch("SELECT client_number, last_activity_at FROM conversations")
    await _settle(pool, notices)
    assert [tuple(m) for m in messages] == [("in", "Monday?", "received")]
    assert conversation["client_number"] == CLIENT and conversation["last_activity_at"] == AT
    assert notices == [{"kind": "message", "tenant_id": SPA, "conversation_id": CONV}]


async def test_a_sent_text_moves_forward_and_a_late_queued_event_does_not_move_it_back(
    inbox: tuple[asyncpg.Pool, list[dict[str, str]]],
) -> None:
    pool, notices = inbox
    key = "reply:SM1"
    async with pool.acquire() as conn:
        await repo.record_outbound_text(
            conn, repo.Claim("out", "sent-1"), SPA, CONV, idempotency_key=key, at=AT + timedelta(seconds=1),
            status="sent", body="Monday at 1:30pm works.", provider_sid="SMx1",
        )  # fmt: skip
        await repo.record_outbound_text(
            conn, repo.Claim("queued", "send-1"), SPA, CONV, idempotency_key=key, at=AT,
            status="queued", client_number=CLIENT, body="Monday at 1:30pm works.", purpose="reply",
        )  # fmt: skip
        [message] = await conn.fetch("SELECT status, body, purpose, provider_sid FROM messages")
        [conversation] = await conn.fetch("SELECT client_number, last_activity_at FROM conversations")
    await _settle(pool, notices)
    assert dict(message) == {
        "status": "sent",
        "body": "Monday at 1:30pm works.",
        "purpose": "reply",
        "provider_sid": "SMx1",
    }
    assert conversation["client_number"] == CLIENT
    assert conversation["last_activity_at"] == AT + timedelta(seconds=1)  # the latest activity stays
    assert len(notices) == 2


async def test_a_text_that_fails_to_store_leaves_no_claim_and_no_conversation(
    inbox: tuple[asyncpg.Pool, list[dict[str, str]]],
) -> None:
    pool, notices = inbox
    claim = repo.Claim("escalation-inbox-sms-outbound", "m-2")
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.NotNullViolationError):
            await repo.record_outbound_text(
                conn,
                claim,
                SPA,
                CONV,
                idempotency_key=None,
                at=AT,
                status="queued",  # type: ignore[arg-type]
            )
        assert await conn.fetchval("SELECT count(*) FROM processed_messages") == 0
        assert await conn.fetchval("SELECT count(*) FROM conversations") == 0
        # The same message, delivered again with what it should have carried, is recorded then.
        again = await repo.record_outbound_text(
            conn, claim, SPA, CONV, idempotency_key="k", at=AT, status="queued"
        )
        assert again is True
    await _settle(pool, notices)
    assert len(notices) == 1
