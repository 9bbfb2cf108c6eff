"""The plan page of a project: generating the plan, its facts and items, the figures beside the JSON
API, the what-if panel beside the planner, the forecast from actual dates, and who may do what."""

import datetime
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.accounts.models import Role
from onewindow.approvals import planner, selectors, services, task_selectors, task_services
from onewindow.approvals.models import Plan, PlanItem, ProjectFacts
from onewindow.core.models import AuditEntry
from onewindow.regions.models import Department
from tests.factories import ProjectFactory, UserFactory

D = datetime.date
START = D(2026, 3, 2)


@pytest.fixture
def catalog(city):
    return services.load_default_catalog()


@pytest.fixture
def planned(world, people, catalog):
    """agent1's city project with a plan on the default catalog from 2026-03-02."""
    project = world["city"]
    services.create_plan(actor=people["agent1"], project=project, start_on=START, catalog_version=catalog)
    return project


def plan_url(project, name="project-plan") -> str:
    return reverse(name, args=[project.pk])


def element_text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return unescape(match.group(1)).strip()


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="plan-gantt-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


# -- generating the plan ---------------------------------------------------------------------------


def test_an_agent_generates_the_plan_of_their_project_from_the_plan_page(login, world, catalog):
    project = world["city"]
    client = login("agent1")
    page = client.get(plan_url(project)).text
    assert f'action="/projects/{project.pk}/plan/create/"' in page

    response = client.post(
        plan_url(project, "plan-create"), {"start_on": "2026-03-02", "catalog_version": ""}
    )

    assert response.status_code == 302 and response.url == plan_url(project)
    plan = Plan.objects.get(project=project)
    assert (plan.start_on, plan.catalog_version) == (START, catalog)
    html = client.get(plan_url(project)).text
    assert element_text(html, "plan-parallel") == str(plan.baseline_workdays)
    assert element_text(html, "plan-finish") == plan.baseline_finish_on.isoformat()
    assert 'id="plan-gantt"' in html


def test_a_2012_plan_needs_a_catalog_version_because_none_was_in_force_then(login, world, catalog):
    project = world["city"]
    client = login("agent1")

    refused = client.post(plan_url(project, "plan-create"), {"start_on": "2012-05-16", "catalog_version": ""})
    assert refused.status_code == 400
    assert "2012-05-16" in refused.text
    assert not Plan.objects.filter(project=project).exists()

    chosen = client.post(
        plan_url(project, "plan-create"), {"start_on": "2012-05-16", "catalog_version": str(catalog.pk)}
    )
    assert chosen.status_code == 302
    assert Plan.objects.get(project=project).catalog_version == catalog


def test_the_facts_an_editor_records_decide_which_approvals_the_plan_gets(login, world, catalog):
    project = world["city"]
    client = login("agent1")
    facts = {
        "new_land": "on",
        "eia_category": "report_book",
        "floor_area_m2": "12000",
        "land_area_m2": "",
        "energy_tce": "",
        "new_company": "on",
        "hazardous": "on",
    }
    assert client.post(plan_url(project, "plan-facts"), facts).status_code == 302
    saved = ProjectFacts.objects.get(project=project)
    assert (saved.eia_category, saved.new_company, saved.hazardous, saved.in_evaluated_zone) == (
        "report_book",
        True,
        True,
        False,
    )
    client.post(plan_url(project, "plan-create"), {"start_on": "2026-03-02"})
    codes = selectors.included_codes(Plan.objects.get(project=project))
    assert {"STHJ-BGS", "SCJG-SL", "YJJ-AQTJ", "YJJ-SSSJ", "QXJ-FLSJ"} <= codes
    assert "STHJ-BGB" not in codes


def test_a_wrong_fact_is_shown_on_its_field_and_nothing_is_saved(login, world, catalog):
    project = world["city"]
    response = login("agent1").post(
        plan_url(project, "plan-facts"), {"eia_category": "report_book", "floor_area_m2": "-5"}
    )
    assert response.status_code == 400
    assert 'id="id_facts_floor_area_m2_error"' in response.text or "aria-invalid" in response.text
    assert not ProjectFacts.objects.filter(project=project).exists()


