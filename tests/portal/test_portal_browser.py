"""One real browser run of the public portal, on Debian's Chromium through Playwright (it must fail, not
skip, when the browser cannot start): the home page draws its charts at phone and desktop width with no
console error; a visitor searches "钢管", opens the project and leaves a message; staff publish and answer
it; the visitor reads the answer. Nothing may break the Content-Security-Policy. Screenshots are kept in
test-results/screenshots/ for a person to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from onewindow.portal.models import PublicMessage

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MESSAGE = "玉龙钢管项目夜间施工噪音较大，希望调整施工时间，谢谢。"
ANSWER = "已约谈施工单位，夜间22时后停止高噪音作业。"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls made
    there as "async unsafe"; set for this module's tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _watch(page: Page, problems: list[str]) -> None:
    def on_console(message):
        # The message form answers a refused message with 400, as it should: not a problem.
        refused_form = "/feedback/new/" in page.url and "status of 400" in message.text
        if (message.type == "error" and not refused_form) or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def _charts_drawn(page: Page) -> None:
    page.locator(".charts").scroll_into_view_if_needed()
    for name in ("regions", "industries", "stages", "months"):
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart).to_have_class("chart chart-drawn", timeout=15000)
        expect(chart.locator("canvas")).to_have_count(1)


@pytest.mark.browser
def test_a_visitor_finds_a_project_leaves_a_message_and_reads_the_answer(live_server, public_world):
    base = live_server.url
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # The home page at desktop width, then on a phone: the charts are drawn, lazily.
            desktop = browser.new_page(viewport=DESKTOP, locale="zh-CN")
            _watch(desktop, problems)
            desktop.goto(f"{base}/public/")
            expect(desktop.locator("h1")).to_have_text("每个项目的进展，向社会公开")
            _charts_drawn(desktop)
            desktop.wait_for_timeout(1500)  # the charts' animation
            _shot(desktop, "home-desktop")

            # A phone whose owner asked for less motion: the charts are drawn without animation.
            visitor = browser.new_page(viewport=PHONE, locale="zh-CN", reduced_motion="reduce")
            _watch(visitor, problems)
            visitor.goto(f"{base}/public/")
            _charts_drawn(visitor)
            _shot(visitor, "home-phone")

            # Search "钢管" from the home page and open the project.
            visitor.evaluate("window.scrollTo(0, 0)")
            visitor.fill("#hero-q", "钢管")
            visitor.press("#hero-q", "Enter")
            expect(visitor.locator("#result-count")).to_contain_text("1")
            tiles = visitor.locator(".project-tile")
            expect(tiles).to_have_count(1)
            _shot(visitor, "search-phone")
            tiles.first.locator("h3 a").click()
            expect(visitor.locator("h1")).to_have_text("江苏玉龙钢管项目")
            expect(visitor.locator("main")).not_to_contain_text("13800000000")
            _shot(visitor, "project-phone")

            # Leave a message about it.
            visitor.click(".page-head a[href*='feedback/new/?project=']")
            expect(visitor.locator("#id_project")).to_have_value(public_world.city.code)
            visitor.check("input[name=kind][value=complaint]")
            visitor.fill("#id_text", "太短")
            visitor.click(".feedback-form button[type=submit]")
            expect(visitor.locator(".alert-error")).to_be_visible()
            expect(visitor.locator("#id_text")).to_have_attribute("aria-invalid", "true")
            _shot(visitor, "feedback-error-phone")
            visitor.fill("#id_text", MESSAGE)
            visitor.fill("#id_contact", "13712345678")
            visitor.click(".feedback-form button[type=submit]")
            expect(visitor.locator("h1")).to_have_text(re.compile(r"编号 \d{4}-\d{6}"))
            receipt = visitor.url
            _shot(visitor, "receipt-phone")

            # Staff publish and answer it.
            staff = browser.new_page(viewport=DESKTOP, locale="zh-CN")
            _watch(staff, problems)
            staff.goto(f"{base}/login/")
            staff.fill("#id_username", "leader")
            staff.fill("#id_password", PASSWORD)
            staff.click("form[action='/login/'] button[type=submit]")
            staff.goto(f"{base}/feedback/")
            staff.click("#main table tbody th a")
            expect(staff.locator("main")).to_contain_text("13712345678")
            staff.click("form[action$='/publish/'] button[type=submit]")
            expect(staff.locator(".message-success")).to_be_visible()
            staff.fill("#id_answer", ANSWER)
            staff.click("form[action$='/answer/'] button[type=submit]")
            expect(staff.locator(".message-success")).to_be_visible()
            _shot(staff, "staff-message-desktop")

            # The visitor reads the answer on the receipt page and on the project page.
            visitor.goto(receipt)
            expect(visitor.locator(".message-answer")).to_contain_text(ANSWER)
            visitor.goto(f"{base}/public/projects/{public_world.city.pk}/")
            expect(visitor.locator(".message-list")).to_contain_text(ANSWER)
            expect(visitor.locator("main")).not_to_contain_text("13712345678")
            _shot(visitor, "project-answered-phone")

            desktop.goto(f"{base}/public/projects/?q=项目")
            _shot(desktop, "list-desktop")
            desktop.goto(f"{base}/public/projects/{public_world.city.pk}/")
            _shot(desktop, "project-desktop")
        finally:
            browser.close()

    assert problems == []
    # Read the database only now: inside Playwright's event loop the ORM would open a connection of
    # its own that nobody closes.
    message = PublicMessage.objects.get()
    assert (message.contact, message.answer, message.status) == ("13712345678", ANSWER, "published")
