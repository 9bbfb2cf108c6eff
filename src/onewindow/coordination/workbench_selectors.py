"""Reads of the role workbenches (工作台), scoped by the user.

Each workbench is a few lists, every one filterable by warning (yellow, red) and by kind, and paged
in the database:

* agents: their projects with each project's next due items (approval tasks, problems, action
  items), yellow and red first; and their own open tasks, problems and action items;
* county staff: the same over every project of their region;
* window clerks: their department's task queue (``approvals.task_selectors.task_queue``), the
  problems and action items of their department, and the urges (督促) their department received;
* leaders (and administrators): the problems waiting at their level, the red items of their region
  and a timeline of decisions.

Lists that mix kinds are one SQL ``UNION`` of small rows (kind, id, date, warning rank) that the
database orders and pages; only the rows of the page are then fetched, one query per kind. A page
therefore costs the same number of queries whatever its size. Scope comes from the selectors of each
room (``visible_tasks``, ``visible_problems``, ``visible_action_items``, ``visible_projects``), so a
workbench never shows what the user could not open.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import STAFF_ROLES, has_role, require_role
from onewindow.approvals import task_selectors
from onewindow.approvals.models import DECIDED_STATES, ApprovalTask
from onewindow.coordination import selectors as coordination
from onewindow.coordination import warnings
from onewindow.coordination.models import (
    ACTIVE_PROBLEM_STATES,
    ActionItem,
    ActionStatus,
    Meeting,
    Problem,
    ProblemEscalation,
)
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects

# Kinds of due items, as the filters and the rows name them.
TASK = "task"
PROBLEM = "problem"
ACTION = "action"
MEETING = "meeting"
DUE_KINDS = (TASK, PROBLEM, ACTION)
DECISION_KINDS = (TASK, PROBLEM, MEETING)

# The warning rank a row sorts by: red first, then yellow, then the rest.
RANK = {warnings.RED: 0, warnings.YELLOW: 1, warnings.NONE: 2}
LEVEL_OF_RANK = {rank: level for level, rank in RANK.items()}

# Items a project row shows under its name.
NEXT_ITEMS_PER_PROJECT = 3

_FAR = datetime.date(9999, 12, 31)


@dataclass(frozen=True)
class WorkbenchFilters:
    """``warning``: yellow or red (empty: all); ``kind``: task, problem, action or meeting (empty: all)."""

    warning: str = ""
    kind: str = ""
    today: datetime.date | None = None

    def wants(self, kind: str) -> bool:
        return not self.kind or self.kind == kind


def workbench_kind(user: User) -> str:
    """Which workbench a user gets: ``agent``, ``clerk``, ``leader`` or ``investor`` (the old page)."""
    if not has_role(user, STAFF_ROLES):
        return "investor"
    if user.role == Role.CLERK:
        return "clerk"
    if user.role in (Role.LEADER, Role.ADMIN) or user.is_superuser:
        return "leader"
    return "agent"


# -- warning ranks in SQL ------------------------------------------------------------------------


def _rank(red: Q, yellow: Q) -> Case:
    return Case(
        When(red, then=Value(RANK[warnings.RED])),
        When(yellow, then=Value(RANK[warnings.YELLOW])),
        default=Value(RANK[warnings.NONE]),
        output_field=IntegerField(),
    )


def _task_rank(cut: warnings.Cutoffs, prefix: str = "") -> Case:
    return _rank(
        warnings.task_condition(warnings.RED, cut, prefix=prefix),
        warnings.task_condition(warnings.YELLOW, cut, prefix=prefix),
    )


def _problem_rank(cut: warnings.Cutoffs, prefix: str = "") -> Case:
    return _rank(
        warnings.problem_condition(warnings.RED, cut, prefix=prefix),
        warnings.problem_condition(warnings.YELLOW, cut, prefix=prefix),
    )


def _action_rank(cut: warnings.Cutoffs, prefix: str = "") -> Case:
    return _rank(
        warnings.action_item_condition(warnings.RED, cut, prefix=prefix),
        warnings.action_item_condition(warnings.YELLOW, cut, prefix=prefix),
    )


def _cut(filters: WorkbenchFilters) -> warnings.Cutoffs:
    return warnings.cutoffs(filters.today or timezone.localdate())


# -- open items: the parts a due-items list is made of --------------------------------------------


def open_tasks(tasks: QuerySet[ApprovalTask]) -> QuerySet[ApprovalTask]:
    """Tasks the department holds and owes a decision on (accepted, or waiting for corrections)."""
    return tasks.filter(state__in=warnings.OPEN_TASK_STATES)


def _my_problems(user: User) -> QuerySet[Problem]:
    return coordination.visible_problems(user).filter(
        Q(raised_by=user) | Q(project__agent=user), status__in=ACTIVE_PROBLEM_STATES
    )


def _my_action_items(user: User) -> QuerySet[ActionItem]:
    mine = Q(owner=user) | Q(problem__project__agent=user)
    return coordination.visible_action_items(user).filter(mine, status=ActionStatus.OPEN)


@dataclass(frozen=True)
class DueParts:
    """The open tasks, problems and action items one list draws from (already scoped)."""

    tasks: QuerySet[ApprovalTask]
    problems: QuerySet[Problem]
    action_items: QuerySet[ActionItem]


def agent_parts(user: User) -> DueParts:
    """An agent's own items: tasks of their projects, problems they raised or that concern their
    projects, action items they own or that belong to their projects' problems. County staff (and an
    agent of a county) get everything open in their region."""
    if user.role == Role.AGENT:
        return DueParts(
            tasks=open_tasks(task_selectors.visible_tasks(user).filter(project__agent=user)),
            problems=_my_problems(user),
            action_items=_my_action_items(user),
        )
    return DueParts(
        tasks=open_tasks(task_selectors.visible_tasks(user)),
        problems=coordination.visible_problems(user).filter(status__in=ACTIVE_PROBLEM_STATES),
        action_items=coordination.visible_action_items(user).filter(status=ActionStatus.OPEN),
    )


def clerk_parts(user: User) -> DueParts:
    """A clerk's problems and action items: those their department is responsible for (tasks are
    in the department's queue, a list of its own)."""
    items = coordination.visible_action_items(user).filter(status=ActionStatus.OPEN)
    return DueParts(
        tasks=ApprovalTask.objects.none(),
        problems=coordination.visible_problems(user).filter(status__in=ACTIVE_PROBLEM_STATES),
        action_items=items,
    )