def test_after_the_plan_the_page_says_what_the_rules_would_now_choose_differently(login, planned, people):
    services.save_project_facts(
        actor=people["agent1"], project=planned, values={"new_company": True, "eia_category": "report_book"}
    )
    html = login("agent1").get(plan_url(planned)).text
    difference = html[html.index("rule-difference") :]
    assert "SCJG-SL" in difference and "STHJ-BGS" in difference and "STHJ-BGB" in difference


def test_items_are_added_and_removed_only_with_a_reason_which_the_page_shows(login, planned):
    client = login("agent1")
    plan = Plan.objects.get(project=planned)
    before = selectors.plan_schedule(plan).parallel_workdays

    refused = client.post(plan_url(planned, "plan-item-remove"), {"code": "ZRZY-FA", "reason": " "})
    assert refused.status_code == 400
    assert PlanItem.objects.get(plan=plan, item__code="ZRZY-FA").included

    reason = "设计方案审查并入建设工程规划许可一并办理"
    removed = client.post(plan_url(planned, "plan-item-remove"), {"code": "ZRZY-FA", "reason": reason})
    assert removed.status_code == 302
    added = client.post(plan_url(planned, "plan-item-add"), {"code": "SWJ-QS", "reason": "需从河道取水"})
    assert added.status_code == 302

    assert selectors.plan_schedule(plan).parallel_workdays == before - 10
    html = client.get(plan_url(planned)).text
    changes = html[html.index('id="changes-title"') :]
    assert reason in changes and "需从河道取水" in changes
    assert AuditEntry.objects.filter(object_type="approvals.plan", changes__reason=reason).exists()


def test_an_item_not_offered_by_the_form_is_refused(login, planned):
    response = login("agent1").post(plan_url(planned, "plan-item-add"), {"code": "ZRZY-FA", "reason": "x"})
    assert response.status_code == 400


# -- who may see and do what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk_fgw", "investor_yulong", "leader", "agent2"])
def test_people_in_scope_read_the_plan(login, planned, who):
    response = login(who).get(plan_url(planned))
    assert response.status_code == 200
    assert 'id="plan-parallel"' in response.text


@pytest.mark.parametrize("who", ["clerk_fgw", "investor_yulong", "agent2"])
def test_who_may_not_edit_the_project_gets_no_forms_and_403_on_every_change(login, planned, who):
    client = login(who)
    html = client.get(plan_url(planned)).text
    assert "plan-item-add" not in html and "/plan/facts/" not in html and "/plan/items/" not in html
    for name, data in (
        ("plan-facts", {"eia_category": "report_book"}),
        ("plan-item-remove", {"code": "ZRZY-FA", "reason": "x"}),
        ("plan-item-add", {"code": "SWJ-QS", "reason": "x"}),
    ):
        assert client.post(plan_url(planned, name), data).status_code == 403, name
    assert client.post(plan_url(planned, "plan-create"), {"start_on": "2026-03-02"}).status_code == 403
    assert PlanItem.objects.filter(plan__project=planned, source=PlanItem.Source.STAFF).count() == 0


def test_a_clerk_cannot_generate_a_plan(login, world, catalog):
    project = world["city"]
    client = login("clerk_fgw")
    assert "plan-create" not in client.get(plan_url(project)).text
    assert client.post(plan_url(project, "plan-create"), {"start_on": "2026-03-02"}).status_code == 403
    assert not Plan.objects.filter(project=project).exists()


@pytest.mark.parametrize("who", ["county_gh", "county_leader_gh"])
def test_a_project_outside_the_scope_is_not_found(login, planned, who):
    client = login(who)
    assert client.get(plan_url(planned)).status_code == 404
    assert (
        client.post(plan_url(planned, "plan-item-remove"), {"code": "ZRZY-FA", "reason": "x"}).status_code
        == 404
    )


def test_the_plan_page_needs_a_login(client, planned):
    response = client.get(plan_url(planned))
    assert response.status_code == 302 and "/login/" in response.url


# -- the same numbers as the API and the planner ------------------------------------------------------


