"""Problems climb the three levels on their own when a level's deadline passes on working days: the
statutory calendar counts, National Day 2026 (1–7 October) included, and nothing moves a moment early."""

import pytest
from django.core.management import call_command

from onewindow.coordination import services
from onewindow.coordination.models import Problem, ProblemEscalation, Supervision
from onewindow.coordination.tick import run_tick
from onewindow.core.models import AuditEntry
from tests.coordination.conftest import D, moment

# Raised Tuesday 22 September 2026. Level 1 has 5 working days: 23, 24, 28, 29, 30 September (the 25th
# is the Mid-Autumn holiday), so it is due 30 September; National Day follows (1–7 October) and the
# first working day after the deadline is Thursday 8 October. Level 2 then runs 9, 10 (a make-up
# Saturday), 12, 13, 14 October; level 3 starts Thursday 15 October and is due 29 October.


def test_a_problem_is_due_five_working_days_after_it_is_raised(raise_one):
    problem = raise_one(D(2026, 9, 22))
    assert (problem.level, problem.level_started_on, problem.due_on) == (1, D(2026, 9, 22), D(2026, 9, 30))


def test_a_problem_stays_at_level_one_through_the_national_day_holiday(raise_one):
    problem = raise_one(D(2026, 9, 22))
    for at in (moment(2026, 9, 30, 23, 59), moment(2026, 10, 1, 9), moment(2026, 10, 7, 23, 59)):
        assert run_tick(at=at).escalations == 0
    problem.refresh_from_db()
    assert problem.level == 1


def test_a_problem_moves_one_to_two_to_three_exactly_when_its_deadlines_pass(raise_one):
    problem = raise_one(D(2026, 9, 22))

    assert run_tick(at=moment(2026, 10, 8, 0, 0)).escalations == 1
    problem.refresh_from_db()
    assert (problem.level, problem.level_started_on, problem.due_on) == (2, D(2026, 10, 8), D(2026, 10, 14))

    assert run_tick(at=moment(2026, 10, 14, 23, 59)).escalations == 0
    problem.refresh_from_db()
    assert problem.level == 2

    assert run_tick(at=moment(2026, 10, 15, 0, 1)).escalations == 1
    problem.refresh_from_db()
    assert (problem.level, problem.level_started_on, problem.due_on) == (3, D(2026, 10, 15), D(2026, 10, 29))
    history = list(problem.escalations.values_list("from_level", "to_level", "on", "automatic", "by"))
    assert history == [(1, 2, D(2026, 10, 8), True, None), (2, 3, D(2026, 10, 15), True, None)]
    supervision = Supervision.objects.get(problem=problem)
    assert (supervision.number, supervision.issued_on) == (f"DB-{problem.pk}", D(2026, 10, 15))

    # Level 3 is the top: a later tick leaves it there (it is red instead).
    report = run_tick(at=moment(2026, 11, 20, 9))
    assert report.escalations == 0
    assert report.problems_red == 1
    problem.refresh_from_db()
    assert problem.level == 3


def test_a_problem_two_deadlines_late_climbs_two_levels_in_one_tick_each_step_dated(raise_one):
    problem = raise_one(D(2026, 9, 22))
    report = run_tick(at=moment(2026, 10, 20, 10))
    assert (report.escalations, report.problems_escalated) == (2, 1)
    problem.refresh_from_db()
    assert (problem.level, problem.due_on) == (3, D(2026, 10, 29))
    assert list(problem.escalations.values_list("to_level", "on")) == [
        (2, D(2026, 10, 8)),
        (3, D(2026, 10, 15)),
    ]
    entries = AuditEntry.objects.filter(
        object_type="coordination.problem", object_id=str(problem.pk), action="transition"
    )
    assert sorted(entry.changes["level"] for entry in entries) == [[1, 2], [2, 3]]


def test_resolved_and_closed_problems_never_escalate(raise_one, people):
    resolved = raise_one(D(2026, 9, 22), title="已解决")
    services.resolve_problem(
        actor=people["agent1"], problem=resolved, resolution="已落实用地指标", on=D(2026, 9, 29)
    )
    closed = raise_one(D(2026, 9, 22), title="已关闭")
    services.resolve_problem(actor=people["agent1"], problem=closed, resolution="已协调", on=D(2026, 9, 29))
    services.close_problem(actor=people["agent1"], problem=closed)
    assert run_tick(at=moment(2026, 11, 20, 9)).escalations == 0
    assert set(Problem.objects.values_list("level", flat=True)) == {1}
    assert ProblemEscalation.objects.count() == 0


def test_the_same_moment_twice_changes_nothing_the_second_time(raise_one, people):
    raise_one(D(2026, 9, 22))
    raise_one(D(2026, 10, 12), title="供电线路迁改")
    first = run_tick(at=moment(2026, 10, 20, 10))
    assert first.escalations == 3
    assert first.changed
    counts = (ProblemEscalation.objects.count(), AuditEntry.objects.count())
    second = run_tick(at=moment(2026, 10, 20, 10))
    assert (second.escalations, second.notifications, second.changed) == (0, 0, False)
    assert (ProblemEscalation.objects.count(), AuditEntry.objects.count()) == counts


def test_the_tick_command_escalates_as_of_the_given_moment(raise_one, capsys):
    problem = raise_one(D(2026, 9, 22))
    call_command("tick", at="2026-10-07T23:59:00+08:00")
    problem.refresh_from_db()
    assert problem.level == 1
    call_command("tick", at="2026-10-08T08:00")
    problem.refresh_from_db()
    assert problem.level == 2
    assert "Escalations: 1" in capsys.readouterr().out


def test_the_tick_command_refuses_a_moment_it_cannot_read_with_exit_code_two(capsys):
    with pytest.raises(SystemExit) as stopped:
        call_command("tick", at="next tuesday")
    assert stopped.value.code == 2
    assert "--at" in capsys.readouterr().err


def test_the_tick_command_prints_json(raise_one, capsys):
    import json

    raise_one(D(2026, 9, 22))
    call_command("tick", at="2026-10-15T09:00+08:00", json=True)
    report = json.loads(capsys.readouterr().out)
    assert report["escalations"] == 2
    assert report["today"] == "2026-10-15"


def test_escalation_is_set_based_its_queries_do_not_grow_with_the_problems(
    raise_one, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int, day) -> int:
        for number in range(count):
            raise_one(day, title=f"难题 {number}")
        with CaptureQueriesContext(connection) as captured:
            services.escalate_overdue_problems(at=moment(2026, 11, 20, 9))
        return len(captured)

    few = queries_for(2, D(2026, 9, 22))
    many = queries_for(40, D(2026, 9, 22))
    assert few == many


def test_a_manual_escalation_needs_a_reason_and_writes_nothing_without_one(raise_one, people):
    from django.core.exceptions import ValidationError

    problem = raise_one(D(2026, 9, 22))
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.escalate_problem(actor=people["agent1"], problem=problem, reason="  ")
    assert "reason" in refused.value.message_dict
    problem.refresh_from_db()
    assert problem.level == 1
    assert ProblemEscalation.objects.count() == 0
    assert AuditEntry.objects.count() == before
