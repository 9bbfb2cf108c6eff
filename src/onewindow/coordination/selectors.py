"""Reads of problems, meetings and action items, scoped by the user, and the answers to "may this
person do that?" for coordination.

Who sees what:

* investors and the anonymous: nothing (coordination is internal);
* administrators and the city's staff (``sees_everything``): everything;
* window clerks: the problems their department is responsible for, the meetings their department
  attends, and the action items of their department or owned by them;
* county staff, county leaders and agents of a county: what belongs to their region and below.

Who does what: agents, county staff, leaders and administrators raise problems and work them;
clerks of a responsible department start and resolve them; only leaders (and administrators) move a
problem to level 3 and record an escalation beyond the city; meetings are organised by the centre's
staff and chaired by a leader. Outside the scope an object answers 404, outside the role 403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import INTAKE_ROLES, STAFF_ROLES, has_role, region_path, sees_everything
from onewindow.coordination import warnings
from onewindow.coordination.models import (
    ACTIVE_PROBLEM_STATES,
    ActionItem,
    ActionStatus,
    Meeting,
    Problem,
    ProblemEscalation,
)
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects

# Raise problems, work them, organise meetings and hand out action items.
COORDINATION_ROLES = INTAKE_ROLES
# Move a problem to the city government (level 3), record an escalation beyond the city, chair.
LEADER_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def _staff(user: User) -> bool:
    return has_role(user, STAFF_ROLES)


def require_coordination_access(user: User) -> None:
    """Investors and the public have no coordination pages at all (403)."""
    if not _staff(user):
        raise PermissionDenied


# -- scope ---------------------------------------------------------------------------------------


def visible_problems(user: User) -> QuerySet[Problem]:
    problems = Problem.objects.all()
    if not _staff(user):
        return problems.none()
    if sees_everything(user):
        return problems
    if user.role == Role.CLERK:
        if user.department_id is None:
            return problems.none()
        return problems.filter(
            pk__in=Problem.departments.through.objects.filter(department_id=user.department_id).values(
                "problem_id"
            )
        )
    scope = region_path(user)
    return problems.filter(region_path__startswith=scope) if scope else problems.none()


def visible_meetings(user: User) -> QuerySet[Meeting]:
    meetings = Meeting.objects.all()
    if not _staff(user):
        return meetings.none()
    if sees_everything(user):
        return meetings
    attended = Meeting.attendees.through.objects.filter(user_id=user.pk).values("meeting_id")
    if user.role == Role.CLERK:
        departments = Meeting.departments.through.objects.filter(department_id=user.department_id)
        return meetings.filter(Q(pk__in=departments.values("meeting_id")) | Q(pk__in=attended))
    scope = region_path(user)
    if not scope:
        return meetings.filter(pk__in=attended)
    return meetings.filter(Q(region_path__startswith=scope) | Q(pk__in=attended))


def visible_action_items(user: User) -> QuerySet[ActionItem]:
    items = ActionItem.objects.all()
    if not _staff(user):
        return items.none()
    if sees_everything(user):
        return items
    if user.role == Role.CLERK:
        return items.filter(Q(owner=user) | Q(department=user.department_id))
    scope = region_path(user)
    if not scope:
        return items.filter(owner=user)
    return items.filter(Q(region_path__startswith=scope) | Q(owner=user))


def problem_for(user: User, problem_id) -> Problem:
    """One visible problem with what its page shows, or 404."""
    try:
        return (
            visible_problems(user)
            .select_related("project__region", "project__agent", "raised_by", "supervision")
            .prefetch_related(
                "departments__region",
                "tasks__item",
                Prefetch(
                    "escalations",
                    queryset=ProblemEscalation.objects.select_related("by").order_by("on", "to_level"),
                ),
                Prefetch(
                    "action_items",
                    queryset=ActionItem.objects.select_related("owner", "department", "meeting"),
                ),
                Prefetch("meetings", queryset=Meeting.objects.order_by("-held_at")),
            )
            .get(pk=problem_id)
        )
    except (Problem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def meeting_for(user: User, meeting_id) -> Meeting:
    try:
        return (
            visible_meetings(user)
            .select_related("region", "chair", "created_by")
            .prefetch_related(
                "departments",
                "attendees",
                Prefetch("problems", queryset=Problem.objects.select_related("project")),
                Prefetch(
                    "action_items",
                    queryset=ActionItem.objects.select_related("owner", "department", "problem").order_by(
                        "due_on", "id"
                    ),
                ),
            )
            .get(pk=meeting_id)
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def action_item_for(user: User, item_id) -> ActionItem:
    try:
        return (
            visible_action_items(user)
            .select_related("meeting", "owner", "department", "problem")
            .get(pk=item_id)
        )
    except (ActionItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_for_problem(user: User, project_id) -> Project:
    """The project a new problem is raised on: visible to the user (404), and the user may raise (403)."""
    require_coordination_access(user)
    try:
        project = visible_projects(user).select_related("region", "agent").get(pk=project_id)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_raise(user):
        raise PermissionDenied
    return project


def problems_of_project(user: User, project: Project) -> QuerySet[Problem]:
    return visible_problems(user).filter(project=project).order_by("-raised_on", "-id")


# -- roles ---------------------------------------------------------------------------------------


def may_raise(user: User) -> bool:
    return has_role(user, COORDINATION_ROLES)


def is_responsible_clerk(user: User, problem: Problem) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.CLERK
        and user.department_id is not None
        and any(department.pk == user.department_id for department in problem.departments.all())
    )


def may_work_on(user: User, problem: Problem) -> bool:
    """Start, assign, resolve: the centre's staff, and the clerks of a responsible department."""
    return has_role(user, COORDINATION_ROLES) or is_responsible_clerk(user, problem)


