"""Fixtures of the browser tests: one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright, expect

from tests.support.browser import ARTIFACTS, CHROMIUM

# What a page shows may wait for a live update from a system busy on two shared cores: allow 15 s.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless chromium (the system's own; Playwright's download is not used)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        await launched.close()
