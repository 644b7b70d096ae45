"""The AsyncAPI document of the bus is generated from the code and covers every service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.asyncapi import build_document

pytestmark = pytest.mark.unit


def test_asyncapi_documents_every_service_and_every_tool() -> None:
    doc = build_document()
    assert str(doc["asyncapi"]).startswith("3.")
    channels = set(doc["channels"])  # type: ignore[arg-type]
    for tool in (
        "match_service", "find_availability", "hold_slots", "confirm_booking", "release_holds",
        "client_benefits", "lookup_or_create_client", "spa_profile",
    ):
        assert f"scheduler.{tool}" in channels
    assert "agent-inbound" in channels
    assert "escalation-raised" in channels
    assert "audit-recorder" in channels
    assert any(c.startswith("frontdesk.sms.outbound") for c in channels)
    schemas = doc["components"]["schemas"]  # type: ignore[index]
    assert "SmsReceived" in schemas and "FindAvailability" in schemas


def test_the_committed_document_is_the_one_the_code_generates() -> None:
    """docs/asyncapi.json is what `make asyncapi` writes today: a contract change regenerates it."""
    committed = json.loads((Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json").read_text())
    assert committed == build_document(), "docs/asyncapi.json is stale: run `make asyncapi`"
