"""The spa files as this service reads them: identity, `notifiers`, `on_call` and `agent.replies`."""

from __future__ import annotations

import glob
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.escalation.spa_hours import OpeningHours
from shared.contracts.envelope import TenantId
from shared.contracts.escalation import EscalationCategory, ReplyMode
from shared.contracts.sms import E164


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


class AgentConfig(BaseModel):
    """The spa file's `agent` section as this service reads it (other keys belong to the agent)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    replies: ReplyMode = Field(
        default="automatic", description="draft: the agent's replies wait for a staff click in the inbox"
    )


class OnCallConfig(BaseModel):
    """Who is paged by text for an urgent escalation (and the categories listed), and how often."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    numbers: list[E164] = Field(default_factory=list, max_length=5)
    categories: list[EscalationCategory] = Field(default_factory=list)
    realert_minutes: float = Field(default=10, gt=0, le=24 * 60)

    def pages(self, category: str, priority: str) -> bool:
        """Whether an escalation of this category and priority pages the on-call numbers."""
        return bool(self.numbers) and (priority == "urgent" or category in self.categories)


class Spa(BaseModel):
    """What this service needs of a spa file; other services' sections are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: TenantId
    name: str
    timezone: str = "UTC"
    notifiers: NotifiersConfig = Field(default_factory=NotifiersConfig)
    opening_hours: OpeningHours = Field(default_factory=dict, description="what counts as after hours")
    agent: AgentConfig = Field(default_factory=AgentConfig)
    on_call: OnCallConfig = Field(default_factory=OnCallConfig)


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
