"""A real browser on the workbenches: a window clerk finds their overdue task marked red at the top of
the queue; an agent escalates a problem on its page and the city leader finds it waiting on their
workbench. Not one Content-Security-Policy complaint is allowed. Drives Debian's Chromium through
Playwright and keeps screenshots in test-results/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from onewindow.coordination import services
from tests.factories import ProjectFactory
from tests.web.test_browser_tasks import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, PHONE, Watch

from .test_workbench import accepted_task, workday

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _signed_in(browser, base_url: str, username: str, watch: Watch):
    page = watch.attach(browser.new_page(viewport=DESKTOP, locale="en-US"))
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    expect(page.locator("nav.main-nav")).to_be_visible()
    return page


@pytest.mark.browser
def test_a_clerk_sees_their_overdue_task_marked_red_on_the_workbench(
    live_server, people, city, task_catalog, clerks
):
    agent, clerk = people["agent1"], clerks["fgw"]
    for name, ago in (("旌阳食品加工项目", 0), ("德阳重型机械项目", 12), ("经开区光伏组件项目", 4)):
        project = ProjectFactory(name=name, region=city, agent=agent)
        accepted_task(project, task_catalog, agent, clerk, accepted_workdays_ago=ago)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server.url, "clerk_fgw", watch)
            expect(page.locator("h1")).to_have_text("Workbench")
            rows = page.locator("#workbench-queue-list tbody tr")
            expect(rows).to_have_count(3)
            first = rows.first
            expect(first).to_contain_text("德阳重型机械项目")
            expect(first).to_have_class("queue-row row-red")
            expect(first.locator(".warning-red")).to_have_text("Red: overdue")
            expect(rows.nth(1).locator(".warning-yellow")).to_have_text("Yellow: due soon")
            # The red row is tinted: the look of a warning, not only its words.
            background = first.locator("td.date").evaluate("cell => getComputedStyle(cell).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
            page.screenshot(path=str(SCREENSHOTS / "workbench-clerk-desktop.png"), full_page=True)

            page.select_option("#id_workbench_warning", "red")
            page.click("form.workbench-filters button[type=submit]")
            expect(rows).to_have_count(1)
            assert "warning=red" in page.url
            page.set_viewport_size(PHONE)
            page.screenshot(path=str(SCREENSHOTS / "workbench-clerk-phone.png"), full_page=True)
        finally:
            browser.close()
    assert watch.problems == []


@pytest.mark.browser
def test_an_agent_escalates_a_problem_and_the_city_leader_sees_it_waiting_on_the_workbench(
    live_server, people, world, fgw
):
    services.raise_problem(
        actor=people["agent1"],
        project=world["city"],
        title="用地指标不足",
        description="建设用地指标尚未落实。",
        category="land",
        departments=[fgw],
        raised_on=workday(-2),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            leader = _signed_in(browser, live_server.url, "leader", watch)
            expect(leader.locator("#workbench-waiting-list")).to_have_count(0)
            expect(leader.locator("#workbench-waiting")).to_be_visible()

            agent = _signed_in(browser, live_server.url, "agent1", watch)
            expect(agent.locator("#workbench-project-list")).to_contain_text("用地指标不足")
            agent.screenshot(path=str(SCREENSHOTS / "workbench-agent-desktop.png"), full_page=True)
            # The agent finds the problem among their own open items and opens it from there.
            agent.click("#workbench-due-items >> text=用地指标不足")
            agent.locator("#action-escalate summary").click()
            agent.fill("#id_escalate_reason", "窗口部门协调未果，提请部门领导联席会议。")
            agent.click("#action-escalate button[type=submit]")
            expect(agent.locator("#problem-level")).to_contain_text("Level 2")

            leader.reload()
            waiting = leader.locator("#workbench-waiting-list tbody tr")
            expect(waiting).to_have_count(1)
            expect(waiting.first).to_contain_text("用地指标不足")
            expect(waiting.first).to_contain_text("窗口部门协调未果")
            expect(leader.locator("#workbench-decision-list")).to_contain_text("用地指标不足")
            leader.screenshot(path=str(SCREENSHOTS / "workbench-leader-desktop.png"), full_page=True)
        finally:
            browser.close()
    assert watch.problems == []
