"""/metrics answers in Prometheus' text format, reads bus figures first, and the helpers move series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from shared import metrics

pytestmark = pytest.mark.unit


def value(name: str, **labels: str) -> float:
    """A sample's current value in the process registry (0 when absent)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_route_reads_bus_figures_before_answering() -> None:
    app = FastAPI()
    reads: list[str] = []

    async def refresh() -> None:
        reads.append("read")
        metrics.DEAD_LETTERS.set(3)

    metrics.add_metrics_route(app, refresh)
    resp = TestClient(app).get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    assert reads == ["read"]
    assert "frontdesk_dead_letters 3.0" in resp.text


def test_helpers_move_their_series_by_label() -> None:
    turns = value("frontdesk_turns_total", outcome="escalated")
    sends = value("frontdesk_sms_sends_total", status="failed", reason="opted_out")
    lag = value("frontdesk_audit_append_lag_seconds_count")
    metrics.turn_finished("escalated")
    metrics.send_settled("failed", "opted_out")
    now = datetime(2026, 12, 2, tzinfo=UTC)
    metrics.audit_appended([now - timedelta(seconds=2), now + timedelta(seconds=1)], now=now)
    assert value("frontdesk_turns_total", outcome="escalated") == turns + 1
    assert value("frontdesk_sms_sends_total", status="failed", reason="opted_out") == sends + 1
    assert value("frontdesk_audit_append_lag_seconds_count") == lag + 2
    # A record stamped a little ahead of this clock counts as no lag, never a negative one.
    assert value("frontdesk_audit_append_lag_seconds_bucket", le="0.005") >= 1
