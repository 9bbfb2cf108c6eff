"""A real browser on the approval task pages: a window clerk opens a task from their queue, accepts it
and asks for a correction; the agent hands the corrected material in through the page; the clerk then
decides it. States are read off the screen, and not one Content-Security-Policy complaint is allowed.
Drives Debian's Chromium through Playwright (it must fail, not skip, when the browser cannot start)
and keeps screenshots at desktop and phone width, and the bill as printed, in test-results/screenshots/.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from onewindow.approvals import selectors as approval_selectors
from onewindow.approvals import services as approval_services
from onewindow.approvals import task_services
from onewindow.fees import services as fee_services
from tests.approvals import conftest as approval_fixtures
from tests.factories import ProjectFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# The approval tests' fixtures: the test catalog, its clerks and the planned city project.
clerks = approval_fixtures.clerks
planned = approval_fixtures.planned
private_media = approval_fixtures.private_media
task_catalog = approval_fixtures.task_catalog


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread; Django then refuses ORM calls
    there (fixtures' teardown included) as "async unsafe". Set for this module's tests only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Watch:
    """Console messages and page errors that would mean the CSP refused something."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on(
            "console",
            lambda message: (
                self.problems.append(message.text)
                if "Content Security Policy" in message.text or "Refused to" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        return page


def _signed_in(browser: Browser, base_url: str, username: str, watch: Watch) -> Page:
    # English pages: the test reads the words the templates are written in, whatever is translated.
    page = watch.attach(browser.new_page(viewport=DESKTOP, locale="en-US"))
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    expect(page.locator("nav.main-nav")).to_be_visible()
    return page


def _shots(page: Page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _open_action(page: Page, label: str) -> None:
    page.locator("#actions summary", has_text=label).click()


@pytest.mark.browser
def test_a_window_clerk_accepts_asks_for_a_correction_and_decides_a_task_in_the_browser(
    live_server, people, planned, clerks, task_catalog
):
    agent = people["agent1"]
    task = task_services.start_preparing(actor=agent, task=planned.tasks["FGW-BA"], on=timezone.localdate())
    approval_services.save_project_facts(
        actor=agent, project=planned.project, values={"floor_area_m2": Decimal("8000")}
    )
    bill = fee_services.prepare_bill(actor=agent, project=planned.project).bill
    fee_services.record_payment(
        actor=agent,
        bill=bill,
        receipt_number="川财票 00012",
        paid_on=timezone.localdate(),
        amount=Decimal("650.00"),
        payer=planned.project.investor.name,
    )
    _other_tasks_in_the_queue(people, clerks, task_catalog)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watch = Watch()
    today = timezone.localdate().isoformat()
    # Read before the browser starts: a query inside Playwright's loop opens a connection that is never
    # closed, and PostgreSQL then cannot drop the test database.
    licence = _licence_id(planned)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            clerk = _signed_in(browser, live_server.url, "clerk_fgw", watch)
            clerk.click("nav.main-nav >> text=Approval tasks")
            expect(clerk.locator("h1")).to_have_text("Approval tasks")
            rows = clerk.locator("#task-results tbody tr")
            expect(rows).to_have_count(4)  # 发改's queue: the 住建 tasks are not theirs
            expect(rows.first).to_contain_text("Overdue by")  # the soonest due first
            expect(rows.first).to_have_class("task-row-overdue")
            expect(rows.last).to_contain_text("Preparing materials")
            _shots(clerk, "tasks-queue")

            # The filters answer through htmx, without a page load.
            clerk.select_option("#id_queue_overdue", "yes")
            expect(clerk.locator("#task-count")).to_contain_text("1 task found")
            assert "overdue=yes" in clerk.url
            clerk.select_option("#id_queue_overdue", "")
            expect(clerk.locator("#task-count")).to_contain_text("4 tasks found")
            clerk.select_option("#id_queue_state", "preparing")
            expect(clerk.locator("#task-count")).to_contain_text("1 task found")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(planned.project.name)

            clerk.click(f"#task-results tbody tr:has-text('{planned.project.name}') >> a")
            expect(clerk.locator("h1")).to_contain_text("FGW-BA")
            expect(clerk.locator("#task-state")).to_have_text("Preparing materials (材料准备)")

            _open_action(clerk, "Accept the application")
            expect(clerk.locator("#id_accept_on")).to_have_value(today)
            clerk.click("#action-accept button[type=submit]")
            expect(clerk.locator(".message-success")).to_contain_text("accepted")
            expect(clerk.locator("#task-state")).to_have_text("Accepted (已受理)")
            expect(clerk.locator("#clock-summary")).to_contain_text("5 working days left")

            _open_action(clerk, "Ask for corrections")
            clerk.fill("#id_request_correction_requested", "营业执照复印件须加盖公章")
            _shots(clerk, "task-correction-form")
            clerk.click("#action-request_correction button[type=submit]")
            expect(clerk.locator("#task-state")).to_have_text("Correcting materials (补正)")
            expect(clerk.locator("#pauses")).to_contain_text("营业执照复印件须加盖公章")
            expect(clerk.locator("#clock-summary")).to_contain_text("Paused since")

            # The agent hands the corrected licence in through their page.
            agent_page = _signed_in(browser, live_server.url, "agent1", watch)
            agent_page.goto(f"{live_server.url}/tasks/{task.pk}/")
            agent_page.locator("#material-" + str(licence) + " summary", has_text="Upload").click()
            agent_page.set_input_files(
                f"#id_upload_{licence}_file",
                files=[{"name": "营业执照（盖章）.pdf", "mimeType": "application/pdf", "buffer": PDF}],
            )
            agent_page.click(f"#action-upload-{licence} button[type=submit]")
            expect(agent_page.locator(".message-success")).to_contain_text("version 1")
            _open_action(agent_page, "Corrected materials handed in")
            agent_page.click("#action-resubmit button[type=submit]")
            expect(agent_page.locator("#task-state")).to_have_text("Accepted (已受理)")

            clerk.reload()
            expect(clerk.locator("#task-state")).to_have_text("Accepted (已受理)")
            expect(clerk.locator("#materials")).to_contain_text("营业执照（盖章）.pdf")
            _open_action(clerk, "Approve")
            clerk.fill("#id_approve_document_number", "德发改备〔2026〕18号")
            clerk.click("#action-approve button[type=submit]")
            expect(clerk.locator("#task-state")).to_have_text("Approved (准予)")
            expect(clerk.locator("#task-document")).to_have_text("德发改备〔2026〕18号")
            expect(clerk.locator("#clock-summary")).to_contain_text("Decided in time")
            expect(clerk.locator("#actions")).to_contain_text("This task has reached its end.")
            expect(clerk.locator("#history tbody tr")).to_have_count(6)
            _shots(clerk, "task-page")

            # The agent's view of the project's tasks and of its one bill, on screen and as printed.
            agent_page.goto(f"{live_server.url}/projects/{planned.project.pk}/tasks/")
            expect(agent_page.locator("h1")).to_have_text("Approval tasks")
            expect(agent_page.locator("tbody tr").first).to_contain_text("Approved (准予)")
            _shots(agent_page, "project-tasks")
            agent_page.goto(f"{live_server.url}/projects/{planned.project.pk}/bill/")
            expect(agent_page.locator("#bill-due")).to_have_text("20,000.00")
            expect(agent_page.locator("[data-print-page]")).to_be_visible()
            _shots(agent_page, "bill")
            agent_page.emulate_media(media="print")
            agent_page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            expect(agent_page.locator("#payment-form")).to_be_hidden()
            expect(agent_page.locator(".bill-issuer")).to_be_visible()
            agent_page.screenshot(path=str(SCREENSHOTS / "bill-print.png"), full_page=True)
        finally:
            browser.close()

    assert watch.problems == []


def _other_tasks_in_the_queue(people, clerks, task_catalog) -> None:
    """Three more city projects whose 发改 filing is overdue, near its due date, and being corrected."""
    agent, clerk = people["agent1"], clerks["fgw"]
    calendar = approval_selectors.workday_calendar()
    today = calendar.last_on_or_before(timezone.localdate())
    for name, accepted_on, correction in (
        ("德阳重型机械项目", calendar.date_at(today - 12), False),
        ("经开区光伏组件项目", calendar.date_at(today - 2), False),
        ("旌阳食品加工项目", calendar.date_at(today - 3), True),
    ):
        project = ProjectFactory(name=name, region=people["agent1"].region, agent=agent)
        task = approval_fixtures.plan_with_tasks(project, task_catalog, agent).tasks["FGW-BA"]
        task = task_services.start_preparing(actor=agent, task=task, on=accepted_on)
        task = task_services.accept_task(actor=clerk, task=task, on=accepted_on)
        if correction:
            task_services.request_correction(
                actor=clerk, task=task, on=calendar.date_at(today - 1), requested="补充土地证明"
            )


def _licence_id(planned) -> int:
    from onewindow.approvals.models import Material

    return Material.objects.get(version=planned.plan.catalog_version, code="licence").pk
