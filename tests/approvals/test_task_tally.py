"""The task tallies stay equal to a recount of the tasks under any sequence of the services' writes:
every task action, a refused action, a project moving region, a holiday notice moving due dates, and
a project deleted with its tasks."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onewindow.analytics import dashboard
from onewindow.approvals import services, task_services, transitions
from onewindow.approvals import tally as task_tally
from onewindow.approvals.models import ApprovalTask, ProjectYearSpeedup, TaskState, TaskYearTally
from onewindow.projects import services as project_services
from onewindow.projects.models import Project
from tests.approvals.conftest import plan_with_tasks

D = datetime.date
ACTIONS = ("prepare", "accept", "correct", "resubmit", "approve", "refuse", "withdraw", "extend")
# The state machine's name of each action above (an extension keeps the task accepted or correcting).
SERVICE_ACTION = {name: name for name in ACTIONS} | {"correct": "request_correction", "extend": "resubmit"}


def _window(clerks: dict, task: ApprovalTask):
    return clerks["zjj"] if task.item.code.startswith("ZJJ") else clerks["fgw"]


def _act(rng: random.Random, action: str, task: ApprovalTask, on: datetime.date, agent, clerks) -> None:
    window = _window(clerks, task)
    if action == "prepare":
        task_services.start_preparing(actor=agent, task=task, on=on)
    elif action == "accept":
        task_services.accept_task(actor=window, task=task, on=on)
    elif action == "correct":
        task_services.request_correction(actor=window, task=task, on=on, requested="补充图纸")
    elif action == "resubmit":
        task_services.resubmit_corrections(actor=agent, task=task, on=on)
    elif action in ("approve", "refuse"):
        task_services.decide_task(
            actor=window,
            task=task,
            on=on,
            outcome=action,
            document_number=f"德审〔{on.year}〕{rng.randrange(1, 99)}号",
        )
    elif action == "withdraw":
        task_services.withdraw_task(actor=agent, task=task, on=on, reason="投资方调整方案")
    else:
        task_services.extend_task(actor=window, task=task, workdays=rng.randrange(1, 10), reason="专家评审")


def _assert_tallies_equal_a_recount() -> None:
    assert task_tally.stored() == task_tally.recount()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_task_tallies_equal_a_recount_after_every_service_write(
    seed, people, world, task_catalog, clerks, zjj, city, guanghan
):
    rng = random.Random(seed)
    world["city"].departments.add(zjj)
    planned = [plan_with_tasks(world["city"], task_catalog, people["agent1"])]
    second = Project.objects.create(
        **{
            field.name: getattr(world["city"], field.name)
            for field in Project._meta.concrete_fields
            if field.name not in ("id", "code", "name", "created_at", "updated_at")
        },
        code=f"2012-510600-{seed:02d}-01-000777",
        name="第二个项目",
    )
    second.departments.add(zjj, *world["city"].departments.all())
    planned.append(plan_with_tasks(second, task_catalog, people["agent1"]))
    tasks = [task for plan in planned for task in plan.tasks.values()]
    day = D(2024, 11, 4)
    refused = 0
    for _step in range(60):
        day = min(day + datetime.timedelta(days=rng.choice((0, 1, 3, 12, 40, 90))), timezone.localdate())
        task = ApprovalTask.objects.get(pk=rng.choice(tasks).pk)
        try:
            # Mostly an action the state allows, sometimes any (which the service refuses).
            allowed = [
                name for name in ACTIONS if task.state in transitions.ACTIONS[SERVICE_ACTION[name]].sources
            ]
            choices = allowed if allowed and rng.random() < 0.85 else ACTIONS
            # Withdrawal ends a task for good: rarely, so that most tasks get decided.
            action = rng.choices(choices, weights=[1 if name == "withdraw" else 8 for name in choices])[0]
            _act(rng, action, task, day, people["agent1"], clerks)
        except (ValidationError, PermissionDenied):
            refused += 1  # refused actions must leave the tallies as they were, too
        if rng.random() < 0.1:
            project = Project.objects.get(pk=world["city"].pk)
            project_services.update_project(
                actor=people["agent1"],
                project=project,
                expected_version=project.version,
                changes=(
                    {"region": guanghan, "level": "county"}
                    if project.region_id == city.pk
                    else {"region": city, "level": "city"}
                ),
            )
        _assert_tallies_equal_a_recount()
    assert refused < 60
    assert TaskYearTally.objects.filter(tasks__gt=0).exists()


def test_a_holiday_notice_that_moves_due_dates_moves_the_lateness_counted(people, planned, clerks):
    task = planned.tasks["FGW-BA"]
    task_services.start_preparing(actor=people["agent1"], task=task, on=D(2026, 9, 25))
    task_services.accept_task(actor=clerks["fgw"], task=task, on=D(2026, 9, 28))
    due_before = ApprovalTask.objects.get(pk=task.pk).due_on
    task_services.decide_task(
        actor=clerks["fgw"],
        task=task,
        on=due_before - datetime.timedelta(days=2),
        outcome="approve",
        document_number="德审〔2026〕5号",
    )
    assert list(TaskYearTally.objects.filter(tasks__gt=0).values_list("late", flat=True)) == [False]
    # A notice for 2026 without the National Day holiday brings the due date before the decision.
    services.save_calendar_notice(
        actor=people["admin"],
        year=2026,
        document="国办发明电〔2026〕99号",
        holidays=[D(2026, 1, 1)],
        workdays=[],
    )
    assert ApprovalTask.objects.get(pk=task.pk).due_on < due_before - datetime.timedelta(days=2)
    assert list(TaskYearTally.objects.filter(tasks__gt=0).values_list("late", flat=True)) == [True]
    _assert_tallies_equal_a_recount()


def test_deleting_a_project_takes_its_tasks_out_of_the_tallies(people, planned, clerks):
    for code, clerk in (("FGW-BA", "fgw"), ("ZJJ-SG", "zjj")):
        task_services.start_preparing(actor=people["agent1"], task=planned.tasks[code], on=D(2026, 2, 2))
        task_services.accept_task(actor=clerks[clerk], task=planned.tasks[code], on=D(2026, 2, 2))
        task_services.decide_task(
            actor=clerks[clerk],
            task=planned.tasks[code],
            on=D(2026, 2, 27),
            outcome="approve",
            document_number="德审〔2026〕3号",
        )
    assert ProjectYearSpeedup.objects.filter(project=planned.project, year=2026).exists()
    assert sum(TaskYearTally.objects.values_list("tasks", flat=True)) == 2
    Project.objects.get(pk=planned.project.pk).delete()
    assert sum(TaskYearTally.objects.values_list("tasks", flat=True)) == 0
    assert not ProjectYearSpeedup.objects.exists()
    _assert_tallies_equal_a_recount()


def test_rebuild_restores_tallies_that_were_written_around(people, planned, clerks):
    task_services.start_preparing(actor=people["agent1"], task=planned.tasks["FGW-BA"], on=D(2026, 2, 2))
    task_services.accept_task(actor=clerks["fgw"], task=planned.tasks["FGW-BA"], on=D(2026, 2, 2))
    # A queryset update sends no signals: the tallies fall behind until they are rebuilt.
    ApprovalTask.objects.filter(pk=planned.tasks["FGW-BA"].pk).update(
        state=TaskState.APPROVED, decided_on=D(2026, 2, 20), decision_document="德审〔2026〕4号"
    )
    assert task_tally.stored() != task_tally.recount()
    assert task_tally.rebuild() == 1
    _assert_tallies_equal_a_recount()
    scope = dashboard.scope_for(people["leader"])
    from_tallies, recounted = (
        dashboard._approvals_from_tallies(scope, 2026),
        dashboard.recounted_approvals(scope, 2026),
    )
    assert dashboard._efficiency(scope, 2026, from_tallies) == dashboard._efficiency(scope, 2026, recounted)
    assert dashboard._bottlenecks(2026, from_tallies, 10) == dashboard._bottlenecks(2026, recounted, 10)


@pytest.mark.parametrize(
    ("due_on", "first_late_year"),
    [(None, 0), (D(2026, 5, 6), 2026), (D(2026, 12, 30), 2026), (D(2026, 12, 31), 2027)],
)
def test_a_task_open_at_a_years_end_is_late_from_the_year_its_due_date_falls_before_that_end(
    due_on, first_late_year
):
    assert task_tally.late_from_year(due_on) == first_late_year
