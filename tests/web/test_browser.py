"""One real browser run: agent1 logs in, registers a project at the one-window desk and finds it in the
register. Drives Debian's Chromium through Playwright; it must fail, not skip, when the browser cannot
start. It keeps screenshots of what it saw in test-results/ for a person to look at."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import make_uscc

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls made
    there (fixtures' teardown included) as "async unsafe". Set for this module's tests only: left in
    the environment it would leak into every later test and fail ``check --deploy``."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("工作台")


def _register_through_the_intake_form(page: Page, name: str) -> None:
    page.click("nav.main-nav >> text=新建受理")
    expect(page.locator("h1")).to_have_text("一窗受理")
    today = timezone.localdate()
    page.check("input[name=investor_mode][value=new]")
    page.fill("#id_investor_name", "德阳智造装备有限公司")
    page.fill("#id_investor_uscc", make_uscc(424242))
    page.fill("#id_investor_contact_name", "王经理")
    page.fill("#id_investor_contact_phone", "13900001111")
    page.fill("#id_name", name)
    page.fill("#id_total_investment_wan", "26000")
    page.select_option("#id_industry", "C")
    page.select_option("#id_region", label="德阳经济技术开发区")
    page.select_option("#id_level", "city")
    page.fill("#id_signed_on", (today - datetime.timedelta(days=20)).isoformat())
    page.fill("#id_intake_on", today.isoformat())
    page.check("label:has-text('发展和改革委员会') >> nth=0")
    page.click("button:has-text('登记项目')")
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".message-success")).to_contain_text(name)


@pytest.mark.browser
def test_agent_registers_a_project_at_the_window_and_finds_it_in_the_register(live_server, people, world):
    name = "德阳智能装备产业园项目"
    csp_violations: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.on(
                "console",
                lambda message: (
                    csp_violations.append(message.text) if "Content Security Policy" in message.text else None
                ),
            )
            _log_in(page, live_server.url)
            _register_through_the_intake_form(page, name)

            page.click("nav.main-nav >> text=项目台账")
            expect(page.locator("#register-count")).to_contain_text("4")
            page.screenshot(path=str(SCREENSHOTS / "register.png"), full_page=True)

            # Typing in the search box updates the results through htmx, without a page load.
            page.fill("#id_q", "智能装备")
            expect(page.locator("#register-count")).to_contain_text("1")
            rows = page.locator("#register-results tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(name)
            assert "q=" in page.url

            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{live_server.url}/")
            expect(page.locator(".project-list")).to_contain_text(name)
            page.screenshot(path=str(SCREENSHOTS / "workbench-phone.png"), full_page=True)
        finally:
            browser.close()

    assert csp_violations == []
