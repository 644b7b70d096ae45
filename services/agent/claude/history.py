"""This conversation's earlier messages for the model, and its model tokens today, from its events.

Only the conversation's own subject is read (never another conversation): the client's texts, the
agent's and staff's replies, handoff texts. A per-process cache keeps what was read, so a turn reads
only the events appended since the last one.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from nats.js import JetStreamContext

from shared.bus.stored import stored_message
from shared.contracts.conversation import (
    ConversationEvent,
    EscalationRaised,
    InboundReceived,
    ModelConsulted,
    ReplyDrafted,
    ReplySent,
    StaffReplied,
    parse_conversation_event,
)
from shared.subjects import Topology

Role = Literal["user", "assistant"]
KEEP_LINES = 60


@dataclass(frozen=True)
class Line:
    """One message of the transcript."""

    role: Role
    text: str
    inbound_id: UUID | None = None


@dataclass
class Transcript:
    """A conversation's messages and its model usage per UTC day."""

    last_seq: int = 0
    lines: list[Line] = field(default_factory=list)
    tokens_by_day: dict[date, int] = field(default_factory=dict)

    def add(self, event: ConversationEvent) -> None:
        """Fold one event in."""
        line = _line(event)
        if line is not None:
            self.lines = [*self.lines, line][-KEEP_LINES:]
        if isinstance(event, ModelConsulted):
            day = event.occurred_at.date()
            self.tokens_by_day[day] = (
                self.tokens_by_day.get(day, 0) + event.input_tokens + event.output_tokens
            )


def _line(event: ConversationEvent) -> Line | None:
    if isinstance(event, InboundReceived) and event.keyword is None:
        return Line("user", event.body, event.inbound_id)
    if isinstance(event, ReplyDrafted):
        return None  # the client saw it only if staff sent it: then it is a StaffReplied line
    if isinstance(event, ReplySent):
        return Line("assistant", event.body)
    if isinstance(event, StaffReplied):
        return Line("assistant", f"(spa staff) {event.body}")
    if isinstance(event, EscalationRaised) and event.handoff_text:
        return Line("assistant", event.handoff_text)
    return None


def messages(lines: list[Line], budget_chars: int, current: UUID | None) -> list[dict[str, str]]:
    """The most recent lines within the budget, as Messages API turns (user first, roles alternating)."""
    kept: list[Line] = []
    used = 0
    for line in reversed([ln for ln in lines if current is None or ln.inbound_id != current]):
        if used + len(line.text) > budget_chars:
            break
        kept.append(line)
        used += len(line.text)
    kept.reverse()
    while kept and kept[0].role != "user":
        kept.pop(0)
    out: list[dict[str, str]] = []
    for line in kept:
        if out and out[-1]["role"] == line.role:
            out[-1]["content"] += "\n" + line.text
        else:
            out.append({"role": line.role, "content": line.text})
    return out


class HistoryReader:
    """Reads conversations' transcripts from the CONVERSATIONS stream, caching what it read."""

    def __init__(self, js: JetStreamContext, topology: Topology, *, cache_size: int = 2000) -> None:
        self._js = js
        self._topology = topology
        self._cache: OrderedDict[str, Transcript] = OrderedDict()
        self._cache_size = cache_size

    async def load(self, tenant_id: str, conversation_id: str) -> Transcript:
        """The conversation's transcript as the stream has it now."""
        subject = self._topology.conversation(tenant_id, conversation_id)
        stream = self._topology.stream_conversations.name
        transcript = self._cache.pop(subject, None) or Transcript()
        while (
            msg := await stored_message(self._js, stream, subject, after_seq=transcript.last_seq)
        ) is not None:
            transcript.add(parse_conversation_event(msg.data or b"{}"))
            transcript.last_seq = msg.seq
        self._cache[subject] = transcript
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return transcript
