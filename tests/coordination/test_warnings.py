"""Yellow and red on working days, for approval tasks, problems and action items: the pure helper and
the SQL conditions give the same answer, and the boundaries fall on working days (the weekend and
National Day do not count)."""

import datetime

import pytest

from onewindow.approvals.models import ApprovalTask, TaskState
from onewindow.coordination import warnings
from onewindow.coordination.models import ActionItem, Problem
from onewindow.core.workdays import default_calendar
from tests.coordination.conftest import D


@pytest.mark.parametrize(
    ("due_on", "today", "expected"),
    [
        # Due Friday 16 October 2026: yellow from two working days before (Wednesday), still yellow on
        # the day and over the weekend, red on Monday morning.
        (D(2026, 10, 16), D(2026, 10, 13), ""),
        (D(2026, 10, 16), D(2026, 10, 14), "yellow"),
        (D(2026, 10, 16), D(2026, 10, 16), "yellow"),
        (D(2026, 10, 16), D(2026, 10, 17), "yellow"),
        (D(2026, 10, 16), D(2026, 10, 18), "yellow"),
        (D(2026, 10, 16), D(2026, 10, 19), "red"),
        # Due Wednesday 30 September, National Day follows: yellow through the holiday, red on 8 October.
        (D(2026, 9, 30), D(2026, 9, 28), "yellow"),
        (D(2026, 9, 30), D(2026, 10, 5), "yellow"),
        (D(2026, 9, 30), D(2026, 10, 8), "red"),
        # Due on the first working day after the holiday: already yellow on the last day before it.
        (D(2026, 10, 9), D(2026, 9, 30), "yellow"),
        (D(2026, 10, 10), D(2026, 9, 30), ""),
    ],
)
def test_the_warning_of_a_due_date_follows_the_working_days(due_on, today, expected):
    assert warnings.warning_for(due_on, today, calendar=default_calendar()) == expected


def test_the_sql_conditions_agree_with_the_helper_for_problems_and_action_items(raise_one, people, db):
    from onewindow.coordination import services

    problems = [raise_one(D(2026, 9, 1), title=f"难题 {n}") for n in range(6)]
    dues = [
        D(2026, 10, 13),
        D(2026, 10, 14),
        D(2026, 10, 16),
        D(2026, 10, 19),
        D(2026, 10, 9),
        D(2026, 11, 2),
    ]
    for problem, due_on in zip(problems, dues, strict=True):
        Problem.objects.filter(pk=problem.pk).update(due_on=due_on)
    meeting = services.schedule_meeting(
        actor=people["leader"],
        data=services.MeetingData(
            title="协调会",
            held_at=datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC),
            region=people["leader"].region,
            chair=people["leader"],
        ),
    )
    for due_on in dues:
        services.add_action_item(
            actor=people["leader"], meeting=meeting, description="落实", due_on=due_on, owner=people["agent1"]
        )
    today = D(2026, 10, 16)
    cut = warnings.cutoffs(today)
    for level in warnings.LEVELS:
        in_sql = set(
            Problem.objects.filter(warnings.problem_condition(level, cut)).values_list("due_on", flat=True)
        )
        by_helper = {due for due in dues if warnings.level_for(due, cut) == level}
        assert in_sql == by_helper
        items = set(
            ActionItem.objects.filter(warnings.action_item_condition(level, cut)).values_list(
                "due_on", flat=True
            )
        )
        assert items == by_helper
    assert {D(2026, 10, 13), D(2026, 10, 14), D(2026, 10, 9)} == {
        due for due in dues if warnings.level_for(due, cut) == "red"
    }


def test_a_resolved_problem_and_a_done_action_item_carry_no_warning(raise_one, people):
    from onewindow.coordination import services

    problem = raise_one(D(2026, 9, 1))
    services.resolve_problem(actor=people["agent1"], problem=problem, resolution="已解决", on=D(2026, 9, 2))
    cut = warnings.cutoffs(D(2026, 11, 20))
    assert not Problem.objects.filter(warnings.problem_condition("red", cut)).exists()


def test_tasks_are_red_from_their_stored_overdue_day_and_yellow_only_while_the_clock_runs(planned):
    task = planned.tasks["FGW-BA"]
    ApprovalTask.objects.filter(pk=task.pk).update(
        state=TaskState.ACCEPTED,
        accepted_on=D(2026, 10, 9),
        due_on=D(2026, 10, 16),
        overdue_since=D(2026, 10, 19),
    )
    for today, expected in [(D(2026, 10, 13), ""), (D(2026, 10, 14), "yellow"), (D(2026, 10, 19), "red")]:
        cut = warnings.cutoffs(today)
        task.refresh_from_db()
        assert warnings.task_level(task, cut) == expected
        for level in warnings.LEVELS:
            found = ApprovalTask.objects.filter(warnings.task_condition(level, cut), pk=task.pk).exists()
            assert found == (level == expected)
    # Paused for corrections before it was late: the applicant has the ball, no yellow.
    ApprovalTask.objects.filter(pk=task.pk).update(
        state=TaskState.CORRECTING, paused_since=D(2026, 10, 12), overdue_since=None
    )
    task.refresh_from_db()
    assert warnings.task_level(task, warnings.cutoffs(D(2026, 10, 15))) == ""
    assert not ApprovalTask.objects.filter(
        warnings.task_condition("yellow", warnings.cutoffs(D(2026, 10, 15)))
    ).exists()
