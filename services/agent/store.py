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
from uuid import UUID

import structlog
from nats.js import JetStreamContext
from nats.js.errors import APIError

from shared.bus import publish_event, publish_in_order
from shared.bus.stored import stored_message
from shared.contracts.conversation import (
    AiPaused,
    AiResumed,
    ConversationEvent,
    InboundReceived,
    StaffReplied,
    parse_conversation_event,
)
from shared.subjects import Topology

from .domain import ConversationState, apply

log = structlog.get_logger()

WRONG_LAST_SEQUENCE = 10071

# A conversation's first text after some sequence: its SMS_INBOUND sequence and SmsReceived id.
FirstInbound = tuple[int, UUID | None] | None


def _msg_id(event: ConversationEvent) -> str:
    """The bus message id of an event: a text's is its SmsReceived id, so it is recorded once."""
    return f"inbound:{event.inbound_id}" if isinstance(event, InboundReceived) else str(event.id)


def _opening_length(events: Sequence[ConversationEvent]) -> int:
    """How many events, from the first, come up to and including the one that opens the turn (at
    least one): a conversation's start and its text are each checked against the one before."""
    for i, event in enumerate(events):
        if isinstance(event, InboundReceived):
            return i + 1
    return 1


class AppendConflict(Exception):
    """Someone appended to the conversation since it was loaded: reload and decide again."""


@dataclass(frozen=True)
class Loaded:
    """A conversation's state and the stream sequence of its last event (0 when it has none)."""

    subject: str
    state: ConversationState
    last_seq: int


def _by_staff(event: ConversationEvent) -> bool:
    """Staff wrote it (a pause, a resume, a reply): never part of one of the agent's turns."""
    return isinstance(event, AiResumed | StaffReplied) or (
        isinstance(event, AiPaused) and event.by == "staff"
    )


class ConversationStore:
    """Loads and appends conversation events on the CONVERSATIONS stream."""

    def __init__(self, js: JetStreamContext, topology: Topology, *, cache_size: int = 10_000) -> None:
        self._js = js
        self._topology = topology
        self._stream = topology.stream_conversations.name
        self._inbound_stream = topology.stream_sms_inbound.name
        self._cache: OrderedDict[str, Loaded] = OrderedDict()
        self._cache_size = cache_size

    async def _last_seq(self, subject: str) -> int:
        last = await stored_message(self._js, self._stream, subject)
        return last.seq if last is not None else 0

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
            msg = await stored_message(self._js, self._stream, subject, after_seq=seq)
            if msg is None:  # cannot be: `last` is on the subject (nothing is ever deleted from it)
                raise AppendConflict(subject)
            state = apply(state, parse_conversation_event(msg.data or b"{}"))
            seq = msg.seq
        loaded = Loaded(subject=subject, state=state, last_seq=seq)
        self._remember(loaded)
        return loaded

    async def append(
        self, loaded: Loaded, events: Sequence[ConversationEvent], *, strict: bool = True
    ) -> Loaded:
        """Append events in order after `loaded.last_seq`.

        The first event must land right after what was loaded (else AppendConflict, nothing written).
        Events up to the text's InboundReceived (which opens the turn) go one by one, each checked
        against the one before; the turn's facts after it go out together, awaited as one round trip.
        Nothing else is appended to a conversation while one of its turns is open: other texts wait
        for it (handlers.handle_inbound) and so do staff commands (handlers.handle_staff_command).
        `strict=False` appends without the first check, every event one by one.
        """
        opening = _opening_length(events)
        if not strict or opening >= len(events):
            return await self._append_one_by_one(loaded, events, strict=strict)
        current = await self._append_one_by_one(loaded, events[:opening], strict=True)
        rest = events[opening:]
        seqs = await publish_in_order(self._js, current.subject, [(e, _msg_id(e)) for e in rest])
        if any(seq <= before for before, seq in zip([current.last_seq, *seqs], seqs, strict=False)):
            # One of them was in the log already (a retried publish): read the log as it is.
            return await self.load(current.state.tenant_id, current.state.conversation_id)
        state = current.state
        for event in rest:
            state = apply(state, event)  # type: ignore[arg-type]
        current = Loaded(current.subject, state, seqs[-1])
        self._remember(current)
        return current

    async def _append_one_by_one(
        self, loaded: Loaded, events: Sequence[ConversationEvent], *, strict: bool
    ) -> Loaded:
        """Each event awaited before the next. Once the first has landed the turn owns its facts: a
        later event that meets a concurrent append (a staff command) is appended after it."""
        current = loaded
        for i, event in enumerate(events):
            msg_id = _msg_id(event)
            for _attempt in range(5):
                try:
                    seq = await publish_event(
                        self._js,
                        current.subject,
                        event,
                        msg_id=msg_id,
                        expected_last_subject_seq=current.last_seq if strict or i > 0 else None,
                    )
                except APIError as exc:
                    if getattr(exc, "err_code", None) != WRONG_LAST_SEQUENCE:
                        raise
                    if i == 0:
                        raise AppendConflict(current.subject) from None
                    current = await self.load(current.state.tenant_id, current.state.conversation_id)
                    continue
                if seq <= current.last_seq:
                    # Deduplicated: this event (e.g. this text) is already in the log.
                    if i == 0:
                        raise AppendConflict(current.subject)
                    break
                current = Loaded(current.subject, apply(current.state, event), seq)  # type: ignore[arg-type]
                break
            else:
                raise AppendConflict(current.subject)
        self._remember(current)
        return current

    async def before_open_turn(
        self, tenant_id: str, conversation_id: str, inbound_id: UUID
    ) -> tuple[ConversationState, list[ConversationEvent]]:
        """The state as it was when a half-written turn opened, and that turn's partial facts.

        Reads the whole conversation (only when resuming a turn a crash left open): events after
        the turn's InboundReceived count again only if staff wrote them, the rest are the partial
        facts of the attempt that died.
        """
        subject = self._topology.conversation(tenant_id, conversation_id)
        state = ConversationState(tenant_id=tenant_id, conversation_id=conversation_id)
        partial: list[ConversationEvent] = []
        opened = False
        seq = 0
        while True:
            msg = await stored_message(self._js, self._stream, subject, after_seq=seq)
            if msg is None:
                return state, partial
            seq = msg.seq
            event = parse_conversation_event(msg.data or b"{}")
            if opened and not _by_staff(event):
                partial.append(event)
                continue
            state = apply(state, event)
            opened = opened or (isinstance(event, InboundReceived) and event.inbound_id == inbound_id)

    async def first_inbound_after(self, tenant_id: str, conversation_id: str, after_seq: int) -> FirstInbound:
        """The conversation's first text after `after_seq` in SMS_INBOUND: its sequence and SmsReceived id."""
        subject = self._topology.sms_inbound(tenant_id, conversation_id)
        msg = await stored_message(self._js, self._inbound_stream, subject, after_seq=after_seq)
        if msg is None:
            return None
        try:
            inbound_id: UUID | None = UUID(json.loads(msg.data or b"{}")["id"])
        except (ValueError, KeyError, TypeError):
            inbound_id = None
        return msg.seq, inbound_id
