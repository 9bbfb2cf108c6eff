"""A real browser on the plan page: agent1 opens a project, generates its approval plan and sees the
Gantt chart drawn by the vendored ECharts, critical items marked, without a single Content-Security-
Policy complaint. Drives Debian's Chromium through Playwright (it must fail, not skip, when the browser
cannot start) and keeps screenshots at desktop, phone and print size in test-results/screenshots/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from onewindow.approvals import services
from onewindow.approvals.models import Plan

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"
CRITICAL = "#b3261e"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread; Django then refuses ORM calls
    there as "async unsafe". Set for this module's tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    expect(page.locator("nav.main-nav")).to_be_visible()


def _critical_bars(page: Page) -> int:
    """Bars the chart filled in the critical colour (ECharts' SVG renderer draws rectangles as paths)."""
    return page.evaluate(
        """(colour) => Array.from(document.querySelectorAll('#plan-gantt svg path'))
            .filter((path) => (path.getAttribute('fill') || '').toLowerCase() === colour).length""",
        CRITICAL,
    )


def _sections(page: Page, size: str) -> None:
    """One screenshot per part of the page, small enough for a person to read."""
    for name, selector in (
        ("figures", "section[aria-labelledby=figures-title]"),
        ("chart", "#plan-gantt"),
        ("gantt", "#gantt"),
        ("stages", "#stages"),
        ("forecast", "#forecast"),
    ):
        page.locator(selector).screenshot(path=str(SCREENSHOTS / f"plan-{size}-{name}.png"))


def _hover_bar(page: Page, index: int) -> None:
    """Move the mouse onto the middle of row ``index``'s bar, found through ECharts' own coordinates."""
    point = page.evaluate(
        """(index) => {
            const holder = document.getElementById('plan-gantt');
            const chart = window.echarts.getInstanceByDom(holder);
            const data = JSON.parse(document.getElementById('plan-gantt-data').textContent);
            const row = data.rows[index];
            const day = (iso) => { const p = iso.split('-'); return Date.UTC(+p[0], +p[1] - 1, +p[2]); };
            const middle = (day(row.start) + day(row.finish) + 86400000) / 2;
            const [x, y] = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [middle, index]);
            const box = holder.getBoundingClientRect();
            return {x: box.left + x, y: box.top + y - 3};
        }""",
        index,
    )
    page.mouse.move(point["x"], point["y"])


@pytest.mark.browser
def test_agent_generates_a_plan_and_sees_its_gantt_chart_with_critical_items_marked(
    live_server, people, world
):
    services.load_default_catalog()
    project = world["city"]
    console_problems: list[str] = []
    seen: dict[str, int] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.on(
                "console",
                lambda message: (
                    console_problems.append(message.text)
                    if message.type == "error" or "Content Security Policy" in message.text
                    else None
                ),
            )
            page.on("pageerror", lambda error: console_problems.append(str(error)))
            _log_in(page, live_server.url)

            page.goto(f"{live_server.url}/projects/{project.pk}/")
            page.click(f".page-head a[href='/projects/{project.pk}/plan/']")
            expect(page.locator("#create-plan")).to_be_visible()
            page.fill("#id_plan_start_on", "2026-03-02")
            page.click("#create-plan button[type=submit]")

            expect(page.locator(".message-success")).to_be_visible()
            chart = page.locator("#plan-gantt")
            expect(chart).to_have_attribute("data-drawn", re.compile(r"^[1-9][0-9]*$"))
            seen["rows"] = int(chart.get_attribute("data-drawn"))
            seen["parallel"] = int(page.locator("#plan-parallel").inner_text())
            expect(page.locator(".plan-table tbody tr")).to_have_count(seen["rows"])
            expect(chart.locator("svg")).to_have_count(1)
            critical = int(chart.get_attribute("data-critical"))
            assert critical > 0
            expect(page.locator(".plan-table tr.critical")).to_have_count(critical)
            assert _critical_bars(page) == critical
            box = chart.bounding_box()
            assert box["width"] > 1000 and box["height"] > 300
            page.screenshot(path=str(SCREENSHOTS / "plan-desktop.png"), full_page=True)
            _sections(page, "desktop")

            # A tooltip built by our formatter (no inline styles) appears on a critical bar.
            row = page.locator(".plan-table tr.critical").first.get_attribute("data-code")
            index = [
                code
                for code in page.locator(".plan-table tbody tr").evaluate_all(
                    "(rows) => rows.map((row) => row.dataset.code)"
                )
            ].index(row)
            page.locator("#plan-gantt").scroll_into_view_if_needed()
            _hover_bar(page, index)
            expect(page.locator(".gantt-tip")).to_contain_text(row)
            page.locator("#gantt").screenshot(path=str(SCREENSHOTS / "plan-desktop-tooltip.png"))

            # What-if: 告知承诺制 wherever allowed, read from the address, nothing saved.
            page.check("#id_whatif_commitment")
            page.click("#what-if button[type=submit]")
            expect(page.locator("#what-if-result")).to_be_visible()
            seen["what_if"] = int(page.locator("#what-if-parallel").inner_text())
            assert "what_if=1" in page.url

            page.locator("#what-if").screenshot(path=str(SCREENSHOTS / "plan-desktop-what-if.png"))

            page.emulate_media(media="print")
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            page.screenshot(path=str(SCREENSHOTS / "plan-print.png"), full_page=True)
            _sections(page, "print")
            page.emulate_media(media="screen")
            page.set_viewport_size({"width": 1280, "height": 900})

            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{live_server.url}/projects/{project.pk}/plan/")
            expect(chart).to_have_attribute("data-drawn", str(seen["rows"]))
            phone_box = chart.bounding_box()
            assert phone_box["width"] <= 390
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(SCREENSHOTS / "plan-phone.png"), full_page=True)
            _sections(page, "phone")
        finally:
            browser.close()

    assert console_problems == []
    # The database is read only now: ORM calls inside Playwright's event loop would open a connection
    # of their own that outlives the test and blocks dropping the test database.
    plan = Plan.objects.get(project=project)
    assert seen["rows"] == plan.entries.filter(included=True).count()
    assert seen["parallel"] == plan.baseline_workdays
    assert seen["what_if"] < plan.baseline_workdays
