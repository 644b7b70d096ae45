"""Tools the staff desk calls on the scheduler: the calendar and booking operations.

Staff act for the spa, so these requests name a booking, provider or client directly, and
`actor.staff_user` says who acted (the scheduler refuses a desk request without one, unless the agent
acts for a conversation). Every call leaves one audit record naming that actor. None of these results
ever reaches a language model. Times are aware instants; calendar days are the spa's local days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from shared.contracts.sms import E164
from shared.contracts.tools import TOOLS, ToolRequest, Value

BookingStatus = Literal["booked", "checked_in", "completed", "no_show", "cancelled", "rescheduled"]
"""A booking's life: booked, then checked in, completed or a no-show; or cancelled, or moved."""

SettableStatus = Literal["checked_in", "completed", "no_show"]
"""What staff set on the day (cancel and reschedule are their own tools)."""

CancelReason = Literal["client_asked", "spa_cancelled", "duplicate", "other"]
BlockReason = Literal["time_off", "break", "training", "other"]

CALENDAR_MAX_DAYS = 31


# ----- values -----


class WalkInClient(Value):
    """A client named by staff: by phone number (found or created), or by name when they have none."""

    phone: E164 | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120)

    @model_validator(mode="after")
    def _phone_or_name(self) -> WalkInClient:
        if self.phone is None and self.name is None:
            raise ValueError("give the client's phone number or name")
        return self


class BookingDetails(Value):
    """A booking as staff see it on the calendar."""

    booking_id: UUID
    client_id: UUID | None = None
    client_name: str | None = None
    service_id: UUID
    service_name: str
    provider_id: UUID
    provider_first_name: str
    start: AwareDatetime
    end: AwareDatetime
    local_label: str
    status: BookingStatus
    covered_by_package: str | None = None
    package_session_used: bool = Field(
        default=False, description="completing it used one session of the client's package"
    )
    rescheduled_from: UUID | None = None
    rescheduled_to: UUID | None = None


class ProviderBlock(Value):
    """Time a provider is not bookable: time off, a break, training."""

    block_id: UUID
    provider_id: UUID
    provider_first_name: str
    start: AwareDatetime
    end: AwareDatetime
    reason: BlockReason


class CalendarHold(Value):
    """A client's live hold: time reserved while they decide (it lapses at expires_at)."""

    hold_id: UUID
    client_id: UUID | None = None
    client_name: str | None = None
    service_id: UUID
    service_name: str
    start: AwareDatetime
    end: AwareDatetime
    expires_at: AwareDatetime


class TimeRange(Value):
    """[start, end) in aware instants."""

    start: AwareDatetime
    end: AwareDatetime


class ProviderCalendar(Value):
    """One provider's range: working hours, bookings (any status), live holds and blocks."""

    provider_id: UUID
    first_name: str
    working: list[TimeRange] = Field(default_factory=list, description="inside the spa's opening hours")
    bookings: list[BookingDetails] = Field(default_factory=list)
    holds: list[CalendarHold] = Field(default_factory=list)
    blocks: list[ProviderBlock] = Field(default_factory=list)


# ----- requests -----


class CancelBooking(ToolRequest):
    """Cancel a booking that has not started; cancelling a cancelled booking changes nothing."""

    booking_id: UUID
    reason: CancelReason = "client_asked"


class RescheduleBooking(ToolRequest):
    """Move a booking: the new time is taken and the old freed in one transaction, or nothing changes."""

    booking_id: UUID
    start: AwareDatetime
    provider_id: UUID | None = Field(default=None, description="another qualified provider; default same")


class BookForClient(ToolRequest):
    """Staff book a phone or walk-in client: `client_id`, or `client` by phone or name."""

    service_id: UUID
    provider_id: UUID
    start: AwareDatetime
    client: WalkInClient | None = None

    @model_validator(mode="after")
    def _one_client(self) -> BookForClient:
        if (self.client_id is None) == (self.client is None):
            raise ValueError("give either client_id or client (phone or name)")
        return self


