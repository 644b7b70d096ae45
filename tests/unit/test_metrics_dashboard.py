"""The Grafana dashboard queries only series frontdesk declares, and covers every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client import Counter, Gauge, Histogram

from shared import metrics

pytestmark = pytest.mark.unit

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "frontdesk.json"
SERIES = re.compile(r"\bfrontdesk_[a-z_]+")
SUFFIXES = {Counter: ("_total",), Gauge: ("",), Histogram: ("_bucket", "_count", "_sum")}


def declared() -> dict[str, set[str]]:
    """Each metric of shared.metrics by base name, with the sample names it exposes."""
    found: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        for kind, suffixes in SUFFIXES.items():
            if isinstance(value, kind):
                found[value._name] = {value._name + s for s in suffixes}
    return found


def queried() -> set[str]:
    """The frontdesk_* series the dashboard's panels query."""
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return {name for p in panels for t in p["targets"] for name in SERIES.findall(t["expr"])}


def test_dashboard_queries_only_declared_series() -> None:
    exposed = set().union(*declared().values())
    unknown = queried() - exposed
    assert not unknown, f"the dashboard queries series no service exposes: {sorted(unknown)}"


def test_every_declared_metric_has_a_panel() -> None:
    shown = queried()
    missing = [base for base, samples in declared().items() if not samples & shown]
    assert not missing, f"metrics without a dashboard panel: {missing}"
