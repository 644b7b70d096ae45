"""What the scheduler refuses, as domain errors: the repository and the use cases raise them.

Each carries the code and field of the typed error reply the caller gets; the use case's writes are
rolled back and the failure is audited (handlers.dispatch).
"""

from __future__ import annotations


class ToolFailure(Exception):
    """A typed error reply: the use case's writes are rolled back, the failure is audited."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(ToolFailure):
    """No such spa, client, hold, booking or block (at this spa: another spa's ids are not found)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("not_found", message, field)


class ServiceNotFound(ToolFailure):
    """No such service at this spa."""

    def __init__(
        self, message: str = "no such service at this spa", field: str | None = "service_id"
    ) -> None:
        super().__init__("service_not_found", message, field)


class InvalidRequest(ToolFailure):
    """The request breaks one of the spa's rules (hours, qualifications, window)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("invalid_request", message, field)


class SlotTaken(ToolFailure):
    """The time overlaps another booking, a live hold of another client or a block."""

    def __init__(self, message: str = "that time was just booked", field: str | None = None) -> None:
        super().__init__("slot_taken", message, field)


class HoldExpired(ToolFailure):
    """The hold lapsed or was released before it was confirmed."""

    def __init__(
        self, message: str = "the hold has expired or was released", field: str | None = None
    ) -> None:
        super().__init__("hold_expired", message, field)


class InThePast(ToolFailure):
    """The time asked for has already started."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("in_the_past", message, field)


class StatusConflict(ToolFailure):
    """The booking's status does not allow the change (a completed booking is not cancelled)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("status_conflict", message, field)
