"""`frontdesk escalation [serve | check-spas]`."""

from __future__ import annotations

import argparse

from services.escalation.settings import EscalationSettings
from services.escalation.spas import SpaFileError, load_spas


def main(argv: list[str]) -> int:
    """No arguments or `serve` runs the service; `check-spas` validates the notifiers of every spa file."""
    parser = argparse.ArgumentParser(
        prog="frontdesk escalation",
        description="Escalations, staff alerts (inbox, webhook, email) and the staff inbox on :8083.",
    )
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "check-spas"])
    args = parser.parse_args(argv)
    settings = EscalationSettings()
    if args.command == "check-spas":
        try:
            spas = load_spas(settings.spa_files)
        except SpaFileError as exc:
            print(f"invalid spa file: {exc}")
            return 1
        for spa in spas.values():
            print(f"{spa.id}: notifiers {', '.join(spa.notifiers.names())}")
        return 0
    from services.escalation.app import run

    run(settings)
    return 0
