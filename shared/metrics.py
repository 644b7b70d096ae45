"""Prometheus metrics: what an operator watches, served by every service at /metrics.

Each series is declared once here, so its name and labels are the same in every service and in the
Grafana dashboard (`deploy/grafana/frontdesk.json`). A service moves only the series of its own
work; the others stay absent until first used (a labelled series appears with its first label).
Consumer lag, redeliveries and dead letters are read from JetStream when /metrics is scraped, so
they are true even for a consumer whose process is stuck. Labels are small fixed sets (outcome,
tool, status, category, consumer name): never a phone number, a conversation or a tenant.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

import structlog
from fastapi import FastAPI, Response
from nats.aio.client import Client as NatsClient
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from shared.subjects import Topology

log = structlog.get_logger()

Refresh = Callable[[], Awaitable[None]]

# Seconds: a turn or tool call is milliseconds when well, seconds when a dependency is away.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

TURNS = Counter("frontdesk_turns", "Conversation turns the agent finished, by outcome", ["outcome"])
TOOL_CALL_SECONDS = Histogram(
    "frontdesk_tool_call_seconds",
    "Time from a tool request to its reply, by tool and result (ok, refused, unavailable)",
    ["tool", "result"],
    buckets=_LATENCY_BUCKETS,
)
TOOL_SERVED_SECONDS = Histogram(
    "frontdesk_tool_served_seconds",
    "Time the scheduler took to serve a tool request (audit record included), by tool and outcome",
    ["tool", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
SENDS = Counter(
    "frontdesk_sms_sends", "Outbound texts settled by the gateway, by status and reason", ["status", "reason"]
)
CAP_HITS = Counter("frontdesk_send_cap_hits", "Texts held back because the spa's daily send cap was reached")
ESCALATIONS = Counter(
    "frontdesk_escalations", "Escalations stored (handoffs to staff), by category", ["category"]
)
CONSUMER_PENDING = Gauge(
    "frontdesk_consumer_pending_messages",
    "Messages in a stream not yet delivered to a consumer",
    ["consumer"],
)
CONSUMER_ACK_PENDING = Gauge(
    "frontdesk_consumer_ack_pending_messages",
    "Messages delivered to a consumer and not yet acked",
    ["consumer"],
)
CONSUMER_REDELIVERED = Gauge(
    "frontdesk_consumer_redelivered_messages",
    "Messages a consumer holds that were delivered more than once",
    ["consumer"],
)
DEAD_LETTERS = Gauge("frontdesk_dead_letters", "Messages parked on the dead-letter stream for staff")
AUDIT_APPEND_LAG = Histogram(
    "frontdesk_audit_append_lag_seconds",
    "Time from an audited tool call (the record's occurred_at) to its append to the hash-chained log",
    buckets=_LATENCY_BUCKETS,
)


def turn_finished(outcome: str) -> None:
    """A turn ended: replied, escalated, paused, failed, ..."""
    TURNS.labels(outcome=outcome).inc()


def tool_called(tool: str, result: str, started: float) -> None:
    """A tool call returned (or failed) `started` (time.perf_counter()) seconds ago."""
    TOOL_CALL_SECONDS.labels(tool=tool, result=result).observe(time.perf_counter() - started)


def tool_served(tool: str, outcome: str, seconds: float) -> None:
    """The scheduler answered a tool request (ok or a refusal's code) in `seconds`."""
    TOOL_SERVED_SECONDS.labels(tool=tool, outcome=outcome).observe(seconds)


def send_settled(status: str, reason: str = "") -> None:
    """An outbound text was sent, failed for `reason`, or deferred."""
    SENDS.labels(status=status, reason=reason).inc()


def escalation_stored(category: str) -> None:
    """An escalation was stored for staff."""
    ESCALATIONS.labels(category=category).inc()


def audit_appended(published: Iterable[datetime], now: datetime | None = None) -> None:
    """Audit records published at these times are now in the log."""
    now = now or datetime.now(UTC)
    for at in published:
        AUDIT_APPEND_LAG.observe(max(0.0, (now - at).total_seconds()))


def jetstream_refresh(client: Callable[[], NatsClient | None], topology: Topology, service: str) -> Refresh:
    """Reads the lag and redeliveries of this service's durable consumers (`<service>-...`), and
    the dead-letter stream's size, from JetStream."""
    streams = [s.name for s in topology.streams()]

    async def refresh() -> None:
        nc = client()
        if nc is None or not nc.is_connected:
            return  # not connected (yet): the last values stay, the scrape still answers
        js = nc.jetstream()
        for stream in streams:
            try:
                async with asyncio.timeout(1.0):
                    consumers = await js.consumers_info(stream)
            except Exception as exc:  # the bus is away: the last values stay, the scrape still answers
                log.debug("metrics.consumers_unread", stream=stream, error=type(exc).__name__)
                continue
            for info in consumers:
                if not (info.name or "").startswith(f"{service}-"):
                    continue
                CONSUMER_PENDING.labels(consumer=info.name).set(info.num_pending or 0)
                CONSUMER_ACK_PENDING.labels(consumer=info.name).set(info.num_ack_pending or 0)
                CONSUMER_REDELIVERED.labels(consumer=info.name).set(info.num_redelivered or 0)
        try:
            async with asyncio.timeout(1.0):
                dead = await js.stream_info(topology.stream_deadletters.name)
            DEAD_LETTERS.set(dead.state.messages)
        except Exception as exc:
            log.debug("metrics.deadletters_unread", error=type(exc).__name__)

    return refresh


def add_metrics_route(app: FastAPI, refresh: Refresh | None = None) -> None:
    """Mount /metrics (Prometheus text format); `refresh` reads bus-side figures first."""

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        if refresh is not None:
            await refresh()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