def test_the_page_shows_the_same_numbers_as_the_json_api(login, planned):
    client = login("agent1")
    api = client.get(f"/api/v1/projects/{planned.code}/plan").json()
    html = client.get(plan_url(planned)).text

    assert element_text(html, "plan-parallel") == str(api["parallel_workdays"])
    assert element_text(html, "plan-serial") == str(api["serial_workdays"])
    assert element_text(html, "plan-speedup") == f"{round(api['speedup'] * 100)}%"
    assert element_text(html, "plan-finish") == api["finish"]
    rows = chart_data(html)["rows"]
    assert [(row["code"], row["start"], row["finish"], row["critical"]) for row in rows] == [
        (item["code"], item["start"], item["finish"], item["critical"]) for item in api["items"]
    ]
    for item in api["items"]:
        assert (
            f'data-code="{item["code"]}" data-start="{item["start"]}" data-finish="{item["finish"]}"' in html
        )
    for stage in api["stages"]:
        row = html[html.index(f'id="stage-{stage["stage"]}"') :]
        row = row[: row.index("</tr>")]
        assert stage["start"] in row and stage["finish"] in row and f">{stage['workdays']}<" in row
    assert any(row["critical"] for row in rows)


def test_the_serial_finish_and_the_120_day_target_are_counted_in_working_days(login, planned):
    plan = Plan.objects.get(project=planned)
    schedule = selectors.plan_schedule(plan)
    calendar = selectors.workday_calendar()
    html = login("agent1").get(plan_url(planned)).text
    assert element_text(html, "plan-serial-finish") == (
        calendar.nth_workday(schedule.start, schedule.serial_workdays).date.isoformat()
    )
    reform = schedule.span_workdays(["project_land", "engineering", "construction", "completion"])
    assert element_text(html, "plan-reform") == str(reform)
    first = min(entry.start for entry in schedule.items if entry.item.stage != "enterprise")
    assert chart_data(html)["target"] == calendar.nth_workday(first, 120).date.isoformat()


@pytest.mark.parametrize(
    "options",
    [
        {"commitment": "on"},
        {"zone": "on"},
        {"commitment": "on", "zone": "on"},
        {"remove": ["ZRZY-FA", "ZJJ-SGT"]},
        {"add": ["SWJ-QS", "ZJJ-ZB"], "commitment": "on"},
    ],
)
def test_what_if_numbers_match_the_planner_and_nothing_is_written(login, planned, catalog, options):
    plan = Plan.objects.get(project=planned)
    client = login("agent1")
    audit_rows, entries = AuditEntry.objects.count(), PlanItem.objects.count()
    html = client.get(plan_url(planned), {"what_if": "1", **options}).text

    items = selectors.planner_items(catalog)
    included = selectors.included_codes(plan)
    added = set(options.get("add", []))
    base = planner.without(items, {item.code for item in items} - included - added)
    expected = planner.what_if(
        base,
        selectors.workday_calendar(),
        START,
        planner.WhatIf(
            commitment="commitment" in options,
            zone_evaluated="zone" in options,
            remove=frozenset(options.get("remove", [])),
        ),
    )
    assert element_text(html, "what-if-parallel") == str(expected.alternative.parallel_workdays)
    assert element_text(html, "what-if-finish") == expected.alternative.finish.isoformat()
    assert element_text(html, "what-if-serial") == str(expected.alternative.serial_workdays)
    if not added:
        assert expected.current.parallel_workdays == selectors.plan_schedule(plan).parallel_workdays
        saved = expected.workdays_saved
        assert element_text(html, "what-if-workdays-change") == (f"−{saved}" if saved > 0 else str(-saved))
    assert (AuditEntry.objects.count(), PlanItem.objects.count()) == (audit_rows, entries)


def test_commitment_cuts_the_plan_and_a_bad_code_in_the_address_is_ignored(login, planned):
    html = (
        login("agent1")
        .get(plan_url(planned), {"what_if": "1", "commitment": "on", "remove": ["NOT-AN-ITEM"]})
        .text
    )
    assert int(element_text(html, "what-if-parallel")) < int(element_text(html, "plan-parallel"))


# -- the forecast ----------------------------------------------------------------------------------


