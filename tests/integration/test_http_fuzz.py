"""No HTTP API of any service answers 5xx, whatever it is sent (bounded fuzz from each OpenAPI).

Each service runs in-process on the session's real NATS and PostgreSQL; hypothesis draws requests for
every operation its OpenAPI lists (odd text, NUL and other control characters, non-ASCII digits,
booleans where numbers go, numbers past 64 bits), signed in where the API needs it. A few seconds
per API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import strategies as st

from services.audit import handlers
from services.audit.domain import prepare
from services.escalation.app import build as build_escalation
from services.escalation.settings import EscalationSettings
from shared.runtime import start_context, stop_context
from shared.subjects import Topology
from tests.integration.agent_harness import System
from tests.integration.audit_fixtures import RunningAudit, audit, audit_record
from tests.support.gateway_harness import (
    BASE,
    SPA_ID,
    SPA_NUMBER,
    gateway_settings,
    running_gateway,
    signed,
    write_spa,
)
from tests.support.http_fuzz import (
    FuzzRequest,
    SkipRule,
    answers,
    api_requests,
    control_character_requests,
    draw,
    in_process,
    server_errors,
    texts,
)
from tests.support.staff_accounts import create_staff, sign_in

pytestmark = pytest.mark.integration
__all__ = ["audit"]

PER_OPERATION = 15
# Seconds of requests per API (drawn requests beyond it are not sent).
BUDGET = 4.0
CLIENT = "+14155550123"


async def _not_refused(
    client: httpx.AsyncClient, openapi: dict[str, Any], known: dict[str, Any], headers: dict[str, str],
    skip: SkipRule = lambda _m, _p: False,
) -> list[tuple[int, str]]:  # fmt: skip
    """Requests with a control character in one parameter that were not answered 400."""
    requests = control_character_requests(openapi, known=known, headers=headers, skip=skip)
    assert requests, "the API lists no parameters"
    return [(status, what) for status, what in await answers(client, requests) if status != 400]


def _streams(_method: str, path: str) -> bool:
    """Server-sent event streams stay open by design: not fuzzed here."""
    return path.endswith(("/stream", "/events"))


async def test_the_compliance_api_never_answers_5xx(audit: RunningAudit) -> None:
    state = audit.ctx.extras["state"]  # type: ignore[attr-defined]
    rows = [prepare(audit_record(), now=datetime.now(UTC)) for _ in range(3)]
    await handlers.append_records(
        audit.pool, rows, writer_role=audit.settings.audit_writer_role, partitions=state.partitions
    )
    token = await handlers.create_token(audit.pool, "fuzzer", None)
    openapi, known = audit.ctx.http.openapi(), {"spa": "glow-medspa", "format": "csv"}
    auth = {"Authorization": f"Bearer {token}"}
    requests = api_requests(openapi, per_operation=PER_OPERATION, known=known, headers=auth)
    async with in_process(audit.ctx.http) as client:
        failures = await server_errors(client, requests, budget_seconds=BUDGET)
        not_refused = await _not_refused(client, openapi, known, auth)
    assert failures == []
    assert not_refused == []


def _twilio_forms(count: int) -> list[FuzzRequest]:
    """Signed webhook forms with fuzzed fields: the signature holds, so the parsing behind it runs."""
    known = {"To": SPA_NUMBER, "From": CLIENT, "MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    fields = ("From", "To", "Body", "MessageSid", "NumMedia", "MediaUrl0", "ErrorCode", "MessageStatus")
    form = st.fixed_dictionaries(
        {}, optional={f: st.one_of(st.just(known[f]), texts()) if f in known else texts() for f in fields}
    )
    drawn = draw(st.tuples(st.sampled_from(["/twilio/sms", "/twilio/status"]), form), count)
    return [FuzzRequest("POST", path, data=data, headers=signed(BASE + path, data)) for path, data in drawn]


async def test_the_gateway_never_answers_5xx(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> None:
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    settings = gateway_settings(nats_url, database_url, topology, tmp_path, public_base_url=BASE)
    async with running_gateway(settings) as gw:
        openapi, known = gw.ctx.http.openapi(), {"spa_id": SPA_ID, "number": CLIENT, "from_number": CLIENT}
        admin = {"Authorization": "Bearer admin-secret"}
        requests = api_requests(
            openapi, per_operation=PER_OPERATION, known=known, headers=admin, skip=_streams
        )
        requests += _twilio_forms(4 * PER_OPERATION)
        async with in_process(gw.ctx.http, host="testserver") as client:
            failures = await server_errors(client, requests, budget_seconds=2 * BUDGET)
            not_refused = await _not_refused(client, openapi, known, admin, _streams)
    assert failures == []
    assert not_refused == []


async def test_the_staff_inbox_never_answers_5xx(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> None:
    spa = tmp_path / "spa.yaml"
    spa.write_text("id: glow-medspa\nname: Glow Med Spa\ntimezone: America/Los_Angeles\n")
    settings = EscalationSettings(
        nats_url=nats_url, database_url=database_url, subject_prefix=topology.prefix, spa_files=str(spa),
        request_timeout_seconds=2.0,
    )  # fmt: skip
    system = System(nats_url, database_url, topology)
    await system.start_scheduler()  # the calendar reads it; without it the inbox rightly answers 503
    spec, ctx = build_escalation(settings)
    await start_context(spec, ctx)
    try:
        assert ctx.pool is not None
        await create_staff(ctx.pool, "glow-medspa", email="fuzz@glow.example")
        async with in_process(ctx.http, host="inbox") as client:
            client.headers.update(await sign_in(client, "fuzz@glow.example"))
            openapi = ctx.http.openapi()
            known = {"spa": "glow-medspa", "tenant_id": "glow-medspa", "spa_id": "glow-medspa"}
            requests = api_requests(
                openapi, per_operation=PER_OPERATION, known=known, headers={}, skip=_inbox_skip
            )
            failures = await server_errors(client, requests, budget_seconds=2 * BUDGET)
            not_refused = await _not_refused(client, openapi, known, {}, _inbox_skip)
    finally:
        await stop_context(spec, ctx)
        await system.stop()
    assert failures == []
    assert not_refused == []


def _inbox_skip(method: str, path: str) -> bool:
    """Streams stay open; signing out would end the fuzzer's own session."""
    return _streams(method, path) or path == "/api/logout"


async def test_the_scheduler_and_agent_never_answer_5xx(
    nats_url: str, database_url: str, topology: Topology
) -> None:
    system = System(nats_url, database_url, topology)
    await system.start()
    try:
        failures: list[str] = []
        for _spec, ctx in system.services:
            requests = api_requests(ctx.http.openapi(), per_operation=PER_OPERATION, known={}, headers={})
            async with in_process(ctx.http) as client:
                failures += await server_errors(client, requests, budget_seconds=BUDGET / 2)
                nul = await client.get("/healthz?probe=%00")
                assert nul.status_code == 400, ctx.name
    finally:
        await system.stop()
    assert failures == []
