"""Who sees which approval task, the queue and its filters, and the task API."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from onewindow.approvals import task_selectors, task_services
from onewindow.approvals.models import ApprovalTask
from onewindow.regions.services import ensure_county_departments
from tests.approvals.conftest import plan_with_tasks
from tests.factories import ProjectFactory

D = datetime.date


@pytest.fixture
def two_projects(people, world, task_catalog, clerks, guanghan, planned):
    """The city project (involving 发改 and 住建) and the 广汉 project (involving 广汉's own 发改 and
    住建 windows, which generating its tasks adds)."""
    ensure_county_departments(guanghan, ["zjj"])
    county = plan_with_tasks(world["guanghan"], task_catalog, people["county_gh"])
    return {"city": planned, "guanghan": county}


def seen(user):
    return sorted(
        (task.project.name, task.item.code)
        for task in task_selectors.visible_tasks(user).select_related("project", "item")
    )


CITY, GUANGHAN = "江苏玉龙钢管项目", "广汉食品加工项目"
ALL_CITY = [(CITY, "FGW-BA"), (CITY, "ZJJ-SG"), (CITY, "ZJJ-XF")]
ALL_GUANGHAN = [(GUANGHAN, "FGW-BA"), (GUANGHAN, "ZJJ-SG"), (GUANGHAN, "ZJJ-XF")]


def test_a_clerk_sees_only_their_departments_tasks_in_projects_that_involve_it(people, clerks, two_projects):
    assert seen(clerks["fgw"]) == [(CITY, "FGW-BA")]
    assert seen(clerks["zjj"]) == [(CITY, "ZJJ-SG"), (CITY, "ZJJ-XF")]
    assert seen(clerks["fgw_gh"]) == [(GUANGHAN, "FGW-BA")]


def test_clerk_cannot_see_other_department_tasks(clerks, two_projects):
    other = two_projects["city"].tasks["ZJJ-SG"]
    with pytest.raises(Http404):
        task_selectors.task_for(clerks["fgw"], other.pk)
    with pytest.raises(Http404):
        task_selectors.task_for(clerks["fgw_gh"], two_projects["city"].tasks["FGW-BA"].pk)


def test_agents_leaders_and_county_staff_see_the_tasks_of_the_projects_in_their_scope(people, two_projects):
    assert seen(people["agent1"]) == sorted(ALL_CITY + ALL_GUANGHAN)  # a city agent sees the register
    assert seen(people["leader"]) == sorted(ALL_CITY + ALL_GUANGHAN)
    assert seen(people["county_gh"]) == ALL_GUANGHAN
    assert seen(people["county_leader_gh"]) == ALL_GUANGHAN


def test_an_investor_sees_the_tasks_of_their_own_projects_only(people, two_projects):
    assert seen(people["investor_yulong"]) == ALL_CITY
    with pytest.raises(Http404):
        task_selectors.task_for(people["investor_yulong"], two_projects["guanghan"].tasks["FGW-BA"].pk)


def test_nobody_logged_out_sees_a_task(two_projects):
    from django.contrib.auth.models import AnonymousUser

    assert seen(AnonymousUser()) == []


def test_an_investor_and_another_agent_may_read_but_not_act(people, clerks, two_projects):
    task = task_selectors.task_for(people["investor_yulong"], two_projects["city"].tasks["FGW-BA"].pk)
    assert task_selectors.available_actions(people["investor_yulong"], task) == []
    assert task_selectors.available_actions(people["agent2"], task) == []
    assert task_selectors.available_actions(people["agent1"], task) == ["prepare", "withdraw"]
    assert task_selectors.available_actions(clerks["fgw"], task) == []
    task = task_services.start_preparing(actor=people["agent1"], task=task, on=D(2026, 2, 9))
    assert task_selectors.available_actions(clerks["fgw"], task) == ["accept"]


def test_project_tasks_are_404_outside_the_scope(people, two_projects):
    code = two_projects["city"].project.code
    project, tasks = task_selectors.project_tasks(people["agent1"], code.lower())
    assert project == two_projects["city"].project and [t.item.code for t in tasks] == [
        "FGW-BA",
        "ZJJ-SG",
        "ZJJ-XF",
    ]
    with pytest.raises(Http404):
        task_selectors.project_tasks(people["county_gh"], code)


# -- the queue -----------------------------------------------------------------------------------


def accept(task, people, clerk, on):
    task = task_services.start_preparing(actor=people["agent1"], task=task, on=on)
    return task_services.accept_task(actor=clerk, task=task, on=on)


def test_the_queue_is_ordered_by_due_date_and_filters_by_state_overdue_department_and_project(
    people, clerks, two_projects
):
    city = two_projects["city"].tasks
    accept(city["ZJJ-XF"], people, clerks["zjj"], D(2026, 2, 12))  # due 03-09 (15 days)
    accept(city["ZJJ-SG"], people, clerks["zjj"], D(2026, 2, 12))  # due 03-04
    queue = task_selectors.task_queue(clerks["zjj"], task_selectors.TaskFilters(today=D(2026, 3, 5)))
    assert [task.item.code for task in queue] == ["ZJJ-SG", "ZJJ-XF"]
    leader = people["leader"]

    def codes(**filters):
        found = task_selectors.task_queue(leader, task_selectors.TaskFilters(today=D(2026, 3, 5), **filters))
        return [(task.project.name, task.item.code) for task in found]

    assert codes(state="accepted") == [(CITY, "ZJJ-SG"), (CITY, "ZJJ-XF")]
    assert codes(overdue=True) == [(CITY, "ZJJ-SG")]
    assert (CITY, "ZJJ-SG") not in codes(overdue=False) and (CITY, "ZJJ-XF") in codes(overdue=False)
    assert codes(department="fgw") == [(CITY, "FGW-BA"), (GUANGHAN, "FGW-BA")]
    assert codes(project=two_projects["guanghan"].project.code) == sorted(ALL_GUANGHAN)
    assert codes(state="active") == [(CITY, "ZJJ-SG"), (CITY, "ZJJ-XF")]


def test_the_overdue_filter_agrees_with_the_live_clock_through_a_pause(people, clerks, two_projects):
    paused = accept(two_projects["city"].tasks["ZJJ-SG"], people, clerks["zjj"], D(2026, 2, 12))
    task_services.start_pause(
        actor=clerks["zjj"], task=paused, kind="expert_review", on=D(2026, 2, 24), reason="评审"
    )
    running = accept(two_projects["city"].tasks["FGW-BA"], people, clerks["fgw"], D(2026, 2, 12))  # due 02-26
    expected = {
        (paused.pk, D(2026, 3, 4)): False,
        (paused.pk, D(2026, 6, 1)): False,  # paused in time: never overdue while it stands still
        (running.pk, D(2026, 2, 26)): False,
        (running.pk, D(2026, 2, 27)): True,
    }
    for (pk, day), overdue in expected.items():
        live = task_selectors.task_clock_of(ApprovalTask.objects.get(pk=pk), today=day)
        in_sql = ApprovalTask.objects.filter(task_selectors.overdue_condition(day), pk=pk).exists()
        assert live.overdue is in_sql is overdue


def test_commitment_verifications_and_owed_materials_due_are_listed_for_those_who_see_the_task(
    people, clerks, two_projects
):
    from onewindow.approvals.models import Material

    city = two_projects["city"]
    ba = task_services.start_preparing(actor=people["agent1"], task=city.tasks["FGW-BA"], on=D(2026, 2, 9))
    ba = task_services.choose_commitment(actor=people["agent1"], task=ba, chosen=True)
    task_services.decide_by_commitment(
        actor=clerks["fgw"], task=ba, on=D(2026, 2, 10), document_number="承诺1号"
    )
    sg = task_services.start_preparing(actor=people["agent1"], task=city.tasks["ZJJ-SG"], on=D(2026, 2, 9))
    drawings = Material.objects.get(version=city.plan.catalog_version, code="drawings")
    task_services.accept_task(
        actor=clerks["zjj"], task=sg, on=D(2026, 2, 12), owed=[task_services.Owed(drawings, D(2026, 3, 2))]
    )
    assert [t.item.code for t in task_selectors.verifications_due(clerks["fgw"])] == ["FGW-BA"]
    assert list(task_selectors.verifications_due(clerks["zjj"])) == []
    owed = [(o.task.item.code, o.material.code) for o in task_selectors.owed_materials_due(clerks["zjj"])]
    assert owed == [("ZJJ-SG", "drawings")]
    assert list(task_selectors.owed_materials_due(clerks["fgw"])) == []
    assert list(task_selectors.owed_materials_due(people["county_gh"])) == []
    assert len(task_selectors.owed_materials_due(people["investor_yulong"])) == 1


def queries_for(user, **filters):
    with CaptureQueriesContext(connection) as captured:
        tasks = list(task_selectors.task_queue(user, task_selectors.TaskFilters(**filters)))
        task_selectors.clocks_for(tasks)
        [(task.project.code, task.item.code, task.department.name) for task in tasks]
    return len(tasks), len(captured)


def test_a_queue_costs_the_same_queries_whatever_its_size(people, clerks, task_catalog, two_projects, city):
    small = queries_for(people["leader"])
    for n in range(4):
        project = ProjectFactory(region=city, name=f"加项目{n}")
        tasks = plan_with_tasks(project, task_catalog, people["leader"]).tasks
        task_services.start_preparing(actor=people["leader"], task=tasks["FGW-BA"], on=D(2026, 2, 9))
    large = queries_for(people["leader"])
    assert large[0] == small[0] + 12
    assert large[1] == small[1]


def test_the_queue_query_count_is_fixed(people, two_projects, django_assert_num_queries):
    # tasks with project, item and department; their pauses; the calendar's notices
    with django_assert_num_queries(3):
        tasks = list(task_selectors.task_queue(people["leader"]))
        task_selectors.clocks_for(tasks)
    assert len(tasks) == 6


# -- the API -------------------------------------------------------------------------------------


def test_the_api_lists_a_projects_tasks_with_their_clocks(client, people, clerks, two_projects):
    city = two_projects["city"]
    accept(city.tasks["FGW-BA"], people, clerks["fgw"], D(2026, 2, 12))
    client.force_login(people["agent1"])
    response = client.get(f"/api/v1/projects/{city.project.code}/tasks")
    assert response.status_code == 200
    rows = {row["item_code"]: row for row in response.json()}
    assert set(rows) == {"FGW-BA", "ZJJ-SG", "ZJJ-XF"}
    ba = rows["FGW-BA"]
    assert (ba["state"], ba["department"], ba["accepted_on"], ba["due_on"]) == (
        "accepted",
        "fgw",
        "2026-02-12",
        "2026-02-26",
    )
    assert ba["clock"]["overdue"] is True and ba["clock"]["remaining_workdays"] < 0
    assert rows["ZJJ-SG"]["clock"] is None

    client.force_login(clerks["fgw"])
    assert [row["item_code"] for row in client.get(f"/api/v1/projects/{city.project.code}/tasks").json()] == [
        "FGW-BA"
    ]


@pytest.mark.parametrize("who", ["county_gh", "county_leader_gh"])
def test_the_api_does_not_find_tasks_outside_the_scope(client, people, two_projects, who):
    city = two_projects["city"]
    client.force_login(people[who])
    assert client.get(f"/api/v1/projects/{city.project.code}/tasks").status_code == 404
    response = client.get(f"/api/v1/tasks/{city.tasks['FGW-BA'].pk}")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


def test_the_api_shows_a_tasks_detail_with_clock_pauses_materials_and_actions(
    client, people, clerks, two_projects
):
    task = accept(two_projects["city"].tasks["ZJJ-SG"], people, clerks["zjj"], D(2026, 2, 12))
    task_services.request_correction(actor=clerks["zjj"], task=task, on=D(2026, 2, 13), requested="补充图纸")
    client.force_login(clerks["zjj"])
    body = client.get(f"/api/v1/tasks/{task.pk}").json()
    assert body["state"] == "correcting" and body["correction_rounds"] == 1
    assert body["clock"]["paused"] is True
    assert body["pauses"] == [
        {"kind": "correction", "number": 1, "reason": "补充图纸", "starts_on": "2026-02-13", "ends_on": None}
    ]
    assert [(m["code"], m["key"], m["latest"]) for m in body["materials"]] == [
        ("form", True, None),
        ("drawings", False, None),
    ]
    assert body["actions"] == ["resubmit"]
    client.force_login(people["agent1"])
    assert client.get(f"/api/v1/tasks/{task.pk}").json()["actions"] == ["resubmit", "withdraw"]


def test_the_api_queue_is_a_clerks_departments_and_is_forbidden_to_investors(
    client, people, clerks, two_projects
):
    client.force_login(clerks["zjj"])
    body = client.get("/api/v1/tasks/queue?page_size=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1 and body["items"][0]["department"] == "zjj"
    assert client.get("/api/v1/tasks/queue?state=nonsense").status_code == 422
    client.force_login(people["investor_yulong"])
    response = client.get("/api/v1/tasks/queue")
    assert response.status_code == 403 and "detail" in response.json()
    client.logout()
    assert client.get("/api/v1/tasks/queue").status_code == 401


def test_the_api_queue_costs_the_same_queries_whatever_the_page_size(
    client, people, clerks, task_catalog, two_projects, city
):
    client.force_login(people["leader"])
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/tasks/queue?page_size=1").json()["items"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/tasks/queue?page_size=100").json()["items"]) == 6
    assert len(small) == len(large)
