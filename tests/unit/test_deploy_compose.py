"""The single-host Compose file: valid against the Compose specification (the schema that
check-jsonschema ships, Apache-2.0), and holding the same rules as the Kubernetes manifests."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import pytest
import yaml

from shared.cli import SERVICES
from shared.deploy import SCHEMAS
from shared.nats_permissions import inbox_prefix
from shared.runtime import stop_context

pytestmark = pytest.mark.unit

COMPOSE_DIR = Path(__file__).resolve().parents[2] / "deploy" / "compose"
COMPOSE = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())
SCHEMA = json.loads(
    (Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json").read_text()
)
SECRET_NAMES = re.compile(r"PASSWORD|TOKEN|SECRET|API_KEY|SIGNING_KEY|HASH_KEY")
# The most a service's stop takes: shared/runtime.py stop_context bounds the bus drain, its stop hook
# (one per service) and the pool close by step_timeout each, after HTTP's 5 s graceful shutdown.
DRAIN_SECONDS = 3 * inspect.signature(stop_context).parameters["step_timeout"].default + 5


def services() -> dict[str, Any]:
    return COMPOSE["services"]  # type: ignore[no-any-return]


def seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)s", text)
    assert match, text
    return int(match.group(1))


def test_valid_against_the_compose_specification() -> None:
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]
    assert errors == []


def test_the_schema_check_refuses_a_misspelt_key() -> None:
    broken = {**COMPOSE, "services": {**services(), "agent": {**services()["agent"], "restrat": "always"}}}
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    assert list(validator.iter_errors(broken))


def test_every_service_runs_locked_down_and_drains_in_time() -> None:
    for name in SERVICES:
        svc = services()[name]
        assert svc["command"] == [name]
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in svc["security_opt"], name
        assert svc["user"].split(":")[0] != "0", name
        assert seconds(svc["stop_grace_period"]) > DRAIN_SECONDS, name
        assert "/readyz" in " ".join(svc["healthcheck"]["test"]), name


def test_each_service_logs_in_as_itself() -> None:
    for name in SERVICES:
        env = services()[name]["environment"]
        assert env["NATS_USER"] == name
        assert env["NATS_INBOX_PREFIX"] == inbox_prefix(name)
        assert env["NATS_PASSWORD"] == f"${{NATS_{name.upper()}_PASSWORD:?set in .env}}"
        if name in SCHEMAS:
            assert env["DATABASE_URL"].startswith(f"postgresql://frontdesk_{name}:")
        else:
            assert "DATABASE_URL" not in env
        assert env["CREATE_STREAMS"] == "false" and env["MIGRATE_ON_START"] == "false"


def test_services_start_after_streams_and_migrations() -> None:
    setup = {"streams", "load-spas", *(f"migrate-{schema}" for schema in SCHEMAS)}
    for name in SERVICES:
        depends = services()[name]["depends_on"]
        assert setup <= set(depends), name
        assert all(depends[s]["condition"] == "service_completed_successfully" for s in setup)
    assert services()["streams"]["command"] == ["deploy", "streams"]
    for schema in SCHEMAS:
        job = services()[f"migrate-{schema}"]
        assert job["command"] == ["deploy", "migrate", schema, "--owner", f"frontdesk_{schema}"]
        assert job["environment"]["DATABASE_URL"].startswith("postgresql://frontdesk_admin:")
    loader = services()["load-spas"]
    assert "frontdesk scheduler load-spa /etc/frontdesk/spas/" in " ".join(loader["entrypoint"])
    assert loader["depends_on"]["migrate-scheduler"]["condition"] == "service_completed_successfully"


def test_no_secret_is_written_in_the_file() -> None:
    for name, svc in services().items():
        for key, value in (svc.get("environment") or {}).items():
            if SECRET_NAMES.search(key) or "postgresql://" in str(value):
                assert re.search(r"\$\{[A-Z_]+:?[-?]", str(value)), (name, key)
                assert not re.search(r"://[^:]+:[^$@]+@", str(value)), (name, key)


def test_every_image_is_a_pinned_release() -> None:
    for name, svc in services().items():
        # A release may be chosen in .env; the default is an exact version too.
        image = re.sub(r"\$\{FRONTDESK_VERSION:-([^}]+)\}", r"\1", svc["image"])
        tag = image.rpartition(":")[2]
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?", tag), (name, svc["image"])


def test_jetstream_and_postgres_keep_their_data_on_volumes() -> None:
    volumes = set(COMPOSE["volumes"])
    nats_mounts = dict(v.split(":")[1::-1] for v in services()["nats"]["volumes"])
    assert nats_mounts["/data"] in volumes
    conf = (COMPOSE_DIR / "nats.conf").read_text()
    assert re.search(r"store_dir: /data/", conf)
    pg = dict(v.split(":")[1::-1] for v in services()["postgres"]["volumes"])
    assert pg["/var/lib/postgresql/data"] in volumes
    gateway = dict(v.split(":")[1::-1] for v in services()["gateway"]["volumes"])
    assert gateway[services()["gateway"]["environment"]["SPOOL_DIR"]] in volumes


def test_mounted_files_exist() -> None:
    for name, svc in services().items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).exists(), (name, source)


def test_caddy_serves_webhook_inbox_and_audit_over_tls_only() -> None:
    caddy = services()["caddy"]
    assert "443:443" in caddy["ports"]
    text = (COMPOSE_DIR / "Caddyfile").read_text()
    assert "reverse_proxy gateway:8080" in text and "handle /twilio/*" in text
    assert "reverse_proxy escalation:8083" in text and "reverse_proxy audit:8084" in text
    assert "http://" not in text, "no site is served without TLS"
    # NATS and PostgreSQL are never published on the host.
    for name in ("nats", "postgres", *SERVICES):
        assert "ports" not in services()[name], name
    assert COMPOSE["networks"]["backend"]["internal"] is True


def test_database_roles_match_the_migrations() -> None:
    text = (COMPOSE_DIR / "initdb.sh").read_text()
    for schema in SCHEMAS:
        assert f"CREATE ROLE frontdesk_{schema} LOGIN" in text
    assert "CREATE ROLE frontdesk_audit_writer NOLOGIN" in text
    assert "GRANT frontdesk_audit_writer TO frontdesk_audit" in text


def test_env_example_names_every_variable_the_file_needs() -> None:
    raw = (COMPOSE_DIR / "compose.yaml").read_text()
    needed = set(re.findall(r"\$\{([A-Z_]+)", raw))
    example = {
        line.split("=")[0] for line in (COMPOSE_DIR / ".env.example").read_text().splitlines() if "=" in line
    }
    assert needed <= example, needed - example
