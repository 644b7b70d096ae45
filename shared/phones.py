"""Phone number normalisation (E.164) with phonenumbers, and ASCII-only number parsing."""

from __future__ import annotations

import re

import phonenumbers

# Plain ASCII digits only: `\d` and str.isdigit() also take "²" and Arabic-Indic digits, which
# int() then reads (or refuses) differently from what a carrier means.
E164_ASCII = re.compile(r"\+[1-9][0-9]{6,14}")
ASCII_COUNT = re.compile(r"[0-9]{1,9}")


class InvalidPhoneNumber(ValueError):
    """A string that is not a dialable phone number."""


def is_e164(value: str) -> bool:
    """Whether `value` is already an E.164 number written in ASCII digits."""
    return E164_ASCII.fullmatch(value) is not None


def ascii_count(value: str) -> int | None:
    """A non-negative count written in 1-9 ASCII digits, else None ("²", "٣", "-1", "1e3")."""
    return int(value) if ASCII_COUNT.fullmatch(value) else None


def to_e164(raw: str, default_region: str = "US") -> str:
    """Normalise a number as a client or carrier wrote it to E.164, or raise InvalidPhoneNumber.

    Only ASCII is accepted: phonenumbers would read other scripts' digits as the same number.
    """
    if not raw.isascii():
        raise InvalidPhoneNumber("not a phone number: only ASCII digits are accepted")
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
