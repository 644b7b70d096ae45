"""The audit record every served tool call (and every staff or compliance action) leaves."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import Event


class AuditActor(BaseModel):
    """Who acted: service and instance, conversation, client reference, staff user."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    service: str
    instance: str = ""
    conversation_id: str | None = None
    client_ref: str | None = Field(default=None, description="keyed hash of the client's number")
    client_id: str | None = None
    staff_user: str | None = None


class AuditRecorded(Event):
    """One served tool call or staff/compliance action. `id` is the record id."""

    actor: AuditActor
    action: str = Field(min_length=1, max_length=100)
    arguments: dict[str, Any] = Field(default_factory=dict, description="as allowed to be logged")
    result_summary: dict[str, Any] = Field(default_factory=dict)
    disclosed_fields: list[str] = Field(default_factory=list)
    outcome: str = Field(default="ok", description="ok, or a typed error code")
    latency_ms: float = Field(default=0.0, ge=0)
