"""A page to the spa's on-call staff at the gateway: never held by the daily cap, no opt-out notice.

Real nats-server and PostgreSQL; Twilio faked at the wire (the real SDK talks to a local server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient

from shared.subjects import Topology
from tests.integration.test_gateway_outbound import events, request_send, send_cmd, twilio_settings
from tests.support.fake_twilio import FakeTwilio
from tests.support.gateway_harness import ACCOUNT_SID, AUTH_TOKEN, noticed, running_gateway

pytestmark = pytest.mark.integration

ON_CALL = "+14155550111"
PAGE = "Urgent: a client needs a qualified person now. Open the inbox: http://inbox.test/#/c/c1"


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A fake Twilio that knows the test account."""
    fake = await FakeTwilio(accounts={ACCOUNT_SID: AUTH_TOKEN}).start()
    yield fake
    await fake.stop()


async def test_a_page_goes_out_past_the_daily_cap_without_an_opt_out_notice(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path, twilio: FakeTwilio, nc: NatsClient
) -> None:
    settings = twilio_settings(nats_url, database_url, topology, tmp_path, twilio, cap=1)
    async with running_gateway(settings):
        await request_send(nc, topology, send_cmd("reply:one", body="first"))
        await request_send(nc, topology, send_cmd("reply:two", body="second"))
        await events(nc, topology, "deferred", 1)  # the cap of 1 is reached: the client's text waits
        page = send_cmd("page:e1:1:0", body=PAGE, to=ON_CALL, purpose="page")
        await request_send(nc, topology, page)
        sent = await twilio.wait_for_sent(2)
        assert (sent[-1].to, sent[-1].body) == (ON_CALL, PAGE), "a page waits for nothing, as is"
        assert sent[0].body == noticed("first")
        assert len(await events(nc, topology, "deferred", 1)) == 1, "the client's text still waits"