def region_parts(user: User) -> DueParts:
    """Every open item in the user's region (a leader's scope)."""
    return DueParts(
        tasks=open_tasks(task_selectors.visible_tasks(user)),
        problems=coordination.visible_problems(user).filter(status__in=ACTIVE_PROBLEM_STATES),
        action_items=coordination.visible_action_items(user).filter(status=ActionStatus.OPEN),
    )


# -- the mixed list ------------------------------------------------------------------------------


@dataclass
class DueItem:
    """One row of a mixed list: what it is, its object (with what the row shows), its warning."""

    kind: str
    obj: object
    due_on: datetime.date | None
    warning: str

    @property
    def title(self) -> str:
        if self.kind == TASK:
            return self.obj.item.name
        if self.kind == PROBLEM:
            return self.obj.title
        return self.obj.description

    @property
    def project(self) -> Project | None:
        if self.kind == ACTION:
            return self.obj.problem.project if self.obj.problem_id else None
        return self.obj.project

    @property
    def url(self) -> str:
        if self.kind == TASK:
            return reverse("task-detail", args=[self.obj.pk])
        if self.kind == PROBLEM:
            return reverse("problem-detail", args=[self.obj.pk])
        return reverse("action-item-detail", args=[self.obj.pk])


def _row(queryset: QuerySet, kind: str, rank: Case) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(wb_kind=Value(kind, output_field=CharField()), wb_rank=rank)
        .values_list("wb_kind", "id", "due_on", "wb_rank")
    )


