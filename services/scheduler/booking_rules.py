"""The spa's rules for changing a booking: which status may follow which, and from when. No I/O.

Each check returns False when the booking already is what was asked (a retried request changes
nothing), True when the change may go ahead, and raises the refusal otherwise.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.scheduler.errors import InThePast, InvalidRequest, StatusConflict
from services.scheduler.model import Booking

# The statuses staff may set, from each status. Completed, cancelled and moved bookings are final.
STATUS_CHANGES: dict[str, frozenset[str]] = {
    "booked": frozenset({"checked_in", "completed", "no_show"}),
    "checked_in": frozenset({"completed", "no_show"}),
    "no_show": frozenset({"checked_in", "completed"}),  # they turned up late after all
}

# From when each status may be set: the appointment's day (in the spa's time zone) or its start.
FROM_THE_DAY = frozenset({"checked_in"})
FROM_THE_START = frozenset({"completed", "no_show"})

# What a status means when explaining a refusal.
STATUS_WORDS = {
    "booked": "booked",
    "checked_in": "checked in",
    "completed": "completed",
    "no_show": "a no-show",
    "cancelled": "cancelled",
    "rescheduled": "moved to another time",
}


def check_status_change(booking: Booking, status: str, now: datetime, tz: ZoneInfo) -> bool:
    """May staff set `status` on the booking now? False when it already has it."""
    if booking.status == status:
        return False
    if status not in STATUS_CHANGES.get(booking.status, frozenset()):
        raise StatusConflict(
            f"the booking is {STATUS_WORDS[booking.status]}: it cannot be {STATUS_WORDS[status]}", "status"
        )
    if status in FROM_THE_DAY and now.astimezone(tz).date() < booking.start.astimezone(tz).date():
        raise InvalidRequest("a booking is checked in on its day, not before", "status")
    if status in FROM_THE_START and now < booking.start:
        raise InvalidRequest(f"a booking is {STATUS_WORDS[status]} once it has started", "status")
    return True


def check_cancel(booking: Booking, now: datetime) -> bool:
    """May the booking be cancelled now? False when it already is."""
    if booking.status == "cancelled":
        return False
    if booking.status != "booked":
        raise StatusConflict(
            f"the booking is {STATUS_WORDS[booking.status]}: it cannot be cancelled", "booking_id"
        )
    if booking.start <= now:
        raise InThePast("the booking has started: mark it a no-show instead", "booking_id")
    return True


def check_move(booking: Booking, now: datetime) -> None:
    """May the booking be moved to another time now?"""
    if booking.status != "booked":
        raise StatusConflict(
            f"the booking is {STATUS_WORDS[booking.status]}: it cannot be moved", "booking_id"
        )
    if booking.start <= now:
        raise InThePast("the booking has started: it cannot be moved", "booking_id")


def check_new_start(start: datetime, now: datetime, field: str = "start") -> None:
    """A booking made or moved by staff starts in the future."""
    if start <= now:
        raise InThePast("that time has passed", field)
