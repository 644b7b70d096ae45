"""The conversation scenario suite with AGENT_BRAIN=claude and a model route that always fails (529):
every turn falls back to the deterministic brain, so the suite must reach the same floor, and every
turn the guard let through must have recorded its fallback. The fake Messages API runs in this test's
process; the agent process reaches it through the real anthropic SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.agent.scenarios.main import rate, report
from tests.e2e.system_support import play_scenarios
from tests.e2e.test_conversation_suite import SUITE, TARGET
from tests.support.fake_anthropic import Failure, FakeAnthropic

# The whole suite as processes on two shared cores: longer than the default per-test timeout.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


async def test_the_suite_holds_its_floor_when_the_model_route_fails_every_call(
    servers: dict[str, str], tmp_path: Path
) -> None:
    fake = await FakeAnthropic(default=Failure(529)).start()
    env = {
        "AGENT_BRAIN": "claude",
        "MODEL_ROUTE": "self-hosted",
        "MODEL_BASE_URL": fake.base_url,
        "MODEL_MAX_RETRIES": "0",
    }
    try:
        results = await play_scenarios(servers, tmp_path, [SUITE], extra_env=env)
    finally:
        await fake.stop()
    print(report(results, show=True))
    assert len(fake.requests) >= len(results), "the agent asked the model (and fell back) on its turns"
    assert rate(results) >= TARGET, report(results, show=False)
