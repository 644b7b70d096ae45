"""The gateway's roles: which parts of the gateway a process runs, and the one combination refused."""

from __future__ import annotations

import pytest

from services.gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("role", "takes_webhooks", "sends"),
    [("all", True, True), ("webhooks", True, False), ("sender", False, True)],
)
def test_each_role_runs_its_part_of_the_gateway(role: str, takes_webhooks: bool, sends: bool) -> None:
    settings = GatewaySettings(gateway_role=role, sms_provider="twilio", public_base_url="https://spa.test")
    settings.check_role()
    assert (settings.takes_webhooks, settings.sends) == (takes_webhooks, sends)


@pytest.mark.parametrize("role", ["webhooks", "sender"])
def test_a_split_role_is_refused_with_the_simulator_whose_texts_live_in_one_process(role: str) -> None:
    settings = GatewaySettings(gateway_role=role, sms_provider="simulator")
    with pytest.raises(ValueError, match=f"GATEWAY_ROLE={role} needs SMS_PROVIDER=twilio"):
        settings.check_role()


def test_an_unknown_role_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="gateway_role"):
        GatewaySettings(gateway_role="both")  # type: ignore[arg-type]
