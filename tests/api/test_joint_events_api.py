"""Joint events (联合踏勘, 联合审图, 联合验收) over the API: read by whoever may see the project, recorded
and changed by the project's agent side as on the joint events page, through the same selectors and
services: 404 outside the scope, 403 outside the role, 422 naming the field, an audit row per write."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.accounts import tokens
from onewindow.approvals import task_services
from onewindow.approvals.models import JointEvent
from onewindow.core.models import AuditEntry
from onewindow.regions.models import Department

D = datetime.date


@pytest.fixture
def api(client, people):
    """``api(user).post(path, body)``: JSON calls with the user's personal token."""

    class Caller:
        def __init__(self, name):
            _token, secret = tokens.create_api_token(actor=people[name], owner=people[name], name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}

        def get(self, path, params=None):
            return client.get(f"/api/v1{path}", params or {}, **self.headers)

        def post(self, path, body):
            return client.post(f"/api/v1{path}", body, content_type="application/json", **self.headers)

        def patch(self, path, body):
            return client.patch(f"/api/v1{path}", body, content_type="application/json", **self.headers)

    return Caller


def ref(department: Department) -> str:
    return f"{department.region.code}:{department.code}"


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def audit_rows(event_id: int, action: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="approvals.jointevent", object_id=str(event_id), action=action)
    )


@pytest.fixture
def survey(people, planned, fgw, zjj):
    return task_services.record_joint_event(
        actor=people["agent1"],
        project=planned.project,
        kind="site_survey",
        held_on=D(2026, 2, 10),
        departments=[fgw, zjj],
        participants=["发改委 李科长", "住建局 张工"],
        location="德阳经开区 项目用地",
        tasks=[planned.tasks["ZJJ-SG"]],
    )


def new_event(planned, fgw, zjj, **changes) -> dict:
    return {
        "kind": "drawing_review",
        "held_on": "2026-03-02",
        "location": "市政务服务中心 3楼会议室",
        "departments": [ref(fgw), ref(zjj)],
        "participants": ["住建局 张工", "消防救援支队 王工"],
        "findings": "施工图满足审查要求。",
        "tasks": [planned.tasks["ZJJ-SG"].pk, planned.tasks["ZJJ-XF"].pk],
    } | changes


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "leader", "agent1", "agent2", "clerk_fgw", "investor_yulong"])
def test_everyone_who_may_see_the_project_reads_its_joint_events(api, planned, survey, fgw, who):
    listed = api(who).get(f"/projects/{planned.project.code}/joint-events")
    assert listed.status_code == 200, listed.content
    assert [item["id"] for item in listed.json()["items"]] == [survey.pk]
    one = api(who).get(f"/joint-events/{survey.pk}")
    assert one.status_code == 200, one.content
    event = one.json()
    assert event == listed.json()["items"][0]
    assert (event["project_code"], event["kind"], event["held_on"]) == (
        planned.project.code,
        "site_survey",
        "2026-02-10",
    )
    assert ref(fgw) in {department["ref"] for department in event["departments"]}
    assert [task["item_code"] for task in event["tasks"]] == ["ZJJ-SG"]
    assert event["recorded_by"] == "agent1"


def test_a_project_outside_the_scope_has_no_joint_events_for_the_caller(api, planned, survey):
    assert api("county_gh").get(f"/projects/{planned.project.code}/joint-events").status_code == 404
    assert api("county_gh").get(f"/joint-events/{survey.pk}").status_code == 404
    assert api("agent1").get(f"/joint-events/{survey.pk + 1000}").status_code == 404
    assert api("agent1").get(f"/joint-events/{2**70}").status_code == 404


# -- recording -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("agent1", 201),
        ("leader", 201),
        ("admin", 201),
        ("agent2", 403),
        ("clerk_fgw", 403),
        ("investor_yulong", 403),
        ("county_gh", 404),
    ],
)
def test_only_the_agent_side_records_a_joint_event_within_its_scope(api, planned, fgw, zjj, who, status):
    response = api(who).post(f"/projects/{planned.project.code}/joint-events", new_event(planned, fgw, zjj))
    assert response.status_code == status, response.content
    assert JointEvent.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        event = JointEvent.objects.get()
        assert response.json()["id"] == event.pk
        assert sorted(task["item_code"] for task in response.json()["tasks"]) == ["ZJJ-SG", "ZJJ-XF"]
        [entry] = audit_rows(event.pk, "create")
        assert entry.actor.username == who
        assert entry.changes["tasks"] == ["ZJJ-SG", "ZJJ-XF"]
        assert entry.region_path == planned.project.region.path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"held_on": "2026-13-40"}, "held_on"),
        ({"departments": []}, "departments"),
        ({"departments": ["510681:fgw"]}, "departments"),
        ({"departments": ["nonsense"]}, "departments"),
        ({"participants": ["", "李科长"]}, "participants"),
        ({"location": "地" * 201}, "location"),
    ],
)
def test_a_wrong_event_is_422_on_its_field_and_nothing_is_recorded(api, planned, fgw, zjj, change, field):
    response = api("agent1").post(
        f"/projects/{planned.project.code}/joint-events", new_event(planned, fgw, zjj, **change)
    )
    assert fields(response) == {field}
    assert not JointEvent.objects.exists()
    assert not AuditEntry.objects.filter(object_type="approvals.jointevent").exists()


