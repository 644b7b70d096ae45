"""What an audit record may say about a request and its result: no client text, no phone number."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from services.scheduler.handlers.ports import Served
from shared.contracts.audit import AuditActor
from shared.contracts.tools import (
    ConfirmBooking,
    FindAvailability,
    GetClientBenefits,
    HoldSlots,
    LookupOrCreateClient,
    MatchService,
    ReleaseHolds,
    ToolRequest,
    UpcomingBookings,
)
from shared.ids import client_ref


def audit_arguments(name: str, req: ToolRequest, id_hash_key: str) -> dict[str, Any]:
    """The request's arguments as they may be logged: no client text, no phone number."""
    if isinstance(req, MatchService):
        return {"text_chars": len(req.text), "limit": req.limit}
    if isinstance(req, FindAvailability):
        return {
            "service_id": str(req.service_id),
            "preference": req.preference.model_dump(mode="json", exclude_defaults=True),
            "limit": req.limit,
            **({"provider_id": str(req.provider_id)} if req.provider_id else {}),
            **({"after": req.after.isoformat()} if req.after else {}),
            **({"excluded_starts": len(req.exclude_starts)} if req.exclude_starts else {}),
            **({"now": req.now.isoformat()} if req.now else {}),
        }
    if isinstance(req, HoldSlots):
        return {
            "options": [
                {
                    "service_id": str(o.service_id),
                    "provider_id": str(o.provider_id),
                    "start": o.start.isoformat(),
                }
                for o in req.options
            ],
            "ttl_seconds": req.ttl_seconds,
        }
    if isinstance(req, ConfirmBooking):
        return {"hold_id": str(req.hold_id)}
    if isinstance(req, ReleaseHolds):
        return {"hold_ids": [str(h) for h in req.hold_ids]}
    if isinstance(req, GetClientBenefits):
        return {"service_id": str(req.service_id) if req.service_id else None}
    if isinstance(req, LookupOrCreateClient):
        return {
            "client_ref": client_ref(id_hash_key, req.tenant_id, req.phone),
            "name_given": req.name is not None,
        }
    if isinstance(req, UpcomingBookings):
        return {"client_ref": client_ref(id_hash_key, req.tenant_id, req.phone)}
    return {}


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
