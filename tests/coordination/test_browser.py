"""A real browser: an agent escalates a problem on its page, and the city leader then finds it waiting
at level 2 in the list filtered to that level. Not one
Content-Security-Policy complaint is allowed. Drives Debian's Chromium through Playwright."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from onewindow.coordination import services
from onewindow.coordination.models import Problem
from tests.web.test_browser_tasks import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PASSWORD, Watch

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
def test_an_agent_escalates_a_problem_and_the_city_leader_sees_it_waiting(live_server, people, world, fgw):
    today = timezone.localdate()
    waiting = services.raise_problem(
        actor=people["agent1"],
        project=world["city"],
        title="用地指标不足",
        description="建设用地指标尚未落实。",
        category="land",
        departments=[fgw],
        raised_on=today,
    )
    services.raise_problem(
        actor=people["agent1"],
        project=world["city"],
        title="供电线路迁改",
        description="需电力部门配合。",
        category="utilities",
        departments=[fgw],
        raised_on=today,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            agent = _signed_in(browser, live_server.url, "agent1", watch)
            agent.click("nav.main-nav >> text=Problems")
            expect(agent.locator("h1")).to_have_text("Problems")
            agent.click("#problem-results >> text=用地指标不足")
            expect(agent.locator("#problem-level")).to_contain_text("Level 1")
            agent.locator("#action-escalate summary").click()
            agent.fill("#id_escalate_reason", "窗口部门协调未果，提请部门领导联席会议。")
            agent.click("#action-escalate button[type=submit]")
            expect(agent.locator(".message-success")).to_contain_text("level 2")
            expect(agent.locator("#problem-level")).to_contain_text("Level 2")
            expect(agent.locator("#escalations")).to_contain_text("窗口部门协调未果")
            agent.screenshot(path=str(SCREENSHOTS / "problem-escalated-desktop.png"), full_page=True)

            leader = _signed_in(browser, live_server.url, "leader", watch)
            leader.click("nav.main-nav >> text=Problems")
            leader.select_option("#id_problem_level", "2")
            leader.click("form.filters button[type=submit]")
            rows = leader.locator("#problem-results tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("用地指标不足")
            assert "level=2" in leader.url
            leader.screenshot(path=str(SCREENSHOTS / "problems-waiting-desktop.png"), full_page=True)
            leader.click("#problem-results >> text=用地指标不足")
            expect(leader.locator("#action-escalate summary")).to_contain_text("Escalate to level 3")
        finally:
            browser.close()
    assert Problem.objects.get(pk=waiting.pk).level == 2
    assert watch.problems == []
