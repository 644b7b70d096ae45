"""Which tools only read: answered on a plain connection, their audit records committed in batches."""

from __future__ import annotations

# Tools that only read: their one write is the audit record, committed in a batch with the records of
# concurrent read-only requests (AuditBatcher) before the reply; no BEGIN/SAVEPOINT/COMMIT round trips.
READ_ONLY = frozenset(
    {
        "match_service",
        "find_availability",
        "find_availability_by_week",
        "client_benefits",
        "spa_profile",
        "upcoming_bookings",
        "calendar",
        "client_bookings",
    }
)
