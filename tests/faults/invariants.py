"""What every fault test checks at its end, after the fault is over and the system has recovered.

- every accepted inbound text has exactly one reply, or its conversation has a recorded handoff
  (then the AI is paused and later texts get none: at most one reply each); in draft mode a reply
  the agent drafted and staff have not sent (waiting, or discarded) counts as that text's reply;
- no text is sent twice (the fake Twilio's log against the gateway's own record);
- no double booking (no two live bookings of one provider overlap);
- one audit record per served tool call, and the audit chain verifies (`frontdesk audit verify`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
from prometheus_client.parser import text_string_to_metric_families

from shared.contracts.tools import TOOLS
from tests.e2e.system_support import TENANT, System, run_cli

BOOKED = "You're booked"
# Every fault system's settings: a send a fault cut between Twilio's acceptance and the gateway's
# commit stays `sending` until it is reconciled with Twilio's log, 10 s after its claim here
# (60 s by default), so the checks below see it settled within a test's time.
FAULT_ENV = {"STALE_SENDING_SECONDS": "10"}
# Audit records of tool calls (the log also holds staff and compliance actions).
TOOL_RECORDS = "SELECT count(*) FROM audit.audit_log WHERE tenant_id = $1 AND action = ANY($2::text[])"


@dataclass
class Ledger:
    """The texts the gateway accepted (answered 200), per client number."""

    accepted: Counter[str] = field(default_factory=Counter)
    # Texts sent on top of the replies by design (a "one moment" while a dependency is away).
    holding: Counter[str] = field(default_factory=Counter)

    async def text(self, system: System, number: str, body: str) -> None:
        """Text the spa through the signed webhook; counted once the gateway accepted it."""
        await system.text(number, body)
        self.accepted[number] += 1

    def expected(self, number: str) -> int:
        """Texts the client should get: one per accepted text, plus holding texts."""
        return self.accepted[number] + self.holding[number]


SCRIPT = ("Hi, I'm {name}. Something for my forehead lines", "Monday around 2pm", "1")


async def converse(system: System, ledger: Ledger, number: str, name: str, timeout: float = 90) -> None:
    """A client books through the whole conversation, waiting for each reply (faults may slow it)."""
    for line in SCRIPT:
        await ledger.text(system, number, line.format(name=name))
        await system.sent(number, ledger.expected(number), timeout)


async def served_tool_calls(system: System) -> int:
    """Tool calls the running scheduler answered (its /metrics), to add up across its restarts."""
    resp = await system.http.get(system.urls["scheduler"] + "/metrics")
    resp.raise_for_status()
    return int(
        sum(
            s.value
            for family in text_string_to_metric_families(resp.text)
            for s in family.samples
            if s.name == "frontdesk_tool_served_seconds_count"
        )
    )


async def _handed_off(system: System, number: str) -> bool:
    view = await system.inbox(f"/api/conversations/{TENANT}/{system.conversation(number)}")
    return bool(view["escalations"])


async def _unsent_drafts(system: System, number: str) -> int:
    """Replies the agent drafted (draft mode) that staff have not sent: waiting or discarded."""
    view = await system.inbox(f"/api/conversations/{TENANT}/{system.conversation(number)}/drafts")
    return sum(1 for d in view["drafts"] if d["status"] in ("pending", "discarded"))


async def _replies(system: System, number: str) -> list[str]:
    """Each text's reply: sent (the fake Twilio's log), or drafted and not sent."""
    drafted = await _unsent_drafts(system, number)
    return [m.body for m in system.twilio.sent_to(number)] + ["(draft)"] * drafted


async def check_replies(system: System, ledger: Ledger, timeout: float) -> None:
    """Exactly one reply per accepted text, or a recorded handoff and at most one per text."""

    async def answered() -> bool:
        for number in ledger.accepted:
            if len(await _replies(system, number)) < ledger.expected(number) and not await _handed_off(
                system, number
            ):
                return False
        return True

    await system.eventually(answered, "a reply to every accepted text", timeout)
    await asyncio.sleep(2.0)  # a second reply to the same text would show up now
    for number in ledger.accepted:
        texts = ledger.expected(number)
        replies = await _replies(system, number)
        if await _handed_off(system, number):
            assert 1 <= len(replies) <= texts, (number[-4:], texts, replies)
        else:
            assert len(replies) == texts, (number[-4:], texts, replies)


async def check_no_duplicate_sends(system: System, timeout: float) -> None:
    """Every text Twilio got is one row the gateway marked sent, with its own Twilio sid; a send left
    `sending` by the fault is waited for: reconciled, it is recorded as sent, not sent again."""
    conn = await asyncpg.connect(system.database_url)
    try:

        async def settled() -> bool:
            return not await conn.fetchval(
                "SELECT count(*) FROM gateway.outbound_messages WHERE state = 'sending'"
            )

        await system.eventually(settled, "no text left sending", timeout)
        sids = [r["provider_sid"] for r in await conn.fetch(
            "SELECT provider_sid FROM gateway.outbound_messages WHERE state = 'sent'"
        )]  # fmt: skip
    finally:
        await conn.close()
    assert len(sids) == len(set(sids)), "one Twilio message recorded for two texts"
    if sorted(sids) != sorted(m.sid for m in system.twilio.sent):
        raise AssertionError(
            f"Twilio sent what the gateway did not record: {await _unrecorded(system, sids)}"
        )


async def _unrecorded(system: System, recorded: list[str]) -> str:
    """What the gateway's rows say of the texts Twilio has and the gateway does not show as sent."""
    conn = await asyncpg.connect(system.database_url)
    try:
        rows = await conn.fetch(
            "SELECT state, provider_sid, claimed_at, to_number FROM gateway.outbound_messages "
            "WHERE state <> 'sent' ORDER BY claimed_at NULLS LAST"
        )
    finally:
        await conn.close()
    extra = [m for m in system.twilio.sent if m.sid not in set(recorded)]
    unsent = [(r["state"], r["provider_sid"], r["to_number"][-4:]) for r in rows]
    return f"Twilio has {[(m.sid, m.to[-4:]) for m in extra]}; rows not sent: {unsent}"


