"""A real browser: an agent urges the 发改 window on a task page; the window clerk sees the bell count,
opens the notification and lands on the task. Not one Content-Security-Policy complaint is allowed."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from onewindow.approvals import task_services
from tests.web.test_browser_tasks import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Watch, _shots, _signed_in


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread; Django then refuses ORM calls
    there (fixtures' teardown included) as "async unsafe"."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
def test_an_agent_urges_on_the_task_page_and_the_clerk_sees_it_under_the_bell(
    live_server, people, planned, clerks
):
    today = timezone.localdate()
    task = task_services.start_preparing(actor=people["agent1"], task=planned.tasks["FGW-BA"], on=today)
    task = task_services.accept_task(actor=clerks["fgw"], task=task, on=today)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            clerk = _signed_in(browser, live_server.url, "clerk_fgw", watch)
            expect(clerk.locator("#notification-count")).to_have_text("0")

            agent = _signed_in(browser, live_server.url, "agent1", watch)
            agent.goto(f"{live_server.url}/tasks/{task.pk}/")
            expect(agent.locator("#urging")).to_contain_text("has not been urged")
            agent.fill("#id_note", "投资方急需备案，请本周内办结")
            agent.click("#urge-button")
            expect(agent.locator(".message-success")).to_contain_text("was urged about this task")
            expect(agent.locator("#urging")).to_contain_text("投资方急需备案，请本周内办结")
            _shots(agent, "task-urged")

            clerk.reload()
            expect(clerk.locator("#notification-count")).to_have_text("1")
            clerk.click("#notification-bell")
            expect(clerk.locator("h1")).to_have_text("Notifications")
            item = clerk.locator("#notification-list li").first
            expect(item).to_contain_text("urged")
            expect(item).to_contain_text("企业投资项目备案")
            expect(item).to_contain_text("投资方急需备案，请本周内办结")
            _shots(clerk, "notifications")
            item.get_by_role("button", name="Open").click()
            expect(clerk.locator("h1")).to_contain_text("FGW-BA")
            expect(clerk.locator("#notification-count")).to_have_text("0")
            expect(clerk.locator("#urging")).to_have_count(0)  # the clerk is told, not asked to urge

            # The clerk keeps urges out of the e-mail digest; the choice is saved.
            clerk.goto(f"{live_server.url}/notifications/preferences/")
            clerk.uncheck("#id_email_urge")
            clerk.click("#preferences-form button[type=submit]")
            expect(clerk.locator(".message-success")).to_contain_text("saved")
            expect(clerk.locator("#id_email_urge")).not_to_be_checked()
            expect(clerk.locator("#id_in_app_urge")).to_be_checked()
            _shots(clerk, "notification-preferences")

            agent.goto(f"{live_server.url}/notifications/urges/")
            expect(agent.locator("#urge-table tbody tr")).to_have_count(1)
            expect(agent.locator("#urge-table tbody tr").first).to_contain_text("1")
        finally:
            browser.close()

    assert watch.problems == []
