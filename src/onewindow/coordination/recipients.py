"""Who is told about a task, a problem or an action item, worked out for many objects at once.

Each function takes a queryset of the objects and answers ``{object id: {user ids}}`` with a fixed
number of queries, whatever the number of objects (the tick passes tens of thousands):

* an approval task: the project's agent and the window clerks who handle it (a clerk of a department
  with the task's department code, where the project involves that department: the clerk's queue);
* a problem: whoever raised it, the project's agent, the clerks of the responsible departments, and
  from level 2 the leaders of the project's region (a county's and the city's);
* an action item: its owner, else the clerks of its department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import QuerySet

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import ApprovalTask
from onewindow.coordination.models import ActionItem, Problem
from onewindow.projects.models import Project


def _clerks_by_department() -> dict[int, list[int]]:
    clerks: dict[int, list[int]] = defaultdict(list)
    rows = User.objects.filter(role=Role.CLERK, is_active=True, department__isnull=False).values_list(
        "pk", "department_id"
    )
    for user_id, department_id in rows:
        clerks[department_id].append(user_id)
    return clerks


def task_recipients(tasks: QuerySet[ApprovalTask]) -> dict[int, set[int]]:
    return {pk: users for pk, (users, _facts) in task_recipients_with(tasks, ()).items()}


def task_recipients_with(
    tasks: QuerySet[ApprovalTask], facts: Sequence[str]
) -> dict[int, tuple[set[int], tuple]]:
    """The people of each task, and the task's ``facts`` fields read in the same query."""
    rows = list(tasks.values_list("pk", "project_id", "project__agent_id", "department__code", *facts))
    if not rows:
        return {}
    # The departments each project involves, with their codes (one query for every project).
    involved: dict[tuple[int, str], list[int]] = defaultdict(list)
    links = Project.departments.through.objects.filter(project_id__in=tasks.values("project_id")).values_list(
        "project_id", "department_id", "department__code"
    )
    for project_id, department_id, code in links:
        involved[(project_id, code)].append(department_id)
    clerks = _clerks_by_department()
    result: dict[int, tuple[set[int], tuple]] = {}
    for task_id, project_id, agent_id, code, *values in rows:
        users = {agent_id} if agent_id else set()
        for department_id in involved.get((project_id, code), ()):
            users.update(clerks.get(department_id, ()))
        result[task_id] = (users, tuple(values))
    return result


def problem_recipients(problems: QuerySet[Problem]) -> dict[int, set[int]]:
    return {pk: users for pk, (users, _facts) in problem_recipients_with(problems, ()).items()}


def problem_recipients_with(
    problems: QuerySet[Problem], facts: Sequence[str]
) -> dict[int, tuple[set[int], tuple]]:
    """The people of each problem, and the problem's ``facts`` fields read in the same query."""
    rows = list(
        problems.values_list("pk", "raised_by_id", "project__agent_id", "level", "region_path", *facts)
    )
    if not rows:
        return {}
    responsible: dict[int, list[int]] = defaultdict(list)
    links = Problem.departments.through.objects.filter(problem_id__in=problems.values("pk")).values_list(
        "problem_id", "department_id"
    )
    for problem_id, department_id in links:
        responsible[problem_id].append(department_id)
    clerks = _clerks_by_department()
    leaders = list(
        User.objects.filter(role=Role.LEADER, is_active=True, region__isnull=False).values_list(
            "pk", "region__path"
        )
    )
    result: dict[int, tuple[set[int], tuple]] = {}
    for problem_id, raised_by_id, agent_id, level, path, *values in rows:
        users = {user_id for user_id in (raised_by_id, agent_id) if user_id}
        for department_id in responsible.get(problem_id, ()):
            users.update(clerks.get(department_id, ()))
        if level >= 2:
            users.update(user_id for user_id, leader_path in leaders if path.startswith(leader_path))
        result[problem_id] = (users, tuple(values))
    return result


def action_item_recipients(items: QuerySet[ActionItem]) -> dict[int, set[int]]:
    return {pk: users for pk, (users, _facts) in action_item_recipients_with(items, ()).items()}


def action_item_recipients_with(
    items: QuerySet[ActionItem], facts: Sequence[str]
) -> dict[int, tuple[set[int], tuple]]:
    """The people of each action item, and the item's ``facts`` fields read in the same query."""
    rows = list(items.values_list("pk", "owner_id", "department_id", *facts))
    if not rows:
        return {}
    clerks = _clerks_by_department()
    result: dict[int, tuple[set[int], tuple]] = {}
    for item_id, owner_id, department_id, *values in rows:
        users = {owner_id} if owner_id else set(clerks.get(department_id, ()))
        result[item_id] = (users, tuple(values))
    return result
