"""The `frontdesk` command: run a service, the whole system locally, or a service's tools.

frontdesk dev                      the whole system on embedded servers (what `make run` does)
frontdesk <service> [args...]      one service (gateway, agent, scheduler, escalation, audit)
frontdesk eval <kind> FILE         score the agent's language handling on a JSON Lines file
frontdesk eval conversations PATH --gateway URL   play the conversation scenarios against a running system
frontdesk asyncapi [--out FILE]    the AsyncAPI document of the bus contracts
frontdesk staff create-user ...    a spa's staff accounts for the inbox (see --help)
"""

from __future__ import annotations

import importlib
import sys

SERVICES = ("gateway", "agent", "scheduler", "escalation", "audit")


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
    if command == "staff":
        from services.escalation.staff_cli import main as staff_main

        return staff_main(rest)
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
        return int(module.main(rest) or 0)
    print(f"frontdesk: unknown command {command!r}; see 'frontdesk --help'", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
