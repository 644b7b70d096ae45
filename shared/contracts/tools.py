"""Tool requests the agent sends to the scheduler over NATS request/reply, and their replies.

The client a tool acts on (`client_id`) is bound by the agent's tool layer from the conversation,
never taken from what a client wrote or what a model proposed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.contracts.envelope import Command, OpaqueId
from shared.contracts.sms import E164

ErrorCode = Literal[
    "service_not_found",
    "slot_taken",
    "hold_expired",
    "invalid_request",
    "not_found",
    "internal",
    "in_the_past",
    "status_conflict",
]


class Actor(BaseModel):
    """Who asked: the calling service and instance, and the conversation it acts for."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    service: str
    instance: str = ""
    conversation_id: OpaqueId | None = None
    staff_user: str | None = None
    disclosed_to_model: list[str] | None = Field(
        default=None,
        description="set when a language model initiated the call: the dotted result fields its "
        "allow-list lets it see (what the audit record then lists as disclosed)",
    )


class ToolRequest(Command):
    """Base of every tool request."""

    actor: Actor
    client_id: UUID | None = None


# ----- values shared by requests and replies -----


class Value(BaseModel):
    """An immutable value inside a message."""

    model_config = ConfigDict(frozen=True, extra="ignore")


PartOfDay = Literal["morning", "afternoon", "evening"]


class TimePreference(Value):
    """When the client would like to come, parsed from their words, in the spa's time zone."""

    dates: list[date] = Field(default_factory=list, description="specific days")
    date_from: date | None = None
    date_to: date | None = None
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list, description="0 = Monday")
    part_of_day: PartOfDay | None = None
    target_time: time | None = None
    earliest_time: time | None = None
    latest_time: time | None = None
    asap: bool = False

    @model_validator(mode="after")
    def _range_in_order(self) -> TimePreference:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        if self.earliest_time and self.latest_time and self.earliest_time > self.latest_time:
            raise ValueError("earliest_time is after latest_time")
        return self


class SlotOption(Value):
    """A concrete appointment time with a qualified provider."""

    service_id: UUID
    provider_id: UUID
    provider_first_name: str
    start: AwareDatetime
    end: AwareDatetime
    local_label: str = Field(default="", description="e.g. 'Monday, Mar 4 at 1:30pm', spa time zone")


class ServiceMatch(Value):
    """A catalog service ranked against the client's words."""

    service_id: UUID
    name: str
    category: str
    confidence: float = Field(ge=0, le=1)
    is_consultation: bool
    duration_minutes: int
    price_cents: int
    free_consult: bool = False
    consult_service_id: UUID | None = None


class Hold(Value):
    """A provider's time reserved while the client decides."""

    hold_id: UUID
    option: SlotOption
    expires_at: AwareDatetime


class PackageBalance(Value):
    """A package the client bought, with sessions left."""

    package_name: str
    sessions_remaining: int
    covers_service: bool


class PackageOffer(Value):
    """A package the spa sells for a service."""

    name: str
    sessions: int
    price_cents: int
    per_session_cents: int


class MembershipInfo(Value):
    """The client's membership tier and what it gives on this service."""

    tier: str
    discount_percent: int = 0
    covers_service: bool = False


# ----- requests -----


class MatchService(ToolRequest):
    """Rank catalog services for the client's words."""

    text: str = Field(min_length=1, max_length=1600)
    limit: int = Field(default=3, ge=1, le=10)


class FindAvailability(ToolRequest):
    """Find open slots for a service with qualified providers only."""

    service_id: UUID
    preference: TimePreference = Field(default_factory=TimePreference)
    limit: int = Field(default=3, ge=1, le=10)
    provider_id: UUID | None = Field(default=None, description="only this provider")
    after: AwareDatetime | None = Field(
        default=None, description="only slots starting after this instant ('none of those, anything later?')"
    )
    exclude_starts: list[AwareDatetime] = Field(
        default_factory=list,
        max_length=20,
        description="starts already offered and turned down: not offered again, with any provider",
    )
    exclude_provider_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="providers the client ruled out ('anyone but Julia')"
    )
    now: AwareDatetime | None = Field(default=None, description="override of 'now' for tests")


class FindAvailabilityByWeek(ToolRequest):
    """Open slots on several sets of days in one call (the days asked for, moved on a week at a time):
    one answer per set, in order, on those days only (never alternatives on other days)."""

    service_id: UUID
    preferences: list[TimePreference] = Field(
        min_length=1, max_length=6, description="one per week, e.g. next Monday, the Monday after, ..."
    )
    limit: int = Field(default=3, ge=1, le=10, description="options per week at most")
    provider_id: UUID | None = Field(default=None, description="only this provider")
    exclude_starts: list[AwareDatetime] = Field(
        default_factory=list, max_length=20, description="starts already offered and turned down"
    )
    exclude_provider_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="providers the client ruled out ('anyone but Julia')"
    )
    now: AwareDatetime | None = Field(default=None, description="override of 'now' for tests")


class HoldSlots(ToolRequest):
    """Hold the offered options while the client decides."""

    options: list[SlotOption] = Field(min_length=1, max_length=10)
    ttl_seconds: int | None = Field(default=None, ge=10, le=3600)


class ConfirmBooking(ToolRequest):
    """Book the held option; confirming the same hold twice returns the same booking."""

    hold_id: UUID


class ReleaseHolds(ToolRequest):
    """Release holds the client did not choose."""

    hold_ids: list[UUID] = Field(max_length=20)


class GetClientBenefits(ToolRequest):
    """The client's packages, membership and what the spa offers for a service."""

    service_id: UUID | None = None


class LookupOrCreateClient(ToolRequest):
    """Find the client by phone number, or create them from their first text."""

    phone: E164
    name: str | None = Field(default=None, max_length=120)


