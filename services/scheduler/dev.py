"""`make run` hooks: load every spa file before the services start; list the scheduler's URLs."""

from __future__ import annotations

import asyncio
import glob
from pathlib import Path

from services.scheduler.cli import ROOT
from services.scheduler.loading import load_files


def spa_files(env: dict[str, str]) -> list[Path]:
    """The spa files named by SPA_FILES (a glob, default spas/*.yaml, relative to the checkout)."""
    pattern = env.get("SPA_FILES", "spas/*.yaml")
    if not Path(pattern).is_absolute():
        pattern = str(ROOT / pattern)
    return [Path(p) for p in sorted(glob.glob(pattern))]


def prepare(env: dict[str, str]) -> None:
    """Load (or update) every spa file into the database `make run` uses."""
    files = spa_files(env)
    if not files:
        print("scheduler: no spa files match SPA_FILES; nothing loaded")
        return
    key = env.get("ID_HASH_KEY", "frontdesk-local-development-key")
    for report in asyncio.run(load_files(env["DATABASE_URL"], files, key)):
        print("scheduler: " + "\n           ".join(report.lines()))


def urls(env: dict[str, str]) -> dict[str, str]:
    """Where to look at the scheduler."""
    port = env.get("SCHEDULER_HTTP_PORT", "8082")
    return {"scheduler readiness": f"http://127.0.0.1:{port}/readyz"}
