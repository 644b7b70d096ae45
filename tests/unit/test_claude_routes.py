"""Model routes from settings: which client each route builds, and the errors of a route left half set."""

from __future__ import annotations

import pytest
from anthropic import AsyncAnthropic, AsyncAnthropicBedrock, AsyncAnthropicVertex

from services.agent.app import make_brain
from services.agent.claude import routes
from services.agent.claude.brain import ClaudeBrain
from services.agent.claude.routes import ModelRouteError, make_client
from services.agent.deterministic import DeterministicBrain
from services.agent.settings import AgentSettings

pytestmark = pytest.mark.unit

ROUTE_ENV = (
    "ANTHROPIC_API_KEY",
    "MODEL_API_KEY",
    "MODEL_BASE_URL",
    "MODEL_ROUTE",
    "AGENT_BRAIN",
    "AWS_REGION",
)
ROUTE_ENV_MORE = ("AWS_BEARER_TOKEN_BEDROCK", "GCP_PROJECT", "GCP_REGION", "GCP_ACCESS_TOKEN")


@pytest.fixture(autouse=True)
def _no_route_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the route settings it means; a developer's own keys do not leak in."""
    for name in ROUTE_ENV + ROUTE_ENV_MORE:
        monkeypatch.delenv(name, raising=False)


def _settings(**values: object) -> AgentSettings:
    return AgentSettings(**values)  # type: ignore[arg-type]


def test_the_default_brain_is_deterministic_and_needs_no_key() -> None:
    assert isinstance(make_brain(_settings()), DeterministicBrain)


def test_agent_brain_claude_from_the_environment_builds_the_claude_brain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_BRAIN", "claude")
    monkeypatch.setenv("MODEL_ROUTE", "self-hosted")
    monkeypatch.setenv("MODEL_BASE_URL", "http://10.0.0.5:8000")
    monkeypatch.setenv("MODEL_NAME", "local-model")
    monkeypatch.setenv("MODEL_TOOL_CALLS_PER_TURN", "4")
    brain = make_brain(AgentSettings())
    assert isinstance(brain, ClaudeBrain)
    assert brain.config.model == "local-model" and brain.config.limits.tool_calls_per_turn == 4
    assert str(brain.client.base_url).startswith("http://10.0.0.5:8000")


def test_anthropic_route_uses_the_key_base_url_timeout_and_retries() -> None:
    client = make_client(
        _settings(
            model_route="anthropic",
            model_api_key="sk-test",
            model_base_url="http://127.0.0.1:9",
            model_timeout_seconds=7,
            model_max_retries=3,
        )
    )
    assert isinstance(client, AsyncAnthropic)
    assert client.api_key == "sk-test" and client.timeout == 7 and client.max_retries == 3
    assert str(client.base_url).startswith("http://127.0.0.1:9")


def test_bedrock_route_takes_the_region_and_a_bedrock_api_key() -> None:
    client = make_client(
        _settings(model_route="bedrock", aws_region="us-west-2", aws_bearer_token="bedrock-key")
    )
    assert isinstance(client, AsyncAnthropicBedrock)
    assert client.aws_region == "us-west-2" and client.api_key == "bedrock-key"
    assert str(client.base_url).startswith("https://bedrock-runtime.us-west-2.amazonaws.com")


def test_vertex_route_takes_project_region_and_token() -> None:
    client = make_client(
        _settings(
            model_route="vertex", gcp_project="spa-prod", gcp_region="us-east5", gcp_access_token="ya29.x"
        )
    )
    assert isinstance(client, AsyncAnthropicVertex)
    assert client.project_id == "spa-prod" and client.region == "us-east5" and client.access_token == "ya29.x"
    assert str(client.base_url).startswith("https://us-east5-aiplatform.googleapis.com/v1")


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"model_route": "anthropic"}, "ANTHROPIC_API_KEY"),
        ({"model_route": "self-hosted"}, "MODEL_BASE_URL"),
        ({"model_route": "bedrock"}, "AWS_REGION"),
        ({"model_route": "vertex", "gcp_region": "us-east5"}, "GCP_PROJECT"),
    ],
)
def test_a_route_missing_its_settings_fails_at_start_up_saying_what(
    values: dict[str, object], says: str
) -> None:
    with pytest.raises(ModelRouteError, match=says):
        make_client(_settings(**values))


def test_cloud_routes_without_their_extra_or_a_token_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routes, "_installed", lambda module: False)
    with pytest.raises(ModelRouteError, match=r"frontdesk\[bedrock\]"):
        make_client(_settings(model_route="bedrock", aws_region="us-west-2"))
    with pytest.raises(ModelRouteError, match=r"frontdesk\[vertex\]"):
        make_client(_settings(model_route="vertex", gcp_project="p", gcp_region="us-east5"))


def test_the_extras_check_finds_an_installed_module_and_not_a_missing_one() -> None:
    assert routes._installed("json") is True
    assert routes._installed("frontdesk_no_such_module.sub") is False