def test_the_forecast_replans_from_actual_dates_and_shows_the_slip_against_the_first_plan(
    login, world, people, catalog
):
    project = world["city"]
    zrzy = Department.objects.get(region__code="510600", code="zrzy")
    project.departments.add(zrzy)
    clerk = UserFactory(username="clerk_zrzy", role=Role.CLERK, department=zrzy)
    plan = services.create_plan(
        actor=people["agent1"], project=project, start_on=D(2026, 6, 1), catalog_version=catalog
    )
    tasks = {
        task.item.code: task
        for task in task_services.generate_tasks(actor=people["agent1"], plan=plan).created
    }
    # Site selection (on the critical path) is filed late and takes longer than promised.
    task = task_services.start_preparing(actor=people["agent1"], task=tasks["ZRZY-YDYS"], on=D(2026, 6, 1))
    task = task_services.accept_task(actor=clerk, task=task, on=D(2026, 6, 15))
    task_services.decide_task(
        actor=clerk, task=task, on=D(2026, 7, 31), outcome="approve", document_number="德自然资预〔2026〕8号"
    )

    html = login("agent1").get(plan_url(project)).text

    forecast = task_selectors.plan_forecast(plan)
    assert element_text(html, "forecast-finish") == forecast.finish.isoformat()
    assert element_text(html, "plan-construction-start") == element_text(html, "forecast-construction-start")
    slip = re.search(r'id="construction-slip" data-workdays="(-?\d+)"', html)
    assert slip and int(slip.group(1)) > 0
    row = next(row for row in chart_data(html)["rows"] if row["code"] == "ZRZY-YDYS")
    assert row["actual"] == ["2026-06-15", "2026-07-31"] and row["decided"]
    assert html.count("plan-gantt-data") == 1


def test_without_actual_dates_there_is_no_forecast_column(login, planned):
    html = login("agent1").get(plan_url(planned)).text
    assert 'id="forecast-finish"' not in html
    assert 'id="construction-slip" data-workdays="0"' in html


# -- the page itself -------------------------------------------------------------------------------


def test_the_page_has_no_inline_script_or_style_and_loads_echarts_only_with_a_chart(
    login, planned, world, catalog
):
    client = login("agent1")
    html = client.get(plan_url(planned)).text
    assert "style=" not in html and " onclick=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/echarts/echarts.min.js" in html and "onewindow/gantt.js" in html
    assert "echarts" not in client.get(reverse("project-detail", args=[planned.pk])).text
    assert "echarts" not in client.get(plan_url(world["guanghan"])).text


def test_the_project_page_links_to_the_plan_and_sums_it_up(login, planned, world):
    client = login("investor_yulong")
    plan = Plan.objects.get(project=planned)
    html = client.get(reverse("project-detail", args=[planned.pk])).text
    assert plan_url(planned) in html
    assert plan.baseline_finish_on.isoformat() in html
    unplanned = login("leader").get(reverse("project-detail", args=[world["guanghan"].pk])).text
    assert plan_url(world["guanghan"]) in unplanned


def test_the_plan_page_costs_the_same_number_of_queries_whatever_the_plan_size(
    login, people, world, catalog, django_assert_num_queries
):
    small = world["city"]
    services.save_project_facts(actor=people["leader"], project=small, values={"new_land": False})
    services.create_plan(actor=people["leader"], project=small, start_on=START, catalog_version=catalog)
    large = ProjectFactory(name="大项目", region=small.region, approval_type="examination", industry="K")
    services.save_project_facts(
        actor=people["leader"],
        project=large,
        values={"eia_category": "report_book", "hazardous": True, "new_company": True, "floor_area_m2": 9000},
    )
    services.create_plan(actor=people["leader"], project=large, start_on=START, catalog_version=catalog)
    assert (
        len(selectors.included_codes(large.approval_plan))
        > len(selectors.included_codes(small.approval_plan)) + 10
    )

    client = login("leader")
    client.get(plan_url(small))  # warms the per-process calendar and catalog caches
    with CaptureQueriesContext(connection) as small_page:
        assert client.get(plan_url(small)).status_code == 200
    with django_assert_num_queries(len(small_page.captured_queries)):
        assert client.get(plan_url(large)).status_code == 200
