"""Commands find the servers `make run` started, and say in one line when a server does not answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.embedded import free_port
from shared.servers import (
    SERVERS_FILE,
    forget_servers,
    record_servers,
    servers_file,
    use_recorded_servers,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _frontdesk(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the `frontdesk` command as a user would, with NATS_URL / DATABASE_URL only as given."""
    clean = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "DATABASE_URL")}
    clean.update(FRONTDESK_DATA_DIR=str(data_dir), LOG_FORMAT="json", **env)
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_command_against_an_unreachable_database_prints_one_line_and_fails(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    done = _frontdesk(
        "scheduler",
        "load-spa",
        "--demo",
        data_dir=tmp_path,
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/frontdesk",
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("frontdesk scheduler: cannot reach") and str(port) in line
    assert "make run" in line and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_command_uses_the_database_make_run_recorded(tmp_path: Path, database_url: str) -> None:
    record_servers(tmp_path / SERVERS_FILE, nats_url="nats://127.0.0.1:1", database_url=database_url)
    done = _frontdesk("audit", "token", "create", "--spa", "glow-medspa", "--name", "dana", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the token is printed"


def test_set_variables_win_over_the_record_and_a_missing_record_changes_nothing(tmp_path: Path) -> None:
    env = {"FRONTDESK_DATA_DIR": str(tmp_path), "NATS_URL": "nats://mine:4222"}
    assert use_recorded_servers(env) == {}
    assert env == {"FRONTDESK_DATA_DIR": str(tmp_path), "NATS_URL": "nats://mine:4222"}
    record_servers(servers_file(env), nats_url="nats://dev:4222", database_url="postgresql://dev/x")
    assert use_recorded_servers(env) == {"DATABASE_URL": "postgresql://dev/x"}
    assert env["NATS_URL"] == "nats://mine:4222"
    assert oct(servers_file(env).stat().st_mode & 0o777) == "0o600"
    forget_servers(servers_file(env))
    assert not servers_file(env).exists()


def test_a_local_error_is_not_called_an_unreachable_server() -> None:
    from shared.cli import unreachable

    assert unreachable(PermissionError(13, "Permission denied", "/var/lib/frontdesk/spool")) is None
    assert unreachable(ValueError("bad spa file")) is None
    assert unreachable(ConnectionRefusedError(111, "Connect call failed")) is not None