def may_escalate(user: User, problem: Problem) -> bool:
    if not problem.is_active or problem.level >= 3:
        return False
    if problem.level == 2:
        return has_role(user, LEADER_ROLES)
    return has_role(user, COORDINATION_ROLES)


def may_lead(user: User) -> bool:
    return has_role(user, LEADER_ROLES)


def may_organise_meetings(user: User) -> bool:
    return has_role(user, COORDINATION_ROLES)


def may_complete(user: User, item: ActionItem) -> bool:
    if item.status != ActionStatus.OPEN:
        return False
    if item.owner_id is not None and item.owner_id == user.pk:
        return True
    if (
        user.role == Role.CLERK
        and item.department_id is not None
        and item.department_id == user.department_id
    ):
        return True
    return has_role(user, COORDINATION_ROLES)


# -- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemFilters:
    """``status``: a status, ``"active"`` (open or in progress) or empty for all; ``warning``: yellow or
    red; ``region``: a region code (that region and below); ``department``: a department id."""

    status: str = ""
    level: int | None = None
    category: str = ""
    region: str = ""
    warning: str = ""
    department: int | None = None
    mine: bool = False
    q: str = ""
    project: str = ""
    today: datetime.date | None = None


def problem_list(user: User, filters: ProblemFilters | None = None) -> QuerySet[Problem]:
    """The problems the user may see, filtered, the soonest deadline first (resolved and closed last).
    Joins and prefetches what the list shows: a page costs the same queries whatever its size."""
    require_coordination_access(user)
    filters = filters or ProblemFilters()
    problems = (
        visible_problems(user)
        .select_related("project__region", "raised_by")
        .prefetch_related("departments__region")
    )
    if filters.status == "active":
        problems = problems.filter(status__in=ACTIVE_PROBLEM_STATES)
    elif filters.status:
        problems = problems.filter(status=filters.status)
    if filters.level:
        problems = problems.filter(level=filters.level)
    if filters.category:
        problems = problems.filter(category=filters.category)
    if filters.region:
        problems = problems.filter(region_path__contains=f"{filters.region}/")
    if filters.department:
        problems = problems.filter(
            pk__in=Problem.departments.through.objects.filter(department_id=filters.department).values(
                "problem_id"
            )
        )
    if filters.warning in warnings.LEVELS:
        cut = warnings.cutoffs(filters.today or timezone.localdate())
        problems = problems.filter(warnings.problem_condition(filters.warning, cut))
    if filters.project:
        problems = problems.filter(project__code=filters.project.strip().upper())
    if filters.mine:
        problems = problems.filter(Q(raised_by=user) | Q(project__agent=user))
    if filters.q.strip():
        term = filters.q.strip()
        problems = problems.filter(
            Q(title__icontains=term)
            | Q(project__name__icontains=term)
            | Q(project__code__icontains=term.upper())
        )
    return _active_first(problems)


