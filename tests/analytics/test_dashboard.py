"""The dashboard's scope, query counts, efficiency and bottleneck figures on small hand-built data."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from onewindow.analytics import dashboard
from onewindow.approvals import services, task_services
from onewindow.approvals.models import ApprovalTask, TaskState
from tests.factories import ProjectFactory

D = datetime.date


def test_a_county_leader_sees_only_their_own_region(people, world):
    overview = dashboard.overview(people["county_leader_gh"], 2012)
    assert overview.total.projects == 1
    assert overview.scope.region.code == "510681"
    citywide = dashboard.overview(people["leader"], 2012)
    assert citywide.total.projects == 3
    assert {bucket.key: bucket.projects for bucket in citywide.by_region}["510681"] == 1


def test_a_county_user_asking_for_another_region_gets_not_found(people, world, login):
    with pytest.raises(Http404):
        dashboard.overview(people["county_gh"], 2012, "510683")
    response = login("county_gh").get(reverse("dashboard"), {"year": 2012, "region": "510683"})
    assert response.status_code in (400, 404)  # not among the form's choices, or outside the scope
    assert "绵竹" not in response.content.decode()


def test_an_investor_may_not_open_the_dashboard_or_the_report(people, world, login):
    with pytest.raises(PermissionDenied):
        dashboard.overview(people["investor_yulong"], 2012)
    client = login("investor_yulong")
    assert client.get(reverse("dashboard"), {"year": 2012}).status_code == 403
    assert client.get(reverse("progress-report-xlsx"), {"year": 2012}).status_code == 403


def test_a_leader_may_narrow_the_dashboard_to_a_county(people, world, login):
    response = login("leader").get(reverse("dashboard"), {"year": 2012, "region": "510683"})
    assert response.status_code == 200
    assert response.context["overview"].total.projects == 1


def test_the_overview_costs_the_same_queries_whatever_the_number_of_projects(
    people, world, guanghan, django_assert_num_queries
):
    leader = people["leader"]
    dashboard.overview(leader, 2012)  # warm the region cache of the scope, like a page would
    with django_assert_num_queries(5):
        dashboard.overview(leader, 2012)
    for number in range(20):
        ProjectFactory(region=guanghan, level="county", industry="CDE"[number % 3], started_on=D(2012, 6, 1))
    with django_assert_num_queries(5):
        overview = dashboard.overview(leader, 2012)
    assert overview.total.projects == 23


def test_the_dashboard_links_each_segment_to_the_matching_register_list(people, world, login):
    response = login("leader").get(reverse("dashboard"), {"year": 2012})
    data = response.context["chart_data"]
    index = data["region"]["labels"].index("广汉市")
    link = data["region"]["links"][index]
    assert link.startswith(reverse("project-register"))
    listed = login("leader").get(link)
    names = [project.name for project in listed.context["page"].object_list]
    assert names == ["广汉食品加工项目"]
    started = login("leader").get(data["region"]["started_links"][index])
    assert list(started.context["page"].object_list) == []  # the 广汉 project has not started


def test_each_months_bars_open_the_projects_taken_in_started_or_producing_that_month(people, world, login):
    city = world["city"]
    city.intake_on, city.started_on, city.produced_on = D(2012, 3, 5), D(2012, 6, 18), D(2012, 11, 2)
    city.save()
    data = login("leader").get(reverse("dashboard"), {"year": 2012}).context["chart_data"]["months"]
    opened = {}
    for series, month in (("links", 3), ("started_links", 6), ("produced_links", 11), ("started_links", 3)):
        page = login("leader").get(data[series][month - 1]).context["page"]
        opened[(series, month)] = [project.name for project in page.object_list]
    assert opened == {
        ("links", 3): [city.name],
        ("started_links", 6): [city.name],
        ("produced_links", 11): [city.name],
        ("started_links", 3): [],
    }
    assert data["started"][5] == 1 and data["produced"][10] == 1


# -- efficiency and bottlenecks on hand-built approvals -----------------------------------------------


def _decide(
    task: ApprovalTask, *, accepted: datetime.date, decided: datetime.date, due: datetime.date, rounds: int
):
    task.state, task.accepted_on, task.decided_on, task.due_on = TaskState.APPROVED, accepted, decided, due
    task.decision_document, task.correction_rounds = "德审〔2026〕1号", rounds
    task.save()  # a save, not a queryset update, so that the task tallies follow


@pytest.fixture
def decided_2026(people, world, task_catalog, zjj):
    """The city project's three approvals, accepted and decided around the 2026 National Day holiday
    (1–7 October off, Saturday 10 October worked; 25 September, Mid-Autumn, off):

    * FGW-BA (promised 5): 28 Sep → 9 Oct: working days 29, 30 Sep, 8, 9 Oct = 4; due 10 Oct: on time.
    * ZJJ-SG (promised 10): 28 Sep → 16 Oct: those 4, Sat 10 Oct, 12–16 Oct = 10; due 16 Oct: on time.
    * ZJJ-XF (promised 15, statutory 15 working days): 12 Oct → 20 Nov = 29; due 2 Nov: late.

    Summed 43 working days over 35 from the first acceptance (28 Sep) to the last decision (20 Nov).
    """
    project = world["city"]
    project.departments.add(zjj)
    plan = services.create_plan(
        actor=people["agent1"], project=project, start_on=D(2026, 9, 1), catalog_version=task_catalog
    )
    tasks = {
        task.item.code: task
        for task in task_services.generate_tasks(actor=people["agent1"], plan=plan).created
    }
    _decide(tasks["FGW-BA"], accepted=D(2026, 9, 28), decided=D(2026, 10, 9), due=D(2026, 10, 10), rounds=0)
    _decide(tasks["ZJJ-SG"], accepted=D(2026, 9, 28), decided=D(2026, 10, 16), due=D(2026, 10, 16), rounds=2)
    _decide(tasks["ZJJ-XF"], accepted=D(2026, 10, 12), decided=D(2026, 11, 20), due=D(2026, 11, 2), rounds=1)
    return tasks


def test_approval_efficiency_counts_working_days_across_the_national_day_holiday(people, decided_2026):
    approvals = dashboard.efficiency(people["leader"], 2026).approvals
    assert approvals.decided == 3
    assert approvals.median_workdays == Decimal("10.0")
    assert approvals.median_promised == Decimal("10.0")
    assert (approvals.within_promised, approvals.within_promised_rate) == (2, Decimal("66.7"))
    assert (approvals.with_statutory, approvals.within_statutory) == (1, 0)
    assert approvals.mean_correction_rounds == Decimal("1.00")
    assert approvals.correction_distribution == [("0", 1), ("1", 1), ("2", 1), ("3+", 0)]


def test_the_realised_parallel_speed_up_is_summed_over_elapsed_working_days(people, decided_2026):
    speedup = dashboard.efficiency(people["leader"], 2026).speedup
    assert speedup.projects == 1
    assert speedup.median == Decimal("1.2")  # 43 / 35
    assert dict(speedup.distribution)["1–1.5"] == 1


def test_the_project_path_medians_are_in_calendar_days(people, world):
    efficiency = dashboard.efficiency(people["leader"], 2012)
    assert efficiency.signing_to_intake.count == 3
    assert efficiency.signing_to_intake.median_days == Decimal("31.0")  # 1 March → 1 April 2012
    assert efficiency.intake_to_start.count == 0
    months = dashboard.overview(people["leader"], 2012).by_month
    assert [point.taken_in for point in months] == [0, 0, 0, 3] + [0] * 8  # all taken in on 1 April


def test_the_page_shows_what_the_separate_reads_give(people, decided_2026):
    both = dashboard.efficiency_and_bottlenecks(people["leader"], 2026)
    assert both == (
        dashboard.efficiency(people["leader"], 2026),
        dashboard.bottlenecks(people["leader"], 2026),
    )


def test_bottlenecks_rank_the_department_and_item_past_due_first(people, decided_2026):
    result = dashboard.bottlenecks(people["leader"], 2026)
    first = result.departments[0]
    assert first.name == decided_2026["ZJJ-XF"].department.name
    assert (first.tasks, first.late, first.late_rate) == (2, 1, Decimal("50.0"))
    assert first.mean_correction_rounds == Decimal("1.50")
    assert first.median_workdays == Decimal("19.5")
    assert result.items[0].name.startswith("ZJJ-XF")
    assert result.items[0].late_rate == Decimal("100.0")


def test_a_county_leader_sees_no_approvals_of_the_city(people, decided_2026):
    assert dashboard.efficiency(people["county_leader_gh"], 2026).approvals.decided == 0
    assert dashboard.bottlenecks(people["county_leader_gh"], 2026).departments == []


def test_the_dashboard_page_shows_efficiency_and_bottlenecks(people, decided_2026, login):
    page = login("leader").get(reverse("dashboard"), {"year": 2026}).content.decode()
    assert reverse("dashboard-details") in page  # loaded after the first paint
    response = login("leader").get(reverse("dashboard-details"), {"year": 2026}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-measure="approval-workdays">10.0<' in html
    assert 'data-measure="speedup">1.2<' in html


def test_the_dashboard_api_answers_the_callers_scope(people, world, login):
    response = login("county_leader_gh").get("/api/v1/stats/dashboard", {"year": 2012})
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["projects"] == 1
    assert body["total"]["investment_wan"] == "5000.00"
    assert sum(month["taken_in"] for month in body["by_month"]) == 1
    assert (
        login("county_leader_gh")
        .get("/api/v1/stats/dashboard", {"year": 2012, "region": "510683"})
        .status_code
        == 404
    )
    assert login("investor_yulong").get("/api/v1/stats/dashboard", {"year": 2012}).status_code == 403
    assert login("leader").get("/api/v1/stats/dashboard", {"year": 2012}).json()["total"]["projects"] == 3


def test_the_details_are_scoped_like_the_dashboard(people, decided_2026, login):
    response = login("county_leader_gh").get(reverse("dashboard-details"), {"year": 2026})
    assert response.status_code == 200
    assert response.context["efficiency"].approvals.decided == 0
    assert login("investor_yulong").get(reverse("dashboard-details"), {"year": 2026}).status_code == 403


def test_the_efficiency_api_gives_the_pages_figures_within_the_callers_scope(people, decided_2026, login):
    body = login("leader").get("/api/v1/stats/efficiency", {"year": 2026}).json()
    assert body["approvals"]["decided"] == 3
    assert body["approvals"]["median_workdays"] == "10.0"
    assert body["approvals"]["within_promised"] == 2
    assert body["speedup"] == {
        "projects": 1,
        "median": "1.2",
        "distribution": [
            {"label": label, "count": count}
            for label, count in zip(
                ["< 1", "1–1.5", "1.5–2", "2–3", "3–5", "≥ 5"], [0, 1, 0, 0, 0, 0], strict=True
            )
        ],
    }
    late = {item["name"]: item["late"] for item in body["items"]}
    assert sum(late.values()) == 1 and late[next(name for name in late if name.startswith("ZJJ-XF"))] == 1
    # The city project is outside 广汉: its county leader sees no approvals, and no other region.
    county = login("county_leader_gh").get("/api/v1/stats/efficiency", {"year": 2026}).json()
    assert county["approvals"]["decided"] == 0
    assert (
        login("county_leader_gh")
        .get("/api/v1/stats/efficiency", {"year": 2026, "region": "510683"})
        .status_code
        == 404
    )
    assert login("investor_yulong").get("/api/v1/stats/efficiency", {"year": 2026}).status_code == 403
    refused = login("leader").get("/api/v1/stats/efficiency", {"year": 1800})
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "year"
