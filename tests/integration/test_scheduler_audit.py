"""Every served tool call leaves exactly one audit record, failed and invalid ones included."""

from __future__ import annotations

import json
from collections import Counter
from uuid import uuid4

import pytest

from shared.contracts.tools import ConfirmBooking, FindAvailability, GetSpaProfile, LookupOrCreateClient
from shared.ids import client_ref
from shared.subjects import Topology
from tests.integration.scheduler_support import AGENT, ID_KEY, audit_records, running_scheduler

pytestmark = pytest.mark.integration

DEMO = "glow-medspa"
PHONE = "+14155550177"


async def test_every_served_request_leaves_exactly_one_audit_record(
    nats_url: str, database_url: str, topology: Topology
) -> None:
    async with running_scheduler(nats_url, database_url, topology) as h:
        typed = [
            ("spa_profile", GetSpaProfile(tenant_id=DEMO, actor=AGENT), "ok"),
            ("lookup_or_create_client", LookupOrCreateClient(tenant_id=DEMO, actor=AGENT, phone=PHONE), "ok"),
            (
                "find_availability",
                FindAvailability(tenant_id=DEMO, actor=AGENT, service_id=uuid4()),
                "service_not_found",
            ),
            ("confirm_booking", ConfirmBooking(tenant_id=DEMO, actor=AGENT, hold_id=uuid4()), "not_found"),
            ("spa_profile", GetSpaProfile(tenant_id="nowhere-spa", actor=AGENT), "not_found"),
        ]
        for name, request, outcome in typed:
            reply = await h.call(name, request)
            assert (reply.error.code if reply.error else "ok") == outcome
        malformed = [
            (
                "hold_slots",
                b'{"tenant_id": "glow-medspa", "actor": {"service": "agent"}, "options": []}',
                "options",
            ),
            ("match_service", b"not json at all", "body"),
        ]
        for name, body, field in malformed:
            reply_data = await h.call_raw(name, body)
            assert reply_data["error"]["code"] == "invalid_request"
            assert reply_data["error"]["field"] == field or field == "body"
        expected = len(typed) + len(malformed)
        relay = h.ctx.extras["relay"]
        await relay.flush()  # type: ignore[attr-defined]
        records = await audit_records(h.js, topology, expected)
        assert len(records) == expected
        by_correlation = Counter(r["correlation_id"] for r in records)
        for _, request, _ in typed:
            assert by_correlation[str(request.correlation_id)] == 1
        outcomes = Counter((r["action"], r["outcome"]) for r in records)
        assert outcomes == Counter(
            [(n, o) for n, _, o in typed]
            + [("hold_slots", "invalid_request"), ("match_service", "invalid_request")]
        )
        lookup = next(r for r in records if r["action"] == "lookup_or_create_client")
        assert lookup["actor"]["client_ref"] == client_ref(ID_KEY, DEMO, PHONE)
        assert lookup["actor"]["conversation_id"] == AGENT.conversation_id
        assert lookup["disclosed_fields"] == ["client_id", "is_new"]
        assert all(r["latency_ms"] >= 0 for r in records)
        # Never the number in clear, in any form.
        dump = json.dumps(records)
        assert "5550177" not in dump and "555-0177" not in dump
