"""The coordination services' rules: who may do what, what each refuses (naming the field, writing
nothing), and what they record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onewindow.coordination import services
from onewindow.coordination.models import Problem
from onewindow.core.models import AuditEntry
from onewindow.notifications.models import Notification
from tests.coordination.conftest import D


def test_raising_a_problem_tells_the_clerks_of_its_departments(raise_one, people):
    problem = raise_one(D(2026, 11, 2))
    assert Notification.objects.filter(
        user=people["clerk_fgw"], kind="problem_assigned", key=f"problem:{problem.pk}:assigned"
    ).exists()
    entry = AuditEntry.objects.get(object_type="coordination.problem", object_id=str(problem.pk))
    assert entry.changes["departments"] == [people["clerk_fgw"].department_id]


def test_an_escalation_beyond_the_city_needs_level_three_and_a_leader(raise_one, people):
    problem = raise_one(D(2026, 11, 2))
    with pytest.raises(PermissionDenied):
        services.record_beyond_city_escalation(
            actor=people["agent1"], problem=problem, on=D(2026, 11, 3), body="省生态环境厅"
        )
    with pytest.raises(ValidationError) as refused:
        services.record_beyond_city_escalation(
            actor=people["leader"], problem=problem, on=D(2026, 11, 3), body="省生态环境厅"
        )
    assert "level" in refused.value.message_dict
    services.escalate_problem(actor=people["agent1"], problem=problem, reason="一级未果", on=D(2026, 11, 3))
    services.escalate_problem(actor=people["leader"], problem=problem, reason="二级未果", on=D(2026, 11, 4))
    with pytest.raises(ValidationError) as refused:
        services.record_beyond_city_escalation(
            actor=people["leader"], problem=problem, on=D(2026, 11, 5), body=" "
        )
    assert "body" in refused.value.message_dict
    problem = services.record_beyond_city_escalation(
        actor=people["leader"], problem=problem, on=D(2026, 11, 5), body="省生态环境厅", note="请求认定"
    )
    assert (problem.beyond_city, problem.beyond_city_on, problem.beyond_city_body) == (
        True,
        D(2026, 11, 5),
        "省生态环境厅",
    )


def test_a_manual_escalation_is_dated_and_restarts_the_clock_of_the_new_level(raise_one, people):
    problem = raise_one(D(2026, 9, 22))
    problem = services.escalate_problem(
        actor=people["agent1"], problem=problem, reason="协调未果", on=D(2026, 9, 29)
    )
    # Level 2 has five working days from Tuesday 29 September: 30 September, then 8, 9, 10 (a make-up
    # Saturday) and 12 October.
    assert (problem.level, problem.level_started_on, problem.due_on) == (2, D(2026, 9, 29), D(2026, 10, 12))
    with pytest.raises(ValidationError) as refused:
        services.escalate_problem(actor=people["leader"], problem=problem, reason="再报", on=D(2026, 9, 28))
    assert "on" in refused.value.message_dict


def test_closing_needs_a_resolution_and_reopening_starts_the_level_again(raise_one, people):
    problem = raise_one(D(2026, 11, 2))
    with pytest.raises(ValidationError) as refused:
        services.close_problem(actor=people["agent1"], problem=problem)
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.resolve_problem(actor=people["agent1"], problem=problem, resolution="")
    assert "resolution" in refused.value.message_dict
    assert Problem.objects.get(pk=problem.pk).status == "open"
    services.resolve_problem(actor=people["agent1"], problem=problem, resolution="已解决", on=D(2026, 11, 3))
    problem = services.close_problem(actor=people["agent1"], problem=problem)
    assert problem.status == "closed"
    with pytest.raises(ValidationError) as refused:
        services.reopen_problem(actor=people["agent1"], problem=problem, reason="")
    assert "reason" in refused.value.message_dict
    problem = services.reopen_problem(actor=people["agent1"], problem=problem, reason="问题反复")
    assert (problem.status, problem.resolved_on, problem.resolution) == ("in_progress", None, "")
    assert problem.due_on > problem.level_started_on


def test_a_clerk_starts_work_on_their_department_s_problem_but_cannot_reassign_it(raise_one, people, zjj):
    problem = raise_one(D(2026, 11, 2))
    with pytest.raises(PermissionDenied):
        services.start_problem(actor=people["clerk_fgw"], problem=problem, departments=[zjj])
    problem = services.start_problem(actor=people["clerk_fgw"], problem=problem)
    assert problem.status == "in_progress"
    other = raise_one(D(2026, 11, 2), title="住建的难题", departments=[zjj])
    with pytest.raises(PermissionDenied):
        services.start_problem(actor=people["clerk_fgw"], problem=other)


def test_investors_and_clerks_cannot_raise_problems(people, world):
    for role in ("investor_yulong", "clerk_fgw"):
        with pytest.raises(PermissionDenied):
            services.raise_problem(
                actor=people[role], project=world["city"], title="x", description="y", category="other"
            )
    assert not Problem.objects.exists()


def test_a_bad_category_and_a_future_day_are_refused_by_name(people, world):
    with pytest.raises(ValidationError) as refused:
        services.raise_problem(
            actor=people["agent1"],
            project=world["city"],
            title="难题",
            description="说明",
            category="weather",
            raised_on=D(2099, 1, 1),
        )
    assert {"category", "raised_on"} <= set(refused.value.message_dict)
    assert not Problem.objects.exists()
