"""`make run`: embedded NATS and PostgreSQL, the demo spa, and every built service as a process.

When NATS_URL / DATABASE_URL are set those servers are used and no embedded one starts. Their URLs
are written to `<data dir>/servers.json` while it runs, for the other `frontdesk` commands.
Ctrl-C (or SIGTERM) stops the services, then the embedded servers.
`FRONTDESK_RUN_SECONDS=N` stops everything after N seconds (for checks and demos).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from shared.embedded import EmbeddedNats, EmbeddedPostgres
from shared.servers import SERVERS_FILE, forget_servers, record_servers

ROOT = Path(__file__).resolve().parent.parent
# Start order: the system of record and the audit log before anything that calls them.
ORDER = ("audit", "scheduler", "escalation", "gateway", "agent")
COLOURS = {"audit": 35, "scheduler": 34, "escalation": 33, "gateway": 32, "agent": 36}


def built_services() -> list[str]:
    """Services that exist in this checkout (they have an app module)."""
    return [name for name in ORDER if (ROOT / "services" / name / "app.py").exists()]


def _pump(name: str, stream: object, tty: bool) -> None:
    label = f"\x1b[{COLOURS.get(name, 37)}m{name:>10}\x1b[0m |" if tty else f"{name:>10} |"
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sys.stdout.write(f"{label} {raw.decode(errors='replace').rstrip()}\n")
        sys.stdout.flush()


def _dev_hooks(name: str) -> object | None:
    try:
        return importlib.import_module(f"services.{name}.dev")
    except ModuleNotFoundError:
        return None


def _start_servers(data: Path, env: dict[str, str]) -> list[EmbeddedNats | EmbeddedPostgres]:
    """Embedded NATS and PostgreSQL unless NATS_URL / DATABASE_URL name servers; their URLs go in env."""
    started: list[EmbeddedNats | EmbeddedPostgres] = []
    if not env.get("NATS_URL"):
        n = EmbeddedNats(data / "nats", port=int(env.get("FRONTDESK_NATS_PORT", "4222"))).start()
        started.append(n)
        env["NATS_URL"] = n.url
        print(f"nats-server (JetStream)  {n.url}   store {data / 'nats'}")
    else:
        print(f"nats-server              {env['NATS_URL']} (external)")
    if not env.get("DATABASE_URL"):
        p = EmbeddedPostgres(data / "postgres", port=int(env.get("FRONTDESK_PG_PORT", "54329"))).start()
        started.append(p)
        env["DATABASE_URL"] = p.create_database("frontdesk")
        print(f"postgresql               {env['DATABASE_URL']}   data {data / 'postgres'}")
    else:
        print("postgresql               (external, DATABASE_URL)")
    return started


Procs = dict[str, subprocess.Popen[bytes]]


def _start_services(services: list[str], env: dict[str, str], tty: bool, procs: Procs) -> None:
    """Each service's dev preparation, then each service as a process whose output is labelled (into
    `procs` as each starts, so a failure part way still stops those already running)."""
    for name in services:
        hooks = _dev_hooks(name)
        if hooks is not None and hasattr(hooks, "prepare"):
            hooks.prepare(env)  # type: ignore[attr-defined]
    for name in services:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs[name] = proc
        threading.Thread(target=_pump, args=(name, proc.stdout, tty), daemon=True).start()
    print()
    for name in services:
        hooks = _dev_hooks(name)
        for label, url in (getattr(hooks, "urls", lambda _e: {})(env) if hooks else {}).items():
            print(f"  {label:<28} {url}")
    print("\nCtrl-C stops everything.\n", flush=True)


def _watch(procs: Procs, stopping: threading.Event, env: dict[str, str]) -> int:
    """Until Ctrl-C, FRONTDESK_RUN_SECONDS or a service exiting (then 1)."""
    rc = 0
    deadline = float(env["FRONTDESK_RUN_SECONDS"]) if env.get("FRONTDESK_RUN_SECONDS") else None
    begun = time.monotonic()
    while not stopping.is_set():
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping.", flush=True)
                rc = 1
                stopping.set()
        if deadline is not None and time.monotonic() - begun > deadline:
            stopping.set()
        stopping.wait(0.2)
    return rc


def _stop_services(procs: Procs) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for name, proc in procs.items():
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in 20 s; killing it.", flush=True)
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    """Run the local system until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="frontdesk dev", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("FRONTDESK_DATA_DIR", str(ROOT / ".data")))
    args = parser.parse_args(argv)
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("LOG_FORMAT", "console")
    started = _start_servers(data, env)
    # Every other `frontdesk` command of this checkout finds these servers (shared.servers).
    record = data / SERVERS_FILE
    record_servers(record, nats_url=env["NATS_URL"], database_url=env["DATABASE_URL"])
    procs: Procs = {}
    stopping = threading.Event()

    def stop_all(*_: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    try:
        services = built_services()
        if not services:
            print("no service is built yet: the servers above are up; stopping after this check.")
            return 0
        _start_services(services, env, sys.stdout.isatty(), procs)
        return _watch(procs, stopping, env)
    finally:
        _stop_services(procs)
        forget_servers(record)
        for server in reversed(started):
            server.stop()
        print("stopped.", flush=True)
