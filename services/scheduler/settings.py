"""The scheduler's settings: environment variables with safe local defaults."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import CommonSettings


class SchedulerSettings(CommonSettings):
    """What the scheduler reads besides the common settings."""

    http_port: int = Field(
        default=8082, validation_alias=AliasChoices("SCHEDULER_HTTP_PORT", "http_port"), ge=0, le=65535
    )
    spa_files: str = Field(default="spas/*.yaml", description="glob of the spa files `make run` loads")
    hold_ttl_seconds: int = Field(
        default=600, ge=1, le=3600, description="how long a hold lasts when the request names no TTL"
    )
    tool_workers: int = Field(default=16, ge=1, le=512, description="tool requests served concurrently")
    catalog_recheck_seconds: float = Field(
        default=2.0, ge=0, description="how often the cached catalog checks the spa's version"
    )
    # Test-only: exit right after committing this tool's transaction, before replying.
    crash_after_commit: str | None = Field(
        default=None, validation_alias=AliasChoices("FRONTDESK_CRASH_AFTER_COMMIT", "crash_after_commit")
    )
