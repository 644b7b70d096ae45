"""The Bedrock and Vertex routes built from settings with their clouds' credential chains (no token
given): one model turn each to the fake Messages API, which records what the SDK sent. Bedrock signs
with SigV4 from the standard AWS environment variables (boto3); Vertex gets its bearer token through
google-auth from a service-account file whose token URI is a local fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from anthropic.lib.aws import _auth as aws_auth

from services.agent.claude.routes import make_client
from services.agent.claude.tools_schema import tool_definitions
from services.agent.settings import AgentSettings
from tests.support.cloud_credentials import (
    FakeTokenEndpoint,
    parse_sigv4,
    service_account_file,
    sigv4_signature,
)
from tests.support.fake_anthropic import FakeAnthropic, Recorded, text

pytestmark = pytest.mark.integration

MODEL = "claude-sonnet-4-5"
ACCESS_KEY = "AKIAFRONTDESKTEST01"
SECRET_KEY = "frontdesk/test/secret/key/0123456789abcdef"
SESSION_TOKEN = "frontdesk-session-token"


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    """The fake Messages API (Bedrock's invoke and Vertex's rawPredict paths too)."""
    server = await FakeAnthropic().start()
    yield server
    await server.stop()


@pytest.fixture
def clean_cloud_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """No credentials of the machine's own: no AWS/Google files, tokens or profiles."""
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GCP_ACCESS_TOKEN",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # never the metadata server
    aws_auth._get_session.cache_clear()  # the SDK caches its boto3 session per process
    yield monkeypatch
    aws_auth._get_session.cache_clear()


async def _one_turn(settings: AgentSettings, fake: FakeAnthropic) -> Recorded:
    client = make_client(settings)
    fake.play(text("We're open until 7 tonight."))
    response = await client.messages.create(
        model=MODEL,
        max_tokens=64,
        system="You are the front desk.",
        tools=tool_definitions(),  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "open late today?"}],
    )
    assert response.content[0].text == "We're open until 7 tonight."  # type: ignore[union-attr]
    assert len(fake.requests) == 1
    sent = fake.requests[0]
    # The cloud routes name the model in the path and the API version in the body.
    assert sent.body["anthropic_version"] and "model" not in sent.body
    assert sent.body["messages"] == [{"role": "user", "content": "open late today?"}]
    assert {t["name"] for t in sent.body["tools"]} >= {"find_availability", "hand_off"}
    return sent


async def test_bedrock_signs_with_sigv4_from_the_standard_aws_environment(
    fake: FakeAnthropic, clean_cloud_env: pytest.MonkeyPatch
) -> None:
    clean_cloud_env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    clean_cloud_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    clean_cloud_env.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    settings = AgentSettings(
        model_route="bedrock", aws_region="us-west-2", model_base_url=fake.base_url, model_max_retries=0
    )
    assert settings.aws_bearer_token is None  # the credential chain, not a Bedrock API key

    sent = await _one_turn(settings, fake)

    assert sent.path == f"/model/{MODEL}/invoke"
    auth = parse_sigv4(sent.headers["Authorization"])
    assert auth.access_key == ACCESS_KEY
    assert auth.region == "us-west-2" and auth.service == "bedrock"
    assert auth.date == sent.headers["X-Amz-Date"][:8]
    assert sent.headers["X-Amz-Security-Token"] == SESSION_TOKEN
    assert {"host", "x-amz-date", "x-amz-security-token"} <= set(auth.signed_headers)
    # The signature covers this exact body and path, made with the environment's secret key.
    assert auth.signature == sigv4_signature(sent, SECRET_KEY)
    assert auth.signature != sigv4_signature(sent, SECRET_KEY + "x")


async def test_bedrock_without_any_aws_credentials_fails_before_sending(
    fake: FakeAnthropic, clean_cloud_env: pytest.MonkeyPatch
) -> None:
    settings = AgentSettings(
        model_route="bedrock", aws_region="us-west-2", model_base_url=fake.base_url, model_max_retries=0
    )
    client = make_client(settings)
    with pytest.raises(RuntimeError, match="Could not resolve AWS credentials"):
        await client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}])
    assert fake.requests == []


async def test_vertex_gets_its_bearer_token_through_google_auth_from_a_service_account(
    fake: FakeAnthropic, clean_cloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tokens = await FakeTokenEndpoint().start()
    try:
        key_file, tokens.public_key = service_account_file(tmp_path, tokens.token_uri, "spa-prod")
        clean_cloud_env.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
        settings = AgentSettings(
            model_route="vertex",
            gcp_project="spa-prod",
            gcp_region="us-east5",
            model_base_url=fake.base_url + "/v1",
            model_max_retries=0,
        )
        assert settings.gcp_access_token is None  # Application Default Credentials, not a token

        sent = await _one_turn(settings, fake)
    finally:
        await tokens.stop()

    assert sent.path == (
        f"/v1/projects/spa-prod/locations/us-east5/publishers/anthropic/models/{MODEL}:rawPredict"
    )
    assert len(tokens.issued) == 1, "one token, minted from the service account's signed assertion"
    assert sent.headers["Authorization"] == f"Bearer {tokens.issued[0]}"
    assert tokens.claims[0]["iss"] == "frontdesk-agent@spa-prod.iam.gserviceaccount.com"


async def test_vertex_refuses_a_service_account_the_token_endpoint_does_not_trust(
    fake: FakeAnthropic, clean_cloud_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tokens = await FakeTokenEndpoint().start()
    try:
        key_file, _ = service_account_file(tmp_path, tokens.token_uri, "spa-prod")
        (tmp_path / "other").mkdir()
        _, tokens.public_key = service_account_file(tmp_path / "other", tokens.token_uri, "spa-prod")
        clean_cloud_env.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
        settings = AgentSettings(
            model_route="vertex",
            gcp_project="spa-prod",
            gcp_region="us-east5",
            model_base_url=fake.base_url + "/v1",
            model_max_retries=0,
        )
        client = make_client(settings)
        with pytest.raises(Exception, match="invalid_grant"):
            await client.messages.create(
                model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "hi"}]
            )
    finally:
        await tokens.stop()
    assert tokens.issued == [] and fake.requests == []
