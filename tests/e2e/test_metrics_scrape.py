"""Every service serves Prometheus metrics at /metrics, and the series an operator watches move.

The whole system runs as processes; a client books through the signed webhook and another asks for
a person, then each service's /metrics is scraped and compared with a scrape taken before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.system_support import SERVICES, System, started_system

pytestmark = pytest.mark.e2e

Sample = tuple[str, frozenset[tuple[str, str]]]


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes on a database and subject prefix of this module's own."""
    tmp: Path = tmp_path_factory.mktemp("metrics")
    async with started_system(servers["postgres"], servers["nats"], tmp) as running:
        yield running


async def scrape(system: System, service: str) -> dict[Sample, float]:
    """One service's /metrics as {(sample name, labels): value}."""
    resp = await system.http.get(system.urls[service] + "/metrics")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain"), resp.headers
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(resp.text)
        for s in family.samples
    }


def total(samples: dict[Sample, float], name: str, **labels: str) -> float:
    """The sum of a series over every label set that includes `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def has(samples: dict[Sample, float], name: str, **labels: str) -> bool:
    """The series is exposed (with at least these labels)."""
    wanted = set(labels.items())
    return any(n == name and wanted <= ls for n, ls in samples)


async def test_every_service_serves_its_series_and_they_move_with_traffic(system: System) -> None:
    before = {svc: await scrape(system, svc) for svc in SERVICES}
    kim, lee = "+14155550171", "+14155550172"
    offer = await system.say(kim, "Hi, I'm Kim. Something for my forehead lines, Monday around 2pm")
    if "Reply 1" not in offer:
        offer = await system.say(kim, "Monday around 2pm")
    assert "Reply 1" in offer, offer
    assert (await system.say(kim, "1")).startswith("You're booked"), offer
    await system.say(lee, "Can I talk to a real person please?")
    await system.alert_for(lee)

    async def after_all() -> dict[str, dict[Sample, float]] | None:
        now = {svc: await scrape(system, svc) for svc in SERVICES}
        audit_moved = total(now["audit"], "frontdesk_audit_append_lag_seconds_count") > total(
            before["audit"], "frontdesk_audit_append_lag_seconds_count"
        )
        return now if audit_moved else None

    after = await system.eventually(after_all, "audit records appended and measured")

    def moved(service: str, name: str, by: float = 1, **labels: str) -> None:
        grew = total(after[service], name, **labels) - total(before[service], name, **labels)
        assert grew >= by, f"{service} {name}{labels} grew by {grew}, expected at least {by}"

    moved("agent", "frontdesk_turns_total", 2, outcome="replied")
    moved("agent", "frontdesk_turns_total", 1, outcome="escalated")
    moved("agent", "frontdesk_tool_call_seconds_count", 3, result="ok")
    moved("agent", "frontdesk_tool_call_seconds_count", 1, tool="confirm_booking")
    moved("scheduler", "frontdesk_tool_served_seconds_count", 3, outcome="ok")
    moved("gateway", "frontdesk_sms_sends_total", 3, status="sent")
    moved("escalation", "frontdesk_escalations_total", 1, category="human_request")
    moved("audit", "frontdesk_audit_append_lag_seconds_count", 3)
    assert has(after["gateway"], "frontdesk_send_cap_hits_total")
    # Bus-side figures, read from JetStream at scrape time, for each service's own consumers.
    for service, consumer in [
        ("agent", "agent-inbound"),
        ("gateway", "gateway-outbound"),
        ("escalation", "escalation-raised"),
        ("audit", "audit-recorder"),
    ]:
        for series in (
            "frontdesk_consumer_pending_messages",
            "frontdesk_consumer_ack_pending_messages",
            "frontdesk_consumer_redelivered_messages",
        ):
            assert has(after[service], series, consumer=consumer), (service, series, consumer)
        others = {dict(ls)["consumer"] for n, ls in after[service] if n.startswith("frontdesk_consumer_")} - {
            c
            for c in {dict(ls).get("consumer", "") for _, ls in after[service]}
            if c.startswith(f"{service}-")
        }
        assert not others, f"{service} reports other services' consumers: {others}"
    for service in SERVICES:
        assert has(after[service], "frontdesk_dead_letters"), service
        assert total(after[service], "process_cpu_seconds_total") > 0, service
