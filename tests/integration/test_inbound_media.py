"""A client's picture: kept through the real gateway webhook, never logged, linked for signed-in staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog.testing
from nats.aio.client import Client as NatsClient

from shared.bus import publish_event
from shared.contracts.sms import SmsReceived
from shared.subjects import Topology
from tests.integration.test_escalation import (
    CLIENT,
    CONV,
    SPA,
    StartService,
    smtp,
    start_service,
    until,
    webhook,
)
from tests.support.gateway_harness import (
    RunningGateway,
    gateway_settings,
    running_gateway,
    sms_form,
    stream_messages,
    write_spa,
)

pytestmark = pytest.mark.integration
__all__ = ["smtp", "start_service", "webhook"]  # the escalation service's fixtures, used here

MEDIA = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"


@pytest.fixture
async def gateway(
    nats_url: str, database_url: str, topology: Topology, tmp_path: Path
) -> AsyncIterator[RunningGateway]:
    """A gateway serving one spa, with the simulator as its provider."""
    (tmp_path / "spas").mkdir()
    write_spa(tmp_path / "spas")
    async with running_gateway(gateway_settings(nats_url, database_url, topology, tmp_path)) as gw:
        yield gw


async def test_a_picture_without_words_is_published_with_its_link_and_the_link_is_never_logged(
    gateway: RunningGateway, nc: NatsClient, topology: Topology
) -> None:
    form = {**sms_form("MM0001", ""), "NumMedia": "2", "MediaUrl0": MEDIA, "MediaContentType0": "image/jpeg"}
    form["MediaUrl1"] = "javascript:alert(1)"
    # Every log event of the gateway while it takes the picture, with every field it was given.
    with structlog.testing.capture_logs() as events:
        assert (await gateway.post_sms(form)).status_code == 200
        [text] = await stream_messages(nc.jetstream(), topology.all_sms_inbound, 1)
    assert text["data"]["body"] == "" and text["data"]["num_media"] == 2
    assert text["data"]["media_urls"] == [MEDIA], "only the carrier's https links are kept"
    logged = repr(events)
    assert any(e["event"] == "inbound.received" for e in events)
    assert "twilio.com" not in logged and "Media/ME1" not in logged


async def test_the_picture_link_is_in_the_conversation_for_signed_in_staff_only(
    start_service: StartService,
) -> None:
    svc = await start_service()
    sms = SmsReceived(
        tenant_id=SPA,
        message_sid="MM2",
        conversation_id=CONV,
        from_number=CLIENT,
        to_number="+14155550199",
        body="",
        num_media=1,
        media_urls=[MEDIA],
    )
    await publish_event(svc.js, svc.topology.sms_inbound(SPA, CONV), sms)

    async def shown() -> Any:
        response = await svc.http.get(f"/api/conversations/{SPA}/{CONV}")
        return response.status_code == 200 and response.json()["messages"]

    [message] = await until(shown, what="the picture message")
    assert message["media_urls"] == [MEDIA] and message["body"] == ""
    transport = svc.http._transport  # the same app, without the staff session
    async with httpx.AsyncClient(transport=transport, base_url="http://inbox") as anonymous:
        response = await anonymous.get(f"/api/conversations/{SPA}/{CONV}")
    assert response.status_code == 401 and MEDIA not in response.text
    script = (await svc.http.get("/static/inbox.js")).text
    assert "media_urls" in script and 'rel: "noopener noreferrer"' in script
