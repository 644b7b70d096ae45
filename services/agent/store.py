"""The conversation log on JetStream: load (fold) a conversation, append with optimistic concurrency.

This is the agent's repository: the CONVERSATIONS stream is the source of truth. A per-process cache
of folded states is only an optimisation: every load asks JetStream for the subject's last sequence
and catches up from the cached one, so three replicas never act on a stale state.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

import structlog
from nats.aio.client import Client as NatsClient
from nats.js.errors import APIError, NotFoundError

from shared.bus import EXPECTED_LAST_SUBJECT_SEQ, MSG_ID, encode, publish_event
from shared.contracts.conversation import ConversationEvent, InboundReceived, parse_conversation_event
from shared.subjects import Topology

from .domain import ConversationState, apply

log = structlog.get_logger()

WRONG_LAST_SEQUENCE = 10071
DUPLICATE_IN_BATCH = 10201
BATCH_ID = "Nats-Batch-Id"
BATCH_SEQUENCE = "Nats-Batch-Sequence"
BATCH_COMMIT = "Nats-Batch-Commit"

# A conversation's first text after some sequence: its SMS_INBOUND sequence and SmsReceived id.
FirstInbound = tuple[int, UUID | None] | None


class AppendConflict(Exception):
    """Someone appended to the conversation since it was loaded: reload and decide again."""


class AppendFailed(Exception):
    """JetStream refused an append for another reason (the message is retried)."""


def _msg_id(event: ConversationEvent) -> str:
    # A text is recorded once however often its turn is tried; other events by their own id.
    return f"inbound:{event.inbound_id}" if isinstance(event, InboundReceived) else str(event.id)


@dataclass(frozen=True)
class Loaded:
    """A conversation's state and the stream sequence of its last event (0 when it has none)."""

    subject: str
    state: ConversationState
    last_seq: int


class ConversationStore:
    """Loads and appends conversation events on the CONVERSATIONS stream."""

    def __init__(self, nc: NatsClient, topology: Topology, *, cache_size: int = 10_000) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._topology = topology
        self._stream = topology.stream_conversations.name
        self._inbound_stream = topology.stream_sms_inbound.name
        self._cache: OrderedDict[str, Loaded] = OrderedDict()
        self._cache_size = cache_size

    async def _last_seq(self, subject: str) -> int:
        try:
            msg = await self._js.get_msg(self._stream, subject=subject)
        except NotFoundError:
            return 0
        return int(msg.seq or 0)

    def _remember(self, loaded: Loaded) -> None:
        self._cache[loaded.subject] = loaded
        self._cache.move_to_end(loaded.subject)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def cached(self, tenant_id: str, conversation_id: str) -> Loaded | None:
        """The last state this process saw of the conversation (may be stale: `load` is the truth)."""
        return self._cache.get(self._topology.conversation(tenant_id, conversation_id))

    async def load(self, tenant_id: str, conversation_id: str) -> Loaded:
        """The conversation as JetStream has it now (the cache only saves re-reading old events)."""
        subject = self._topology.conversation(tenant_id, conversation_id)
        last = await self._last_seq(subject)
        cached = self._cache.get(subject)
        if cached is not None and cached.last_seq == last:
            return cached
        if cached is None or cached.last_seq > last:
            state, seq = ConversationState(tenant_id=tenant_id, conversation_id=conversation_id), 0
        else:
            state, seq = cached.state, cached.last_seq
        while seq < last:
            msg = await self._js.get_msg(self._stream, seq=seq + 1, subject=subject, next=True)
            state = apply(state, parse_conversation_event(msg.data or b"{}"))
            seq = int(msg.seq or 0)
        loaded = Loaded(subject=subject, state=state, last_seq=seq)
        self._remember(loaded)
        return loaded

    async def append(
        self, loaded: Loaded, events: Sequence[ConversationEvent], *, strict: bool = True
    ) -> Loaded:
        """Append events in order right after `loaded.last_seq`, all together or not at all.

        Several events go as one atomic batch (one round trip): the first carries
        Nats-Expected-Last-Subject-Sequence, so a conflict (someone appended since the load) or a
        repeat of an event already in the log stores nothing and raises AppendConflict: reload and
        decide again. A crash mid-append cannot leave half a turn in the log. `strict=False`
        appends without the sequence check.
        """
        if not events:
            return loaded
        if len(events) == 1:
            return await self._append_one(loaded, events[0], strict=strict)
        batch_id = uuid4().hex
        last = len(events) - 1
        for i, event in enumerate(events):
            headers = {
                MSG_ID: _msg_id(event),
                BATCH_ID: batch_id,
                BATCH_SEQUENCE: str(i + 1),
            }
            if i == 0 and strict:
                headers[EXPECTED_LAST_SUBJECT_SEQ] = str(loaded.last_seq)
            if i < last:
                # The server answers only the commit; a failure anywhere in the batch shows there.
                await self._nc.publish(loaded.subject, encode(event), headers=headers)
                continue
            headers[BATCH_COMMIT] = "1"
            reply = await self._nc.request(loaded.subject, encode(event), timeout=5.0, headers=headers)
        ack = json.loads(reply.data or b"{}")
        error = ack.get("error")
        if error:
            if error.get("err_code") in (WRONG_LAST_SEQUENCE, DUPLICATE_IN_BATCH):
                raise AppendConflict(loaded.subject)
            raise AppendFailed(f"append to the conversation failed: {error.get('description', error)}")
        if int(ack.get("count", 0)) != len(events):
            raise AppendFailed(f"atomic append stored {ack.get('count')} of {len(events)} events")
        state = loaded.state
        for event in events:
            state = apply(state, event)  # type: ignore[arg-type]
        # A batch is stored contiguously: its last event is at the acknowledged sequence.
        current = Loaded(loaded.subject, state, int(ack["seq"]))
        self._remember(current)
        return current

    async def _append_one(self, loaded: Loaded, event: ConversationEvent, *, strict: bool) -> Loaded:
        """One event with the sequence check (a staff command); a repeat is a conflict."""
        try:
            seq = await publish_event(
                self._js,
                loaded.subject,
                event,
                msg_id=_msg_id(event),
                expected_last_subject_seq=loaded.last_seq if strict else None,
            )
        except APIError as exc:
            if getattr(exc, "err_code", None) == WRONG_LAST_SEQUENCE:
                raise AppendConflict(loaded.subject) from None
            raise
        if seq <= loaded.last_seq:
            # Deduplicated: this event is already in the log.
            raise AppendConflict(loaded.subject)
        current = Loaded(loaded.subject, apply(loaded.state, event), seq)  # type: ignore[arg-type]
        self._remember(current)
        return current

    async def first_inbound_after(self, tenant_id: str, conversation_id: str, after_seq: int) -> FirstInbound:
        """The conversation's first text after `after_seq` in SMS_INBOUND: its sequence and SmsReceived id."""
        subject = self._topology.sms_inbound(tenant_id, conversation_id)
        try:
            msg = await self._js.get_msg(self._inbound_stream, seq=after_seq + 1, subject=subject, next=True)
        except NotFoundError:
            return None
        try:
            inbound_id: UUID | None = UUID(json.loads(msg.data or b"{}")["id"])
        except (ValueError, KeyError, TypeError):
            inbound_id = None
        return int(msg.seq or 0), inbound_id
