"""One turn of the deterministic brain: what the text says, what was learned, and the reply's sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts.conversation import ConversationEvent, ServiceCandidate

from . import domain, policy
from .brain import Decision, TurnContext
from .domain import ConversationState
from .language.understanding import Understanding
from .replies import say


@dataclass
class Turn:
    """One turn's working set: what the text says, what was learned, and the reply's sentences."""

    ctx: TurnContext
    u: Understanding
    state: ConversationState
    lang: str
    tz: ZoneInfo
    facts: list[ConversationEvent] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)  # sentences before the booking question
    fresh_search: bool = False
    two_services: bool = False
    topic: ServiceCandidate | None = None  # the service a question is about (may differ from the booking's)
    consult_noted: bool = False
    inexact_said: bool = False  # the reply already says why the options differ from what was asked
    topics: list[ServiceCandidate] = field(default_factory=list)  # several services a question names

    def learn(self, event: ConversationEvent) -> None:
        """Record a fact of this turn and fold it into the state."""
        self.facts.append(event)
        self.state = domain.apply(self.state, event)  # type: ignore[arg-type]

    def event(self, cls: type[Any], **fields: Any) -> Any:
        """A conversation event of this turn."""
        return self.ctx.event(cls, **fields)


def reply(turn: Turn, body: list[str], asks: Any, purpose: str = "reply", ask_name: bool = False) -> Decision:
    """The turn's decision: opening + answers + body (+ the name question), fitted into one text."""
    opening = policy.opening(turn.state, turn.ctx.spa.name, turn.lang)
    optional = [say(turn.lang, "ask_name")] if ask_name else []
    text = policy.fit(opening, turn.lead, body, optional)
    return Decision(facts=turn.facts, reply=text, asks=asks, purpose=purpose, language=turn.lang)
