"""Draft mode: the agent's replies wait in the inbox until staff send, edit and send, or discard them.

The scheduler, the agent and the escalation service run in-process on a real nats-server and
PostgreSQL; the client's texts go in as the gateway publishes them, and what would reach the client
is read on SMS_OUTBOUND.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.js.errors import NotFoundError

from services.escalation.app import build as build_escalation
from services.escalation.settings import EscalationSettings
from shared.contracts.conversation import ReplyDrafted, ReplySent, StaffReplied, TurnCompleted
from shared.contracts.escalation import ReplyModeSet
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.integration.agent_harness import TENANT, Phone, System
from tests.support.staff_accounts import create_staff, sign_in
from tests.support.waiting import until

pytestmark = pytest.mark.integration

CLIENT = "+14155550177"


@dataclass
class Inbox:
    """The staff inbox signed in as a staff member and as the owner."""

    staff: httpx.AsyncClient
    owner: httpx.AsyncClient


def spa_file(folder: Path, replies: str) -> Path:
    """A spa file whose `agent.replies` is `replies`."""
    path = folder / "spa.yaml"
    path.write_text(
        f"id: {TENANT}\nname: Glow Med Spa\ntimezone: America/Los_Angeles\nagent:\n  replies: {replies}\n"
    )
    return path


StartInbox = Callable[[str], Awaitable[Inbox]]


@pytest.fixture
async def start_inbox(
    system: System, nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[StartInbox]:
    """Start the escalation service with a spa file's reply mode; a staff member and the owner sign in."""
    running: list[Any] = []

    async def start(replies: str) -> Inbox:
        settings = EscalationSettings(
            nats_url=nats_url,
            database_url=database_url,
            subject_prefix=topology.prefix,
            spa_files=str(spa_file(tmp_path, replies)),
        )
        spec, ctx = build_escalation(settings)
        await start_context(spec, ctx)
        assert ctx.pool is not None
        clients = []
        for name, role in (("Maria", "staff"), ("Olivia", "owner")):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=ctx.http), base_url="http://inbox")
            user = await create_staff(ctx.pool, TENANT, name=name, role=role)
            client.headers.update(await sign_in(client, user.email))
            clients.append(client)
        running.append((spec, ctx, clients))
        return Inbox(*clients)

    yield start
    for spec, ctx, clients in running:
        for client in clients:
            await client.aclose()
        await stop_context(spec, ctx)


async def mode_published(phone: Phone, mode: str) -> None:
    """Wait until the agent can read the spa's reply mode (the escalation service's outbox is async)."""

    async def published() -> bool:
        try:
            msg = await phone.js.get_msg(
                phone.topology.stream_escalations.name, subject=phone.topology.staff(TENANT, "replies")
            )
        except NotFoundError:
            return mode == "automatic"  # nothing published: the agent's default
        return ReplyModeSet.model_validate_json(msg.data or b"{}").mode == mode

    await until(published, f"reply mode {mode} on the bus")


async def pending_draft(inbox: httpx.AsyncClient, phone: Phone, count: int) -> dict[str, Any]:
    """The newest draft once the conversation has `count` drafts."""
    path = f"/api/conversations/{TENANT}/{phone.conversation(CLIENT)}/drafts"

    async def drafted() -> dict[str, Any] | None:
        response = await inbox.get(path)
        drafts = response.json()["drafts"] if response.status_code == 200 else []
        return drafts[-1] if len(drafts) >= count else None

    draft: dict[str, Any] = await until(drafted, f"draft {count} in the inbox")
    assert draft["status"] == "pending"
    return draft


async def counts(inbox: httpx.AsyncClient, phone: Phone) -> dict[str, int]:
    """The conversation's draft counts as the inbox shows them."""
    response = await inbox.get(f"/api/conversations/{TENANT}/{phone.conversation(CLIENT)}/drafts")
    return dict(response.json()["counts"])


