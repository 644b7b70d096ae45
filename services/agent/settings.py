"""The agent's settings: everything from the environment, with safe local defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import CommonSettings


class AgentSettings(CommonSettings):
    """CommonSettings plus how the agent consumes texts and which brain decides."""

    http_port: int = Field(
        default=8081, ge=1, le=65535, validation_alias=AliasChoices("AGENT_HTTP_PORT", "http_port")
    )
    brain: Literal["deterministic", "claude"] = Field(
        default="deterministic",
        validation_alias=AliasChoices("AGENT_BRAIN", "brain"),
        description="deterministic (default, no model) or claude (a model route, see docs/model-routes.md)",
    )
    max_workers: int = Field(
        default=16,
        ge=1,
        le=256,
        validation_alias=AliasChoices("AGENT_MAX_WORKERS", "max_workers"),
        description="texts handled concurrently per replica (different conversations run in parallel)",
    )
    max_deliver: int = Field(
        default=7,
        ge=1,
        le=100,
        validation_alias=AliasChoices("AGENT_MAX_DELIVER", "max_deliver"),
        description="tries of a text (pauses 1, 2, 4, 8, 16, 30 s: a minute for a scheduler restart) "
        "before it is handed to staff",
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

    # ---- the Claude brain (AGENT_BRAIN=claude); nothing below is read by the deterministic brain
    model_route: Literal["anthropic", "bedrock", "vertex", "self-hosted"] = Field(
        default="anthropic", validation_alias=AliasChoices("MODEL_ROUTE", "model_route")
    )
    model_name: str = Field(
        default="claude-sonnet-4-5", min_length=1, validation_alias=AliasChoices("MODEL_NAME", "model_name")
    )
    model_max_tokens: int = Field(
        default=512, ge=64, le=8192, validation_alias=AliasChoices("MODEL_MAX_TOKENS", "model_max_tokens")
    )
    model_temperature: float | None = Field(
        default=None,
        ge=0,
        le=1,
        validation_alias=AliasChoices("MODEL_TEMPERATURE", "model_temperature"),
        description="sent as the request's `temperature` when set (the SDK has no parameter for it)",
    )
    model_timeout_seconds: float = Field(
        default=12.0,
        gt=0,
        le=120,
        validation_alias=AliasChoices("MODEL_TIMEOUT_SECONDS", "model_timeout_seconds"),
        description="per model request; a turn that runs out falls back to the deterministic brain",
    )
    model_max_retries: int = Field(
        default=1, ge=0, le=5, validation_alias=AliasChoices("MODEL_MAX_RETRIES", "model_max_retries")
    )
    model_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MODEL_BASE_URL", "model_base_url"),
        description="the Messages API endpoint (anthropic: optional; self-hosted: required)",
    )
    model_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "MODEL_API_KEY", "model_api_key")
    )
    aws_region: str | None = Field(default=None, validation_alias=AliasChoices("AWS_REGION", "aws_region"))
    aws_bearer_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_BEARER_TOKEN_BEDROCK", "aws_bearer_token"),
        description="a Bedrock API key; without one the AWS credential chain is used (needs boto3)",
    )
    gcp_project: str | None = Field(default=None, validation_alias=AliasChoices("GCP_PROJECT", "gcp_project"))
    gcp_region: str | None = Field(default=None, validation_alias=AliasChoices("GCP_REGION", "gcp_region"))
    gcp_access_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("GCP_ACCESS_TOKEN", "gcp_access_token"),
        description="a short-lived OAuth token; without one Application Default Credentials (google-auth)",
    )
    model_tool_calls_per_turn: int = Field(
        default=8,
        ge=1,
        le=50,
        validation_alias=AliasChoices("MODEL_TOOL_CALLS_PER_TURN", "model_tool_calls_per_turn"),
    )
    model_tokens_per_conversation_day: int = Field(
        default=60_000,
        ge=1000,
        validation_alias=AliasChoices(
            "MODEL_TOKENS_PER_CONVERSATION_DAY", "model_tokens_per_conversation_day"
        ),
        description="input plus output tokens per conversation per UTC day, counted from its events",
    )
    model_history_chars: int = Field(
        default=4000,
        ge=200,
        le=50_000,
        validation_alias=AliasChoices("MODEL_HISTORY_CHARS", "model_history_chars"),
        description="the budget of earlier messages of the conversation sent with a turn",
    )
