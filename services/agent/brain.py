"""The Brain port: decides a conversation's next step from its state and the new text.

The turn around a brain is fixed (handlers.run_turn): the escalation guard has already passed the
text, the client is already bound, every tool call goes through `TurnContext.tools`, and whatever the
brain wants to say passes the outbound guard before it is sent. A brain returns facts (conversation
events it learned or caused, e.g. `ServiceMatched`, `SlotsProposed`, `BookingConfirmed`), at most one
reply, and optionally a request to hand the conversation to staff. The deterministic brain is the
default; a Claude brain implements the same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from shared.contracts.conversation import Asked, ConversationEvent
from shared.contracts.escalation import EscalationCategory
from shared.contracts.tools import SpaProfile

from .domain import ConversationState
from .tools import ConversationTools

EventT = TypeVar("EventT", bound=ConversationEvent)


@dataclass(frozen=True)
class Handoff:
    """The brain's request to hand the conversation to staff."""

    category: EscalationCategory
    reason: str
    text: str | None = None  # the handoff text to the client, when not the standard one


@dataclass
class Decision:
    """What a brain decided for one turn."""

    facts: list[ConversationEvent] = field(default_factory=list)
    reply: str | None = None
    asks: Asked | None = None
    handoff: Handoff | None = None
    purpose: str = "reply"
    language: str = "en"


@dataclass
class TurnContext:
    """Everything a brain may use for one turn."""

    state: ConversationState
    text: str
    now: datetime
    spa: SpaProfile
    tools: ConversationTools
    correlation_id: UUID
    hold_ttl_seconds: int | None = None
    max_options: int = 3

    def event(self, cls: type[EventT], **fields: Any) -> EventT:
        """A conversation event of this conversation and turn."""
        return cls(
            tenant_id=self.state.tenant_id or self.tools.tenant_id,
            conversation_id=self.state.conversation_id or self.tools.conversation_id,
            correlation_id=self.correlation_id,
            **fields,
        )


class Brain(Protocol):
    """Decides the next step of a conversation."""

    name: str

    async def decide(self, ctx: TurnContext) -> Decision:
        """The facts, reply and handoff of one turn; tools only through ctx.tools."""
        ...
