"""Joint events: site surveys (联合踏勘), joint drawing review (联合审图), joint acceptance (联合验收)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from onewindow.approvals import task_selectors, task_services
from onewindow.approvals.models import JointEvent
from onewindow.core.models import AuditEntry

D = datetime.date


@pytest.fixture
def survey(people, planned, fgw, zjj):
    return task_services.record_joint_event(
        actor=people["agent1"],
        project=planned.project,
        kind="site_survey",
        held_on=D(2026, 2, 10),
        departments=[fgw, zjj],
        participants=["市政务服务中心 王代办", "发改委 李科长", "住建局 张工", "业主 江苏玉龙钢管"],
        location="德阳经开区 项目用地",
        tasks=[planned.tasks["ZJJ-SG"], planned.tasks["ZJJ-XF"]],
    )


def test_a_joint_site_survey_is_recorded_with_its_departments_people_and_tasks(people, planned, survey):
    assert (survey.kind, survey.held_on, survey.location) == (
        "site_survey",
        D(2026, 2, 10),
        "德阳经开区 项目用地",
    )
    assert sorted(d.code for d in survey.departments.all()) == ["fgw", "zjj"]
    assert len(survey.participants) == 4
    assert sorted(t.item.code for t in survey.tasks.all()) == ["ZJJ-SG", "ZJJ-XF"]
    entry = AuditEntry.objects.get(object_type="approvals.jointevent", action="create")
    assert entry.changes["tasks"] == ["ZJJ-SG", "ZJJ-XF"] and entry.region_path == planned.project.region.path
    task = task_selectors.task_for(people["agent1"], planned.tasks["ZJJ-SG"].pk)
    assert list(task.joint_events.all()) == [survey]


def test_findings_are_added_after_the_event_and_the_change_is_audited(people, planned, survey):
    task_services.update_joint_event(
        actor=people["agent1"],
        event=survey,
        changes={"findings": "场地满足建设条件；需调整出入口位置。", "tasks": [planned.tasks["ZJJ-SG"]]},
    )
    survey.refresh_from_db()
    assert survey.findings.startswith("场地满足")
    assert [t.item.code for t in survey.tasks.all()] == ["ZJJ-SG"]
    entry = AuditEntry.objects.get(object_type="approvals.jointevent", action="update")
    assert entry.changes["tasks"] == [["ZJJ-SG", "ZJJ-XF"], ["ZJJ-SG"]]
    with pytest.raises(ValidationError):
        task_services.update_joint_event(actor=people["agent1"], event=survey, changes={"kind": "acceptance"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"departments": []}, "departments"),
        ({"participants": ["", "李科长"]}, "participants"),
        ({"held_on": None}, "held_on"),
    ],
)
def test_a_wrong_event_is_refused(people, planned, fgw, change, field):
    values = {
        "kind": "drawing_review",
        "held_on": D(2026, 3, 2),
        "departments": [fgw],
        "participants": ["王"],
    }
    with pytest.raises(ValidationError) as caught:
        task_services.record_joint_event(actor=people["agent1"], project=planned.project, **(values | change))
    assert field in caught.value.message_dict
    assert not JointEvent.objects.exists()


def test_only_tasks_of_the_same_project_are_linked(people, world, task_catalog, planned, fgw):
    from tests.approvals.conftest import plan_with_tasks

    other = plan_with_tasks(world["mianzhu"], task_catalog, people["leader"])
    with pytest.raises(ValidationError) as caught:
        task_services.record_joint_event(
            actor=people["agent1"],
            project=planned.project,
            kind="acceptance",
            held_on=D(2026, 3, 2),
            departments=[fgw],
            tasks=[other.tasks["FGW-BA"]],
        )
    assert "tasks" in caught.value.message_dict


@pytest.mark.parametrize("who", ["investor_yulong", "clerk_fgw", "agent2"])
def test_only_the_agent_side_records_joint_events(people, planned, fgw, who):
    with pytest.raises(PermissionDenied):
        task_services.record_joint_event(
            actor=people[who],
            project=planned.project,
            kind="site_survey",
            held_on=D(2026, 3, 2),
            departments=[fgw],
        )


def test_joint_events_are_read_in_scope(people, planned, survey, django_assert_num_queries):
    with django_assert_num_queries(4):  # visibility, the events, their departments, their tasks
        events = list(task_selectors.joint_events_for(people["investor_yulong"], planned.project))
        [(list(e.departments.all()), list(e.tasks.all())) for e in events]
    assert events == [survey]
    assert task_selectors.joint_event_for(people["leader"], survey.pk) == survey
    with pytest.raises(Http404):
        task_selectors.joint_events_for(people["county_gh"], planned.project)
    with pytest.raises(Http404):
        task_selectors.joint_event_for(people["county_gh"], survey.pk)
