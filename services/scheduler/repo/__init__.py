"""The scheduler's SQL: the only package that speaks to PostgreSQL.

It returns the domain types of services/scheduler/model.py and raises the errors of
services/scheduler/errors.py (SlotTaken, never asyncpg's ExclusionViolationError).
"""

from services.scheduler.repo.bookings import (
    booking_for_hold,
    busy,
    expire_holds,
    hold_for_update,
    insert_booking,
    insert_hold,
    lock_hold_provider,
    lock_providers,
    release_holds,
    upcoming_bookings,
)
from services.scheduler.repo.catalog import hours_json, load_catalog, spa_version
from services.scheduler.repo.clients import (
    client_by_phone,
    client_membership,
    client_packages,
    client_ref_of,
    lookup_or_create_client,
    package_offers,
)
from services.scheduler.repo.loading import Counts, LoadReport, load_spa

__all__ = [
    "Counts",
    "LoadReport",
    "booking_for_hold",
    "busy",
    "client_by_phone",
    "client_membership",
    "client_packages",
    "client_ref_of",
    "expire_holds",
    "hold_for_update",
    "hours_json",
    "insert_booking",
    "insert_hold",
    "load_catalog",
    "load_spa",
    "lock_hold_provider",
    "lock_providers",
    "lookup_or_create_client",
    "package_offers",
    "release_holds",
    "spa_version",
    "upcoming_bookings",
]
