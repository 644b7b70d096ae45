"""Settings read from the environment, with safe local defaults."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from shared.bus.durable import Delivery


def _default_instance() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class NatsLogin(BaseSettings):
    """Who a service is on NATS: its own user and inbox prefix (deploy/k8s/base/nats/permissions.conf)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    nats_user: str = Field(default="", description="NATS_USER: this service's NATS user; empty for none")
    nats_password: SecretStr = Field(default=SecretStr(""), description="NATS_PASSWORD of that user")
    nats_inbox_prefix: str = Field(
        default="_INBOX",
        pattern=r"^_INBOX[A-Za-z0-9_]*$",
        description="NATS_INBOX_PREFIX: where this service's replies arrive (_INBOX_<service> in production)",
    )

    def connect_options(self) -> dict[str, object]:
        """Keyword arguments for nats.connect / NatsBroker."""
        options: dict[str, object] = {"inbox_prefix": self.nats_inbox_prefix}
        if self.nats_user:
            options.update(user=self.nats_user, password=self.nats_password.get_secret_value())
        return options


class CommonSettings(NatsLogin):
    """What every service reads: where the bus and the database are, how to log, who it is."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server URL(s)")
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:54329/frontdesk",
        description="PostgreSQL DSN (the default is the one `make run` starts)",
    )
    subject_prefix: str = Field(
        default="frontdesk",
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="Prefix of every subject and stream name; lets several systems share a server",
    )
    stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas (3 in production)")
    # Production: the NATS admin creates streams (`frontdesk deploy streams`) and a Job per schema
    # migrates as the database admin (`frontdesk deploy migrate`); a service's own users may not.
    create_streams: bool = Field(default=True, description="CREATE_STREAMS: create/update streams at start")
    migrate_on_start: bool = Field(default=True, description="MIGRATE_ON_START: apply migrations at start")
    request_timeout_seconds: float = Field(
        default=5.0, gt=0, description="NATS request/reply timeout for tool calls"
    )
    log_level: str = Field(default="INFO")
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    instance_id: str = Field(default_factory=_default_instance)
    id_hash_key: SecretStr = Field(
        default=SecretStr("frontdesk-local-development-key"),
        description="Key for the opaque ids derived from phone numbers; set a secret one in production",
    )
    http_host: str = Field(default="127.0.0.1")
    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,::1",
        description="ALLOWED_HOSTS: host names the HTTP APIs answer to, comma-separated ('.example.com' "
        "for its subdomains, '*' for any); a write's Origin must name one of them too",
    )
    db_pool_min: int = Field(default=1, ge=0)
    db_pool_max: int = Field(default=10, ge=1)
    bus_max_deliver: int = Field(
        default=5, ge=1, le=100, description="deliveries of a failing message before it is dead-lettered"
    )
    bus_retry_seconds: float = Field(
        default=1.0, gt=0, le=60, description="pause before a failed message is delivered again (doubles)"
    )
    bus_retry_max_seconds: float = Field(default=30.0, gt=0, le=600, description="longest such pause")
    bus_ack_wait_seconds: float = Field(
        default=30.0, gt=1, description="how long a delivery may take before the server redelivers it"
    )

    def delivery(self) -> Delivery:
        """The durable consumers' retry and dead-letter policy (see docs/operations.md)."""
        from shared.bus.durable import Delivery

        return Delivery(
            max_deliver=self.bus_max_deliver,
            ack_wait=self.bus_ack_wait_seconds,
            retry_first=self.bus_retry_seconds,
            retry_max=max(self.bus_retry_max_seconds, self.bus_retry_seconds),
        )
