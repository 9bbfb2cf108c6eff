"""The role workbenches at "/": each role sees only its scope, the red and yellow items first, every
list filters and pages, and a page costs the same number of queries with 3 objects as with 10."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import Role
from onewindow.approvals import selectors as approval_selectors
from onewindow.approvals import task_services
from onewindow.coordination import services
from onewindow.coordination import workbench_selectors as wb
from onewindow.coordination.services import MeetingData
from onewindow.notifications import services as notification_services
from tests.approvals import conftest as approval_fixtures
from tests.factories import ProjectFactory, UserFactory

from .conftest import TZ

WORKBENCH = reverse("workbench")


@pytest.fixture
def login(login):
    """Signed-in clients that read the pages in English, the language the templates are written in."""

    def english(role):
        client = login(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return english


def workday(offset: int) -> datetime.date:
    """The working day ``offset`` working days from the last working day on or before today."""
    calendar = approval_selectors.workday_calendar()
    return calendar.date_at(calendar.last_on_or_before(timezone.localdate()) + offset)


def accepted_task(project, task_catalog, agent, clerk, *, accepted_workdays_ago: int):
    """The 发改 filing (5 working days) of a new plan of ``project``, accepted that long ago."""
    task = approval_fixtures.plan_with_tasks(project, task_catalog, agent).tasks["FGW-BA"]
    on = workday(-accepted_workdays_ago)
    task = task_services.start_preparing(actor=agent, task=task, on=on)
    return task_services.accept_task(actor=clerk, task=task, on=on)


def problem(actor, project, departments, *, raised_workdays_ago: int, title: str):
    return services.raise_problem(
        actor=actor,
        project=project,
        title=title,
        description="需要协调解决。",
        category="land",
        departments=departments,
        raised_on=workday(-raised_workdays_ago),
    )


def meeting(actor, region, problems, *, held_workdays_ago: int = 10, chair=None):
    held = workday(-held_workdays_ago)
    return services.schedule_meeting(
        actor=actor,
        data=MeetingData(
            title="部门领导联席会议",
            held_at=datetime.datetime(held.year, held.month, held.day, 9, 0, tzinfo=TZ),
            region=region,
            chair_name="王主任",
            problems=problems,
        ),
    )


def rows(html: str, table_id: str) -> list[tuple[str, str]]:
    """(kind or "", warning) of each row of one table, in order."""
    start = html.index(f'id="{table_id}"')
    body = html[start : html.index("</table>", start)]
    found = re.findall(r'<tr class="[^"]*"(?: data-kind="(\w+)")? data-warning="(\w+)"', body)
    return [(kind, warning) for kind, warning in found]


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def query_count(client, url: str = WORKBENCH) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# -- agents --------------------------------------------------------------------------------------


def test_an_agents_workbench_puts_red_then_yellow_items_first(
    login, people, world, fgw, task_catalog, clerks
):
    city = world["city"]
    problem(people["agent1"], city, [fgw], raised_workdays_ago=0, title="时间充裕的难题")
    problem(people["agent1"], city, [fgw], raised_workdays_ago=4, title="即将到期的难题")
    problem(people["agent1"], city, [fgw], raised_workdays_ago=10, title="已经超期的难题")
    accepted_task(city, task_catalog, people["agent1"], clerks["fgw"], accepted_workdays_ago=12)

    html = login("agent1").get(WORKBENCH).text

    # The task (due 7 working days ago) is the longest overdue, then the problem (5 days ago).
    assert rows(html, "workbench-due-items") == [
        ("task", "red"),
        ("problem", "red"),
        ("problem", "yellow"),
        ("problem", "none"),
    ]
    due = section(html, "workbench-due")
    assert due.index("已经超期的难题") < due.index("即将到期的难题") < due.index("时间充裕的难题")
    # The project card carries its worst warning and its next items, the red first.
    projects = section(html, "workbench-projects")
    assert 'data-warning="red"' in projects
    assert projects.index("已经超期的难题") < projects.index("即将到期的难题")


def test_an_agents_projects_with_a_red_item_come_before_the_others(login, people, city, fgw):
    quiet = ProjectFactory(name="甲平稳推进项目", region=city, agent=people["agent1"])
    late = ProjectFactory(name="乙问题超期项目", region=city, agent=people["agent1"])
    soon = ProjectFactory(name="丙即将到期项目", region=city, agent=people["agent1"])
    problem(people["agent1"], late, [fgw], raised_workdays_ago=10, title="超期")
    problem(people["agent1"], soon, [fgw], raised_workdays_ago=4, title="将到期")

    html = section(login("agent1").get(WORKBENCH).text, "workbench-projects")

    assert html.index(late.name) < html.index(soon.name) < html.index(quiet.name)


def test_an_agent_sees_only_their_own_projects_problems_and_action_items(login, people, world, fgw, zjj):
    mine = problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=10, title="甲的难题")
    theirs = problem(people["agent2"], world["mianzhu"], [zjj], raised_workdays_ago=10, title="乙的难题")
    held = meeting(people["leader"], world["city"].region, [mine, theirs])
    services.add_action_item(
        actor=people["leader"],
        meeting=held,
        description="甲负责落实用地指标",
        due_on=workday(-1),
        owner=people["agent1"],
        problem=mine,
    )
    services.add_action_item(
        actor=people["leader"],
        meeting=held,
        description="乙负责协调住建部门",
        due_on=workday(-1),
        owner=people["agent2"],
        problem=theirs,
    )

    agent1 = login("agent1").get(WORKBENCH).text
    agent2 = login("agent2").get(WORKBENCH).text

    assert "甲的难题" in agent1 and "甲负责落实用地指标" in agent1
    assert "乙的难题" not in agent1 and "乙负责协调住建部门" not in agent1
    assert world["mianzhu"].name not in agent1
    assert "乙的难题" in agent2 and "乙负责协调住建部门" in agent2
    assert "甲的难题" not in agent2 and world["city"].name not in agent2


def test_county_staff_work_their_region_like_an_agent(login, people, world, fgw, zjj, guanghan):
    ours = problem(people["county_gh"], world["guanghan"], [], raised_workdays_ago=10, title="广汉的难题")
    problem(people["agent2"], world["mianzhu"], [zjj], raised_workdays_ago=10, title="绵竹的难题")

    html = login("county_gh").get(WORKBENCH).text

    assert "Projects of my region" in html
    assert ours.title in section(html, "workbench-due")
    assert world["guanghan"].name in section(html, "workbench-projects")
    assert "绵竹的难题" not in html and world["mianzhu"].name not in html


def test_the_warning_filter_keeps_only_that_warning_and_the_kind_filter_only_that_kind(
    login, people, world, fgw, task_catalog, clerks
):
    city = world["city"]
    problem(people["agent1"], city, [fgw], raised_workdays_ago=4, title="黄牌难题")
    problem(people["agent1"], city, [fgw], raised_workdays_ago=10, title="红牌难题")
    accepted_task(city, task_catalog, people["agent1"], clerks["fgw"], accepted_workdays_ago=12)
    client = login("agent1")

    red = client.get(WORKBENCH, {"warning": "red"}).text
    assert rows(red, "workbench-due-items") == [("task", "red"), ("problem", "red")]
    assert "黄牌难题" not in section(red, "workbench-due")

    problems_only = client.get(WORKBENCH, {"kind": "problem"}).text
    assert rows(problems_only, "workbench-due-items") == [("problem", "red"), ("problem", "yellow")]

    yellow_tasks = client.get(WORKBENCH, {"warning": "yellow", "kind": "task"}).text
    assert "Nothing open matches." in section(yellow_tasks, "workbench-due")
    # Only projects with a yellow task are left, and this one has none.
    assert city.name not in section(yellow_tasks, "workbench-projects")


def test_a_filter_value_that_is_not_a_choice_is_reported_and_left_out(login, people, world, fgw):
    problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=0, title="普通难题")

    response = login("agent1").get(WORKBENCH, {"warning": "purple", "kind": "task"})

    assert response.status_code == 200
    assert "Some filters were not understood and were left out:" in response.text
    assert "Warning: Select a valid choice." in response.text
    # The valid filter still applies: only tasks, so the problem is not listed.
    assert "普通难题" not in section(response.text, "workbench-due")


def test_each_list_pages_on_its_own_parameter(login, people, world, fgw):
    for number in range(12):
        problem(
            people["agent1"], world["city"], [fgw], raised_workdays_ago=number % 3, title=f"难题{number:02d}"
        )
    client = login("agent1")

    first = client.get(WORKBENCH).text
    second = client.get(WORKBENCH, {"items_page": 2, "warning": ""}).text

    assert len(rows(first, "workbench-due-items")) == 10
    assert len(rows(second, "workbench-due-items")) == 2
    assert "Page 2 of 2" in section(second, "workbench-due")
    assert "items_page=2" in section(first, "workbench-due")
    # The projects list was not moved by the other list's page.
    assert world["city"].name in section(second, "workbench-projects")


# -- window clerks -------------------------------------------------------------------------------


def test_a_clerk_never_sees_another_departments_tasks(login, people, planned, clerks):
    agent = people["agent1"]
    for code, clerk in (("FGW-BA", clerks["fgw"]), ("ZJJ-XF", clerks["zjj"])):
        task = task_services.start_preparing(actor=agent, task=planned.tasks[code], on=workday(-3))
        task_services.accept_task(actor=clerk, task=task, on=workday(-3))

    fgw_html = section(login("clerk_fgw").get(WORKBENCH).text, "workbench-queue")
    client = login(None)
    client.force_login(clerks["zjj"])
    zjj_html = section(client.get(WORKBENCH).text, "workbench-queue")
    client.force_login(clerks["fgw_gh"])
    county_html = section(client.get(WORKBENCH).text, "workbench-queue")

    assert "FGW-BA" in fgw_html and "ZJJ-XF" not in fgw_html
    assert "ZJJ-XF" in zjj_html and "FGW-BA" not in zjj_html
    # 广汉's 发改 window has the same department code, but not the city's projects.
    assert "FGW-BA" not in county_html and "No task of your department matches." in county_html


def test_a_clerks_overdue_task_is_marked_red_and_comes_first(
    login, people, world, city, task_catalog, clerks
):
    agent, clerk = people["agent1"], clerks["fgw"]
    for name, ago in (("近期项目", 0), ("超期项目", 12), ("临期项目", 4)):
        project = ProjectFactory(name=name, region=city, agent=agent)
        accepted_task(project, task_catalog, agent, clerk, accepted_workdays_ago=ago)

    html = login("clerk_fgw").get(WORKBENCH).text

    assert [warning for _, warning in rows(html, "workbench-queue-list")] == ["red", "yellow", "none"]
    queue = section(html, "workbench-queue")
    assert queue.index("超期项目") < queue.index("临期项目") < queue.index("近期项目")
    assert "Red: overdue" in queue
    red_only = section(login("clerk_fgw").get(WORKBENCH, {"warning": "red"}).text, "workbench-queue")
    assert "超期项目" in red_only and "临期项目" not in red_only


def test_a_clerk_sees_the_problems_of_their_department_and_the_urges_it_received(
    login, people, world, planned, clerks, fgw, zjj
):
    agent = people["agent1"]
    problem(agent, world["city"], [fgw], raised_workdays_ago=2, title="发改的难题")
    problem(agent, world["city"], [zjj], raised_workdays_ago=2, title="住建的难题")
    fgw_task = task_services.start_preparing(actor=agent, task=planned.tasks["FGW-BA"], on=workday(-3))
    fgw_task = task_services.accept_task(actor=clerks["fgw"], task=fgw_task, on=workday(-3))
    zjj_task = task_services.start_preparing(actor=agent, task=planned.tasks["ZJJ-XF"], on=workday(-3))
    zjj_task = task_services.accept_task(actor=clerks["zjj"], task=zjj_task, on=workday(-3))
    notification_services.urge_task(actor=agent, task=fgw_task, note="请尽快办结备案")
    notification_services.urge_task(actor=agent, task=zjj_task, note="请尽快审查消防设计")

    html = login("clerk_fgw").get(WORKBENCH).text

    due = section(html, "workbench-due")
    assert "发改的难题" in due and "住建的难题" not in due
    urges = section(html, "workbench-urges")
    assert "请尽快办结备案" in urges and "请尽快审查消防设计" not in urges


# -- leaders -------------------------------------------------------------------------------------


def test_a_county_leader_never_sees_another_countys_problems(login, people, world, zjj):
    ours = problem(people["county_gh"], world["guanghan"], [], raised_workdays_ago=10, title="广汉的难题")
    theirs = problem(people["agent2"], world["mianzhu"], [zjj], raised_workdays_ago=10, title="绵竹的难题")
    for item in (ours, theirs):
        services.escalate_problem(
            actor=people["leader"], problem=item, reason="窗口部门协调未果", on=workday(-9)
        )
    # Level 2 began 9 working days ago: its 5 working days are over, so both are red.

    county = login("county_leader_gh").get(WORKBENCH).text
    city = login("leader").get(WORKBENCH).text

    assert "广汉的难题" in section(county, "workbench-waiting")
    assert "广汉的难题" in section(county, "workbench-red")
    assert "绵竹的难题" not in county
    assert "广汉的难题" in section(city, "workbench-waiting") and "绵竹的难题" in section(
        city, "workbench-waiting"
    )


def test_a_city_leader_sees_levels_2_and_3_waiting_and_not_level_1(login, people, world, fgw):
    level1 = problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=1, title="第一级难题")
    level2 = problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=1, title="第二级难题")
    level3 = problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=1, title="第三级难题")
    services.escalate_problem(actor=people["agent1"], problem=level2, reason="提请联席会议")
    services.escalate_problem(actor=people["agent1"], problem=level3, reason="提请联席会议")
    services.escalate_problem(
        actor=people["leader"], problem=level3, reason="提请市政府督办", supervising_office="市政府督查室"
    )

    html = section(login("leader").get(WORKBENCH).text, "workbench-waiting")

    assert level2.title in html and level3.title in html and level1.title not in html
    assert "提请市政府督办" in html  # the latest escalation of each problem


def test_the_timeline_of_decisions_is_newest_first_and_filters_by_kind(
    login, people, world, planned, clerks, fgw
):
    agent, leader = people["agent1"], people["leader"]
    escalated = problem(agent, world["city"], [fgw], raised_workdays_ago=6, title="升级的难题")
    services.escalate_problem(actor=agent, problem=escalated, reason="提请联席会议", on=workday(-5))
    resolved = problem(agent, world["city"], [fgw], raised_workdays_ago=6, title="解决的难题")
    services.resolve_problem(actor=agent, problem=resolved, resolution="指标已落实", on=workday(-3))
    held = meeting(leader, world["city"].region, [escalated], held_workdays_ago=4)
    services.record_minutes(
        actor=leader, meeting=held, minutes="会议纪要", decisions=["由自然资源局牵头"], on=workday(-2)
    )
    task = task_services.start_preparing(actor=agent, task=planned.tasks["FGW-BA"], on=workday(-3))
    task = task_services.accept_task(actor=clerks["fgw"], task=task, on=workday(-3))
    task_services.decide_task(
        actor=clerks["fgw"],
        task=task,
        on=workday(-1),
        outcome="approve",
        document_number="德发改备〔2026〕1号",
    )
    client = login("leader")

    html = client.get(WORKBENCH).text
    kinds = re.findall(r'class="decision decision-(\w+)"', section(html, "workbench-decisions"))
    problems_only = client.get(WORKBENCH, {"kind": "problem"}).text
    problem_kinds = re.findall(
        r'class="decision decision-(\w+)"', section(problems_only, "workbench-decisions")
    )

    assert kinds == ["task", "meeting", "resolution", "escalation"]
    assert "由自然资源局牵头" in html and "德发改备〔2026〕1号" in html
    assert problem_kinds == ["resolution", "escalation"]


def test_a_county_leaders_timeline_holds_only_their_regions_decisions(login, people, world, zjj):
    ours = problem(people["county_gh"], world["guanghan"], [], raised_workdays_ago=2, title="广汉的难题")
    theirs = problem(people["agent2"], world["mianzhu"], [zjj], raised_workdays_ago=2, title="绵竹的难题")
    services.resolve_problem(actor=people["county_gh"], problem=ours, resolution="广汉已解决")
    services.resolve_problem(actor=people["agent2"], problem=theirs, resolution="绵竹已解决")

    html = section(login("county_leader_gh").get(WORKBENCH).text, "workbench-decisions")

    assert "广汉的难题" in html and "绵竹的难题" not in html


# -- investors -----------------------------------------------------------------------------------


def test_an_investor_keeps_the_page_of_their_own_projects(login, people, world, fgw):
    problem(people["agent1"], world["city"], [fgw], raised_workdays_ago=10, title="内部难题")

    html = login("investor_yulong").get(WORKBENCH).text

    assert "Your projects" in html and world["city"].name in html
    assert world["guanghan"].name not in html and world["mianzhu"].name not in html
    assert "内部难题" not in html and "Filter the workbench" not in html


def test_each_role_gets_its_workbench(people):
    assert wb.workbench_kind(people["agent1"]) == "agent"
    assert wb.workbench_kind(people["county_gh"]) == "agent"
    assert wb.workbench_kind(people["clerk_fgw"]) == "clerk"
    assert wb.workbench_kind(people["leader"]) == "leader"
    assert wb.workbench_kind(people["county_leader_gh"]) == "leader"
    assert wb.workbench_kind(people["admin"]) == "leader"
    assert wb.workbench_kind(people["investor_yulong"]) == "investor"


# -- query counts --------------------------------------------------------------------------------


def _populate(count: int, people, city, fgw, task_catalog, clerks, *, start: int = 0) -> None:
    """``count`` city projects of agent1, each with a red 发改 task that was urged, a problem waiting
    at level 2 with its escalation, and an action item of a meeting with minutes."""
    agent, clerk, leader = people["agent1"], clerks["fgw"], people["leader"]
    problems = []
    for number in range(start, start + count):
        project = ProjectFactory(name=f"批量项目{number:02d}", region=city, agent=agent)
        project.departments.add(fgw)
        task = accepted_task(project, task_catalog, agent, clerk, accepted_workdays_ago=12)
        notification_services.urge_task(actor=agent, task=task, note=f"督促{number}")
        raised = problem(agent, project, [fgw], raised_workdays_ago=12, title=f"批量难题{number:02d}")
        problems.append(
            services.escalate_problem(actor=agent, problem=raised, reason="提请联席会议", on=workday(-8))
        )
    held = meeting(leader, city, problems, held_workdays_ago=9)
    services.record_minutes(
        actor=leader, meeting=held, minutes="纪要", decisions=["逐项落实"], on=workday(-8)
    )
    for item in problems:
        services.add_action_item(
            actor=leader,
            meeting=held,
            description="落实",
            due_on=workday(-2),
            owner=agent,
            department=fgw,
            problem=item,
        )


@pytest.mark.parametrize("role", ["agent1", "clerk_fgw", "leader", "county_gh"])
def test_a_workbench_costs_the_same_queries_with_3_objects_as_with_10(
    login, people, city, fgw, task_catalog, clerks, django_assert_num_queries, role
):
    _populate(3, people, city, fgw, task_catalog, clerks)
    client = login(role)
    client.get(WORKBENCH)  # the calendar is built once per process
    with_three = query_count(client)
    filtered_three = query_count(client, f"{WORKBENCH}?warning=red&kind=problem")

    _populate(7, people, city, fgw, task_catalog, clerks, start=3)

    with django_assert_num_queries(with_three):
        html = client.get(WORKBENCH).text
    with django_assert_num_queries(filtered_three):
        client.get(WORKBENCH, {"warning": "red", "kind": "problem"})
    if role == "agent1":
        assert len(rows(html, "workbench-due-items")) == 10  # a full page of the 30 open items
    if role == "clerk_fgw":
        assert len(rows(html, "workbench-queue-list")) == 10


def test_a_clerk_without_a_department_project_still_gets_a_workbench(login, people, city, fgw):
    clerk = UserFactory(username="clerk_new", role=Role.CLERK, region=city, department=fgw)
    client = login(None)
    client.force_login(clerk)

    html = client.get(WORKBENCH).text

    assert "No task of your department matches." in html
    assert "There are no projects in your scope yet." in html