def test_a_task_of_another_project_is_not_linked(api, people, world, task_catalog, planned, fgw, zjj):
    from tests.approvals.conftest import plan_with_tasks

    other = plan_with_tasks(world["mianzhu"], task_catalog, people["leader"])
    for tasks in ([other.tasks["FGW-BA"].pk], [2**70]):
        body = new_event(planned, fgw, zjj, tasks=tasks)
        assert fields(api("leader").post(f"/projects/{planned.project.code}/joint-events", body)) == {"tasks"}
    assert not JointEvent.objects.exists()


# -- changing --------------------------------------------------------------------------------------


def test_findings_and_linked_tasks_are_changed_after_the_event_and_audited(api, planned, survey):
    response = api("agent1").patch(
        f"/joint-events/{survey.pk}",
        {"findings": "场地满足建设条件；需调整出入口位置。", "tasks": [planned.tasks["ZJJ-XF"].pk]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["findings"] == "场地满足建设条件；需调整出入口位置。"
    assert [task["item_code"] for task in response.json()["tasks"]] == ["ZJJ-XF"]
    survey.refresh_from_db()
    assert survey.location == "德阳经开区 项目用地"  # not sent, not changed
    [entry] = audit_rows(survey.pk, "update")
    assert entry.changes["tasks"] == [["ZJJ-SG"], ["ZJJ-XF"]]
    assert set(entry.changes) == {"findings", "tasks"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "acceptance"}, "kind"),
        ({"findings": None}, "findings"),
        ({"departments": []}, "departments"),
        ({"held_on": None}, "held_on"),
        ({"participants": ["  "]}, "participants"),
    ],
)
def test_a_wrong_change_is_422_on_its_field_and_changes_nothing(api, survey, change, field):
    assert fields(api("agent1").patch(f"/joint-events/{survey.pk}", change)) == {field}
    survey.refresh_from_db()
    assert (survey.kind, survey.held_on, survey.findings) == ("site_survey", D(2026, 2, 10), "")
    assert survey.departments.count() == 2
    assert not audit_rows(survey.pk, "update")


@pytest.mark.parametrize(
    ("who", "status"), [("agent2", 403), ("clerk_fgw", 403), ("investor_yulong", 403), ("county_gh", 404)]
)
def test_only_the_agent_side_changes_an_event_within_its_scope(api, survey, who, status):
    response = api(who).patch(f"/joint-events/{survey.pk}", {"findings": "无"})
    assert response.status_code == status, response.content
    survey.refresh_from_db()
    assert survey.findings == ""
    assert not audit_rows(survey.pk, "update")


# -- the list: pages, filters, queries --------------------------------------------------------------


def record_events(people, planned, fgw, count: int, kind: str = "acceptance") -> list[JointEvent]:
    return [
        task_services.record_joint_event(
            actor=people["leader"],
            project=planned.project,
            kind=kind,
            held_on=D(2026, 4, 1) + datetime.timedelta(days=n),
            departments=[fgw],
            participants=[f"参加人{n}"],
            tasks=[planned.tasks["FGW-BA"]],
        )
        for n in range(count)
    ]


def test_the_list_is_walked_page_by_page_with_the_cursor(api, people, planned, survey, fgw):
    recorded = record_events(people, planned, fgw, 4)
    path = f"/projects/{planned.project.code}/joint-events"
    seen, cursor, pages = [], None, 0
    while True:
        page = api("clerk_fgw").get(path, {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted([survey.pk, *(event.pk for event in recorded)], reverse=True)
    surveys = api("clerk_fgw").get(path, {"kind": "site_survey"}).json()["items"]
    assert [item["id"] for item in surveys] == [survey.pk]


def test_a_bad_cursor_kind_or_limit_is_422_on_that_parameter(api, planned, survey):
    path = f"/projects/{planned.project.code}/joint-events"
    assert fields(api("agent1").get(path, {"cursor": "abc"})) == {"cursor"}
    assert fields(api("agent1").get(path, {"kind": "party"})) == {"kind"}
    assert fields(api("agent1").get(path, {"limit": 0})) == {"limit"}
    assert api("agent1").get(path, {"cursor": str(2**70)}).json()["items"][0]["id"] == survey.pk


def test_the_list_costs_the_same_queries_whatever_its_length(
    api, client, people, planned, fgw, zjj, django_assert_num_queries
):
    caller = api("leader")
    path = f"/projects/{planned.project.code}/joint-events"
    record_events(people, planned, fgw, 1)
    caller.get(path)  # the token's first use is recorded once; count the calls after it
    with CaptureQueriesContext(connection) as few:
        assert len(caller.get(path).json()["items"]) == 1
    more = record_events(people, planned, zjj, 30, kind="site_survey")
    for event in more:
        event.tasks.add(planned.tasks["ZJJ-SG"], planned.tasks["ZJJ-XF"])
    with django_assert_num_queries(len(few)):
        items = caller.get(path, {"limit": 50}).json()["items"]
    assert len(items) == 31
    assert {department["ref"] for department in items[0]["departments"]} == {ref(zjj)}
