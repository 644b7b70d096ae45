"""Draft mode and on-call paging in real Chromium against the whole system (Twilio faked at the wire).

The owner switches the spa to draft replies; a client's texts get no answer until staff send the
agent's draft as is, then edit and send the next one (both reach the fake Twilio). A client with
trouble breathing after a treatment raises an urgent escalation: the demo spa's on-call number gets
a page with a link, staff follow it and acknowledge, and the inbox shows who did. Screenshots go to
.data/artifacts/browser/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from services.escalation.spas import load_spas
from tests.e2e.system_support import DEMO_SPA, TENANT, System, started_system
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.staff_accounts import create_accounts

pytestmark = pytest.mark.e2e

OWNER = ("dora@glow.example", "owner password 3")
DRAFTED = "+14155550171"
URGENT = "+14155550172"
ON_CALL = load_spas(str(DEMO_SPA))[TENANT].on_call.numbers[0]


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes and an owner of the demo spa."""
    async with started_system(
        servers["postgres"], servers["nats"], tmp_path_factory.mktemp("drafts")
    ) as running:
        await create_accounts(running.database_url, [(TENANT, OWNER, "owner", "Dora")])
        yield running


async def owner_page(browser: Browser, system: System) -> tuple[Page, list[str]]:
    """The owner, signed in; what the CSP refused on the page is collected."""
    page = await (await browser.new_context()).new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda d: d.dismiss())
    await sign_in(page, system.urls["escalation"], OWNER)
    return page, refused


async def drafts_of(system: System, number: str, count: int) -> list[dict[str, object]]:
    """Wait until the conversation has `count` drafts (through the inbox API)."""
    path = f"/api/conversations/{TENANT}/{system.conversation(number)}/drafts"

    async def found() -> list[dict[str, object]] | None:
        drafts = (await system.inbox(path))["drafts"]
        return drafts if len(drafts) >= count else None

    result: list[dict[str, object]] = await system.eventually(found, f"{count} drafts in the inbox")
    return result


async def test_owner_switches_to_drafts_staff_send_one_as_is_and_edit_the_next(
    system: System, browser: Browser
) -> None:
    page, refused = await owner_page(browser, system)
    await page.click("#reply-mode button:has-text('Switch to drafts')")
    await expect(page.locator("#reply-mode")).to_contain_text("AI replies wait as drafts")

    await system.text(DRAFTED, "Hi, I'm Dana, I'd like a HydraFacial")
    [first] = await drafts_of(system, DRAFTED, 1)
    assert system.twilio.sent_to(DRAFTED) == [], "a draft is not sent by itself"
    key = f"{TENANT}/{system.conversation(DRAFTED)}"
    await page.click(f".conversations li[data-key='{key}']")
    row = page.locator(f".draft[data-draft='{first['draft_id']}']")
    await expect(row).to_contain_text(str(first["body"]))
    await page.screenshot(path=str(ARTIFACTS / "drafts-1-waiting.png"), full_page=True)
    await row.locator("button", has_text="Send").first.click()
    [sent] = await system.sent(DRAFTED, 1)
    assert sent.body.startswith(str(first["body"])), (
        "the draft as is (the first text adds the opt-out notice)"
    )
    await expect(page.locator(".draft-counts")).to_contain_text("sent as is 1")

    await system.text(DRAFTED, "Friday afternoon please")
    second = (await drafts_of(system, DRAFTED, 2))[-1]
    row = page.locator(f".draft[data-draft='{second['draft_id']}']")
    await row.locator("button", has_text="Edit & send").click()
    edited = "Hi Dana, Friday at 3pm with Jess works. Shall I book it?"
    await page.fill(f".draft[data-draft='{second['draft_id']}'] textarea", edited)
    await page.screenshot(path=str(ARTIFACTS / "drafts-2-editing.png"), full_page=True)
    await page.click(f".draft[data-draft='{second['draft_id']}'] button:has-text('Send edited')")
    texts = await system.sent(DRAFTED, 2)
    assert texts[-1].body == edited
    await expect(page.locator(".draft-counts")).to_contain_text("sent as is 1 · edited 1")
    await expect(page.locator(".draft")).to_have_count(0)
    await page.screenshot(path=str(ARTIFACTS / "drafts-3-sent.png"), full_page=True)
    assert refused == []


async def test_an_urgent_escalation_pages_on_call_and_staff_acknowledge_it(
    system: System, browser: Browser
) -> None:
    await system.text(URGENT, "having trouble breathing since the filler yesterday")
    conversation = system.conversation(URGENT)

    async def paged() -> str | None:
        pages = [m.body for m in system.twilio.sent_to(ON_CALL) if m.body.startswith("Urgent:")]
        return pages[0] if pages else None

    body: str = await system.eventually(paged, "the on-call page at the fake Twilio")
    assert body.startswith("Urgent: a client needs a qualified person now.")
    assert body.endswith(f"/#/c/{conversation}") and "breath" not in body and "filler" not in body

    page, refused = await owner_page(browser, system)
    await page.goto(f"{system.urls['escalation']}/#/c/{conversation}")
    await page.reload()  # the link opens the conversation once signed in
    row = page.locator(".page-row.paging")
    await expect(row).to_contain_text("Paging on-call")
    await page.screenshot(path=str(ARTIFACTS / "paging-1-urgent.png"), full_page=True)
    await row.locator("button", has_text="Acknowledge").click()
    await expect(page.locator(".page-row")).to_contain_text("Acknowledged by Dora")
    await page.screenshot(path=str(ARTIFACTS / "paging-2-acknowledged.png"), full_page=True)
    assert refused == []