async def test_drafts_wait_for_staff_then_go_out_once_as_is_or_edited_and_a_discarded_one_never(
    start_inbox: StartInbox, phone: Phone
) -> None:
    inbox = (await start_inbox("draft")).staff
    await mode_published(phone, "draft")
    await phone.text(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    events = await phone.wait_for_turns(CLIENT, 1)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["drafted"]
    [drafted] = [e for e in events if isinstance(e, ReplyDrafted)]
    draft = await pending_draft(inbox, phone, 1)
    assert draft["body"] == drafted.body
    await asyncio.sleep(0.3)
    assert await phone.outbound_count(CLIENT) == 0, "a draft is not sent until staff click"

    # A double click is one text.
    first, second = await asyncio.gather(
        *(inbox.post(f"/api/drafts/{draft['draft_id']}/send", json={}) for _ in range(2))
    )
    assert sorted([first.json()["status"], second.json()["status"]]) == ["already_decided", "sent"]
    sent = await phone.reply(CLIENT)
    assert sent.body == drafted.body and sent.purpose == "reply"
    recorded = await until(lambda: _staff_replies(phone), "the agent to record the sent draft")
    assert recorded[0].draft_id is not None and recorded[0].draft_edited is False
    view = (await inbox.get(f"/api/conversations/{TENANT}/{phone.conversation(CLIENT)}")).json()
    assert view["conversation"]["ai_paused"] is False, "sending a draft does not take the conversation over"

    await phone.text(CLIENT, "Friday afternoon please")
    draft = await pending_draft(inbox, phone, 2)
    edited = "Hi Erin, Friday at 2pm works with Jess. Shall I book it?"
    response = await inbox.post(f"/api/drafts/{draft['draft_id']}/send", json={"body": edited})
    assert response.json()["status"] == "edited"
    assert (await phone.reply(CLIENT)).body == edited
    recorded = await until(lambda: _staff_replies(phone, 2), "the agent to record the edited draft")
    assert recorded[1].draft_edited is True and recorded[1].body == edited

    await phone.text(CLIENT, "actually, what about Saturday?")
    draft = await pending_draft(inbox, phone, 3)
    assert (await inbox.post(f"/api/drafts/{draft['draft_id']}/discard")).json()["status"] == "discarded"
    again = await inbox.post(f"/api/drafts/{draft['draft_id']}/send", json={})
    assert again.json()["status"] == "already_decided"
    await asyncio.sleep(0.3)
    assert await phone.outbound_count(CLIENT) == 2, "a discarded draft is never sent"
    assert await counts(inbox, phone) == {"pending": 0, "sent_as_is": 1, "edited": 1, "discarded": 1}


async def _staff_replies(phone: Phone, count: int = 1) -> list[StaffReplied]:
    found = [e for e in await phone.events(CLIENT) if isinstance(e, StaffReplied)]
    return found if len(found) >= count else []


async def test_the_owners_switch_wins_over_the_spa_file_and_only_an_owner_may_use_it(
    start_inbox: StartInbox, phone: Phone
) -> None:
    inbox = await start_inbox("automatic")
    await mode_published(phone, "automatic")
    assert (await inbox.staff.get("/api/reply-mode")).json()["source"] == "spa file"
    refused = await inbox.staff.post("/api/reply-mode", json={"mode": "draft"})
    assert refused.status_code == 403
    bad = await inbox.owner.post("/api/reply-mode", json={"mode": "sometimes"})
    assert bad.status_code == 422

    assert await phone.say(CLIENT, "Hi, I'm Erin, I'd like a HydraFacial")
    switched = await inbox.owner.post("/api/reply-mode", json={"mode": "draft"})
    assert switched.json()["mode"] == "draft" and switched.json()["source"] == "owner"
    await mode_published(phone, "draft")
    await phone.text(CLIENT, "Friday afternoon please")
    events = await phone.wait_for_turns(CLIENT, 2)
    assert [e.outcome for e in events if isinstance(e, TurnCompleted)] == ["replied", "drafted"]
    assert await phone.outbound_count(CLIENT) == 1

    await inbox.owner.post("/api/reply-mode", json={"mode": "automatic"})
    await mode_published(phone, "automatic")
    await phone.text(CLIENT, "or Saturday morning?")
    await phone.reply(CLIENT)
    events = await phone.wait_for_turns(CLIENT, 3)
    assert [type(e) for e in events if isinstance(e, ReplySent)] == [ReplySent, ReplyDrafted, ReplySent]