class GetSpaProfile(ToolRequest):
    """The spa's public settings the agent may say: name, address, hours, catalog, providers, languages."""


# ----- results -----


class ServiceMatches(Value):
    matches: list[ServiceMatch]


class AvailabilityFound(Value):
    options: list[SlotOption]
    timezone: str
    exact: bool = Field(description="False when the options are alternatives to a full day")


class WeeklyAvailability(Value):
    weeks: list[AvailabilityFound] = Field(
        description="one per preference asked, in order; exact is False when that week has nothing"
    )


class SlotsHeld(Value):
    holds: list[Hold]


class BookingRecord(Value):
    booking_id: UUID
    hold_id: UUID
    service_name: str
    provider_first_name: str
    start: AwareDatetime
    end: AwareDatetime
    local_label: str
    address: str = ""
    covered_by_package: str | None = None


class HoldsReleased(Value):
    released: int


class ClientBenefits(Value):
    packages: list[PackageBalance] = Field(default_factory=list)
    membership: MembershipInfo | None = None
    package_offers: list[PackageOffer] = Field(default_factory=list)
    free_consult_available: bool = False
    free_consult_service_id: UUID | None = None
    service_price_cents: int | None = None


class ClientRecord(Value):
    client_id: UUID
    first_name: str | None = None
    is_new: bool


class OpeningDay(Value):
    """A weekday's opening hours, local to the spa; no intervals means closed."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    intervals: list[tuple[time, time]] = Field(default_factory=list)


class ClosedDay(Value):
    """A day the spa closes or keeps other hours (a holiday, a short day), local to the spa; it
    replaces that weekday's opening hours. No intervals means closed all day."""

    day: date
    intervals: list[tuple[time, time]] = Field(default_factory=list)
    reason: str = ""


class ServiceInfo(Value):
    """A catalog service as the spa advertises it: what a front desk may say about it."""

    service_id: UUID
    key: str
    name: str
    category: str
    price_cents: int
    duration_minutes: int
    is_consultation: bool = False
    free_consult: bool = False
    consult_service_id: UUID | None = None
    provider_ids: list[UUID] = Field(default_factory=list, description="providers qualified for it")
    about: str = Field(default="", description="what it is and is for, as the spa's front desk says it")


class ProviderInfo(Value):
    """A provider by first name, with their usual working week (no dated exceptions)."""

    provider_id: UUID
    first_name: str
    week: list[OpeningDay] = Field(default_factory=list)


class MembershipPlan(Value):
    """A membership the spa sells: its monthly price, its discount and the services it covers."""

    name: str
    monthly_price_cents: int = Field(ge=0)
    discount_percent: int = Field(default=0, ge=0, le=100)
    covers: list[str] = Field(default_factory=list, description="names of the services it covers")


class SpaProfile(Value):
    tenant_id: str
    name: str
    timezone: str
    address: str = ""
    parking_note: str = ""
    help_text: str = ""
    hours_summary: str = ""
    hours: list[OpeningDay] = Field(default_factory=list)
    services: list[ServiceInfo] = Field(default_factory=list)
    providers: list[ProviderInfo] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["en"], description="reply languages")
    consult_first: bool = Field(
        default=True, description="a new client is offered a service's consultation before the service"
    )
    memberships: list[MembershipPlan] = Field(default_factory=list, description="the memberships it sells")
    closures: list[ClosedDay] = Field(
        default_factory=list, description="holidays and short days, by date, replacing the week's hours"
    )


class ToolError(Value):
    code: ErrorCode
    message: str
    field: str | None = None


# ----- a tool of the gateway (never offered to the agent or a model) -----


class UpcomingBookings(ToolRequest):
    """Whether the client with this number has bookings ahead: asked by the gateway (actor service
    "gateway") when a bare CANCEL opted the number out, bound to the number the text came from."""

    phone: E164


class UpcomingBookingsFound(Value):
    """How many bookings the number has ahead and when the next starts; no names, no services."""

    count: int = Field(ge=0)
    next_start: AwareDatetime | None = None


ResultT = TypeVar("ResultT", bound=BaseModel)


class ToolReply(BaseModel, Generic[ResultT]):
    """A result or a typed error; never both."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    ok: bool
    result: ResultT | None = None
    error: ToolError | None = None
    served_at: datetime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ToolReply[ResultT]:
        if self.ok != (self.error is None) or self.ok != (self.result is not None):
            raise ValueError("a reply carries either a result (ok) or an error")
        return self


@cache
def reply_of(result_type: Any) -> type[ToolReply[Any]]:
    """`ToolReply[result_type]`, built once per result type. Pydantic keeps its parametrised
    generics only weakly and consults that cache slowly (tens of µs), while every tool call on both
    sides of the bus needs one; a reply type rebuilt after a garbage collection costs milliseconds."""
    return ToolReply[result_type]  # type: ignore[valid-type]


# Which result each request gets; the tool name is also its subject suffix.
TOOLS: dict[str, tuple[type[ToolRequest], type[BaseModel]]] = {
    "match_service": (MatchService, ServiceMatches),
    "find_availability": (FindAvailability, AvailabilityFound),
    "find_availability_by_week": (FindAvailabilityByWeek, WeeklyAvailability),
    "hold_slots": (HoldSlots, SlotsHeld),
    "confirm_booking": (ConfirmBooking, BookingRecord),
    "release_holds": (ReleaseHolds, HoldsReleased),
    "client_benefits": (GetClientBenefits, ClientBenefits),
    "lookup_or_create_client": (LookupOrCreateClient, ClientRecord),
    "spa_profile": (GetSpaProfile, SpaProfile),
    "upcoming_bookings": (UpcomingBookings, UpcomingBookingsFound),
}
