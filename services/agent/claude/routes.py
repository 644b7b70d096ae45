"""The model client for the configured route: Anthropic API, AWS Bedrock, Google Vertex AI, or a
self-hosted Anthropic-compatible Messages endpoint. See docs/model-routes.md for which a HIPAA
deployment may use.

The cloud routes' extra libraries (boto3 for Bedrock's credential chain, google-auth for Vertex's
Application Default Credentials) are optional: a route that needs one that is missing fails at
start-up with a `ModelRouteError` saying what to install or set, not at the first text.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from anthropic import AsyncAnthropic, AsyncAnthropicBedrock, AsyncAnthropicVertex

from ..settings import AgentSettings

ModelClient = AsyncAnthropic | AsyncAnthropicBedrock | AsyncAnthropicVertex


class ModelRouteError(Exception):
    """The model route is not configured well enough to start."""


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def _common(settings: AgentSettings) -> dict[str, Any]:
    return {"timeout": settings.model_timeout_seconds, "max_retries": settings.model_max_retries}


def _anthropic(settings: AgentSettings) -> ModelClient:
    key = _secret(settings.model_api_key)
    if not key:
        raise ModelRouteError("MODEL_ROUTE=anthropic needs ANTHROPIC_API_KEY")
    return AsyncAnthropic(api_key=key, base_url=settings.model_base_url, **_common(settings))


def _self_hosted(settings: AgentSettings) -> ModelClient:
    if not settings.model_base_url:
        raise ModelRouteError("MODEL_ROUTE=self-hosted needs MODEL_BASE_URL (the server's Messages endpoint)")
    # Local servers (vLLM, llama.cpp, Ollama) usually ignore the key; the SDK insists on one.
    key = _secret(settings.model_api_key) or "self-hosted"
    return AsyncAnthropic(api_key=key, base_url=settings.model_base_url, **_common(settings))


def _bedrock(settings: AgentSettings) -> ModelClient:
    if not settings.aws_region:
        raise ModelRouteError("MODEL_ROUTE=bedrock needs AWS_REGION")
    token = _secret(settings.aws_bearer_token)
    if token is None and not _installed("boto3"):
        raise ModelRouteError(
            "MODEL_ROUTE=bedrock signs requests with the AWS credential chain, which needs boto3: "
            "install frontdesk[bedrock], or set AWS_BEARER_TOKEN_BEDROCK"
        )
    return AsyncAnthropicBedrock(
        aws_region=settings.aws_region, api_key=token, base_url=settings.model_base_url, **_common(settings)
    )


def _vertex(settings: AgentSettings) -> ModelClient:
    if not settings.gcp_project or not settings.gcp_region:
        raise ModelRouteError("MODEL_ROUTE=vertex needs GCP_PROJECT and GCP_REGION")
    token = _secret(settings.gcp_access_token)
    if token is None and not _installed("google.auth"):
        raise ModelRouteError(
            "MODEL_ROUTE=vertex uses Application Default Credentials, which need google-auth: "
            "install frontdesk[vertex], or set GCP_ACCESS_TOKEN"
        )
    return AsyncAnthropicVertex(
        project_id=settings.gcp_project,
        region=settings.gcp_region,
        access_token=token,
        base_url=settings.model_base_url,
        **_common(settings),
    )


ROUTES = {"anthropic": _anthropic, "self-hosted": _self_hosted, "bedrock": _bedrock, "vertex": _vertex}


def make_client(settings: AgentSettings) -> ModelClient:
    """The SDK client of the configured route (no request is made here)."""
    return ROUTES[settings.model_route](settings)
