"""The spa profile built from a catalog: public facts only, built once per catalog, encoded as JSON."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from services.scheduler import handlers, spafile
from services.scheduler.cli import DEMO_SPA
from services.scheduler.domain import SpaCatalog
from shared.contracts.tools import Actor, GetSpaProfile, SpaProfile, ToolReply

pytestmark = pytest.mark.unit

REQUEST = GetSpaProfile(tenant_id="glow-medspa", actor=Actor(service="agent"))


async def _served(spa: SpaCatalog) -> handlers.Served:
    return await handlers.spa_profile(REQUEST, conn=None, spa=spa, ports=None)  # type: ignore[arg-type]


async def test_profile_is_built_once_per_catalog_and_again_for_a_new_one() -> None:
    spa = spafile.read(DEMO_SPA).catalog_view()
    first, second = await _served(spa), await _served(spa)
    assert first.result is second.result
    reloaded = spafile.read(DEMO_SPA).catalog_view()
    assert (await _served(reloaded)).result is not first.result


async def test_profile_lists_weekly_hours_not_dated_time_off() -> None:
    spa = spafile.read(DEMO_SPA).catalog_view()
    profile = (await _served(spa)).result
    assert isinstance(profile, SpaProfile)
    julia = next(p for p in profile.providers if p.first_name == "Julia")
    # Dec 24 is a Thursday off for Julia; her usual Thursday stays in the week.
    assert julia.week[3].intervals == [(time(11), time(20))]
    assert profile.hours_summary.startswith("Mon-Wed 9am-7pm")


async def test_a_cached_profile_reply_encodes_as_the_plain_serializer_does() -> None:
    spa = spafile.read(DEMO_SPA).catalog_view()
    served = await _served(spa)
    reply: ToolReply[Any] = ToolReply[SpaProfile](ok=True, result=served.result, served_at=datetime.now(UTC))
    spliced = handlers.encode_reply("spa_profile", reply)
    assert spliced != reply.__pydantic_serializer__.to_json(reply)  # the fast path was taken
    assert ToolReply[SpaProfile].model_validate_json(spliced) == reply
    other = ToolReply[SpaProfile](ok=True, result=SpaProfile(tenant_id="x", name="X", timezone="UTC"))
    assert handlers.encode_reply("spa_profile", other) == other.__pydantic_serializer__.to_json(other)
