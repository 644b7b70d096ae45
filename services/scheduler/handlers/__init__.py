"""The scheduler's use cases, one per tool, grouped by concern; `serve_tool` answers and audits each.

catalog, availability, bookings (the agent's hold/confirm/release), clients, packages; the staff
desk's staff_bookings, provider_time and calendar (desk: what they share); dispatch (validate, unit
of work, exactly one audit record); audit_policy (what a record may say), audit_batcher,
catalog_cache, unit_of_work, ports.
"""

from services.scheduler.errors import ToolFailure
from services.scheduler.handlers.audit_batcher import AuditBatcher
from services.scheduler.handlers.audit_policy import audit_arguments, disclosed_fields
from services.scheduler.handlers.availability import find_availability, find_availability_by_week
from services.scheduler.handlers.bookings import confirm_booking, hold_slots, release_holds, upcoming_bookings
from services.scheduler.handlers.catalog import encode_reply, match_service, spa_profile
from services.scheduler.handlers.catalog_cache import CatalogCache
from services.scheduler.handlers.clients import lookup_or_create_client
from services.scheduler.handlers.dispatch import USE_CASES, serve_tool
from services.scheduler.handlers.packages import client_benefits
from services.scheduler.handlers.ports import Ports, Served

__all__ = [
    "USE_CASES",
    "AuditBatcher",
    "CatalogCache",
    "Ports",
    "Served",
    "ToolFailure",
    "audit_arguments",
    "client_benefits",
    "confirm_booking",
    "disclosed_fields",
    "encode_reply",
    "find_availability",
    "find_availability_by_week",
    "hold_slots",
    "lookup_or_create_client",
    "match_service",
    "release_holds",
    "serve_tool",
    "spa_profile",
    "upcoming_bookings",
]
