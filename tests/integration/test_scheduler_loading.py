"""Loading spa files: idempotent, reports what changed, rejects bad files whole."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from services.scheduler import dev
from services.scheduler.cli import DEMO_SPA, ROOT
from services.scheduler.loading import load_files
from services.scheduler.spafile import SpaFileError
from tests.integration.scheduler_support import ID_KEY

pytestmark = pytest.mark.integration


async def test_loading_twice_changes_nothing_and_edits_are_reported(
    database_url: str, tmp_path: Path
) -> None:
    (first,) = await load_files(database_url, [DEMO_SPA], ID_KEY)
    assert first.created and first.kinds["services"].added >= 12 and first.kinds["clients"].added == 3
    (second,) = await load_files(database_url, [DEMO_SPA], ID_KEY)
    assert not second.changed
    conn = await asyncpg.connect(database_url)
    try:
        # A live balance is the spa's truth now: reloading the file does not reset it.
        await conn.execute("UPDATE scheduler.client_packages SET sessions_remaining = 1")
        edited = tmp_path / "spa.yaml"
        text = DEMO_SPA.read_text().replace("    price: 225\n", "    price: 240\n")
        start = text.index("  - key: dermaplaning")
        end = text.index("  # body")
        edited.write_text(text[:start] + text[end:])
        (third,) = await load_files(database_url, [edited], ID_KEY)
        assert (third.kinds["services"].updated, third.kinds["services"].removed) == (1, 1)
        assert not third.kinds["clients"].changed
        assert await conn.fetchval("SELECT version FROM scheduler.spas") == 2
        assert await conn.fetchval("SELECT min(sessions_remaining) FROM scheduler.client_packages") == 1
        assert not await conn.fetchval("SELECT active FROM scheduler.services WHERE key = 'dermaplaning'")
    finally:
        await conn.close()


async def test_an_invalid_file_changes_nothing(database_url: str, tmp_path: Path) -> None:
    await load_files(database_url, [DEMO_SPA], ID_KEY)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        DEMO_SPA.read_text()
        .replace("price: 225", "price: 240")
        .replace("consult: laser-consult", "consult: nope", 1)
    )
    with pytest.raises(SpaFileError) as info:
        await load_files(database_url, [DEMO_SPA, bad], ID_KEY)
    (problem,) = info.value.problems
    assert problem.line and "nope" in problem.reason
    conn = await asyncpg.connect(database_url)
    try:
        assert (
            await conn.fetchval("SELECT price_cents FROM scheduler.services WHERE key = 'hydrafacial'")
            == 22500
        )
    finally:
        await conn.close()


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "json"}
    return subprocess.run(
        [sys.executable, "-m", "services.scheduler", "load-spa", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_load_spa_command_reports_changes_and_rejects_with_line_numbers(
    database_url: str, tmp_path: Path
) -> None:
    created = _cli(database_url, "--demo")
    assert created.returncode == 0, created.stderr
    assert "spa glow-medspa: created" in created.stdout
    again = _cli(database_url, "--demo")
    assert "spa glow-medspa: unchanged" in again.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_SPA.read_text().replace("timezone: America/Los_Angeles", "timezone: Pacific/Nowhere"))
    rejected = _cli(database_url, str(bad))
    assert rejected.returncode == 1
    assert "line 4: timezone:" in rejected.stderr and "Pacific/Nowhere" in rejected.stderr


async def test_make_run_prepare_loads_every_spa_file(database_url: str, tmp_path: Path) -> None:
    second = tmp_path / "second.yaml"
    second.write_text(DEMO_SPA.read_text().replace("id: glow-medspa", "id: second-spa"))
    (tmp_path / "demo.yaml").write_text(DEMO_SPA.read_text())
    # prepare() is synchronous (the dev server calls it before starting services): run it aside.
    await asyncio.to_thread(
        dev.prepare, {"DATABASE_URL": database_url, "SPA_FILES": str(tmp_path / "*.yaml")}
    )
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM scheduler.spas") == [
            "glow-medspa",
            "second-spa",
        ]
    finally:
        await conn.close()