def due_items(parts: DueParts, filters: WorkbenchFilters, *, only: str = "") -> QuerySet:
    """Rows ``(kind, id, due_on, rank)`` of the open items, red first, then yellow, then the soonest
    due: a QuerySet to page. ``only`` forces a warning level (the leaders' red items)."""
    cut = _cut(filters)
    level = only or (filters.warning if filters.warning in warnings.LEVELS else "")
    selects = []
    if filters.wants(TASK):
        tasks = parts.tasks
        if level:
            tasks = tasks.filter(warnings.task_condition(level, cut))
        selects.append(_row(tasks, TASK, _task_rank(cut)))
    if filters.wants(PROBLEM):
        problems = parts.problems
        if level:
            problems = problems.filter(warnings.problem_condition(level, cut))
        selects.append(_row(problems, PROBLEM, _problem_rank(cut)))
    if filters.wants(ACTION):
        items = parts.action_items
        if level:
            items = items.filter(warnings.action_item_condition(level, cut))
        selects.append(_row(items, ACTION, _action_rank(cut)))
    if not selects:
        return ApprovalTask.objects.none().values_list("id")
    first, *rest = selects
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("wb_rank", "due_on", "wb_kind", "id")


def _fetch(ids: list[int]) -> Q:
    # A kind absent from the page is still asked for (and finds nothing), so that the page's query
    # count depends neither on its size nor on which kinds it happens to hold.
    return Q(pk__in=ids) if ids else Q(pk__isnull=True)


def hydrate_due_items(rows: Iterable[tuple], filters: WorkbenchFilters) -> list[DueItem]:
    """The objects of a page of ``due_items`` rows, in the rows' order: one query per kind the
    filters allow."""
    rows = list(rows)
    ids: dict[str, list[int]] = {TASK: [], PROBLEM: [], ACTION: []}
    for kind, pk, _due, _rank in rows:
        ids[kind].append(pk)
    objects: dict[tuple[str, int], object] = {}
    if filters.wants(TASK):
        for task in ApprovalTask.objects.filter(_fetch(ids[TASK])).select_related(
            "project", "item", "department"
        ):
            objects[(TASK, task.pk)] = task
    if filters.wants(PROBLEM):
        for problem in Problem.objects.filter(_fetch(ids[PROBLEM])).select_related("project"):
            objects[(PROBLEM, problem.pk)] = problem
    if filters.wants(ACTION):
        for item in ActionItem.objects.filter(_fetch(ids[ACTION])).select_related(
            "problem__project", "owner", "department", "meeting"
        ):
            objects[(ACTION, item.pk)] = item
    return [
        DueItem(kind=kind, obj=objects[(kind, pk)], due_on=due, warning=LEVEL_OF_RANK[rank])
        for kind, pk, due, rank in rows
        if (kind, pk) in objects
    ]


# -- projects with their next due items (agents, county staff) ------------------------------------


@dataclass
class ProjectRow:
    project: Project
    warning: str
    next_due_on: datetime.date | None
    items: list[DueItem] = field(default_factory=list)
    more: int = 0


def _min_due(queryset: QuerySet) -> Subquery:
    return Subquery(
        queryset.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(first=Min("due_on"))
        .values("first")[:1],
        output_field=DateField(),
    )


def workbench_projects(user: User, filters: WorkbenchFilters) -> QuerySet[Project]:
    """An agent's projects (county staff: their region's), those with a red item first, then a
    yellow one, then by their next due date; the warning filter keeps projects with an item of that
    warning, the kind filter counts only items of that kind."""
    require_role(user, STAFF_ROLES)
    cut = _cut(filters)
    projects = visible_projects(user)
    if user.role == Role.AGENT:
        projects = projects.filter(agent=user)
    tasks = open_tasks(ApprovalTask.objects.all())
    problems = Problem.objects.filter(status__in=ACTIVE_PROBLEM_STATES)
    # An action item belongs to a project through its problem.
    items = ActionItem.objects.filter(status=ActionStatus.OPEN, problem__isnull=False)

    def has(level: str) -> Q:
        exists = []
        if filters.wants(TASK):
            exists.append(Exists(tasks.filter(warnings.task_condition(level, cut), project=OuterRef("pk"))))
        if filters.wants(PROBLEM):
            exists.append(
                Exists(problems.filter(warnings.problem_condition(level, cut), project=OuterRef("pk")))
            )
        if filters.wants(ACTION):
            exists.append(
                Exists(
                    items.filter(warnings.action_item_condition(level, cut), problem__project=OuterRef("pk"))
                )
            )
        condition = Q(exists[0])
        for other in exists[1:]:
            condition |= Q(other)
        return condition

    firsts = [Value(_FAR)]
    if filters.wants(TASK):
        firsts.append(Coalesce(_min_due(tasks), Value(_FAR)))
    if filters.wants(PROBLEM):
        firsts.append(Coalesce(_min_due(problems), Value(_FAR)))
    if filters.wants(ACTION):
        first_action = Subquery(
            items.filter(problem__project=OuterRef("pk"))
            .order_by()
            .values("problem__project")
            .annotate(first=Min("due_on"))
            .values("first")[:1],
            output_field=DateField(),
        )
        firsts.append(Coalesce(first_action, Value(_FAR)))
    projects = projects.annotate(
        wb_rank=_rank(has(warnings.RED), has(warnings.YELLOW)),
        wb_next=Least(*firsts, output_field=DateField()) if len(firsts) > 1 else firsts[0],
    )
    if filters.warning in warnings.LEVELS:
        projects = projects.filter(wb_rank=RANK[filters.warning])
    return projects.select_related("investor", "region").order_by("wb_rank", "wb_next", "code", "id")


