"""A real browser: a leader finds a signed lead from the menu, takes it into agency and lands on the new
project's page; the funnel page draws its charts. Not one Content-Security-Policy complaint is allowed.
Drives Debian's Chromium through Playwright, as the other browser tests do."""

import datetime

import pytest
from playwright.sync_api import expect, sync_playwright

from onewindow.promotion import services
from tests.factories import make_uscc

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-battery"
D = datetime.date


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in the test's thread; fixtures' teardown uses the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
def test_a_leader_converts_a_lead_and_lands_on_the_new_project(live_server, people, make_lead):
    lead = make_lead("浏览器线索")
    services.advance_lead(actor=people["agent1"], lead=lead, target="signed", on=D(2024, 5, 1), note="签约")
    make_lead("另一条线索", actor=people["agent2"])
    uscc = make_uscc(321)
    problems: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
            page.on(
                "console",
                lambda message: (
                    problems.append(message.text)
                    if "Content Security Policy" in message.text or "Refused to" in message.text
                    else None
                ),
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "leader")
            page.fill("#id_password", PASSWORD)
            page.click("form[action='/login/'] button[type=submit]")
            page.click("nav.main-nav >> text=Investment leads")
            expect(page.locator("h1")).to_have_text("Investment leads")
            expect(page.locator("table.data tbody tr")).to_have_count(2)

            page.click("text=Funnel and conversion time")
            expect(page.locator("[data-lead-chart='funnel'].chart-drawn")).to_have_count(1)
            page.go_back()

            page.click("table.data >> text=浏览器线索")
            page.locator("summary", has_text="Take into agency").click()
            page.fill("#id_convert-project_name", "浏览器转化项目")
            page.fill("#id_convert-on", "2024-05-20")
            page.fill("#id_convert-uscc", uscc)
            page.click("text=Convert into a project")
            expect(page.locator("h1")).to_have_text("浏览器转化项目")
            assert "/projects/" in page.url
            expect(page.locator("body")).to_contain_text("签约")
        finally:
            browser.close()
    assert not problems, problems
