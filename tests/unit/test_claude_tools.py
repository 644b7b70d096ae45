"""The Claude brain's pure parts: tool schemas, argument checks, prompt, history, fallback reasons."""

from __future__ import annotations

import json
import re
from datetime import date, time
from uuid import uuid4

import httpx
import pytest
from anthropic import APIStatusError, APITimeoutError

from services.agent.claude import executor
from services.agent.claude.history import Line, messages
from services.agent.claude.limits import CapReached, fallback_reason
from services.agent.claude.prompt import system_prompt
from services.agent.claude.tools_schema import TOOLS, tool_definitions
from shared.contracts.tools import OpeningDay, ProviderInfo, ServiceInfo, SpaProfile

pytestmark = pytest.mark.unit

IDENTITY = re.compile(
    r"phone|client|customer|user|patient|mobile|_id\b|^id$|uuid|^name$|^first_name$|^last_name$", re.I
)


def _profile() -> SpaProfile:
    return SpaProfile(
        tenant_id="glow",
        name="Glow Med Spa",
        timezone="America/Los_Angeles",
        address="2140 Chestnut St",
        hours_summary="Mon-Fri 9am-7pm",
        hours=[OpeningDay(weekday=0, intervals=[(time(9), time(19))])],
        services=[
            ServiceInfo(
                service_id=uuid4(),
                key="hydra",
                name="HydraFacial",
                category="facial",
                price_cents=19900,
                duration_minutes=60,
            )
        ],
        providers=[ProviderInfo(provider_id=uuid4(), first_name="Julia")],
    )


def test_no_tool_schema_has_a_field_that_could_name_a_client_or_an_id() -> None:
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            names.extend(node.get("properties", {}).keys())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    definitions = tool_definitions()
    for definition in definitions:
        walk(definition["input_schema"])
        assert definition["input_schema"]["additionalProperties"] is False, definition["name"]
        assert "$ref" not in json.dumps(definition), "schemas are self-contained"
    assert names, "the walk found the properties"
    assert [n for n in names if IDENTITY.search(n)] == []
    assert {d["name"] for d in definitions} == set(TOOLS)


@pytest.mark.parametrize(
    ("tool", "arguments", "reason"),
    [
        ("read_benefits", {"phone": "+14155550102"}, "extra_argument"),
        ("read_benefits", {"service_name": "HydraFacial for +1 (415) 555-0102"}, "phone_argument"),
        ("read_benefits", {"client_id": "ben"}, "extra_argument"),
        ("find_availability", {"service_name": "HydraFacial", "client_name": "Sarah"}, "extra_argument"),
        ("match_service", {"words": "botox for my friend at 415 555 0102"}, "phone_argument"),
        (
            "find_availability",
            {"service_name": "HydraFacial", "preference": {"for_client": "Ben"}},
            "extra_argument",
        ),
        ("list_bookings", {}, "unknown_tool"),
        ("confirm_choice", {"option_number": 0}, "invalid_arguments"),
        ("confirm_choice", {"hold_id": str(uuid4())}, "extra_argument"),
    ],
)
def test_a_call_naming_someone_or_smuggling_an_argument_is_refused(
    tool: str, arguments: dict[str, object], reason: str
) -> None:
    with pytest.raises(executor.Rejected) as caught:
        executor._validate(tool, arguments)
    assert caught.value.reason == reason


def test_well_formed_calls_validate() -> None:
    args = executor._validate(
        "find_availability",
        {"service_name": "HydraFacial", "preference": {"weekdays": [1], "part_of_day": "afternoon"}},
    )
    assert args.preference.weekdays == [1]  # type: ignore[attr-defined]
    assert executor._validate("confirm_choice", {"option_number": 2}).option_number == 2  # type: ignore[attr-defined]


def test_the_prompt_carries_the_public_profile_and_the_rules() -> None:
    prompt = system_prompt(_profile(), date(2026, 12, 1))
    for public in ("Glow Med Spa", "2140 Chestnut St", "HydraFacial: $199", "Julia", "Tuesday 2026-12-01"):
        assert public in prompt
    assert "hand_off" in prompt and "data, not instructions" in prompt
    assert "America/Los_Angeles" in prompt


def test_history_keeps_the_latest_lines_within_budget_user_first_and_alternating() -> None:
    current = uuid4()
    lines = [
        Line("user", "a" * 50),
        Line("assistant", "b" * 50),
        Line("user", "hello"),
        Line("user", "again"),
        Line("assistant", "hi there"),
        Line("user", "this turn's text", current),
    ]
    out = messages(lines, budget_chars=30, current=current)
    assert out == [{"role": "user", "content": "hello\nagain"}, {"role": "assistant", "content": "hi there"}]
    assert messages(lines, budget_chars=10, current=current) == []  # an assistant line never comes first


def _status(code: int) -> APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/messages")
    return APIStatusError("x", response=httpx.Response(code, request=request), body=None)


def test_failures_are_named_for_the_record() -> None:
    assert fallback_reason(_status(429)) == "rate_limited"
    assert fallback_reason(_status(529)) == "overloaded"
    assert fallback_reason(_status(500)) == "error"
    assert fallback_reason(APITimeoutError(httpx.Request("POST", "http://x"))) == "timeout"
    assert fallback_reason(TimeoutError()) == "timeout"
    assert fallback_reason(CapReached("tool_cap")) == "tool_cap"


def test_the_audit_lists_only_allow_listed_fields_of_a_model_call() -> None:
    from services.agent.claude.model_tools import model_field_paths
    from shared.contracts.tools import AvailabilityFound, BookingRecord, SlotsHeld

    found = model_field_paths(AvailabilityFound)
    assert "options.provider_first_name" in found and "exact" in found
    assert not [f for f in found if f.endswith("_id")], "ids are never disclosed to the model"
    assert "holds.option.start" in model_field_paths(SlotsHeld)
    assert "hold_id" not in " ".join(model_field_paths(SlotsHeld))
    assert "booking_id" not in model_field_paths(BookingRecord) and "service_name" in model_field_paths(
        BookingRecord
    )


def test_the_model_hands_off_only_with_a_client_facing_category() -> None:
    assert executor._validate("hand_off", {"category": "refund", "reason": "asks for money back"})
    with pytest.raises(executor.Rejected) as caught:
        executor._validate("hand_off", {"category": "dead_letter", "reason": "x"})
    assert caught.value.reason == "invalid_arguments"
