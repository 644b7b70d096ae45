"""The Claude brain with the real agent and scheduler on real NATS and PostgreSQL, and a fake Messages
API played through the real anthropic SDK: bookings by tool use, the guards around the model, the
fallback to the deterministic brain, and the server-side binding of the client."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.js.errors import NotFoundError

from services.agent.claude.routes import make_client
from services.agent.claude.tools_schema import tool_definitions
from services.agent.domain import MAX_REPLY_CHARS
from services.agent.settings import AgentSettings
from shared.contracts.audit import AuditRecorded
from shared.contracts.conversation import (
    BookingConfirmed,
    ModelConsulted,
    PreferenceUnderstood,
    ServiceMatched,
    SlotsProposed,
)
from shared.subjects import Topology
from tests.integration.agent_harness import Phone, System
from tests.support.fake_anthropic import Failure, FakeAnthropic, text, tool, tool_results

pytestmark = pytest.mark.integration

NEW = "+14155550170"
BEN = "+14155550102"  # demo spa client: 2 HydraFacial sessions left
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PHONE_RE = re.compile(r"\+1\d{10}")
CLIENT_NAMES = ("Ava", "Ben", "Chloe")
DISCLOSURE = "Hi! This is Glow Med Spa's automated assistant."  # a conversation's first reply opens so


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    """The fake Messages API on a free local port."""
    server = await FakeAnthropic().start()
    yield server
    await server.stop()


async def _start(
    nats_url: str, database_url: str, topology: Topology, fake: FakeAnthropic, **extra: Any
) -> System:
    system = System(nats_url, database_url, topology)
    settings: dict[str, Any] = {
        "brain": "claude",
        "model_route": "self-hosted",
        "model_base_url": fake.base_url,
        "model_max_retries": 0,
        **extra,
    }
    await system.start(**settings)
    return system


@pytest.fixture
async def claude(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> AsyncIterator[System]:
    """The scheduler (demo spa) and one agent with AGENT_BRAIN=claude on the fake."""
    system = await _start(nats_url, database_url, topology, fake)
    yield system
    await system.stop()


async def _audit_records(phone: Phone, action: str, count: int = 1) -> list[AuditRecorded]:
    """The audit records of one tool on the AUDIT stream (polled: read-only calls are batched)."""
    stream = phone.topology.stream_audit.name
    async with asyncio.timeout(10):
        while True:
            records, seq = [], 0
            while True:
                try:
                    msg = await phone.js.get_msg(stream, seq=seq + 1, next=True)
                except NotFoundError:
                    break
                seq = int(msg.seq or 0)
                record = AuditRecorded.model_validate_json(msg.data or b"{}")
                if record.action == action:
                    records.append(record)
            if len(records) >= count:
                return records
            await asyncio.sleep(0.05)


async def _consulted(phone: Phone, number: str, turns: int) -> list[ModelConsulted]:
    events = await phone.wait_for_turns(number, turns)
    return [e for e in events if isinstance(e, ModelConsulted)]


def _offer(body: dict[str, Any]) -> dict[str, Any]:
    held = tool_results(body)[0]["result"]["held"]
    labels = " or ".join(f"{h['number']}) {h['label']}" for h in held)
    return text(f"I can hold {labels}. Reply with the number you'd like.")


def _say_suggested(body: dict[str, Any]) -> dict[str, Any]:
    return text(tool_results(body)[0]["result"]["suggested_reply"])


async def test_the_model_books_by_calling_tools_in_sequence(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    fake.play(
        tool(
            "find_availability",
            {"service_name": "HydraFacial", "preference": {"weekdays": [1], "part_of_day": "afternoon"}},
        ),
        tool("hold_options", {}),
        _offer,
    )
    first = await phone.say(NEW, "hi can i get a hydrafacial next tuesday afternoon?")
    assert first.startswith(f"{DISCLOSURE} I can hold 1) "), first
    held = tool_results(fake.requests[2].body)[0]["result"]["held"]
    starts = [h["option"]["start"] for h in held]
    assert starts == sorted(starts) and [h["number"] for h in held] == list(range(1, len(held) + 1))
    for h in held:  # each number's label names its own option
        assert h["label"].endswith(f"with {h['option']['provider_first_name']}"), held
        assert h["option"]["local_label"].rsplit(" at ", 1)[-1] in h["label"], held
    fake.play(tool("confirm_choice", {"option_number": 2}), _say_suggested)
    second = await phone.say(NEW, "2 please")
    assert second.startswith("You're booked: HydraFacial on "), second
    events = await phone.wait_for_turns(NEW, 2)
    kinds = [type(e) for e in events]
    assert ServiceMatched in kinds and PreferenceUnderstood in kinds and SlotsProposed in kinds
    booked = [e for e in events if isinstance(e, BookingConfirmed)]
    offered = [e for e in events if isinstance(e, SlotsProposed)][-1]
    assert len(booked) == 1 and booked[0].hold_id == offered.options[1].hold_id
    assert booked[0].price_cents > 0, "the revenue summary counts it"
    consulted = [e for e in events if isinstance(e, ModelConsulted)]
    assert [c.fallback for c in consulted] == [None, None]
    assert consulted[0].tool_calls == ["find_availability", "hold_options"]
    assert consulted[1].tool_calls == ["confirm_choice"] and consulted[1].input_tokens > 0
    wire = json.dumps(fake.messages_requests())
    assert not UUID_RE.search(wire), "no id ever reaches the model"
    assert NEW not in wire and not PHONE_RE.search(wire)
    found, confirmed = (
        await _audit_records(phone, "find_availability"),
        await _audit_records(phone, "confirm_booking"),
    )
    assert found[0].arguments["via"] == "model" and confirmed[0].arguments["via"] == "model"
    assert "options.provider_first_name" in found[0].disclosed_fields
    assert not [f for f in found[0].disclosed_fields if f.endswith("_id")], "ids never reach the model"
    assert (
        "booking_id" not in confirmed[0].disclosed_fields and "service_name" in confirmed[0].disclosed_fields
    )
    identified = await _audit_records(phone, "lookup_or_create_client")
    assert "via" not in identified[0].arguments, "the server's own calls are not the model's"
    last = fake.requests[-1].body
    assert "hi can i get a hydrafacial" in json.dumps(last["messages"]), (
        "the conversation's history goes along"
    )
    assert [t["name"] for t in last["tools"]] == [t["name"] for t in tool_definitions()]


async def test_the_system_prompt_holds_nothing_of_clients_packages_or_bookings(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    # Ben (a client with a package) books through the model first; then a new client texts.
    fake.play(
        tool("find_availability", {"service_name": "HydraFacial", "preference": {"asap": True}}),
        tool("hold_options", {"option_numbers": [1]}),
        _offer,
        tool("confirm_choice", {"option_number": 1}),
        _say_suggested,
    )
    await phone.say(BEN, "hydrafacial asap please")
    await phone.say(BEN, "1")
    booking = next(e for e in await phone.events(BEN) if isinstance(e, BookingConfirmed))
    fake.play(text("Hi! How can I help?"))
    await phone.say(NEW, "hello")
    systems = {r.body["system"] for r in fake.requests}
    assert len(systems) >= 1
    for prompt in systems:
        assert "Glow Med Spa" in prompt and "HydraFacial" in prompt, "the public profile is there"
        for name in CLIENT_NAMES:
            assert not re.search(rf"\b{name}\b", prompt), name
        assert not PHONE_RE.search(prompt) and not UUID_RE.search(prompt)
        assert booking.local_label not in prompt and booking.start.isoformat() not in prompt
        for package in ("HydraFacial, 3 sessions", "Laser Hair Removal, 6 sessions", "sessions_remaining"):
            assert package not in prompt, "no client's package or balance"


async def test_a_clinical_text_is_escalated_before_the_model_sees_it(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    await phone.text(NEW, "is botox safe while im pregnant?")
    raised = await phone.escalation()
    assert raised.category == "medical"
    await phone.wait_for_turns(NEW, 1)
    assert fake.requests == [], "the guard decided: no request reached the model"


async def test_a_clinical_reply_from_the_model_is_blocked_and_escalated(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    fake.play(text("For your migraines take 20 units of Botox and 400 mg ibuprofen."))
    await phone.text(NEW, "hi, I'd like to book something for my forehead")
    raised = await phone.escalation()
    assert raised.category == "blocked_reply"
    await phone.wait_for_turns(NEW, 1)
    assert await phone.outbound_count(NEW) == 0


async def test_an_overlong_reply_falls_back_to_the_deterministic_brain(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    fake.play(text("We would love to see you! " * 30))
    reply = await phone.say(NEW, "Hi! I'd like something for my forehead lines")
    assert len(reply) <= MAX_REPLY_CHARS and "Neurotoxin Consultation" in reply, reply
    assert [c.fallback for c in await _consulted(phone, NEW, 1)] == ["overlong"]


@pytest.mark.parametrize(("status", "reason"), [(529, "overloaded"), (429, "rate_limited"), (500, "error")])
async def test_an_api_failure_falls_back_and_is_recorded(
    claude: System, phone: Phone, fake: FakeAnthropic, status: int, reason: str
) -> None:
    fake.play(Failure(status))
    reply = await phone.say(NEW, "Hi! I'd like something for my forehead lines")
    assert "Neurotoxin Consultation" in reply, "the deterministic brain answered"
    assert [c.fallback for c in await _consulted(phone, NEW, 1)] == [reason]
    assert len(fake.requests) == 1


async def test_a_529_is_retried_by_the_sdk_when_retries_are_set(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> None:
    system = await _start(nats_url, database_url, topology, fake, model_max_retries=1)
    try:
        fake.play(Failure(529, retry_after_ms=20), text("What would you like to book?"))
        assert await phone.say(NEW, "hello") == f"{DISCLOSURE} What would you like to book?"
        assert [c.fallback for c in await _consulted(phone, NEW, 1)] == [None]
        assert len(fake.requests) == 2
    finally:
        await system.stop()


async def test_a_tool_loop_beyond_the_cap_falls_back(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> None:
    system = await _start(nats_url, database_url, topology, fake, model_tool_calls_per_turn=3)
    try:
        fake.default = lambda body: tool("spa_profile", {})
        reply = await phone.say(NEW, "Hi! I'd like something for my forehead lines")
        assert "Neurotoxin Consultation" in reply
        consulted = await _consulted(phone, NEW, 1)
        assert [c.fallback for c in consulted] == ["tool_cap"] and consulted[0].tool_calls == [
            "spa_profile"
        ] * 3
        assert len(fake.requests) == 4
    finally:
        await system.stop()


async def test_a_tool_call_for_another_clients_phone_is_rejected_and_recorded(
    claude: System, phone: Phone, fake: FakeAnthropic
) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        result = tool_results(body)[0]
        assert result["is_error"] and "only for the client who is texting" in result["result"]["error"]
        return text("I can only help with your own account.")

    fake.play(tool("read_benefits", {"phone": BEN}), answer)
    reply = await phone.say(NEW, "what's the package balance on 415-555-0102? it's my husband's")
    assert reply == f"{DISCLOSURE} I can only help with your own account."
    consulted = await _consulted(phone, NEW, 1)
    assert consulted[0].rejected_calls == ["read_benefits:extra_argument"]
    assert "HydraFacial, 3 sessions" not in json.dumps(fake.messages_requests())


async def test_the_token_cap_per_conversation_falls_back_before_asking(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> None:
    system = await _start(nats_url, database_url, topology, fake, model_tokens_per_conversation_day=1000)
    try:
        fake.play(text("Hi! " + "What would you like to book? " * 2))
        fake.default = lambda body: text("Hi again")
        await phone.say(NEW, "hello " + "there " * 150)  # a long text: over a thousand tokens
        asked = len(fake.requests)
        reply = await phone.say(NEW, "Hi! I'd like something for my forehead lines")
        assert "Neurotoxin Consultation" in reply
        consulted = await _consulted(phone, NEW, 2)
        assert consulted[-1].fallback == "token_cap" and len(fake.requests) == asked
    finally:
        await system.stop()


@pytest.mark.parametrize(
    ("route", "settings", "path"),
    [
        (
            "bedrock",
            {"aws_region": "us-west-2", "aws_bearer_token": "bedrock-key"},
            "/model/claude-sonnet-4-5/invoke",
        ),
        (
            "vertex",
            {"gcp_project": "spa-prod", "gcp_region": "us-east5", "gcp_access_token": "ya29.token"},
            "/v1/projects/spa-prod/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:rawPredict",
        ),
    ],
)
async def test_cloud_route_clients_built_from_settings_send_the_clouds_request_shape(
    fake: FakeAnthropic, route: str, settings: dict[str, Any], path: str
) -> None:
    base = fake.base_url + ("/v1" if route == "vertex" else "")
    client = make_client(
        AgentSettings(model_route=route, model_base_url=base, model_max_retries=0, **settings)
    )
    fake.play(text("ok"))
    response = await client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=64,
        system="s",
        tools=tool_definitions(),  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "hi"}],
    )
    assert response.content[0].text == "ok"  # type: ignore[union-attr]
    sent = fake.requests[-1]
    assert sent.path == path
    # The cloud routes name the model in the path and the API version in the body (its value is the SDK's).
    assert sent.body["anthropic_version"] and "model" not in sent.body
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert {t["name"] for t in sent.body["tools"]} >= {"find_availability", "hand_off"}


async def test_a_model_that_does_not_answer_in_time_falls_back(
    nats_url: str, database_url: str, topology: Topology, phone: Phone, fake: FakeAnthropic
) -> None:
    system = await _start(nats_url, database_url, topology, fake, model_timeout_seconds=0.3)
    try:
        fake.delay_seconds = 1.0
        fake.play(text("too late"))
        reply = await phone.say(NEW, "Hi! I'd like something for my forehead lines")
        assert "Neurotoxin Consultation" in reply and reply != "too late"
        assert [c.fallback for c in await _consulted(phone, NEW, 1)] == ["timeout"]
    finally:
        await system.stop()
