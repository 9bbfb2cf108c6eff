"""The coordination pages per role: who sees which problem (404 outside the scope), who may do what
(403 outside the role), lists at a constant query count, and bad input that names the field and
writes nothing."""

import datetime

import pytest

from onewindow.coordination import services
from onewindow.coordination.models import Meeting, Problem, ProblemEscalation
from onewindow.core.models import AuditEntry
from tests.coordination.conftest import D
from tests.factories import ProjectFactory


@pytest.fixture
def problems(people, world, fgw, zjj):
    city = services.raise_problem(
        actor=people["agent1"],
        project=world["city"],
        title="用地指标不足",
        description="说明",
        category="land",
        departments=[fgw],
        raised_on=D(2026, 11, 2),
    )
    mianzhu = services.raise_problem(
        actor=people["agent2"],
        project=world["mianzhu"],
        title="施工许可材料",
        description="说明",
        category="approval",
        departments=[zjj],
        raised_on=D(2026, 11, 2),
    )
    guanghan = services.raise_problem(
        actor=people["county_gh"],
        project=world["guanghan"],
        title="电力接入",
        description="说明",
        category="utilities",
        raised_on=D(2026, 11, 2),
    )
    return {"city": city, "mianzhu": mianzhu, "guanghan": guanghan}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", {"city", "mianzhu", "guanghan"}),
        ("leader", {"city", "mianzhu", "guanghan"}),
        ("agent1", {"city", "mianzhu", "guanghan"}),
        ("clerk_fgw", {"city"}),
        ("county_gh", {"guanghan"}),
        ("county_leader_gh", {"guanghan"}),
    ],
)
def test_each_role_sees_only_the_problems_of_its_scope(login, problems, role, visible):
    client = login(role)
    page = client.get("/problems/")
    assert page.status_code == 200
    shown = {name for name, problem in problems.items() if problem.title in page.content.decode()}
    assert shown == visible
    for name, problem in problems.items():
        expected = 200 if name in visible else 404
        assert client.get(f"/problems/{problem.pk}/").status_code == expected


def test_the_list_names_the_region_of_a_department_outside_the_projects_region(login, problems, fgw, zjj):
    import re

    html = login("leader").get("/problems/").content.decode()
    rows = {
        title: row
        for row in re.findall(r"<tr class=\"problem-row.*?</tr>", html, re.S)
        for title in ("用地指标不足", "施工许可材料")
        if title in row
    }
    # 绵竹's problem lies with the city's 住建 window; the city project's with the city's own 发改.
    assert f"{zjj.region.name}{zjj.name}" in rows["施工许可材料"]
    assert f"{fgw.region.name}{fgw.name}" not in rows["用地指标不足"]
    assert fgw.name in rows["用地指标不足"]


def test_investors_never_see_problems(login, problems):
    client = login("investor_yulong")
    assert client.get("/problems/").status_code == 403
    assert client.get(f"/problems/{problems['city'].pk}/").status_code == 404
    assert client.get("/meetings/").status_code == 403
    assert client.get("/api/v1/problems").status_code == 403


def test_the_problem_list_costs_the_same_queries_for_a_page_of_any_size(
    login, people, world, fgw, city, django_assert_num_queries
):
    client = login("leader")

    def add(count: int) -> None:
        for number in range(count):
            project = ProjectFactory(name=f"项目{number}", region=city)
            services.raise_problem(
                actor=people["agent1"],
                project=project,
                title=f"难题{number}",
                description="说明",
                category="other",
                departments=[fgw],
                raised_on=D(2026, 11, 2),
            )

    add(2)
    client.get("/problems/")  # the calendar and the session warm up once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/problems/?warning=").status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/problems/?warning=").status_code == 200
    assert len(many) == len(few)


