"""The agent's settings: everything from the environment, with safe local defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import CommonSettings


class AgentSettings(CommonSettings):
    """CommonSettings plus how the agent consumes texts and which brain decides."""

    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", case_sensitive=False, populate_by_name=True
    )

    http_port: int = Field(default=8081, ge=1, le=65535, alias="AGENT_HTTP_PORT")
    brain: Literal["deterministic"] = Field(default="deterministic", alias="AGENT_BRAIN")
    max_workers: int = Field(
        default=16,
        ge=1,
        le=256,
        alias="AGENT_MAX_WORKERS",
        description="texts handled concurrently per replica (different conversations run in parallel)",
    )
    max_deliver: int = Field(default=5, ge=1, le=100, alias="AGENT_MAX_DELIVER")
    ack_wait_seconds: float = Field(default=30.0, gt=1, alias="AGENT_ACK_WAIT_SECONDS")
    order_wait_seconds: float = Field(
        default=3.0,
        ge=0,
        alias="AGENT_ORDER_WAIT_SECONDS",
        description="how long a text waits in-process for an earlier text of its conversation",
    )
    order_nak_delay_seconds: float = Field(default=0.5, gt=0, alias="AGENT_ORDER_NAK_DELAY_SECONDS")
    hold_ttl_seconds: int | None = Field(
        default=None,
        ge=10,
        le=3600,
        alias="AGENT_HOLD_TTL_SECONDS",
        description="how long offered options are held; unset uses the scheduler's default",
    )
    cache_size: int = Field(default=10_000, ge=0, alias="AGENT_CACHE_SIZE")