def project_rows(user: User, projects: Iterable[Project], filters: WorkbenchFilters) -> list[ProjectRow]:
    """A page of ``workbench_projects`` with each project's next due items: one query per kind,
    whatever the number of projects on the page."""
    cut = _cut(filters)
    projects = list(projects)
    by_project: dict[int, list[DueItem]] = {project.pk: [] for project in projects}
    ids = list(by_project)
    if ids and filters.wants(TASK):
        for task in (
            open_tasks(task_selectors.visible_tasks(user))
            .filter(project__in=ids)
            .select_related("project", "item", "department")
        ):
            level = warnings.task_level(task, cut)
            by_project[task.project_id].append(DueItem(TASK, task, task.due_on, level))
    if ids and filters.wants(PROBLEM):
        for problem in (
            coordination.visible_problems(user)
            .filter(project__in=ids, status__in=ACTIVE_PROBLEM_STATES)
            .select_related("project")
        ):
            level = warnings.level_for(problem.due_on, cut)
            by_project[problem.project_id].append(DueItem(PROBLEM, problem, problem.due_on, level))
    if ids and filters.wants(ACTION):
        for item in (
            coordination.visible_action_items(user)
            .filter(problem__project__in=ids, status=ActionStatus.OPEN)
            .select_related("problem__project", "owner", "department", "meeting")
        ):
            level = warnings.level_for(item.due_on, cut)
            by_project[item.problem.project_id].append(DueItem(ACTION, item, item.due_on, level))
    rows = []
    for project in projects:
        items = sorted(
            by_project[project.pk],
            key=lambda item: (RANK[item.warning], item.due_on or _FAR, item.kind, item.obj.pk),
        )
        rows.append(
            ProjectRow(
                project=project,
                warning=LEVEL_OF_RANK[project.wb_rank],
                next_due_on=None if project.wb_next == _FAR else project.wb_next,
                items=items[:NEXT_ITEMS_PER_PROJECT],
                more=max(0, len(items) - NEXT_ITEMS_PER_PROJECT),
            )
        )
    return rows


# -- window clerks -------------------------------------------------------------------------------


def clerk_queue(user: User, filters: WorkbenchFilters) -> QuerySet[ApprovalTask]:
    """The department's queue (as the queue page shows it: active tasks, the soonest due first),
    with each task's warning rank; the warning filter reads the same conditions as the tick."""
    require_role(user, STAFF_ROLES)
    cut = _cut(filters)
    tasks = task_selectors.task_queue(user, task_selectors.TaskFilters(state="active", today=cut.today))
    if filters.warning in warnings.LEVELS:
        tasks = tasks.filter(warnings.task_condition(filters.warning, cut))
    return tasks


def urges_received(user: User, filters: WorkbenchFilters):
    """The urges (督促) the clerk's department received on tasks the clerk may see, newest first;
    the warning filter keeps urges whose task has that warning now. None when urging is not there."""
    try:
        from onewindow.notifications.models import Urge
    except ImportError:  # pragma: no cover - the notifications room is optional
        return None
    if user.role != Role.CLERK or user.department_id is None:
        return Urge.objects.none()
    urges = Urge.objects.filter(
        department_id=user.department_id, task__in=task_selectors.visible_tasks(user).values("pk")
    )
    if filters.warning in warnings.LEVELS:
        urges = urges.filter(warnings.task_condition(filters.warning, _cut(filters), prefix="task__"))
    return urges.select_related("task__project", "task__item", "by").order_by("-on", "-id")


