"""The conversation scenario suite (tests/conversations) played against the whole system as processes:
texts in through the gateway's signed webhook, replies and escalations read from the staff inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.agent.scenarios.main import rate, report, run_suite
from services.agent.scenarios.play import Target
from services.agent.scenarios.spa import read_spa
from services.agent.scenarios.spec import load
from tests.e2e.system_support import ACCOUNT_SID, AUTH_TOKEN, started_system

pytestmark = pytest.mark.e2e

SUITE = Path(__file__).resolve().parents[1] / "conversations"
TARGET = 0.98  # issue 10: share of scenarios the deterministic brain brings to their outcome


async def test_deterministic_brain_reaches_the_scenario_outcomes(
    servers: dict[str, str], tmp_path: Path
) -> None:
    scenarios = load([SUITE])
    async with started_system(servers["postgres"], servers["nats"], tmp_path) as system:
        target = Target(
            gateway=system.urls["gateway"],
            inbox=system.urls["escalation"],
            auth_token=AUTH_TOKEN,
            account_sid=ACCOUNT_SID,
            spa=read_spa(tmp_path / "spas" / "glow-medspa.yaml"),
            settle=0.7,
            poll=0.15,
        )
        results = await run_suite(scenarios, target, concurrency=8, fresh=False)
    print(report(results, show=True))
    assert len(results) == len(scenarios)
    assert rate(results) >= TARGET, report(results, show=False)
