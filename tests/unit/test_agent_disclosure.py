"""Tool results reach a model only through an explicit allow-list of fields (invariant 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import BaseModel

from services.agent.disclosure import MODEL_FIELDS, DisclosureRefused, for_model
from shared.contracts.tools import (
    TOOLS,
    ClientBenefits,
    ClientRecord,
    Hold,
    PackageBalance,
    SlotOption,
    SlotsHeld,
)

pytestmark = pytest.mark.unit


def test_every_tool_result_has_an_allow_list_naming_only_real_fields() -> None:
    for _name, (_request, result) in TOOLS.items():
        assert result in MODEL_FIELDS, f"{result.__name__} has no allow-list"
    for model, allowed in MODEL_FIELDS.items():
        assert allowed <= set(model.model_fields), f"{model.__name__}: {allowed - set(model.model_fields)}"


def test_ids_never_reach_the_model() -> None:
    record = ClientRecord(client_id=uuid4(), first_name="Ava", is_new=False)
    assert for_model(record) == {"first_name": "Ava", "is_new": False}
    start = datetime(2026, 3, 9, 21, tzinfo=UTC)
    option = SlotOption(
        service_id=uuid4(),
        provider_id=uuid4(),
        provider_first_name="Julia",
        start=start,
        end=start + timedelta(minutes=30),
        local_label="Monday at 1pm",
    )
    held = SlotsHeld(holds=[Hold(hold_id=uuid4(), option=option, expires_at=start)])
    seen = str(for_model(held))
    for hidden in (str(option.service_id), str(option.provider_id), str(held.holds[0].hold_id)):
        assert hidden not in seen
    assert "Julia" in seen


def test_benefits_show_balances_not_more() -> None:
    benefits = ClientBenefits(
        packages=[PackageBalance(package_name="LHR 6", sessions_remaining=4, covers_service=True)]
    )
    assert for_model(benefits)["packages"] == [
        {"package_name": "LHR 6", "sessions_remaining": 4, "covers_service": True}
    ]


def test_a_result_type_nobody_classified_is_refused() -> None:
    class NewResult(BaseModel):
        phone: str

    with pytest.raises(DisclosureRefused):
        for_model(NewResult(phone="+14155550101"))
