"""The staff desk in a real browser: Debian's chromium driven by Playwright, against the whole system.

Every service runs as a process (Twilio faked at the wire). A client with a booking texts that they
need to cancel; staff sign in, open the escalated conversation, cancel the booking from it (the
client's confirmation reaches the fake Twilio), hand back to the AI, and book a walk-in from free
time on the calendar, then invite a colleague who sets a password from the link. An anonymous
visitor and another spa's staff are refused. Screenshots are
saved under .data/artifacts/browser/ (gitignored).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.system_support import TENANT, System, started_system
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.staff_accounts import create_accounts

pytestmark = pytest.mark.e2e

OWNER = ("ana@glow.example", "owner password 1")
OTHER = ("olga@other.example", "other spa password")
CLIENT = "+14155550188"


@pytest.fixture(scope="module")
async def system(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    """All five services as processes, with an owner of the demo spa and a user of another spa."""
    async with started_system(
        servers["postgres"], servers["nats"], tmp_path_factory.mktemp("browser")
    ) as running:
        await create_accounts(
            running.database_url,
            [
                (TENANT, OWNER, "owner", OWNER[0].split("@")[0].title()),
                ("other-spa", OTHER, "staff", OTHER[0].split("@")[0].title()),
            ],
        )
        yield running


async def book_for_client(system: System) -> dict[str, Any]:
    """The client already has a HydraFacial booked (made through the desk API by the staff account)."""
    api = system.urls["escalation"]
    async with httpx.AsyncClient(base_url=api, headers=system.staff, timeout=10) as http:
        catalog = (await http.get("/api/catalog")).json()
        service = next(s for s in catalog["services"] if s["name"] == "HydraFacial")
        for ahead in range(2, 12):
            day = (date.today() + timedelta(days=ahead)).isoformat()
            found = (
                await http.get("/api/slots", params={"service_id": service["service_id"], "day": day})
            ).json()
            if found["options"]:
                slot = found["options"][0]
                body = {
                    "service_id": service["service_id"],
                    "provider_id": slot["provider_id"],
                    "start": slot["start"],
                    "client": {"phone": CLIENT},
                }
                made = await http.post("/api/bookings", json=body)
                assert made.status_code == 200, made.text
                return dict(made.json()["booking"])
    raise AssertionError("no free HydraFacial time in ten days")


async def test_staff_cancel_from_an_escalated_conversation_then_book_a_walk_in(
    system: System, browser: Browser
) -> None:
    booking = await book_for_client(system)
    await system.text(CLIENT, "Hi, I need to cancel my appointment please")
    conversation = system.conversation(CLIENT)

    async def escalated() -> bool:
        view = await system.inbox(f"/api/conversations/{TENANT}/{conversation}")
        return any(e["category"] == "cancellation" and e["status"] == "open" for e in view["escalations"])

    await system.eventually(escalated, "the cancellation escalation in the inbox")
    texts_before = len(system.twilio.sent_to(CLIENT))

    context = await browser.new_context()
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    refused: list[str] = []  # the strict CSP (no inline script or style) refusing something of ours
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    await sign_in(page, system.urls["escalation"], OWNER)
    await page.click(f".conversations li[data-key='{TENANT}/{conversation}']")
    row = page.locator(f"#client-bookings .booking[data-booking='{booking['booking_id']}']")
    await expect(row).to_contain_text("HydraFacial")
    await page.screenshot(path=str(ARTIFACTS / "1-escalated-conversation.png"), full_page=True)

    await row.locator("button", has_text="Cancel booking").click()
    await expect(page.locator("#client-bookings")).to_contain_text("none")
    sent = await system.sent(CLIENT, texts_before + 1)
    assert "is cancelled" in sent[-1].body and "HydraFacial" in sent[-1].body
    await expect(page.locator(".esc-list")).to_have_count(0)  # the escalation is resolved
    await page.click(".conv-head button:has-text('Resume AI')")
    await expect(page.locator(".conv-head")).to_contain_text("AI active")
    await page.screenshot(path=str(ARTIFACTS / "2-cancelled-and-resumed.png"), full_page=True)

    await page.click("#tabs button[data-view=calendar]")
    free = page.locator(".entry.free").first
    for _ in range(7):  # today may be over: step to the next day with free time
        if await free.count():
            break
        await page.click("button[aria-label=later]")
        await page.wait_for_timeout(300)
    await free.click()
    await page.fill(".book-form input[name=name]", "Walk-in Wendy")
    await page.click(".book-form button[type=submit]")
    await expect(page.locator(".entry.booking", has_text="Walk-in Wendy")).to_have_count(1)
    await page.screenshot(path=str(ARTIFACTS / "3-walk-in-booked.png"), full_page=True)

    # The owner invites a new staff member, who sets a password from the link and signs in.
    await page.click("#team-tab")
    await page.fill("#invite-staff input[name=display_name]", "Lee")
    await page.fill("#invite-staff input[name=email]", "lee@glow.example")
    await page.click("#invite-staff button[type=submit]")
    await expect(page.locator("#invite-result")).to_contain_text("/#/invite/")
    link = (await page.inner_text("#invite-result")).rsplit(" ", 1)[-1]
    assert dialogs == [] and refused == [], (dialogs, refused)
    await context.close()

    newcomer = await browser.new_context()
    lee = await newcomer.new_page()
    await lee.goto(link)
    await lee.fill("#invite-form input[name=password]", "lee's own password")
    await lee.click("#invite-form button[type=submit]")
    await expect(lee.locator("#login-error")).to_contain_text("Password set")
    await sign_in(lee, system.urls["escalation"], ("lee@glow.example", "lee's own password"))
    await expect(lee.locator("#me")).to_contain_text("Lee")
    await newcomer.close()


async def test_anonymous_and_other_spa_staff_are_refused(system: System, browser: Browser) -> None:
    conversation = system.conversation(CLIENT)
    url = system.urls["escalation"]
    anonymous = await browser.new_context()
    page = await anonymous.new_page()
    await page.goto(url)
    await expect(page.locator("#login-form")).to_be_visible()
    assert (await page.request.get(f"{url}/api/conversations")).status == 401
    await page.screenshot(path=str(ARTIFACTS / "4-anonymous.png"))
    await anonymous.close()

    other = await browser.new_context()
    page = await other.new_page()
    await sign_in(page, url, OTHER)
    # The list has loaded (it says so when empty) and holds none of the other spa's conversations.
    await expect(page.locator(".conversations li.none")).to_contain_text("No conversations")
    await expect(page.locator(".conversations li[data-key]")).to_have_count(0)
    assert (await page.request.get(f"{url}/api/conversations/{TENANT}/{conversation}")).status == 403
    assert (await page.request.get(f"{url}/api/conversations?tenant={TENANT}")).status == 403
    await expect(page.locator("#team-tab")).to_be_hidden()  # staff, not an owner
    await page.screenshot(path=str(ARTIFACTS / "5-other-spa.png"))
    await other.close()


async def test_time_blocked_from_a_browser_in_another_time_zone_is_the_spas_time(
    system: System, browser: Browser
) -> None:
    # Staff on a trip (the browser in Tokyo) block 1:00-2:00 PM: the spa's 1:00-2:00 PM, not Tokyo's.
    day = (date.today() + timedelta(days=9)).isoformat()
    context = await browser.new_context(timezone_id="Asia/Tokyo")
    page = await context.new_page()
    await sign_in(page, system.urls["escalation"], OWNER)
    await page.click("#tabs button[data-view=calendar]")
    await page.click("button:has-text('Block time')")
    await expect(page.locator(".block-form")).to_contain_text("America/Los_Angeles")
    await page.fill(".block-form input[name=start]", f"{day}T13:00")
    await page.fill(".block-form input[name=end]", f"{day}T14:00")
    await page.click(".block-form button[type=submit]")
    await expect(page.locator("#cal-detail")).to_contain_text("Blocked.")
    await context.close()

    calendar = await system.inbox("/api/calendar", start=day, days=1)
    blocks = [k for p in calendar["providers"] for k in p["blocks"]]
    assert len(blocks) == 1
    spa = ZoneInfo(calendar["timezone"])
    start = datetime.fromisoformat(blocks[0]["start"]).astimezone(spa)
    end = datetime.fromisoformat(blocks[0]["end"]).astimezone(spa)
    assert (start.isoformat()[:16], end.isoformat()[:16]) == (f"{day}T13:00", f"{day}T14:00")
    async with httpx.AsyncClient(base_url=system.urls["escalation"], headers=system.staff) as http:
        removed = await http.post(f"/api/blocks/{blocks[0]['block_id']}/remove")
        assert removed.status_code == 200, removed.text


async def test_a_reply_being_typed_survives_a_live_update_of_the_conversation(
    system: System, browser: Browser
) -> None:
    client = "+14155550187"
    await system.text(client, "Hi! do you do lash lifts?")
    await system.sent(client, 1)
    conversation = system.conversation(client)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, system.urls["escalation"], OWNER)
    await page.click(f".conversations li[data-key='{TENANT}/{conversation}']")
    reply = page.locator("#conversation form.reply textarea")
    await reply.fill("Hi! Julia here, let me che")
    await system.text(client, "also what are your hours on saturday")  # redraws the conversation
    await expect(page.locator("#conversation .msg.in", has_text="hours on saturday")).to_have_count(1)
    await expect(reply).to_have_value("Hi! Julia here, let me che")
    await expect(reply).to_be_focused()
    await reply.press("End")
    await reply.type("ck")
    await expect(reply).to_have_value("Hi! Julia here, let me check")
    await context.close()
