"""What the scheduler stores, as the use cases see it: holds, bookings, blocks, clients, packages.

The repository returns these (never database rows) and raises the errors in errors.py (never driver
exceptions), so a use case reads like the spa's rules and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

BookingStatus = Literal["booked", "checked_in", "completed", "no_show", "cancelled", "rescheduled"]

# A booking in one of these statuses keeps its provider's time (the exclusion constraint's set).
ACTIVE_STATUSES: tuple[BookingStatus, ...] = ("booked", "checked_in", "completed")


@dataclass(frozen=True, slots=True)
class Hold:
    """A provider's time reserved for a client while they decide (or the hold a booking came from)."""

    id: UUID
    spa_id: str
    client_id: UUID | None
    provider_id: UUID
    service_id: UUID
    start: datetime
    end: datetime
    blocked_until: datetime  # the end plus the spa's buffer
    status: str
    lapsed: bool = False


@dataclass(frozen=True, slots=True)
class Booking:
    """An appointment: a provider's time for a client's service."""

    id: UUID
    spa_id: str
    hold_id: UUID | None
    client_id: UUID | None
    provider_id: UUID
    service_id: UUID
    start: datetime
    end: datetime
    blocked_until: datetime
    status: BookingStatus
    covered_by_package: str | None = None
    client_name: str | None = None
    package_session_used: bool = False
    rescheduled_from: UUID | None = None
    rescheduled_to: UUID | None = None

    @property
    def active(self) -> bool:
        """Still holds the provider's time."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Block:
    """A provider's time off, break or training: not bookable."""

    id: UUID
    spa_id: str
    provider_id: UUID
    start: datetime
    end: datetime
    reason: str
    removed: bool = False


@dataclass(frozen=True, slots=True)
class LiveHold:
    """A client's live hold as the calendar shows it."""

    id: UUID
    client_id: UUID | None
    client_name: str | None
    provider_id: UUID
    service_id: UUID
    start: datetime
    end: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Client:
    """A client of the spa (the number stays in the repository; the audit log names `ref`)."""

    id: UUID
    first_name: str | None
    ref: str
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class ClientPackage:
    """A package the client bought, with sessions left."""

    id: UUID
    name: str
    service_id: UUID
    sessions_remaining: int


@dataclass(frozen=True, slots=True)
class Membership:
    """The client's membership tier."""

    name: str
    discount_percent: int
    covered_service_ids: tuple[UUID, ...]


@dataclass(frozen=True, slots=True)
class PackageOffering:
    """A package the spa sells for a service."""

    name: str
    sessions: int
    price_cents: int
