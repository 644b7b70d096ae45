"""`frontdesk scheduler`: serve, or load spa files.

frontdesk scheduler [serve]              run the service
frontdesk scheduler load-spa FILE...     load or update spas from files (one transaction), report changes
frontdesk scheduler load-spa --demo      load the demo spa (spas/demo-spa.yaml)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from services.scheduler.settings import SchedulerSettings

ROOT = Path(__file__).resolve().parents[2]
DEMO_SPA = ROOT / "spas" / "demo-spa.yaml"


def main(argv: Sequence[str]) -> int:
    """Run a subcommand; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="frontdesk scheduler", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service (the default)")
    load = sub.add_parser("load-spa", help="load or update spa files idempotently")
    load.add_argument("files", nargs="*", type=Path)
    load.add_argument("--demo", action="store_true", help="load the demo spa")
    args = parser.parse_args(list(argv))
    if args.command in (None, "serve"):
        from services.scheduler.app import run

        run()
        return 0
    files = list(args.files) + ([DEMO_SPA] if args.demo else [])
    if not files:
        parser.error("load-spa needs FILE... or --demo")
    from services.scheduler.loading import load_files
    from services.scheduler.spafile import SpaFileError

    settings = SchedulerSettings()
    try:
        reports = asyncio.run(
            load_files(settings.database_url, files, settings.id_hash_key.get_secret_value())
        )
    except SpaFileError as exc:
        print(f"{exc.path}: not loaded, nothing changed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    for report in reports:
        print("\n".join(report.lines()))
    return 0