def test_a_clerk_may_resolve_a_problem_of_their_department_but_not_escalate_to_level_three(
    login, problems, people
):
    problem = problems["city"]
    Problem.objects.filter(pk=problem.pk).update(level=2)
    clerk = login("clerk_fgw")
    assert clerk.post(f"/problems/{problem.pk}/escalate/", {"reason": "久拖不决"}).status_code == 403
    response = clerk.post(f"/problems/{problem.pk}/resolve/", {"resolution": "已办结", "on": "2026-11-03"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.resolved_on) == ("resolved", D(2026, 11, 3))


def test_an_agent_escalates_to_level_two_and_only_a_leader_to_level_three(login, problems):
    problem = problems["city"]
    agent = login("agent1")
    assert agent.post(f"/problems/{problem.pk}/escalate/", {"reason": "部门意见不一致"}).status_code == 302
    problem.refresh_from_db()
    assert problem.level == 2
    assert agent.post(f"/problems/{problem.pk}/escalate/", {"reason": "仍未解决"}).status_code == 403
    leader = login("leader")
    response = leader.post(
        f"/problems/{problem.pk}/escalate/",
        {"reason": "提请市政府协调", "supervising_office": "市政府督查室"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.level == 3
    assert problem.supervision.office == "市政府督查室"
    page = leader.get(f"/problems/{problem.pk}/")
    assert "市政府督查室" in page.content.decode()


def test_escalating_without_a_reason_names_the_field_and_writes_nothing(login, problems):
    problem = problems["city"]
    agent = login("agent1")  # the login itself is audited
    before = AuditEntry.objects.count()
    response = agent.post(f"/problems/{problem.pk}/escalate/", {"reason": ""})
    assert response.status_code == 422
    assert "id_escalate_reason" in response.content.decode()
    problem.refresh_from_db()
    assert problem.level == 1
    assert ProblemEscalation.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_raising_a_problem_from_the_project_page(login, world, people, fgw):
    client = login("agent1")
    project = world["city"]
    assert "raise-problem" in client.get(f"/projects/{project.pk}/").content.decode()
    response = client.post(
        f"/projects/{project.pk}/problems/new/",
        {
            "title": "环评批复滞后",
            "category": "environment",
            "description": "等待省厅意见",
            "departments": [fgw.pk],
            "raised_on": "2026-11-02",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get(title="环评批复滞后")
    assert (problem.level, problem.region_path, problem.raised_by) == (
        1,
        project.region.path,
        people["agent1"],
    )


def test_a_clerk_cannot_raise_a_problem_and_nobody_raises_one_outside_the_scope(login, world):
    assert login("clerk_fgw").get(f"/projects/{world['city'].pk}/problems/new/").status_code == 403
    assert login("county_gh").get(f"/projects/{world['city'].pk}/problems/new/").status_code == 404


def test_a_task_of_another_project_is_refused_and_nothing_is_written(planned, people, world):
    from django.core.exceptions import ValidationError

    other = ProjectFactory(name="另一个项目", region=world["city"].region)
    with pytest.raises(ValidationError) as refused:
        services.raise_problem(
            actor=people["agent1"],
            project=other,
            title="错挂办件",
            description="说明",
            category="approval",
            tasks=[planned.tasks["FGW-BA"]],
        )
    assert "tasks" in refused.value.message_dict
    assert not Problem.objects.exists()


def test_a_meeting_with_minutes_and_action_items_prints_as_minutes(login, problems, people):
    leader = login("leader")
    response = leader.post(
        "/meetings/new/",
        {
            "title": "重点项目联席会议",
            "held_at": "2026-11-05T09:30",
            "level": "2",
            "region": people["leader"].region.pk,
            "chair": people["leader"].pk,
            "problems": [problems["city"].pk],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (
        leader.post(
            f"/meetings/{meeting.pk}/minutes/",
            {"minutes": "会议研究了用地问题。", "decisions": "一、调整用地指标\n二、限期报件"},
        ).status_code
        == 302
    )
    assert (
        leader.post(
            f"/meetings/{meeting.pk}/action-items/",
            {
                "description": "报送用地材料",
                "owner": people["agent1"].pk,
                "due_on": "2026-11-12",
                "problem": problems["city"].pk,
            },
        ).status_code
        == 302
    )
    page = login("agent1").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "调整用地指标" in page and "报送用地材料" in page and "data-print-minutes" in page
    item = meeting.action_items.get()
    assert login("agent1").post(f"/action-items/{item.pk}/complete/", {"on": "2026-11-10"}).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.done_on) == ("done", D(2026, 11, 10))


def test_an_action_item_without_owner_names_the_field(people, problems):
    from django.core.exceptions import ValidationError

    meeting = services.schedule_meeting(
        actor=people["leader"],
        data=services.MeetingData(
            title="会",
            held_at=datetime.datetime(2026, 11, 5, 1, tzinfo=datetime.UTC),
            region=people["leader"].region,
            chair=people["leader"],
        ),
    )
    with pytest.raises(ValidationError) as refused:
        services.add_action_item(
            actor=people["leader"], meeting=meeting, description="办", due_on=D(2026, 11, 9)
        )
    assert "owner" in refused.value.message_dict
    assert not meeting.action_items.exists()


def test_the_api_lists_creates_escalates_and_resolves_problems_in_scope(login, problems, world, people):
    agent = login("agent1")
    listing = agent.get("/api/v1/problems?limit=2").json()
    assert len(listing["items"]) == 2 and listing["next_cursor"]
    rest = agent.get(f"/api/v1/problems?limit=2&cursor={listing['next_cursor']}").json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    created = agent.post(
        "/api/v1/problems",
        {
            "project": world["city"].code,
            "title": "供水接入",
            "description": "说明",
            "category": "utilities",
            "departments": ["510600:fgw"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    problem_id = created.json()["id"]
    refused = agent.post(
        f"/api/v1/problems/{problem_id}/escalate", {"reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "reason"
    escalated = agent.post(
        f"/api/v1/problems/{problem_id}/escalate", {"reason": "协调无果"}, content_type="application/json"
    )
    assert escalated.json()["level"] == 2
    resolved = agent.post(
        f"/api/v1/problems/{problem_id}/resolve", {"resolution": "已通水"}, content_type="application/json"
    )
    assert resolved.json()["status"] == "resolved"
    county = login("county_gh")
    assert county.get(f"/api/v1/problems/{problem_id}").status_code == 404
    assert [item["title"] for item in county.get("/api/v1/problems").json()["items"]] == ["电力接入"]
    assert (
        login("clerk_fgw")
        .post(
            "/api/v1/problems",
            {"project": world["city"].code, "title": "x", "description": "y", "category": "other"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_the_meetings_api_shows_a_meeting_to_those_in_its_scope(login, people, problems):
    meeting = services.schedule_meeting(
        actor=people["leader"],
        data=services.MeetingData(
            title="市政府协调会",
            held_at=datetime.datetime(2026, 11, 5, 1, tzinfo=datetime.UTC),
            region=people["leader"].region,
            level=3,
            chair=people["leader"],
            problems=[problems["city"]],
        ),
    )
    detail = login("agent1").get(f"/api/v1/meetings/{meeting.pk}").json()
    assert detail["problems"] == [problems["city"].pk]
    assert login("county_gh").get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    assert login("county_gh").get("/api/v1/meetings").json()["items"] == []


def test_meetings_action_items_and_the_api_lists_cost_the_same_queries_for_any_number_of_rows(
    login, people, world, fgw, city
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("leader")

    def add(count: int) -> None:
        for number in range(count):
            project = ProjectFactory(name=f"项目{number}", region=city)
            problem = services.raise_problem(
                actor=people["agent1"],
                project=project,
                title=f"难题{number}",
                description="说明",
                category="other",
                departments=[fgw],
                raised_on=D(2026, 11, 2),
            )
            meeting = services.schedule_meeting(
                actor=people["leader"],
                data=services.MeetingData(
                    title=f"会{number}",
                    held_at=datetime.datetime(2026, 11, 3, 1, tzinfo=datetime.UTC),
                    region=city,
                    chair=people["leader"],
                    departments=[fgw],
                    problems=[problem],
                ),
            )
            services.add_action_item(
                actor=people["leader"],
                meeting=meeting,
                description="办",
                due_on=D(2026, 11, 9),
                owner=people["agent1"],
                department=fgw,
                problem=problem,
            )

    urls = [
        "/meetings/",
        "/action-items/",
        "/api/v1/problems",
        "/api/v1/meetings",
        "/action-items/?warning=red",
    ]
    add(1)
    for url in urls:
        client.get(url)  # warm up the calendar and the session

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    few = counts()
    add(12)
    assert counts() == few


def test_the_openapi_schema_describes_the_problem_and_meeting_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/problems",
        "/api/v1/problems/{problem_id}/escalate",
        "/api/v1/meetings/{meeting_id}",
    } <= set(paths)
