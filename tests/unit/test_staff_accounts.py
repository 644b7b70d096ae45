"""Pure rules of staff accounts and the desk: input checks, password hashing, confirmation texts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from services.escalation import accounts
from services.escalation.conversation_bookings import confirmation
from services.escalation.settings import EscalationSettings
from shared.contracts.desk import BookingDetails

pytestmark = pytest.mark.unit

CHEAP = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (accounts.check_email, "  Ana@Glow.Example ", "ana@glow.example"),
        (accounts.check_name, " Ana María ", "Ana María"),
        (accounts.check_role, "owner", "owner"),
        (accounts.check_password, "ten chars!", "ten chars!"),
    ],
)
def test_good_account_input_is_kept_in_its_stored_form(check: object, value: str, expected: str) -> None:
    assert check(value) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("check", "value", "reason"),
    [
        (accounts.check_email, "ana", "email must look like"),
        (accounts.check_email, "a@b@c", "email must look like"),
        (accounts.check_name, "", "name must be"),
        (accounts.check_name, "<script>", "name must be"),
        (accounts.check_role, "admin", "role must be one of staff, owner"),
        (accounts.check_password, "short", "password must be 10-200"),
        (accounts.check_password, "x" * 201, "password must be 10-200"),
    ],
)
def test_bad_account_input_is_refused_with_the_reason(check: object, value: str, reason: str) -> None:
    with pytest.raises(accounts.AccountError, match=reason):
        check(value)  # type: ignore[operator]


def test_passwords_are_argon2_hashed_and_only_the_right_one_matches() -> None:
    accounts.use_hasher(CHEAP)
    stored = accounts.hash_password("the right password")
    assert stored.startswith("$argon2id$") and "the right password" not in stored
    assert accounts.password_matches(stored, "the right password")
    assert not accounts.password_matches(stored, "the wrong password")
    assert not accounts.password_matches(None, "the right password")  # an invited account
    assert not accounts.password_matches("not a hash", "anything")


def test_sign_in_cookie_is_secure_behind_https_and_can_be_forced_either_way() -> None:
    assert EscalationSettings().secure_cookies() is False  # http://127.0.0.1
    assert EscalationSettings(inbox_public_url="https://desk.example").secure_cookies() is True
    assert (
        EscalationSettings(inbox_public_url="https://d.example", inbox_secure_cookies=False).secure_cookies()
        is False
    )


def _booking() -> BookingDetails:
    start = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    return BookingDetails(
        booking_id=uuid.uuid4(),
        service_id=uuid.uuid4(),
        service_name="HydraFacial",
        provider_id=uuid.uuid4(),
        provider_first_name="Sloane",
        start=start,
        end=start + timedelta(minutes=60),
        local_label="Friday, Dec 4 at 9am",
        status="booked",
    )


def test_confirmation_texts_name_the_service_time_provider_and_spa() -> None:
    booking = _booking()
    cancelled = confirmation("cancelled", booking, "Glow Med Spa")
    assert cancelled == (
        "Your HydraFacial on Friday, Dec 4 at 9am is cancelled. Text us any time to book again."
        " - Glow Med Spa"
    )
    moved = confirmation("rescheduled", booking, "Glow Med Spa")
    assert "now Friday, Dec 4 at 9am with Sloane" in moved and moved.endswith("- Glow Med Spa")
    assert all(len(confirmation(k, booking, "Glow Med Spa")) <= 160 for k in ("cancelled", "rescheduled"))
