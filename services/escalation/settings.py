"""The escalation service's settings, with safe local defaults."""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.settings import CommonSettings


class EscalationSettings(CommonSettings):
    """Where the inbox listens, how staff sign in, how hard notifiers are retried."""

    inbox_http_port: int = Field(default=8083, ge=1, le=65535, description="staff inbox HTTP port")
    spa_files: str = Field(default="spas/*.yaml", description="glob of the spa files (notifiers section)")
    inbox_session_hours: float = Field(default=12.0, gt=0, le=24 * 30, description="sign-in lifetime")
    inbox_secure_cookies: bool | None = Field(
        default=None,
        description="mark the sign-in cookie Secure; unset: when the inbox URL is https",
    )
    inbox_login_max_failures: int = Field(
        default=5, ge=1, le=100, description="failed sign-ins per account and address per window"
    )
    inbox_login_window_seconds: float = Field(default=900.0, gt=0, description="login throttling window")
    inbox_dev_owner_password: SecretStr = Field(
        default=SecretStr(""),
        description="`make run` only: an owner account owner@<spa id> per spa with this password "
        "(refused off a loopback host)",
    )
    inbox_public_url: str = Field(
        default="", description="the inbox URL alerts link to; defaults to http://<host>:<port>"
    )
    notifier_max_attempts: int = Field(default=8, ge=1, le=100, description="attempts per alert")
    notifier_backoff_seconds: float = Field(default=2.0, gt=0, description="first retry delay")
    notifier_backoff_max_seconds: float = Field(default=300.0, gt=0, description="longest retry delay")
    notifier_timeout_seconds: float = Field(default=10.0, gt=0, description="per webhook/SMTP attempt")
    notifier_poll_seconds: float = Field(
        default=1.0, gt=0, description="how often due retries are looked for"
    )
    scheduler_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="how long a calendar or booking call waits for the scheduler"
    )
    inbox_business_hours: str = Field(
        default="09:00-18:00",
        pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="fallback only: every-day hours for a spa file without `opening_hours` "
        "(after hours is otherwise the spa's own opening hours)",
    )

    def secure_cookies(self) -> bool:
        """Whether the sign-in cookie is marked Secure (sent over https only)."""
        if self.inbox_secure_cookies is not None:
            return self.inbox_secure_cookies
        return self.inbox_url().startswith("https://")

    def inbox_url(self) -> str:
        """The URL staff open (and alerts point to)."""
        if self.inbox_public_url:
            return self.inbox_public_url.rstrip("/")
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::", "") else self.http_host
        return f"http://{host}:{self.inbox_http_port}"
