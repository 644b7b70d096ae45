"""What an audit record may say about a request and its result: no client text, no phone number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from services.scheduler.handlers.ports import Served
from shared.contracts.audit import AuditActor
from shared.contracts.desk import (
    BlockProviderTime,
    BookForClient,
    CancelBooking,
    GetCalendar,
    GetClientBookings,
    RescheduleBooking,
    SetBookingStatus,
    UnblockProviderTime,
)
from shared.contracts.tools import (
    ConfirmBooking,
    FindAvailability,
    FindAvailabilityByWeek,
    GetClientBenefits,
    HoldSlots,
    LookupOrCreateClient,
    MatchService,
    ReleaseHolds,
    ToolRequest,
    UpcomingBookings,
)
from shared.ids import client_ref


def _match_service(req: MatchService, key: str) -> dict[str, Any]:
    return {"text_chars": len(req.text), "limit": req.limit}


def _find_availability(req: FindAvailability, key: str) -> dict[str, Any]:
    return {
        "service_id": str(req.service_id),
        "preference": req.preference.model_dump(mode="json", exclude_defaults=True),
        "limit": req.limit,
        **({"provider_id": str(req.provider_id)} if req.provider_id else {}),
        **({"after": req.after.isoformat()} if req.after else {}),
        **({"excluded_starts": len(req.exclude_starts)} if req.exclude_starts else {}),
        **({"ruled_out": [str(p) for p in req.exclude_provider_ids]} if req.exclude_provider_ids else {}),
        **({"now": req.now.isoformat()} if req.now else {}),
    }


def _find_by_week(req: FindAvailabilityByWeek, key: str) -> dict[str, Any]:
    return {
        "service_id": str(req.service_id),
        "preferences": [p.model_dump(mode="json", exclude_defaults=True) for p in req.preferences],
        "limit": req.limit,
        **({"provider_id": str(req.provider_id)} if req.provider_id else {}),
        **({"excluded_starts": len(req.exclude_starts)} if req.exclude_starts else {}),
        **({"ruled_out": [str(p) for p in req.exclude_provider_ids]} if req.exclude_provider_ids else {}),
        **({"now": req.now.isoformat()} if req.now else {}),
    }


def _hold_slots(req: HoldSlots, key: str) -> dict[str, Any]:
    options = [
        {"service_id": str(o.service_id), "provider_id": str(o.provider_id), "start": o.start.isoformat()}
        for o in req.options
    ]
    return {"options": options, "ttl_seconds": req.ttl_seconds}


def _lookup_client(req: LookupOrCreateClient, key: str) -> dict[str, Any]:
    return {"client_ref": client_ref(key, req.tenant_id, req.phone), "name_given": req.name is not None}


def _book_for_client(req: BookForClient, key: str) -> dict[str, Any]:
    # The client as staff named them: an id, the keyed reference of a number, never a name.
    if req.client is None:
        named = {"client_id": str(req.client_id)}
    elif req.client.phone is not None:
        named = {"client_ref": client_ref(key, req.tenant_id, req.client.phone)}
    else:
        named = {"by_name": True}
    return {
        "service_id": str(req.service_id),
        "provider_id": str(req.provider_id),
        "start": req.start.isoformat(),
        **named,
    }


def _block(req: BlockProviderTime, key: str) -> dict[str, Any]:
    return {
        "provider_id": str(req.provider_id),
        "start": req.start.isoformat(),
        "end": req.end.isoformat(),
        "reason": req.reason,
    }


def _calendar(req: GetCalendar, key: str) -> dict[str, Any]:
    return {
        "date_from": req.date_from.isoformat(),
        "date_to": (req.date_to or req.date_from).isoformat(),
        "providers": [str(p) for p in req.provider_ids],
    }


# Per request type, what its audit record's `arguments` say. A request type missing here is
# recorded with no arguments, never with its raw fields.
ARGUMENTS: dict[type[Any], Callable[[Any, str], dict[str, Any]]] = {
    MatchService: _match_service,
    FindAvailability: _find_availability,
    FindAvailabilityByWeek: _find_by_week,
    HoldSlots: _hold_slots,
    ConfirmBooking: lambda req, key: {"hold_id": str(req.hold_id)},
    ReleaseHolds: lambda req, key: {"hold_ids": [str(h) for h in req.hold_ids]},
    GetClientBenefits: lambda req, key: {"service_id": str(req.service_id) if req.service_id else None},
    LookupOrCreateClient: _lookup_client,
    UpcomingBookings: lambda req, key: {"client_ref": client_ref(key, req.tenant_id, req.phone)},
    CancelBooking: lambda req, key: {"booking_id": str(req.booking_id), "reason": req.reason},
    RescheduleBooking: lambda req, key: {
        "booking_id": str(req.booking_id),
        "start": req.start.isoformat(),
        "provider_id": str(req.provider_id) if req.provider_id else None,
    },
    BookForClient: _book_for_client,
    SetBookingStatus: lambda req, key: {"booking_id": str(req.booking_id), "status": req.status},
    BlockProviderTime: _block,
    UnblockProviderTime: lambda req, key: {"block_id": str(req.block_id)},
    GetCalendar: _calendar,
    GetClientBookings: lambda req, key: {
        "limit": req.limit,
        **({"client_ref": client_ref(key, req.tenant_id, req.phone)} if req.phone else {}),
    },
}


def audit_arguments(name: str, req: ToolRequest, id_hash_key: str) -> dict[str, Any]:
    """The request's arguments as they may be logged: no client text, no phone number, no name."""
    describe = ARGUMENTS.get(type(req))
    return {} if describe is None else describe(req, id_hash_key)


def disclosed_fields(result: BaseModel, prefix: str = "") -> list[str]:
    """Dotted names of the result fields that carry a value: what the caller got to see."""
    names: list[str] = []
    for name in type(result).model_fields:
        value = getattr(result, name)
        if value is None or value == "" or value == []:
            continue
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            names.extend(disclosed_fields(value, f"{path}."))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            names.extend(dict.fromkeys(n for item in value for n in disclosed_fields(item, f"{path}.")))
        else:
            names.append(path)
    return names


def disclosed(served: Served, actor: Any = None) -> list[str]:
    names = served.disclosed if served.disclosed is not None else disclosed_fields(served.result)
    # A model-initiated call: what reached the model is what its allow-list let through.
    seen = getattr(actor, "disclosed_to_model", None)
    return names if seen is None else [n for n in names if n in set(seen)]


def audit_actor(actor: Any, client_id: UUID | None, ref: str | None) -> AuditActor:
    return AuditActor(
        service=actor.service,
        instance=actor.instance,
        conversation_id=actor.conversation_id,
        staff_user=actor.staff_user,
        client_id=str(client_id) if client_id else None,
        client_ref=ref,
    )
