"""Whether a text mid-booking names another treatment of the catalog, by the words of its names."""

from __future__ import annotations

import pytest

from services.agent.domain import names_a_service

pytestmark = pytest.mark.unit

CATALOG = ["Chemical Peel", "HydraFacial", "Botox / Neurotoxin Consultation", "Lip Filler"]


@pytest.mark.parametrize("text", ["what about a peel then", "ok the chemical peels", "botox instead", "lips"])
def test_a_word_of_a_catalog_name_names_a_service(text: str) -> None:
    assert names_a_service(text, CATALOG)


@pytest.mark.parametrize("text", ["sounds good", "great thanks", "", "a consultation then", "the one"])
def test_other_words_name_no_service(text: str) -> None:
    assert not names_a_service(text, CATALOG)
