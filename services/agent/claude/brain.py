"""ClaudeBrain: the `Brain` protocol through the Messages API with tool use (non-streaming).

The turn around it is unchanged (handlers.run_turn): the guard has passed the text before this
runs, the client is bound, and the reply passes the outbound guard afterwards. Here: the PHI-free
system prompt, this conversation's recent messages, the tool loop (capped), and the fallback: on an
API error, a timeout, 429/529, a cap, no reply or an overlong one, the deterministic brain answers
the turn and the fallback is recorded on the conversation (`ModelConsulted.fallback`).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog

from shared.bus import jetstream
from shared.contracts.conversation import ModelConsulted, ModelFallback

from .. import policy
from ..brain import Brain, Decision, TurnContext
from ..deterministic import DeterministicBrain
from ..domain import MAX_REPLY_CHARS
from ..tools import ClientNotBound, ToolUnavailable
from . import history as hist
from .executor import ModelTurn, confirmation_text
from .limits import FALLBACKS, TURNS, CapReached, ModelLimits, fallback_reason
from .prompt import system_prompt
from .routes import ModelClient
from .tools_schema import tool_definitions

log = structlog.get_logger()

TOOLS = tool_definitions()


@dataclass(frozen=True)
class ModelConfig:
    """Which model, how it is asked, and its limits."""

    route: str = "anthropic"
    model: str = "claude-sonnet-4-5"
    max_tokens: int = 512
    temperature: float | None = None
    history_chars: int = 4000
    limits: ModelLimits = field(default_factory=ModelLimits)


@dataclass
class Usage:
    """Tokens a turn used."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


def _context_note(ctx: TurnContext) -> str:
    """Allow-listed facts of earlier turns the model needs to continue (held options, first name)."""
    state, notes = ctx.state, []
    if state.first_name:
        notes.append(f"client first name: {state.first_name}")
    if state.proposals:
        held = "; ".join(f"{i + 1}) {p.label}" for i, p in enumerate(state.proposals))
        notes.append(f"options held for this client: {held}")
    return f"[context: {' | '.join(notes)}]\n" if notes else ""


def _current_inbound(ctx: TurnContext, transcript: hist.Transcript) -> UUID | None:
    """This turn's own text in the transcript (a resumed turn's text is already in the stream)."""
    if ctx.state.open_turn is not None:
        return ctx.state.open_turn.inbound_id
    last = transcript.lines[-1] if transcript.lines else None
    return last.inbound_id if last is not None and last.role == "user" and last.text == ctx.text else None


def _blocks(content: list[Any]) -> list[dict[str, Any]]:
    """An assistant message's content blocks as request data (text and tool_use only)."""
    out: list[dict[str, Any]] = []
    for block in content:
        if block.type == "text":
            out.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            out.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return out


