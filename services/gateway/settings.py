"""The gateway's settings: Twilio credentials, public URL, provider, limits; safe local defaults."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from shared.settings import CommonSettings

TWILIO_API = "https://api.twilio.com"


# Texts to different conversations the send consumer takes at once (docs/gateway.md, "Outbound").
SEND_LANES = 8


class GatewaySettings(CommonSettings):
    """Everything the gateway reads from the environment."""

    twilio_account_sid: str = Field(default="", description="default Account SID of every spa")
    twilio_auth_token: SecretStr = Field(
        default=SecretStr(""), description="default Auth Token of every spa (a spa file may override)"
    )
    twilio_auth_token_previous: SecretStr = Field(
        default=SecretStr(""),
        description="while the Auth Token is being rotated: the old one, still accepted on webhooks",
    )
    twilio_api_base_url: str = Field(
        default=TWILIO_API, description="Twilio REST API base; point it at a fake Twilio server"
    )
    public_base_url: str = Field(
        default="",
        description="the URL Twilio calls (scheme://host[:port]), for signature validation; required "
        "with Twilio unless forwarded headers are trusted from configured proxies",
    )
    trust_forwarded_headers: bool = Field(
        default=False,
        description="use X-Forwarded-Proto/Host when PUBLIC_BASE_URL is not set, only from TRUSTED_PROXIES",
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks (10.0.0.0/8) of the proxies whose "
        "X-Forwarded-* headers are believed",
    )
    number_limits: bool = Field(
        default=True,
        description="hold looping or over-limit numbers for staff (spa file sms.limits); off only for "
        "scripted test clients, which answer every reply at once as a bot would",
    )
    sms_provider: Literal["twilio", "simulator", ""] = Field(
        default="", description="twilio or simulator; empty means simulator unless Twilio credentials are set"
    )
    gateway_http_port: int = Field(default=8080, ge=0, le=65535)
    spa_files: str = Field(default="spas/*.yaml", description="glob of the spa files")
    spool_dir: Path = Field(
        default=Path(".data/gateway-spool"),
        description="where inbound texts wait on local disk while NATS is unreachable",
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="largest webhook body accepted")
    max_reply_chars: int = Field(default=320, ge=1, le=1600, description="longest outbound text sent")
    gateway_admin_token: SecretStr = Field(
        default=SecretStr(""), description="bearer token of /admin endpoints"
    )
    simulator_token: SecretStr = Field(
        default=SecretStr(""),
        description="SIMULATOR_TOKEN: lets the SMS simulator be called from another machine with "
        "'Authorization: Bearer <token>'; without it the simulator answers this machine (loopback) only",
    )
    publish_timeout_seconds: float = Field(default=3.0, gt=0, description="JetStream ack wait per webhook")
    send_lanes: int = Field(
        default=SEND_LANES,
        ge=1,
        le=200,
        description="texts to different conversations sent side by side (1: one at a time)",
    )
    gateway_role: Literal["all", "webhooks", "sender"] = Field(
        default="all",
        description="what this process does: all; webhooks (Twilio's webhooks only: a client's text is "
        "acknowledged without waiting behind sends); sender (the spa's texts out, no webhooks). Run both "
        "roles to scale and shield them apart; with SMS_PROVIDER=simulator only 'all'",
    )
    send_attempts: int = Field(default=4, ge=1, le=10, description="tries per text on 429/5xx")
    send_backoff_seconds: float = Field(default=0.5, ge=0, description="first retry delay; doubles")
    send_timeout_seconds: float = Field(default=10.0, gt=0, description="HTTP timeout of one send")
    send_retry_seconds: float = Field(
        default=15.0,
        gt=0,
        description="a text the carrier could not take for now (429/5xx after SEND_ATTEMPTS tries) is "
        "tried again after this pause, doubling each time",
    )
    send_retry_max_seconds: float = Field(default=300.0, gt=0, description="longest pause between such tries")
    send_retry_window_seconds: float = Field(
        default=1200.0,
        gt=0,
        description="how long after its first try such a text keeps being tried; then it fails and "
        "staff are alerted",
    )
    stale_sending_seconds: float = Field(
        default=60.0, gt=0, description="a 'sending' claim older than this belongs to a dead process"
    )
    release_interval_seconds: float = Field(
        default=30.0, gt=0, description="how often waiting (capped) texts are reconsidered"
    )

    def check_role(self) -> None:
        """Refuse a split role with the simulator: its sent texts live in the process that serves them."""
        if self.gateway_role != "all" and self.provider == "simulator":
            role = self.gateway_role
            raise ValueError(f"GATEWAY_ROLE={role} needs SMS_PROVIDER=twilio (the simulator runs as 'all')")

    @property
    def takes_webhooks(self) -> bool:
        return self.gateway_role != "sender"

    @property
    def sends(self) -> bool:
        return self.gateway_role != "webhooks"

    def check_webhook_url(self) -> None:
        """Refuse to start with Twilio when a caller could choose the URL signatures are checked on."""
        if self.provider != "twilio" or self.public_base_url:
            return
        if not (self.trust_forwarded_headers and self.trusted_proxies):
            raise ValueError(
                "PUBLIC_BASE_URL is required with SMS_PROVIDER=twilio (or TRUST_FORWARDED_HEADERS=true "
                "with TRUSTED_PROXIES naming the proxies in front of the gateway)"
            )
        self.proxy_networks()  # a typo fails start-up, not every webhook

    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """TRUSTED_PROXIES parsed (ValueError naming the entry that is not an address or network)."""
        networks = []
        for entry in filter(None, (part.strip() for part in self.trusted_proxies.split(","))):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or network") from None
        return networks

    @property
    def provider(self) -> Literal["twilio", "simulator"]:
        """The provider in use: explicit, else simulator without credentials."""
        if self.sms_provider:
            return self.sms_provider
        has_credentials = bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())
        return "twilio" if has_credentials else "simulator"
