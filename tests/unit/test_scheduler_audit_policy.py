"""What the scheduler's audit records may say about a request: every tool described, no number, no name."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.scheduler.handlers import USE_CASES, audit_arguments
from services.scheduler.handlers.audit_policy import ARGUMENTS
from shared.contracts.desk import DESK_TOOLS, SCHEDULER_TOOLS, BookForClient, GetCalendar, WalkInClient
from shared.contracts.tools import Actor, GetSpaProfile

pytestmark = pytest.mark.unit

STAFF = Actor(service="escalation", staff_user="u-1")
START = datetime(2026, 12, 9, 15, tzinfo=UTC)


def test_every_tool_is_served_and_every_request_with_arguments_is_described() -> None:
    assert set(USE_CASES) == set(SCHEDULER_TOOLS)
    undescribed = {request for request, _ in SCHEDULER_TOOLS.values() if request not in ARGUMENTS}
    assert undescribed == {GetSpaProfile}  # it has no arguments
    assert {request for request, _ in DESK_TOOLS.values()} <= set(ARGUMENTS)


@pytest.mark.parametrize(
    "client",
    [WalkInClient(phone="+12125550177", name="Priscilla"), WalkInClient(name="Priscilla")],
)
def test_a_client_named_by_staff_is_recorded_without_number_or_name(client: WalkInClient) -> None:
    request = BookForClient(
        tenant_id="desk-spa", actor=STAFF, service_id=uuid4(), provider_id=uuid4(), start=START, client=client
    )
    arguments = audit_arguments("book_for_client", request, "key")
    dump = json.dumps(arguments)
    assert "5550177" not in dump and "Priscilla" not in dump
    assert ("client_ref" in arguments) == (client.phone is not None)
    assert arguments["start"] == START.isoformat()


def test_a_calendar_request_is_recorded_with_its_range() -> None:
    request = GetCalendar(tenant_id="desk-spa", actor=STAFF, date_from=date(2026, 12, 7))
    assert audit_arguments("calendar", request, "key") == {
        "date_from": "2026-12-07",
        "date_to": "2026-12-07",
        "providers": [],
    }
