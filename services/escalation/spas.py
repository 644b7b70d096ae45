"""The spa files as this service reads them: identity and the `notifiers` section."""

from __future__ import annotations

import glob
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.escalation.spa_hours import OpeningHours
from shared.contracts.envelope import TenantId


class WebhookConfig(BaseModel):
    """A Slack-style incoming webhook: we POST {"text": ...} as JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")
    headers: dict[str, str] = Field(default_factory=dict)


class EmailConfig(BaseModel):
    """An SMTP relay and who gets the alert."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(alias="from", pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = Field(default=None, description="environment variable holding the password")


class NotifiersConfig(BaseModel):
    """Where a spa's staff are alerted. The inbox is always on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook: WebhookConfig | None = None
    email: EmailConfig | None = None

    def names(self) -> list[str]:
        """The notifiers an alert goes to, inbox first."""
        return ["inbox"] + [n for n in ("webhook", "email") if getattr(self, n) is not None]


class Spa(BaseModel):
    """What this service needs of a spa file; other services' sections are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: TenantId
    name: str
    timezone: str = "UTC"
    notifiers: NotifiersConfig = Field(default_factory=NotifiersConfig)
    opening_hours: OpeningHours = Field(default_factory=dict, description="what counts as after hours")


class SpaFileError(ValueError):
    """A spa file that cannot be read as this service needs it."""


def load_spas(pattern: str) -> dict[str, Spa]:
    """Every spa file matching the glob, by spa id; a bad file is an error naming the file."""
    spas: dict[str, Spa] = {}
    for name in sorted(glob.glob(pattern)):
        path = Path(name)
        try:
            data = yaml.safe_load(path.read_text()) or {}
            spa = Spa.model_validate(data)
        except (yaml.YAMLError, ValidationError) as exc:
            raise SpaFileError(f"{path}: {exc}") from None
        if spa.id in spas:
            raise SpaFileError(f"{path}: spa id {spa.id!r} is already defined by another file")
        spas[spa.id] = spa
    return spas
