"""The fixed envelope every bus message carries, and the base classes for events and commands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

TenantId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", strip_whitespace=True)]
"""A spa's id: lowercase slug, safe in subjects."""

OpaqueId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""An id safe to put in a subject: no dots, no wildcards, no personal data."""


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Envelope(BaseModel):
    """id, occurred_at, schema_version, tenant_id, correlation_id: on every message."""

    # Bus messages ignore unknown fields so a producer can add one without a coordinated deploy.
    model_config = ConfigDict(frozen=True, extra="ignore")

    SCHEMA_VERSION: ClassVar[int] = 1

    id: UUID = Field(default_factory=uuid4)
    occurred_at: AwareDatetime = Field(default_factory=utcnow)
    schema_version: int = 1
    tenant_id: TenantId
    correlation_id: UUID = Field(default_factory=uuid4)

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class Event(Envelope):
    """Something that happened; named in the past tense."""


class Command(Envelope):
    """Something asked of a service; named in the imperative."""


class InboundPayload(BaseModel):
    """Base for HTTP request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
