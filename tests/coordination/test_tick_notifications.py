"""The tick tells the right people, once: a task's agent and its department's window clerks; a
problem's raiser, agent and responsible clerks, and from level 2 the leaders of its region; an action
item's owner. Running it again for the same moment stores nothing new, and the run is audited once."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.approvals.models import ApprovalTask, TaskState
from onewindow.coordination import services
from onewindow.coordination.models import Problem, TickRun
from onewindow.coordination.tick import run_tick
from onewindow.core.models import AuditEntry
from onewindow.notifications.models import Notification
from tests.coordination.conftest import D, moment
from tests.factories import ProjectFactory


def _kinds(user) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(user=user).values_list("kind", "key"))


def test_a_red_task_warns_its_agent_and_the_clerks_of_its_department_only(planned, people, clerks):
    task = planned.tasks["FGW-BA"]
    ApprovalTask.objects.filter(pk=task.pk).update(
        state=TaskState.ACCEPTED,
        accepted_on=D(2026, 10, 9),
        due_on=D(2026, 10, 16),
        overdue_since=D(2026, 10, 19),
    )
    report = run_tick(at=moment(2026, 10, 19, 7))
    assert (report.tasks_red, report.tasks_yellow) == (1, 0)
    key = f"task:{task.pk}:red:2026-10-16"
    assert ("task_red", key) in _kinds(people["agent1"])
    assert ("task_red", key) in _kinds(clerks["fgw"])
    # 住建's clerk and 广汉's 发改 clerk (same code, but the project does not involve that department).
    assert not _kinds(clerks["zjj"])
    assert not _kinds(clerks["fgw_gh"])
    assert not _kinds(people["leader"])


def test_problem_warnings_reach_leaders_only_from_level_two(raise_one, people):
    problem = raise_one(D(2026, 9, 22))  # level 1 due 30 September
    run_tick(at=moment(2026, 9, 29, 7))
    yellow = f"problem:{problem.pk}:1:yellow:2026-09-30"
    assert ("problem_yellow", yellow) in _kinds(people["agent1"])
    assert ("problem_yellow", yellow) in _kinds(people["clerk_fgw"])
    assert not _kinds(people["leader"])

    run_tick(at=moment(2026, 10, 8, 7))  # escalated to level 2
    escalated = f"problem:{problem.pk}:level:2"
    assert ("problem_escalated", escalated) in _kinds(people["leader"])
    assert ("problem_escalated", escalated) in _kinds(people["agent1"])
    # A county leader of 广汉 does not hear about a city project.
    assert not _kinds(people["county_leader_gh"])


def test_a_county_problem_at_level_two_reaches_the_county_and_the_city_leaders(people, world):
    problem = services.raise_problem(
        actor=people["county_gh"],
        project=world["guanghan"],
        title="污水管网接入",
        description="园区污水管网尚未建成。",
        category="utilities",
        raised_on=D(2026, 9, 22),
    )
    run_tick(at=moment(2026, 10, 8, 7))
    key = f"problem:{problem.pk}:level:2"
    for name in ("county_leader_gh", "leader", "county_gh"):
        assert ("problem_escalated", key) in _kinds(people[name])
    assert not _kinds(people["agent2"])


def test_an_action_item_warns_its_owner(people, world):
    meeting = services.schedule_meeting(
        actor=people["leader"],
        data=services.MeetingData(
            title="联席会议",
            held_at=datetime.datetime(2026, 10, 9, 9, tzinfo=datetime.UTC),
            region=people["leader"].region,
            chair=people["leader"],
        ),
    )
    item = services.add_action_item(
        actor=people["leader"],
        meeting=meeting,
        description="提交用地报件",
        due_on=D(2026, 10, 16),
        owner=people["agent2"],
    )
    report = run_tick(at=moment(2026, 10, 15, 9))
    assert report.actions_yellow == 1
    assert ("action_yellow", f"action:{item.pk}:yellow:2026-10-16") in _kinds(people["agent2"])
    run_tick(at=moment(2026, 10, 19, 9))
    assert ("action_red", f"action:{item.pk}:red:2026-10-16") in _kinds(people["agent2"])


def test_a_second_tick_for_the_same_moment_stores_nothing_and_the_run_is_audited_once(raise_one, people):
    raise_one(D(2026, 9, 22))
    first = run_tick(at=moment(2026, 10, 20, 9))
    assert first.notifications > 0
    assert TickRun.objects.count() == 1
    run_entries = AuditEntry.objects.filter(object_type="coordination.tickrun")
    assert run_entries.count() == 1
    assert run_entries.get().changes["escalations"] == 2
    notifications = Notification.objects.count()
    second = run_tick(at=moment(2026, 10, 20, 9))
    assert (second.notifications, second.escalations, second.digests) == (0, 0, 0)
    assert Notification.objects.count() == notifications
    assert TickRun.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="coordination.tickrun").count() == 1


def test_the_tick_costs_the_same_queries_for_few_and_many_objects(people, world, fgw, city):
    def make(count: int, first: int) -> None:
        for number in range(first, first + count):
            project = ProjectFactory(name=f"项目 {number}", region=city, agent=people["agent1"])
            project.departments.add(fgw)
            services.raise_problem(
                actor=people["agent1"],
                project=project,
                title=f"难题 {number}",
                description="说明",
                category="other",
                departments=[fgw],
                raised_on=D(2026, 9, 22),
            )

    def queries(at) -> int:
        with CaptureQueriesContext(connection) as captured:
            run_tick(at=at)
        return len(captured)

    make(2, 0)
    few = queries(moment(2026, 10, 20, 7))
    make(30, 100)
    Problem.objects.update(level=1, due_on=D(2026, 9, 30), level_started_on=D(2026, 9, 22))
    Problem.escalations.rel.related_model.objects.all().delete()
    from onewindow.coordination.models import Supervision

    Supervision.objects.all().delete()
    many = queries(moment(2026, 10, 21, 7))
    assert many == few
