"""Small pure rules of the brain: a text naming another treatment, a time "around" a clock time,
the spa's own words in a reply."""

from __future__ import annotations

from datetime import datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.agent import policy
from services.agent.domain import ConversationState, names_a_service
from services.agent.handlers import _spa_terms
from services.agent.language.guard import check_outbound
from shared.contracts.tools import ServiceInfo, SpaProfile, TimePreference

pytestmark = pytest.mark.unit

CATALOG = ["Chemical Peel", "HydraFacial", "Botox / Neurotoxin Consultation", "Lip Filler"]


@pytest.mark.parametrize("text", ["what about a peel then", "ok the chemical peels", "botox instead", "lips"])
def test_a_word_of_a_catalog_name_names_a_service(text: str) -> None:
    assert names_a_service(text, CATALOG)


@pytest.mark.parametrize("text", ["sounds good", "great thanks", "", "a consultation then", "the one"])
def test_other_words_name_no_service(text: str) -> None:
    assert not names_a_service(text, CATALOG)


def test_around_a_clock_time_means_within_an_hour_of_it() -> None:
    tz = ZoneInfo("America/Los_Angeles")
    noon = TimePreference(target_time=time(12))
    day = datetime(2026, 12, 11, tzinfo=tz)
    far = [day.replace(hour=13, minute=45), day.replace(hour=14)]
    near = [day.replace(hour=11, minute=15), day.replace(hour=14)]
    assert policy.exact_time_missing(noon, far, tz, within=policy.AROUND_MINUTES)
    assert not policy.exact_time_missing(noon, near, tz, within=policy.AROUND_MINUTES)


def test_every_catalog_name_is_the_spas_own_words_in_a_reply() -> None:
    name = "Cold Sore Laser Treatment"
    cold_sore = ServiceInfo(
        service_id=uuid4(),
        key="cold-sore",
        name=name,
        category="laser",
        price_cents=15000,
        duration_minutes=30,
    )
    spa = SpaProfile(tenant_id="t", name="Glow Med Spa", timezone="America/Los_Angeles", services=[cold_sore])
    state = ConversationState(conversation_id="c", tenant_id="t")
    reply = "Cold Sore Laser Treatment is $150. When would you like to come in for a HydraFacial?"
    assert check_outbound(reply, 320, allowed_terms=_spa_terms(state, spa)).allowed
    assert not check_outbound(reply, 320).allowed, "the guard still reads clinical words elsewhere"