class BlockProviderTime(ToolRequest):
    """Block a provider's time (time off, a break); refused when it overlaps a booking."""

    provider_id: UUID
    start: AwareDatetime
    end: AwareDatetime
    reason: BlockReason = "time_off"

    @model_validator(mode="after")
    def _in_order(self) -> BlockProviderTime:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        if self.end - self.start > timedelta(days=CALENDAR_MAX_DAYS):
            raise ValueError(f"a block is at most {CALENDAR_MAX_DAYS} days")
        return self


class UnblockProviderTime(ToolRequest):
    """Remove a block; removing a removed block changes nothing."""

    block_id: UUID


class SetBookingStatus(ToolRequest):
    """Check in, complete or mark a no-show; completing a package booking uses one session, once."""

    booking_id: UUID
    status: SettableStatus


class GetCalendar(ToolRequest):
    """Bookings, live holds and blocks per provider for the spa's local days date_from..date_to."""

    date_from: date
    date_to: date | None = Field(default=None, description="inclusive; default date_from (one day)")
    provider_ids: list[UUID] = Field(default_factory=list, max_length=50, description="default: all")

    @model_validator(mode="after")
    def _range(self) -> GetCalendar:
        last = self.date_to or self.date_from
        if last < self.date_from:
            raise ValueError("date_to is before date_from")
        if (last - self.date_from).days >= CALENDAR_MAX_DAYS:
            raise ValueError(f"a calendar covers at most {CALENDAR_MAX_DAYS} days")
        return self


class GetClientBookings(ToolRequest):
    """The client's bookings that have not started, any status (a cancelled or moved one too),
    soonest first: what staff act on from a conversation. The client is `client_id` or a `phone`;
    a number the spa has no client for has no bookings (looking never creates a client)."""

    limit: int = Field(default=20, ge=1, le=100)
    phone: E164 | None = Field(default=None, description="the client by number instead of client_id")

    @model_validator(mode="after")
    def _client(self) -> GetClientBookings:
        if (self.client_id is None) == (self.phone is None):
            raise ValueError("client_id or phone is required (one of them)")
        return self


# ----- results -----


class BookingCancelled(Value):
    booking: BookingDetails
    changed: bool = Field(description="False when it was already cancelled")


class BookingRescheduled(Value):
    old: BookingDetails
    new: BookingDetails
    changed: bool = Field(description="False when it had already been moved to this time")


class BookingMade(Value):
    booking: BookingDetails
    client_is_new: bool


class BookingStatusSet(Value):
    booking: BookingDetails
    changed: bool = Field(description="False when it already had this status")
    package_sessions_remaining: int | None = Field(
        default=None, description="the package's balance after a completion used a session"
    )


class ProviderTimeBlocked(Value):
    block: ProviderBlock


class ProviderTimeUnblocked(Value):
    block_id: UUID
    removed: bool = Field(description="False when it was already removed")


class ClientBookingsFound(Value):
    bookings: list[BookingDetails]


class CalendarFound(Value):
    timezone: str
    date_from: date
    date_to: date
    providers: list[ProviderCalendar]


# Which result each desk request gets; the tool name is also its subject suffix.
DESK_TOOLS: dict[str, tuple[type[ToolRequest], type[BaseModel]]] = {
    "cancel_booking": (CancelBooking, BookingCancelled),
    "reschedule_booking": (RescheduleBooking, BookingRescheduled),
    "book_for_client": (BookForClient, BookingMade),
    "set_booking_status": (SetBookingStatus, BookingStatusSet),
    "block_provider_time": (BlockProviderTime, ProviderTimeBlocked),
    "unblock_provider_time": (UnblockProviderTime, ProviderTimeUnblocked),
    "calendar": (GetCalendar, CalendarFound),
    "client_bookings": (GetClientBookings, ClientBookingsFound),
}

# Every tool the scheduler answers: the agent's and gateway's (TOOLS) and the staff desk's.
SCHEDULER_TOOLS: dict[str, tuple[type[ToolRequest], type[BaseModel]]] = {**TOOLS, **DESK_TOOLS}
