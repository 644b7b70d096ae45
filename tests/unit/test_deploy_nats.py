"""The NATS configuration: generated permissions match the code, and nats-server accepts every config."""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.bus import make_broker
from shared.contracts.desk import SCHEDULER_TOOLS
from shared.deploy import nats_config
from shared.embedded import nats_server_binary
from shared.nats_permissions import (
    ADMIN,
    SERVICES,
    all_permissions,
    declared_subscriptions,
    password_variable,
    render,
    subjects_overlap,
)
from shared.settings import NatsLogin
from shared.subjects import Topology

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PERMISSIONS = DEPLOY / "k8s" / "base" / "nats" / "permissions.conf"
NATS_CONFIGS = [DEPLOY / "k8s" / "base" / "nats" / "nats.conf", DEPLOY / "compose" / "nats.conf"]
TOPOLOGY = Topology()


@pytest.fixture(scope="module")
def users() -> dict[str, object]:
    """Every generated user by name."""
    return {u.user: u for u in all_permissions(TOPOLOGY)}


def test_committed_permissions_are_what_the_code_generates() -> None:
    assert PERMISSIONS.read_text() == render(all_permissions(TOPOLOGY)), (
        "deploy/k8s/base/nats/permissions.conf is out of date: run 'frontdesk deploy nats-config'"
    )


@pytest.mark.parametrize("config", NATS_CONFIGS, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_nats_server_accepts_the_config(config: Path, tmp_path: Path) -> None:
    # Laid out as mounted: the config with the generated permissions beside it.
    (tmp_path / "nats.conf").write_text(config.read_text())
    (tmp_path / "permissions.conf").write_text(PERMISSIONS.read_text())
    env = {**os.environ, "POD_NAME": "nats-0", **{password_variable(u): "x" for u in (*SERVICES, ADMIN)}}
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", "nats.conf"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr or result.stdout


def test_nats_server_refuses_a_config_without_a_users_password() -> None:
    config = NATS_CONFIGS[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NATS_")} | {"POD_NAME": "nats-0"}
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", config.name],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "NATS_GATEWAY_PASSWORD" in result.stderr + result.stdout


def _services_that_record_audit() -> set[str]:
    """Services whose code leaves audit records (through shared.audit)."""
    services = Path(__file__).resolve().parents[2] / "services"
    return {
        name
        for name in SERVICES
        if any("shared.audit import" in f.read_text() for f in (services / name).rglob("*.py"))
    }


def test_only_audited_services_may_publish_audit_records(users: dict[str, object]) -> None:
    audit = TOPOLOGY.audit("spa1")
    may = {name for name, u in users.items() if any(subjects_overlap(p, audit) for p in u.publish)}  # type: ignore[attr-defined]
    assert may == _services_that_record_audit()
    assert "scheduler" in may
    assert "audit" not in may  # the log's keeper could forge what it keeps


def test_only_the_admin_manages_streams(users: dict[str, object]) -> None:
    for name, user in users.items():
        for verb in ("CREATE", "UPDATE", "DELETE", "PURGE"):
            subject = f"$JS.API.STREAM.{verb}.{TOPOLOGY.stream_audit.name}"
            allowed = any(subjects_overlap(p, subject) for p in user.publish)  # type: ignore[attr-defined]
            assert allowed == (name == ADMIN), (name, verb)


def test_each_user_reads_replies_only_on_its_own_inbox(users: dict[str, object]) -> None:
    for name, user in users.items():
        inboxes = [s for s in user.subscribe if s.startswith("_INBOX")]  # type: ignore[attr-defined]
        assert inboxes == [f"_INBOX_{name}.>"]


def test_only_the_scheduler_answers_requests(users: dict[str, object]) -> None:
    assert {n for n, u in users.items() if u.allow_responses} == {"scheduler"}  # type: ignore[attr-defined]


def test_every_tool_called_has_a_contract_and_every_served_tool_a_caller() -> None:
    called = {tool for bus in TOPOLOGY.service_bus().values() for tool in bus.calls}
    assert called <= set(SCHEDULER_TOOLS)
    served = {s.subject for s in declared_subscriptions("scheduler", TOPOLOGY)[1]}
    assert served <= {TOPOLOGY.tool(tool) for tool in called}


def test_the_gateway_may_send_the_help_reply_and_its_dead_letters(users: dict[str, object]) -> None:
    publish = users["gateway"].publish  # type: ignore[attr-defined]
    for subject in (TOPOLOGY.sms_outbound("spa1", "c1"), TOPOLOGY.deadletter("gateway")):
        assert any(subjects_overlap(p, subject) for p in publish), subject


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("frontdesk.audit.*", "frontdesk.audit.>", True),
        ("frontdesk.audit.*", "frontdesk.audit.spa1", True),
        ("frontdesk.audit.*", "frontdesk.audit.spa1.x", False),
        ("frontdesk.sms.>", "frontdesk.sms", False),
        ("frontdesk.conv.>", "frontdesk.sms.inbound.>", False),
        ("$JS.API.>", "$JS.API.STREAM.PURGE.X", True),
        ("frontdesk.escalation.*.raised", "frontdesk.escalation.spa1.resolved", False),
    ],
)
def test_subjects_overlap(a: str, b: str, overlap: bool) -> None:
    assert subjects_overlap(a, b) is overlap
    assert subjects_overlap(b, a) is overlap


def test_check_reports_a_stale_permissions_file_and_leaves_it(tmp_path: Path) -> None:
    out = tmp_path / "permissions.conf"
    out.write_text("stale\n")
    assert nats_config(["--out", str(out), "--check"]) == 1
    assert out.read_text() == "stale\n"
    assert nats_config(["--out", str(out)]) == 0
    assert nats_config(["--out", str(out), "--check"]) == 0


def test_a_service_logs_in_from_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATS_USER", "gateway")
    monkeypatch.setenv("NATS_PASSWORD", "s3cret")
    monkeypatch.setenv("NATS_INBOX_PREFIX", "_INBOX_gateway")
    assert NatsLogin().connect_options() == {
        "inbox_prefix": "_INBOX_gateway",
        "user": "gateway",
        "password": "s3cret",
    }
    broker = make_broker("nats://127.0.0.1:4222", name="test")
    importlib.import_module("services.gateway.app").register_bus(broker, TOPOLOGY)
    # Every pull consumer fetches into the service's own inbox, not FastStream's default `_INBOX.`.
    prefixes = {s.extra_options.get("inbox_prefix") for s in broker.subscribers if getattr(s, "stream", None)}
    assert prefixes == {b"_INBOX_gateway."}


def test_an_inbox_prefix_outside_the_inbox_namespace_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATS_INBOX_PREFIX", "frontdesk.audit")
    with pytest.raises(ValidationError, match="nats_inbox_prefix"):
        NatsLogin()