# -- leaders -------------------------------------------------------------------------------------


def waiting_escalations(user: User, filters: WorkbenchFilters) -> QuerySet[Problem]:
    """Problems waiting at a leader's level (levels 2 and 3; a county leader's region only), the
    soonest deadline first, with their escalations newest first."""
    problems = coordination.waiting_for_leader(user)
    if filters.warning in warnings.LEVELS:
        problems = problems.filter(warnings.problem_condition(filters.warning, _cut(filters)))
    return problems.prefetch_related(
        Prefetch(
            "escalations",
            queryset=ProblemEscalation.objects.select_related("by").order_by("-on", "-to_level"),
            to_attr="wb_escalations",
        )
    )


def red_items(user: User, filters: WorkbenchFilters) -> QuerySet:
    """Rows ``(kind, id, due_on, rank)`` of every red task, problem and action item in the user's
    region, the longest overdue first."""
    require_role(user, STAFF_ROLES)
    return due_items(region_parts(user), filters, only=warnings.RED)


@dataclass
class Decision:
    kind: str  # task, resolution, escalation, meeting
    on: datetime.date
    obj: object


def decisions(user: User, filters: WorkbenchFilters) -> QuerySet:
    """Rows ``(kind, id, on)`` of the decisions in the user's scope, newest first: problems
    resolved, escalations, meetings' decisions (their minutes) and approval tasks decided. The kind
    filter keeps one of task, problem (resolutions and escalations) or meeting."""
    require_role(user, STAFF_ROLES)
    problems = coordination.visible_problems(user)
    selects = []

    def row(queryset: QuerySet, kind: str, date_field: str) -> QuerySet:
        return (
            queryset.order_by()
            .annotate(wb_kind=Value(kind, output_field=CharField()), wb_on=F(date_field))
            .values_list("wb_kind", "id", "wb_on")
        )

    if filters.wants(TASK):
        tasks = task_selectors.visible_tasks(user).filter(state__in=DECIDED_STATES, decided_on__isnull=False)
        selects.append(row(tasks, TASK, "decided_on"))
    if filters.wants(PROBLEM):
        selects.append(row(problems.filter(resolved_on__isnull=False), "resolution", "resolved_on"))
        escalations = ProblemEscalation.objects.filter(problem__in=problems.values("pk"))
        selects.append(row(escalations, "escalation", "on"))
    if filters.wants(MEETING):
        meetings = coordination.visible_meetings(user).filter(minutes_recorded_on__isnull=False)
        selects.append(row(meetings, MEETING, "minutes_recorded_on"))
    if not selects:
        return ApprovalTask.objects.none().values_list("id")
    first, *rest = selects
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-wb_on", "wb_kind", "-id")


DECISION_ROWS = {TASK: (TASK,), PROBLEM: ("resolution", "escalation"), MEETING: (MEETING,)}


def hydrate_decisions(rows: Iterable[tuple], filters: WorkbenchFilters) -> list[Decision]:
    """The objects of a page of ``decisions`` rows, in order: one query per kind the filters allow."""
    rows = list(rows)
    ids: dict[str, list[int]] = {kind: [] for kinds in DECISION_ROWS.values() for kind in kinds}
    for kind, pk, _on in rows:
        ids[kind].append(pk)
    fetch = {
        TASK: lambda pks: ApprovalTask.objects.filter(_fetch(pks)).select_related(
            "project", "item", "department"
        ),
        "resolution": lambda pks: Problem.objects.filter(_fetch(pks)).select_related("project"),
        "escalation": lambda pks: ProblemEscalation.objects.filter(_fetch(pks)).select_related(
            "problem__project", "by"
        ),
        MEETING: lambda pks: Meeting.objects.filter(_fetch(pks)).select_related("region", "chair"),
    }
    objects = {}
    for wanted, kinds in DECISION_ROWS.items():
        if not filters.wants(wanted):
            continue
        for kind in kinds:
            for obj in fetch[kind](ids[kind]):
                objects[(kind, obj.pk)] = obj
    return [Decision(kind, on, objects[(kind, pk)]) for kind, pk, on in rows if (kind, pk) in objects]
