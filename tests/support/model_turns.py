"""What the Claude brain did on a run, read from the conversations' own `ModelConsulted` events on the
run's CONVERSATIONS stream: turns the model answered, fallbacks by reason, tool calls by tool, tokens.

Tokens are what the model route reported; with tests/support/fake_anthropic.py that is an estimate
(the JSON characters of each request, system prompt, messages and tool schemas included, divided by
four; output likewise), summed over a turn's requests.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.js.errors import NotFoundError

from shared.contracts.conversation import ModelConsulted, parse_conversation_event
from shared.subjects import Topology


@dataclass(frozen=True)
class ModelTurns:
    """The run's `ModelConsulted` events."""

    consulted: list[ModelConsulted]

    @property
    def answered(self) -> int:
        """Turns the model decided (no fallback)."""
        return sum(c.fallback is None for c in self.consulted)

    @property
    def answered_share(self) -> float:
        """Share of the turns that asked the model which it answered itself."""
        return self.answered / len(self.consulted) if self.consulted else 0.0

    @property
    def fallbacks(self) -> Counter[str]:
        """Fallbacks by reason."""
        return Counter(c.fallback for c in self.consulted if c.fallback is not None)

    @property
    def tools(self) -> Counter[str]:
        """Tool calls by tool."""
        return Counter(name for c in self.consulted for name in c.tool_calls)

    def tokens(self) -> list[tuple[int, int]]:
        """(input, output) tokens of each turn the model answered."""
        return [(c.input_tokens, c.output_tokens) for c in self.consulted if c.fallback is None]

    def summary(self) -> str:
        """A few lines for a test's or a benchmark's output."""
        tokens = self.tokens()
        totals = sorted(i + o for i, o in tokens) or [0]
        inputs = [i for i, _ in tokens] or [0]
        outputs = [o for _, o in tokens] or [0]
        return "\n".join(
            [
                f"turns that asked the model: {len(self.consulted)}; answered by the model:"
                f" {self.answered} ({self.answered_share:.1%}); fallbacks: {dict(self.fallbacks) or 'none'}",
                f"tool calls: {dict(self.tools)}",
                f"tokens per answered turn (estimate, chars/4): mean {statistics.mean(totals):.0f}"
                f" (input {statistics.mean(inputs):.0f}, output {statistics.mean(outputs):.0f}),"
                f" p50 {totals[len(totals) // 2]}, p90 {totals[int(len(totals) * 0.9)]}, max {totals[-1]}",
            ]
        )


async def model_turns(nats_url: str, topology: Topology) -> ModelTurns:
    """Every `ModelConsulted` event on the topology's CONVERSATIONS stream."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        stream, seq, consulted = topology.stream_conversations.name, 0, []
        while True:
            try:
                msg = await js.get_msg(stream, seq=seq + 1, next=True)
            except NotFoundError:
                break
            seq = int(msg.seq or 0)
            event = parse_conversation_event(msg.data or b"{}")
            if isinstance(event, ModelConsulted):
                consulted.append(event)
        return ModelTurns(consulted)
    finally:
        await nc.close()


async def play_with_model(
    servers: dict[str, str], tmp: Path, model_url: str, suite: list[Path]
) -> tuple[list[Any], ModelTurns]:
    """Play scenarios against the whole system with AGENT_BRAIN=claude on the self-hosted route at
    `model_url` (SDK retries off); the results and what the model did."""
    from tests.e2e.system_support import play_scenarios

    topology = Topology(prefix=f"c{uuid.uuid4().hex[:12]}")
    env = {
        "AGENT_BRAIN": "claude",
        "MODEL_ROUTE": "self-hosted",
        "MODEL_BASE_URL": model_url,
        "MODEL_MAX_RETRIES": "0",
        "SUBJECT_PREFIX": topology.prefix,  # the run's own streams, read afterwards
    }
    results = await play_scenarios(servers, tmp, suite, extra_env=env)
    return results, await model_turns(servers["nats"], topology)
