"""The model's limits (tool calls per turn, tokens per conversation per day) and the fallback count.

Tokens are counted from the conversation's own `ModelConsulted` events, so every replica sees the
same total. The fallback counters are per process (what `/metrics`-style reporting or a benchmark
reads); every fallback is also recorded on its conversation, which is the durable count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from anthropic import APIConnectionError, APIStatusError, APITimeoutError

from shared.contracts.conversation import ModelFallback

# The whole model part of one turn, retries included: the turn must end well inside the agent's
# JetStream ack wait (30 s by default), with the deterministic fallback's time to spare.
TURN_SECONDS = 20.0


class CapReached(Exception):
    """A limit stopped the model's turn."""

    def __init__(self, reason: ModelFallback) -> None:
        super().__init__(reason)
        self.reason: ModelFallback = reason


@dataclass(frozen=True)
class ModelLimits:
    """How much model work a turn and a conversation may use."""

    tool_calls_per_turn: int = 8
    tokens_per_conversation_day: int = 60_000
    turn_seconds: float = TURN_SECONDS


def fallback_reason(exc: BaseException) -> ModelFallback:
    """Why a model turn failed, in the words recorded on the conversation."""
    if isinstance(exc, CapReached):
        return exc.reason
    if isinstance(exc, APITimeoutError | TimeoutError):
        return "timeout"
    if isinstance(exc, APIStatusError):
        if exc.status_code == 429:
            return "rate_limited"
        if exc.status_code == 529:
            return "overloaded"
    if isinstance(exc, APIConnectionError):
        return "error"
    return "error"


FALLBACKS: Counter[str] = Counter()
TURNS: Counter[str] = Counter()
