"""The inbox on a phone, search, and the owner's charts, in real Chromium against the whole system.

Two clients text the demo spa (one asks for a person); staff on a 390×844 screen see the list and
then the conversation, each fully on screen and not under the header, and go back; search finds a
client by number; the owner's charts draw the figures. Screenshots go to .data/artifacts/browser/.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.system_support import TENANT, System, started_system
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.staff_accounts import create_accounts

pytestmark = pytest.mark.e2e

OWNER = ("owen@glow.example", "owner password 2")
STAFF = ("sam@glow.example", "staff password 2")
ASKS = "+14155550161"  # asks for a person
BOOKS = "+14155550162"  # asks about a facial
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes, an owner and a staff member, and two clients who texted."""
    async with started_system(
        servers["postgres"], servers["nats"], tmp_path_factory.mktemp("phone")
    ) as running:
        await create_accounts(
            running.database_url,
            [
                (TENANT, OWNER, "owner", OWNER[0].split("@")[0].title()),
                (TENANT, STAFF, "staff", STAFF[0].split("@")[0].title()),
            ],
        )
        await running.say(BOOKS, "Hi, how much is a HydraFacial?")
        await running.text(ASKS, "I want to talk to a real person please")
        asks = running.conversation(ASKS)

        async def escalated() -> bool:
            view = await running.inbox(f"/api/conversations/{TENANT}/{asks}")
            return any(e["status"] == "open" for e in view["escalations"])

        await running.eventually(escalated, "the request for a person in the inbox")
        yield running


async def phone_page(browser: Browser, system: System, who: tuple[str, str]) -> tuple[Page, list[str]]:
    """A signed-in page on a phone-sized screen, and what the CSP refused on it."""
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    await sign_in(page, system.urls["escalation"], who)
    return page, refused


async def box(locator: Locator) -> dict[str, float]:
    """An element's box, which must lie wholly on the phone's screen.

    A live update redraws the conversation: an element measured just as it is replaced has no box,
    so it is looked for again (for up to about two seconds) before the test says it is not shown.
    """
    found = None
    for _ in range(20):
        await expect(locator).to_be_visible()
        found = await locator.bounding_box()
        if found is not None:
            break
        await asyncio.sleep(0.1)
    assert found is not None, f"{locator} is not shown"
    right, bottom = found["x"] + found["width"], found["y"] + found["height"]
    assert found["x"] >= 0 and found["y"] >= 0, (locator, found)
    assert right <= PHONE["width"] + 0.5 and bottom <= PHONE["height"] + 0.5, (locator, found)
    assert found["width"] > 0 and found["height"] > 0, (locator, found)
    return found


def below(upper: dict[str, float], lower: dict[str, float]) -> bool:
    """Whether `lower` starts where `upper` ends or further down (no overlap)."""
    return lower["y"] >= upper["y"] + upper["height"] - 0.5


async def test_on_a_phone_the_list_then_the_conversation_fit_the_screen(
    system: System, browser: Browser
) -> None:
    page, refused = await phone_page(browser, system, STAFF)
    asks = f"{TENANT}/{system.conversation(ASKS)}"
    first = page.locator(".conversations li").first
    await expect(first).to_have_attribute("data-key", asks)  # needs a person: first
    await expect(first).to_contain_text("Asked for a person")
    header, search, item = (
        await box(page.locator("header")),
        await box(page.locator("#search")),
        await box(first),
    )
    assert below(header, search) and below(search, item)
    await box(page.locator("#sign-out"))  # signing out stays on screen
    escalation = page.locator(".escalations li").first
    await expect(escalation).to_contain_text(ASKS)  # the escalation names the client...
    await expect(escalation.locator(".upcoming")).to_contain_text(
        "No upcoming bookings"
    )  # ...and their bookings
    await expect(page.locator("#conversation")).to_be_hidden()  # one column: the list only
    await page.screenshot(path=str(ARTIFACTS / "phone-1-list.png"))

    await first.click()
    await expect(page.locator(".conv-head .title")).to_contain_text(ASKS)  # the whole number, for staff
    await expect(page.locator("aside")).to_be_hidden()
    head = await box(page.locator(".conv-head"))
    messages = await box(page.locator("#conversation .messages"))
    reply = await box(page.locator("#conversation form.reply"))
    await box(page.locator("#conversation form.reply button[type=submit]"))
    title = await box(page.locator(".conv-head .number"))
    assert title["width"] >= 100, title  # the number is readable, not cut to an ellipsis
    assert below(header, head) and below(head, messages) and below(messages, reply)
    await expect(page.locator("#conversation .msg.in").first).to_contain_text("real person")
    await page.screenshot(path=str(ARTIFACTS / "phone-2-conversation.png"))

    await page.click(".conv-head .back")
    await expect(page.locator("aside")).to_be_visible()
    await expect(page.locator(".conversations li").first).to_have_attribute("data-key", asks)
    assert refused == [], refused
    await page.context.close()


async def test_search_finds_a_client_by_number(system: System, browser: Browser) -> None:
    page, _ = await phone_page(browser, system, STAFF)
    await expect(page.locator(".conversations li")).to_have_count(2)
    await page.fill("#search", "555-0162")
    rows = page.locator(".conversations li")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_have_attribute("data-key", f"{TENANT}/{system.conversation(BOOKS)}")
    await page.fill("#search", "nobody here")
    await expect(page.locator(".conversations li.none")).to_contain_text("No client matches")
    await page.screenshot(path=str(ARTIFACTS / "phone-3-search.png"))
    await expect(page.locator("#owner-tab")).to_be_hidden()  # staff, not an owner
    await page.context.close()


async def test_the_owners_charts_draw_the_figures(system: System, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in(page, system.urls["escalation"], OWNER)
    await page.click("#owner-tab")
    charts = page.locator("#owner-charts .chart canvas")
    await expect(charts).to_have_count(6)  # five figures and escalations by category
    sizes = await charts.evaluate_all(
        "cs => cs.map(c => [c.getBoundingClientRect().width, c.getBoundingClientRect().height])"
    )
    assert len(sizes) == 6 and all(w > 100 and h > 50 for w, h in sizes), sizes
    await expect(page.locator("#owner-totals")).to_contain_text("conversations handled")
    handled = await page.locator("#owner-totals .figure").first.locator("strong").inner_text()
    assert int(handled) >= 2  # both clients' conversations
    await expect(page.locator("[data-chart=escalations]")).to_contain_text("asked for a person")
    await expect(page.locator("#owner-note")).to_contain_text("opening hours")
    await page.screenshot(path=str(ARTIFACTS / "owner-charts.png"), full_page=True)
    await context.close()
