"""Phone number normalisation (E.164) with phonenumbers."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    """A string that is not a dialable phone number."""


def to_e164(raw: str, default_region: str = "US") -> str:
    """Normalise a number as a client or carrier wrote it to E.164, or raise InvalidPhoneNumber."""
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
