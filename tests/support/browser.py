"""Driving the staff inbox in a real browser: where Chromium is, where screenshots go, signing in."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Page, expect

CHROMIUM = os.environ.get("FRONTDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / ".data" / "artifacts" / "browser"


async def sign_in(page: Page, url: str, who: tuple[str, str]) -> None:
    """Fill the sign-in form as staff do."""
    await page.goto(url)
    await page.fill("#login-form input[name=email]", who[0])
    await page.fill("#login-form input[name=password]", who[1])
    await page.click("#login-form button[type=submit]")
    await expect(page.locator("#sign-out")).to_be_visible()
