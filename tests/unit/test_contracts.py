"""Message contracts round-trip, reject bad data clearly, and ignore unknown fields on events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.contracts.escalation import EscalationRaised
from shared.contracts.sms import SendSms, SmsReceived
from shared.contracts.tools import (
    Actor,
    FindAvailability,
    SlotsHeld,
    TimePreference,
    ToolError,
    ToolReply,
)

pytestmark = pytest.mark.unit


def _sms(**over: object) -> SmsReceived:
    data: dict[str, object] = {
        "tenant_id": "demo-spa",
        "message_sid": "SM" + "0" * 32,
        "conversation_id": "cabc",
        "from_number": "+14155550100",
        "to_number": "+14155550199",
        "body": "Hi 😊",
    }
    data.update(over)
    return SmsReceived.model_validate(data)


def test_event_round_trips_through_json() -> None:
    msg = _sms()
    again = SmsReceived.model_validate_json(msg.model_dump_json())
    assert again == msg
    assert again.occurred_at.tzinfo is not None


def test_occurred_at_is_normalised_to_utc() -> None:
    local = datetime(2026, 3, 8, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert _sms(occurred_at=local).occurred_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)


def test_naive_time_is_rejected() -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        _sms(occurred_at=datetime(2026, 1, 1, 9, 0))


def test_unknown_fields_are_ignored_on_events() -> None:
    data = json.loads(_sms().model_dump_json())
    data["added_by_a_newer_producer"] = 42
    assert not hasattr(SmsReceived.model_validate(data), "added_by_a_newer_producer")


def test_events_are_frozen() -> None:
    with pytest.raises(ValidationError):
        _sms().body = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from_number", "4155550100"),
        ("tenant_id", "Demo Spa"),
        ("conversation_id", "a.b"),
        ("body", "x" * 10_001),
    ],
)
def test_bad_fields_are_rejected_with_the_field_named(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        _sms(**{field: value})
    assert field in str(err.value)


def test_send_sms_requires_an_idempotency_key() -> None:
    with pytest.raises(ValidationError, match="idempotency_key"):
        SendSms.model_validate(
            {
                "tenant_id": "demo-spa",
                "conversation_id": "c1",
                "to_number": "+14155550100",
                "body": "hi",
            }
        )


def test_time_preference_rejects_reversed_range() -> None:
    with pytest.raises(ValidationError, match="date_from is after date_to"):
        TimePreference.model_validate({"date_from": "2026-03-10", "date_to": "2026-03-01"})


def test_tool_request_round_trips() -> None:
    req = FindAvailability(
        tenant_id="demo-spa",
        actor=Actor(service="agent", conversation_id="c1"),
        service_id=uuid4(),
        preference=TimePreference(weekdays=[0], target_time="14:00"),
    )
    assert FindAvailability.model_validate_json(req.model_dump_json()) == req


def test_tool_reply_is_result_or_error_never_both() -> None:
    ok = ToolReply[SlotsHeld](ok=True, result=SlotsHeld(holds=[]))
    assert ToolReply[SlotsHeld].model_validate_json(ok.model_dump_json()).ok
    with pytest.raises(ValidationError, match="either a result"):
        ToolReply[SlotsHeld](ok=True, result=None, error=ToolError(code="slot_taken", message="x"))
    with pytest.raises(ValidationError):
        ToolError.model_validate({"code": "made_up", "message": "x"})


def test_escalation_category_is_checked() -> None:
    with pytest.raises(ValidationError, match="category"):
        EscalationRaised.model_validate({"tenant_id": "demo-spa", "category": "gossip", "reason": "x"})
