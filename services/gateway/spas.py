"""The spas the gateway serves, read from the spa files (`SPA_FILES`): identity and `sms` section."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.gateway.abuse import Limits
from shared.contracts.envelope import TenantId
from shared.contracts.sms import E164

log = structlog.get_logger()

DEFAULT_HELP = "Reply STOP to opt out. Msg&data rates may apply."


class LimitsSection(BaseModel):
    """The `sms.limits` section: when one number's texts wait for staff instead of the agent."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    texts_per_number_per_hour: int = Field(
        default=30, ge=1, le=10_000, description="texts of one number answered per hour; more wait for staff"
    )
    number_share_of_daily_cap: float = Field(
        default=0.1, gt=0, le=1, description="share of daily_send_cap one number's replies may use in a day"
    )
    loop_reply_seconds: float = Field(
        default=5.0, gt=0, le=300, description="a text this soon after our reply was answered instantly"
    )
    loop_replies: int = Field(
        default=4, ge=2, le=50, description="this many instant answers in a row is a reply loop"
    )

    def limits(self) -> Limits:
        """The limits as the gateway's rules use them."""
        return Limits(
            texts_per_hour=self.texts_per_number_per_hour,
            share_of_daily_cap=self.number_share_of_daily_cap,
            loop_reply_seconds=self.loop_reply_seconds,
            loop_replies=self.loop_replies,
        )


class SmsSection(BaseModel):
    """The `sms` section of a spa file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    numbers: list[E164] = Field(default_factory=list)
    messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    daily_send_cap: int = Field(default=500, ge=0)
    help_text: str = Field(default=DEFAULT_HELP, min_length=1, max_length=320)
    phone_display: str | None = Field(
        default=None,
        max_length=32,
        description="the spa's phone as clients dial it, e.g. (415) 555-0199; named in opt-out replies",
    )
    account_sid_env: str | None = Field(default=None, description="env var with this spa's Account SID")
    auth_token_env: str | None = Field(default=None, description="env var with this spa's Auth Token")
    previous_auth_token_env: str | None = Field(
        default=None, description="env var with this spa's old Auth Token, accepted while it is rotated"
    )
    limits: LimitsSection = Field(default_factory=LimitsSection)


class SpaFile(BaseModel):
    """What the gateway reads of a spa file; other services' sections are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: TenantId
    name: str
    timezone: str = "UTC"
    sms: SmsSection = Field(default_factory=SmsSection)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


@dataclass(frozen=True)
class Spa:
    """One spa as the gateway uses it, with its credentials resolved."""

    id: str
    name: str
    tz: ZoneInfo
    numbers: tuple[str, ...]
    messaging_service_sid: str | None
    daily_send_cap: int
    help_text: str
    account_sid: str
    auth_token: str
    phone_display: str = ""
    limits: Limits = field(default_factory=Limits)
    previous_auth_token: str = ""  # the old token while the spa's Auth Token is rotated

    @property
    def webhook_tokens(self) -> tuple[str, ...]:
        """The tokens a webhook signature may be made with: the current one, then the old one."""
        return tuple(t for t in (self.auth_token, self.previous_auth_token) if t)

    @property
    def sender(self) -> str:
        """What to send from: the first number (a Messaging Service is used when there is none)."""
        return self.numbers[0] if self.numbers else ""


class SpaDirectory:
    """Look spas up by id, by number, or by Messaging Service SID."""

    def __init__(self, spas: list[Spa]) -> None:
        self._by_id = {s.id: s for s in spas}
        self._by_number = {n: s for s in spas for n in s.numbers}
        self._by_service = {s.messaging_service_sid: s for s in spas if s.messaging_service_sid}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, spa_id: str) -> Spa | None:
        """The spa with this id."""
        return self._by_id.get(spa_id)

    def serves_number(self, number: str) -> bool:
        """Whether `number` is one of the numbers of any spa served here (their texts are never answered)."""
        return number in self._by_number

    def for_inbound(self, to_number: str | None, messaging_service_sid: str | None) -> Spa | None:
        """The spa a text was sent to.

        A Messaging Service names its spa even when the number belongs to a shared pool; only
        without one does the `To` number decide.
        """
        if messaging_service_sid and messaging_service_sid in self._by_service:
            return self._by_service[messaging_service_sid]
        if to_number:
            return self._by_number.get(to_number)
        return None


def files_fingerprint(pattern: str) -> tuple[tuple[str, int, int], ...]:
    """What identifies the spa files' current contents cheaply: names, mtimes and sizes."""
    out = []
    for path in sorted(glob.glob(pattern)):
        try:
            st = os.stat(path)
        except OSError:
            continue
        out.append((path, st.st_mtime_ns, st.st_size))
    return tuple(out)


def load_spas(
    pattern: str,
    default_account_sid: str = "",
    default_auth_token: str = "",
    default_previous_token: str = "",
) -> SpaDirectory:
    """Read every spa file matching the glob; a file that does not parse stops start-up loudly.

    A spa without its own Auth Token uses the defaults (and the default old token while rotating)."""
    spas: list[Spa] = []
    for path in sorted(glob.glob(pattern)):
        data = yaml.safe_load(Path(path).read_text()) or {}
        parsed = SpaFile.model_validate(data)
        sms = parsed.sms
        account_sid = os.environ.get(sms.account_sid_env, "") if sms.account_sid_env else ""
        auth_token = os.environ.get(sms.auth_token_env, "") if sms.auth_token_env else ""
        previous = os.environ.get(sms.previous_auth_token_env, "") if sms.previous_auth_token_env else ""
        spas.append(
            Spa(
                id=parsed.id,
                name=parsed.name,
                tz=ZoneInfo(parsed.timezone),
                numbers=tuple(sms.numbers),
                messaging_service_sid=sms.messaging_service_sid,
                daily_send_cap=sms.daily_send_cap,
                help_text=sms.help_text,
                account_sid=account_sid or default_account_sid,
                auth_token=auth_token or default_auth_token,
                phone_display=sms.phone_display or "",
                limits=sms.limits.limits(),
                previous_auth_token=previous if auth_token else (previous or default_previous_token),
            )
        )
    directory = SpaDirectory(spas)
    log.info("spas.loaded", count=len(directory), pattern=pattern)
    return directory