class ClaudeBrain:
    """Decides a turn with a Claude model (any route); the deterministic brain is its fallback."""

    name = "claude"

    def __init__(
        self,
        client: ModelClient,
        config: ModelConfig,
        history: hist.HistoryReader | None = None,
        fallback: Brain | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.history = history
        self.fallback = fallback or DeterministicBrain()
        self.model_seconds = 0.0  # time spent waiting on the model (benchmarks subtract it)
        self.tool_seconds = 0.0  # time in the model's tool calls (the scheduler's work)

    async def decide(self, ctx: TurnContext) -> Decision:
        """One turn: the model with tools, or the deterministic brain when the model cannot."""
        TURNS["turns"] += 1
        turn = ModelTurn(ctx)
        try:
            return await self._decide(ctx, turn)
        finally:
            self.tool_seconds += turn.tool_seconds

    async def _decide(self, ctx: TurnContext, turn: ModelTurn) -> Decision:
        transcript = await self._transcript(ctx)
        today = transcript.tokens_by_day.get(ctx.now.date(), 0)
        usage = Usage()
        if today >= self.config.limits.tokens_per_conversation_day:
            return await self._fall_back(ctx, turn, usage, "token_cap")
        try:
            text = await asyncio.wait_for(
                self._converse(ctx, turn, usage, transcript, today), self.config.limits.turn_seconds
            )
        except (ToolUnavailable, ClientNotBound):
            await turn.release_new_holds()
            raise  # the scheduler is away: the turn is retried, as with the deterministic brain
        except Exception as exc:  # any failure of the model layer: the client still gets an answer
            log.warning(
                "agent.model.failed", error=type(exc).__name__, conversation_id=ctx.tools.conversation_id
            )
            return await self._fall_back(ctx, turn, usage, fallback_reason(exc))
        return await self._decision(ctx, turn, usage, text)

    async def _transcript(self, ctx: TurnContext) -> hist.Transcript:
        """This conversation's transcript, read from its own subject on the bus the tools use."""
        tools = ctx.tools
        if self.history is None:
            self.history = hist.HistoryReader(jetstream(tools.broker), tools.topology)
        return await self.history.load(tools.tenant_id, tools.conversation_id)

    async def _decision(self, ctx: TurnContext, turn: ModelTurn, usage: Usage, text: str) -> Decision:
        if turn.handoff is not None:
            return Decision(facts=[self._record(ctx, turn, usage), *turn.facts], handoff=turn.handoff)
        # The first reply of a conversation says it is automated, whichever brain writes it.
        opening = policy.opening(ctx.state, ctx.spa.name, ctx.state.language)
        reply = f"{opening} {text}" if opening and text else text
        if not text or len(reply) > MAX_REPLY_CHARS:
            return await self._fall_back(ctx, turn, usage, "no_reply" if not text else "overlong")
        asks = "choice" if turn.held_now else None
        return Decision(
            facts=[self._record(ctx, turn, usage), *turn.facts],
            reply=reply,
            asks=asks,
            purpose="confirmation" if turn.booked else "reply",
            language=ctx.state.language,
        )

    def _record(
        self, ctx: TurnContext, turn: ModelTurn, usage: Usage, fallback: ModelFallback | None = None
    ) -> ModelConsulted:
        return ctx.event(
            ModelConsulted,
            route=self.config.route,
            model=self.config.model[:100],
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            tool_calls=turn.calls[:100],
            rejected_calls=turn.rejected[:100],
            fallback=fallback,
        )

    async def _fall_back(
        self, ctx: TurnContext, turn: ModelTurn, usage: Usage, reason: ModelFallback
    ) -> Decision:
        """The deterministic brain decides the turn; a booking the model already made stands."""
        FALLBACKS[reason] += 1
        log.info("agent.model.fallback", reason=reason, conversation_id=ctx.tools.conversation_id)
        record = self._record(ctx, turn, usage, reason)
        if turn.booked is not None:
            return Decision(
                facts=[record, *turn.facts], reply=confirmation_text(turn), purpose="confirmation"
            )
        await turn.release_new_holds()
        decision = await self.fallback.decide(ctx)
        decision.facts = [record, *decision.facts]
        return decision

    async def _converse(
        self, ctx: TurnContext, turn: ModelTurn, usage: Usage, transcript: hist.Transcript, today: int
    ) -> str:
        """The tool loop: ask, run the tools the model calls, ask again; the model's final text."""
        limits = self.config.limits
        current = _current_inbound(ctx, transcript)
        messages: list[dict[str, Any]] = hist.messages(transcript.lines, self.config.history_chars, current)
        latest = _context_note(ctx) + ctx.text
        if messages and messages[-1]["role"] == "user":
            messages[-1] = {"role": "user", "content": f"{messages[-1]['content']}\n{latest}"}
        else:
            messages.append({"role": "user", "content": latest})
        system = system_prompt(ctx.spa, ctx.now.astimezone(ZoneInfo(ctx.spa.timezone)).date())
        while True:
            response = await self._ask(system, messages)
            usage.input_tokens += response.usage.input_tokens
            usage.output_tokens += response.usage.output_tokens
            if today + usage.total > limits.tokens_per_conversation_day:
                raise CapReached("token_cap")
            uses = [b for b in response.content if b.type == "tool_use"]
            if response.stop_reason != "tool_use" or not uses:
                return "".join(b.text for b in response.content if b.type == "text").strip()
            if len(turn.calls) + len(uses) > limits.tool_calls_per_turn:
                raise CapReached("tool_cap")
            messages.append({"role": "assistant", "content": _blocks(response.content)})
            messages.append({"role": "user", "content": await self._results(turn, uses)})
            if turn.handoff is not None:
                return ""  # staff take over: nothing more for the model to say

    async def _results(self, turn: ModelTurn, uses: list[Any]) -> list[dict[str, Any]]:
        results = []
        for use in uses:
            result, is_error = await turn.run(use.name, use.input)
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": use.id,
                    "content": json.dumps(result, default=str),
                    "is_error": is_error,
                }
            )
        return results

    async def _ask(self, system: str, messages: list[dict[str, Any]]) -> Any:
        started = time.perf_counter()
        try:
            return await self.client.messages.create(
                model=self.config.model,
                max_tokens=self.config.max_tokens,
                # The SDK's create() has no sampling parameters; a server that reads one gets it here.
                extra_body={"temperature": self.config.temperature}
                if self.config.temperature is not None
                else None,
                system=system,
                tools=TOOLS,  # type: ignore[arg-type]
                messages=messages,  # type: ignore[arg-type]
            )
        finally:
            self.model_seconds += time.perf_counter() - started
