"""`frontdesk deploy ...`: what an operator runs around a deployment.

frontdesk deploy nats-config [--out FILE] [--check]   write the NATS users and permissions
frontdesk deploy streams                             create or update every stream (as the admin user)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import nats
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.bus import ensure_streams
from shared.nats_permissions import ADMIN, all_permissions, inbox_prefix, render
from shared.subjects import Topology

PERMISSIONS_FILE = Path("deploy/k8s/base/nats/permissions.conf")


class StreamAdminSettings(BaseSettings):
    """Where the bus is and the admin user's login (NATS_ADMIN_PASSWORD) for creating streams."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    nats_url: str = Field(default="nats://127.0.0.1:4222")
    nats_admin_password: SecretStr = Field(default=SecretStr(""))
    subject_prefix: str = Field(default="frontdesk", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    stream_replicas: int = Field(default=1, ge=1, le=5)


def nats_config(argv: list[str]) -> int:
    """Write (or check) the generated permissions file."""
    parser = argparse.ArgumentParser(prog="frontdesk deploy nats-config")
    parser.add_argument("--out", type=Path, default=PERMISSIONS_FILE, help=f"default {PERMISSIONS_FILE}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from the code")
    args = parser.parse_args(argv)
    text = render(all_permissions())
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run 'frontdesk deploy nats-config'", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


async def create_streams(settings: StreamAdminSettings) -> None:
    """Create or update every stream of the topology, connected as the admin user."""
    servers = [u.strip() for u in settings.nats_url.split(",") if u.strip()]
    password = settings.nats_admin_password.get_secret_value()
    login = {"user": ADMIN, "password": password} if password else {}
    nc = await nats.connect(servers, connect_timeout=5, inbox_prefix=inbox_prefix(ADMIN), **login)
    try:
        await ensure_streams(nc.jetstream(), Topology(settings.subject_prefix), settings.stream_replicas)
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> int:
    """Dispatch `frontdesk deploy <command>`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["nats-config"]:
        return nats_config(args[1:])
    if args[:1] == ["streams"]:
        asyncio.run(create_streams(StreamAdminSettings()))
        print("streams are up to date")
        return 0
    print(__doc__)
    return 0 if args[:1] in ([], ["-h"], ["--help"]) else 2


if __name__ == "__main__":
    raise SystemExit(main())
