"""The `frontdesk` command: run a service, the whole system locally, or a service's tools.

frontdesk dev                      the whole system on embedded servers (what `make run` does)
frontdesk <service> [args...]      one service (gateway, agent, scheduler, escalation, audit)
frontdesk eval <kind> FILE         score the agent's language handling on a JSON Lines file
frontdesk eval conversations PATH --gateway URL   play the conversation scenarios against a running system
frontdesk asyncapi [--out FILE]    the AsyncAPI document of the bus contracts
frontdesk staff create-user ...    a spa's staff accounts for the inbox (see --help)
frontdesk deploy nats-config|streams|migrate   NATS users, streams, a schema's migrations
"""

from __future__ import annotations

import errno
import importlib
import socket
import sys
from collections.abc import Callable, Sequence

from shared.servers import servers_file, use_recorded_servers

SERVICES = ("gateway", "agent", "scheduler", "escalation", "audit")


def unreachable(exc: BaseException) -> str | None:
    """One line saying which kind of server did not answer, or None when `exc` is something else."""
    import asyncpg
    import httpx
    from nats.errors import NoServersError

    if isinstance(
        exc, asyncpg.PostgresConnectionError | asyncpg.InvalidCatalogNameError | asyncpg.CannotConnectNowError
    ):
        what = "PostgreSQL (DATABASE_URL)"
    elif isinstance(exc, NoServersError):
        what = "NATS (NATS_URL)"
    elif isinstance(exc, httpx.TransportError):
        what = "the service's HTTP port"
    elif isinstance(exc, ConnectionError | socket.gaierror | TimeoutError) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH)
    ):  # refused, unknown host, timed out, no route: what asyncpg and nats raise
        what = "a server"
    else:
        return None
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return (
        f"cannot reach {what}: {detail}. Is `make run` running? It records its servers in "
        f"{servers_file()}; elsewhere set NATS_URL and DATABASE_URL."
    )


def run_command(prog: str, command: Callable[[Sequence[str]], int | None], argv: list[str]) -> int:
    """Run a command; a server that does not answer is one line on stderr and status 2, not a traceback."""
    try:
        return int(command(argv) or 0)
    except Exception as exc:
        line = unreachable(exc)
        if line is None:
            raise
        print(f"{prog}: {line}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    if command == "dev":
        from shared.devserver import main as dev_main

        return dev_main(rest)
    use_recorded_servers()
    if command == "staff":
        from services.escalation.staff_cli import main as staff_main

        return run_command("frontdesk staff", staff_main, rest)
    if command == "deploy":
        from shared.deploy import main as deploy_main

        return deploy_main(rest)
    if command == "asyncapi":
        from shared.asyncapi import main as asyncapi_main

        return asyncapi_main(rest)
    if command == "eval":
        command, rest = "agent", ["eval", *rest]
    if command in SERVICES:
        try:
            module = importlib.import_module(f"services.{command}.cli")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"services.{command}"):
                print(f"frontdesk: the {command} service is not built yet", file=sys.stderr)
                return 2
            raise
        return run_command(f"frontdesk {command}", module.main, rest)
    print(f"frontdesk: unknown command {command!r}; see 'frontdesk --help'", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
