"""The agent's settings: everything from the environment, with safe local defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field

from shared.settings import CommonSettings


class AgentSettings(CommonSettings):
    """CommonSettings plus how the agent consumes texts and which brain decides."""

    http_port: int = Field(
        default=8081, ge=1, le=65535, validation_alias=AliasChoices("AGENT_HTTP_PORT", "http_port")
    )
    brain: Literal["deterministic"] = Field(
        default="deterministic", validation_alias=AliasChoices("AGENT_BRAIN", "brain")
    )
    max_workers: int = Field(
        default=16,
        ge=1,
        le=256,
        validation_alias=AliasChoices("AGENT_MAX_WORKERS", "max_workers"),
        description="texts handled concurrently per replica (different conversations run in parallel)",
    )
    max_deliver: int = Field(
        default=5, ge=1, le=100, validation_alias=AliasChoices("AGENT_MAX_DELIVER", "max_deliver")
    )
    ack_wait_seconds: float = Field(
        default=30.0, gt=1, validation_alias=AliasChoices("AGENT_ACK_WAIT_SECONDS", "ack_wait_seconds")
    )
    order_wait_seconds: float = Field(
        default=3.0,
        ge=0,
        validation_alias=AliasChoices("AGENT_ORDER_WAIT_SECONDS", "order_wait_seconds"),
        description="how long a text waits in-process for an earlier text of its conversation",
    )
    order_nak_delay_seconds: float = Field(
        default=0.5,
        gt=0,
        validation_alias=AliasChoices("AGENT_ORDER_NAK_DELAY_SECONDS", "order_nak_delay_seconds"),
    )
    retry_delay_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        validation_alias=AliasChoices("AGENT_RETRY_DELAY_SECONDS", "retry_delay_seconds"),
        description="first pause before a text whose scheduler call failed is tried again (doubles)",
    )
    hold_ttl_seconds: int | None = Field(
        default=None,
        ge=10,
        le=3600,
        validation_alias=AliasChoices("AGENT_HOLD_TTL_SECONDS", "hold_ttl_seconds"),
        description="how long offered options are held; unset uses the scheduler's default",
    )
    cache_size: int = Field(
        default=10_000, ge=0, validation_alias=AliasChoices("AGENT_CACHE_SIZE", "cache_size")
    )
