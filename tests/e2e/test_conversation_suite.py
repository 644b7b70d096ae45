"""The conversation scenario suite (tests/conversations) played against the whole system as processes:
texts in through the gateway's signed webhook, replies and escalations read from the staff inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.agent.scenarios.main import rate, report
from tests.e2e.system_support import play_scenarios

pytestmark = pytest.mark.e2e

SUITE = Path(__file__).resolve().parents[1] / "conversations"
TARGET = 0.98  # issue 10: share of scenarios the deterministic brain brings to their outcome


async def test_deterministic_brain_reaches_the_scenario_outcomes(
    servers: dict[str, str], tmp_path: Path
) -> None:
    results = await play_scenarios(servers, tmp_path, [SUITE])
    print(report(results, show=True))
    assert rate(results) >= TARGET, report(results, show=False)