def _active_first(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    rank = Case(
        When(status__in=ACTIVE_PROBLEM_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return problems.annotate(active_rank=rank).order_by("active_rank", "due_on", "id")


def with_warnings(
    rows, *, today: datetime.date | None = None, attribute: str = "due_on", active=None
) -> list:
    """The rows of a page, each with its ``warning`` (the calendar is read once for the page)."""
    cut = warnings.cutoffs(today or timezone.localdate())
    rows = list(rows)
    for row in rows:
        is_active = row.is_active if active is None else active(row)
        row.warning = warnings.level_for(getattr(row, attribute), cut) if is_active else warnings.NONE
    return rows


def waiting_for_leader(user: User) -> QuerySet[Problem]:
    """Problems waiting at a leader's level: a city leader sees levels 2 and 3 city-wide, a county
    leader level 2 and above in their region; others nothing."""
    if not has_role(user, LEADER_ROLES):
        return Problem.objects.none()
    return problem_list(user, ProblemFilters(status="active")).filter(level__gte=2)


def my_open_problems(user: User) -> QuerySet[Problem]:
    """An agent's (or anyone's) open problems: those they raised or on projects they are agent of."""
    return problem_list(user, ProblemFilters(status="active", mine=True))


def my_open_action_items(user: User) -> QuerySet[ActionItem]:
    """Action items the user owns, or (a clerk) their department owns, still open, soonest first."""
    items = visible_action_items(user).filter(status=ActionStatus.OPEN)
    mine = Q(owner=user)
    if user.role == Role.CLERK and user.department_id:
        mine |= Q(department=user.department_id)
    return (
        items.filter(mine)
        .select_related("meeting", "owner", "department", "problem")
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""
    warning: str = ""
    mine: bool = False
    today: datetime.date | None = None


def action_item_list(user: User, filters: ActionFilters | None = None) -> QuerySet[ActionItem]:
    require_coordination_access(user)
    filters = filters or ActionFilters()
    items = visible_action_items(user).select_related("meeting", "owner", "department", "problem")
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.warning in warnings.LEVELS:
        cut = warnings.cutoffs(filters.today or timezone.localdate())
        items = items.filter(warnings.action_item_condition(filters.warning, cut))
    if filters.mine:
        items = items.filter(owner=user)
    return items.order_by("status", "due_on", "id")


def meeting_list(user: User, *, level: int | None = None) -> QuerySet[Meeting]:
    require_coordination_access(user)
    meetings = (
        visible_meetings(user).select_related("region", "chair").prefetch_related("problems", "departments")
    )
    if level:
        meetings = meetings.filter(level=level)
    return meetings.order_by("-held_at", "-id")


@dataclass(frozen=True)
class RedItems:
    problems: list
    action_items: list


def red_items(user: User, *, today: datetime.date | None = None, limit: int = 20) -> RedItems:
    """Red (overdue) problems and action items in the user's region, the longest overdue first."""
    require_coordination_access(user)
    cut = warnings.cutoffs(today or timezone.localdate())
    problems = (
        visible_problems(user)
        .filter(warnings.problem_condition(warnings.RED, cut))
        .select_related("project")
        .order_by("due_on", "id")[:limit]
    )
    items = (
        visible_action_items(user)
        .filter(warnings.action_item_condition(warnings.RED, cut))
        .select_related("meeting", "owner", "department")
        .order_by("due_on", "id")[:limit]
    )
    return RedItems(problems=list(problems), action_items=list(items))


def problem_history(user: User, problem: Problem) -> QuerySet[AuditEntry]:
    if not _staff(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        object_type=Problem._meta.label_lower, object_id=str(problem.pk)
    ).order_by("-created_at", "-id")
