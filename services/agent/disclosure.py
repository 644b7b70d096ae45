"""What a language model may see of a tool result: an explicit allow-list of fields (invariant 6).

The deterministic brain reads typed results in code and never hands them to a model. A model brain
(Claude) must pass every tool result through `for_model` before it reaches a prompt: fields not on
the list are dropped, and a result type nobody classified is refused, so a field added to a contract
later stays out of prompts until someone decides it may go in.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shared.contracts.tools import (
    AvailabilityFound,
    BookingRecord,
    ClientBenefits,
    ClientRecord,
    ClosedDay,
    Hold,
    HoldsReleased,
    MembershipInfo,
    MembershipPlan,
    OpeningDay,
    PackageBalance,
    PackageOffer,
    ProviderInfo,
    ServiceInfo,
    ServiceMatch,
    ServiceMatches,
    SlotOption,
    SlotsHeld,
    SpaProfile,
    UpcomingBookingsFound,
    WeeklyAvailability,
)

# Per result type: the fields a model may read. Ids stay out (the tool layer keeps them); so does
# anything about other clients, which no result carries in the first place.
MODEL_FIELDS: dict[type[BaseModel], frozenset[str]] = {
    ServiceMatches: frozenset({"matches"}),
    ServiceMatch: frozenset(
        {
            "name",
            "category",
            "confidence",
            "is_consultation",
            "duration_minutes",
            "price_cents",
            "free_consult",
        }
    ),
    AvailabilityFound: frozenset({"options", "timezone", "exact"}),
    WeeklyAvailability: frozenset({"weeks"}),
    SlotOption: frozenset({"provider_first_name", "start", "end", "local_label"}),
    SlotsHeld: frozenset({"holds"}),
    Hold: frozenset({"option", "expires_at"}),
    BookingRecord: frozenset(
        {
            "service_name",
            "provider_first_name",
            "start",
            "end",
            "local_label",
            "address",
            "covered_by_package",
        }
    ),
    HoldsReleased: frozenset({"released"}),
    ClientBenefits: frozenset(
        {"packages", "membership", "package_offers", "free_consult_available", "service_price_cents"}
    ),
    PackageBalance: frozenset({"package_name", "sessions_remaining", "covers_service"}),
    MembershipInfo: frozenset({"tier", "discount_percent", "covers_service"}),
    PackageOffer: frozenset({"name", "sessions", "price_cents", "per_session_cents"}),
    ClientRecord: frozenset({"first_name", "is_new"}),
    SpaProfile: frozenset(
        {
            "name",
            "timezone",
            "address",
            "parking_note",
            "help_text",
            "hours_summary",
            "hours",
            "services",
            "providers",
            "languages",
            "consult_first",
            "memberships",
            "closures",
        }
    ),
    MembershipPlan: frozenset({"name", "monthly_price_cents", "discount_percent", "covers"}),
    # The spa's public catalog and its providers' usual weeks (no dated time off, nothing of clients).
    OpeningDay: frozenset({"weekday", "intervals"}),
    ClosedDay: frozenset({"day", "intervals", "reason"}),
    ServiceInfo: frozenset(
        {
            "key",
            "name",
            "category",
            "price_cents",
            "duration_minutes",
            "is_consultation",
            "free_consult",
            "about",
        }
    ),
    ProviderInfo: frozenset({"first_name", "week"}),
    # The gateway's tool (a number's bookings ahead): nothing of it ever reaches a model.
    UpcomingBookingsFound: frozenset(),
}


class DisclosureRefused(Exception):
    """A result type with no allow-list: it does not reach a model."""


def for_model(result: BaseModel) -> dict[str, Any]:
    """The allowed fields of a tool result, recursively, as JSON-ready data."""
    allowed = MODEL_FIELDS.get(type(result))
    if allowed is None:
        raise DisclosureRefused(f"{type(result).__name__} has no model allow-list")
    out: dict[str, Any] = {}
    for name in type(result).model_fields:
        if name in allowed:
            out[name] = _value(getattr(result, name))
    return out


def _value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return for_model(value)
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