async def check_no_double_booking(system: System) -> None:
    """No two live bookings of a provider overlap; each confirmation text has its booking."""
    conn = await asyncpg.connect(system.database_url)
    try:
        overlaps = await conn.fetchval(
            "SELECT count(*) FROM scheduler.bookings a JOIN scheduler.bookings b "
            "ON a.provider_id = b.provider_id AND a.id < b.id AND a.blocked && b.blocked "
            "WHERE a.status = 'booked' AND b.status = 'booked'"
        )
        bookings = await conn.fetchval("SELECT count(*) FROM scheduler.bookings WHERE status = 'booked'")
    finally:
        await conn.close()
    confirmations = sum(1 for m in system.twilio.sent if m.body.startswith(BOOKED))
    assert overlaps == 0, f"{overlaps} overlapping bookings"
    assert bookings >= confirmations, (bookings, confirmations)


async def check_audit(system: System, served: int, timeout: float) -> None:
    """One audit record per served tool call, and the spa's chain verifies."""
    conn = await asyncpg.connect(system.database_url)
    try:

        async def recorded() -> int | None:
            count = await conn.fetchval(TOOL_RECORDS, TENANT, list(TOOLS))
            return count if count >= served else None

        count = await system.eventually(recorded, f"{served} audit records", timeout)
        await asyncio.sleep(1.0)
        count = await conn.fetchval(TOOL_RECORDS, TENANT, list(TOOLS))
    finally:
        await conn.close()
    if count != served:
        conn = await asyncpg.connect(system.database_url)
        try:
            rows = await conn.fetch(
                "SELECT action, outcome, count(*) AS n FROM audit.audit_log WHERE tenant_id = $1 "
                "GROUP BY 1, 2 ORDER BY 1, 2",
                TENANT,
            )
        finally:
            await conn.close()
        detail = ", ".join(f"{r['action']}/{r['outcome']}: {r['n']}" for r in rows)
        raise AssertionError(f"{count} audit records for {served} served tool calls ({detail})")
    await run_cli(system.env, "audit", "verify", "--spa", TENANT)


async def check_invariants(
    system: System, ledger: Ledger, *, served_earlier: int = 0, timeout: float = 60
) -> None:
    """All of the above; `served_earlier` counts tool calls of scheduler processes no longer running."""
    await check_replies(system, ledger, timeout)
    await check_no_duplicate_sends(system, timeout)
    await check_no_double_booking(system)
    await check_audit(system, served_earlier + await served_tool_calls(system), timeout)
