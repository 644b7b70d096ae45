"""Where `make run`'s servers listen, so that every other command of the checkout finds them.

`make run` (shared.devserver) writes `servers.json` in its data directory (`FRONTDESK_DATA_DIR`,
default `.data`) once NATS and PostgreSQL answer, and removes it when it stops. A `frontdesk`
command run while `NATS_URL` / `DATABASE_URL` are unset reads them from there; a variable that is
set always wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS_FILE = "servers.json"
# Environment variable → key in servers.json.
RECORDED = {"NATS_URL": "nats_url", "DATABASE_URL": "database_url"}


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The data directory of `make run`: FRONTDESK_DATA_DIR, or `.data` in the checkout."""
    env = os.environ if env is None else env
    return Path(env.get("FRONTDESK_DATA_DIR") or ROOT / ".data")


def servers_file(env: Mapping[str, str] | None = None) -> Path:
    """The file `make run` records its servers' URLs in."""
    return data_dir(env) / SERVERS_FILE


def record_servers(path: Path, *, nats_url: str, database_url: str) -> None:
    """Write the URLs (readable by this user only: a DSN may carry a password), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    data = {"nats_url": nats_url, "database_url": database_url, "pid": os.getpid()}
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2)
    os.replace(tmp, path)


def forget_servers(path: Path) -> None:
    """Remove the record if this process wrote it (another `make run` may have taken over)."""
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def use_recorded_servers(env: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Fill NATS_URL / DATABASE_URL from `make run`'s record where unset; returns what was filled."""
    env = os.environ if env is None else env
    missing = [name for name in RECORDED if not env.get(name)]
    if not missing:
        return {}
    try:
        recorded = json.loads(servers_file(env).read_text())
    except (OSError, ValueError):
        return {}
    filled = {name: str(recorded[RECORDED[name]]) for name in missing if recorded.get(RECORDED[name])}
    env.update(filled)
    return filled
