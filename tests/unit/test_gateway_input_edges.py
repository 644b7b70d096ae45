"""Numbers in webhooks are ASCII digits; Twilio mode never checks signatures on a URL a caller chose."""

from __future__ import annotations

import pytest

from services.gateway.settings import GatewaySettings
from shared.contracts.sms import SmsReceived
from shared.phones import InvalidPhoneNumber, ascii_count, is_e164, to_e164

pytestmark = pytest.mark.unit

ARABIC_INDIC = "+١٤١٥٥٥٥٠١٢٣"  # +14155550123 in Arabic-Indic digits
PROXIED = {"trust_forwarded_headers": True}
TWILIO = {"sms_provider": "twilio", "twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": "t" * 32}


@pytest.mark.parametrize("value", ["²", "١", "٣٤", "１２", "-1", "1e3", " 1", "1234567890", ""])
def test_counts_are_ascii_digits_only(value: str) -> None:
    assert ascii_count(value) is None


def test_ascii_counts_are_read() -> None:
    assert [ascii_count(v) for v in ("0", "3", "010", "999999999")] == [0, 3, 10, 999_999_999]


@pytest.mark.parametrize("value", [ARABIC_INDIC, "+1415555٠123", "+1４１５5550123", "(٤١٥) 555-0123"])
def test_numbers_in_other_scripts_are_not_phone_numbers(value: str) -> None:
    assert not is_e164(value)
    with pytest.raises(InvalidPhoneNumber, match="ASCII"):
        to_e164(value)


def test_ascii_numbers_still_normalise() -> None:
    assert is_e164("+14155550123")
    assert to_e164("(415) 555-0123") == "+14155550123"


def test_an_sms_event_refuses_a_number_in_other_digits() -> None:
    fields = {"tenant_id": "glow", "message_sid": "SM1", "conversation_id": "c1", "body": "hi"}
    SmsReceived(**fields, from_number="+14155550123", to_number="+14155550199")
    with pytest.raises(ValueError, match="from_number"):
        SmsReceived(**fields, from_number=ARABIC_INDIC, to_number="+14155550199")


def test_twilio_mode_needs_public_base_url_or_trusted_proxies() -> None:
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL is required"):
        GatewaySettings(**TWILIO).check_webhook_url()
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL is required"):
        GatewaySettings(**TWILIO, **PROXIED).check_webhook_url()
    with pytest.raises(ValueError, match=r"'ten\.0\.0\.1' is not an address"):
        GatewaySettings(**TWILIO, **PROXIED, trusted_proxies="ten.0.0.1").check_webhook_url()
    GatewaySettings(**TWILIO, public_base_url="https://gw.glow.example").check_webhook_url()
    GatewaySettings(**TWILIO, **PROXIED, trusted_proxies="10.0.0.0/8, ::1").check_webhook_url()


def test_forwarded_headers_are_off_by_default_and_the_simulator_needs_no_url() -> None:
    assert GatewaySettings().trust_forwarded_headers is False
    GatewaySettings(sms_provider="simulator").check_webhook_url()
