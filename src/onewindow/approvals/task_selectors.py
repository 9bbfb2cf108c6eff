"""Reads of approval tasks (办件), their clocks, materials and joint events, scoped by the user.

Who sees which task:

* window clerks: the tasks of their department's queue, i.e. whose item's department has the code of
  the clerk's department (a county's 发改 window handles the catalog's ``fgw`` items), in projects the
  clerk may see (``projects.selectors.visible_projects``: projects that involve their department);
* everyone else: the tasks of the projects they may see: agents and centre staff by region, investors
  their own projects (read only).

Outside the scope a task, a file or an event does not exist for the user (404). Lists join what they
show and prefetch the clock pauses, so a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import PROJECT_EDIT_ROLES, STAFF_ROLES, has_role
from onewindow.approvals import clock as task_clock
from onewindow.approvals import planner, selectors, transitions
from onewindow.approvals.models import (
    CLOCK_STATES,
    DECIDED_STATES,
    ApprovalTask,
    ClockPause,
    ItemMaterial,
    JointEvent,
    MaterialFile,
    OwedMaterial,
    PauseKind,
    Plan,
    TaskState,
)
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects
from onewindow.regions.models import Department

ACTIVE_STATES = (TaskState.PREPARING, TaskState.ACCEPTED, TaskState.CORRECTING)


# -- scope ---------------------------------------------------------------------------------------


def visible_tasks(user: User) -> QuerySet[ApprovalTask]:
    """Every task the user may see (no joins; callers add what they show)."""
    if not (user.is_authenticated and user.is_active):
        return ApprovalTask.objects.none()
    tasks = ApprovalTask.objects.filter(project__in=visible_projects(user).values("pk"))
    if user.role == Role.CLERK:
        if user.department_id is None:
            return ApprovalTask.objects.none()
        tasks = tasks.filter(
            department__code__in=Department.objects.filter(pk=user.department_id).values("code")
        )
    return tasks


def _department_code(user: User) -> str | None:
    return user.department.code if user.department_id else None


def is_window_clerk_for(user: User, task: ApprovalTask) -> bool:
    """A clerk of a department with the task's department code (visibility is checked separately)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.CLERK
        and user.department_id is not None
        and _department_code(user) == task.department.code
    )


def may_act_for_project(user: User, project: Project) -> bool:
    """The agent side: editors of the register; an agent only on their own or unassigned projects
    (as ``projects.services``); whether the project is in the user's scope is checked separately."""
    if not has_role(user, PROJECT_EDIT_ROLES):
        return False
    return not (user.role == Role.AGENT and project.agent_id not in (None, user.pk))


def may_act_for_applicant(user: User, task: ApprovalTask) -> bool:
    return may_act_for_project(user, task.project)


def available_actions(user: User, task: ApprovalTask) -> list[str]:
    """The actions of ``transitions.ACTIONS`` this user may take on this (visible) task now, in table
    order; pages show a button for each. ``approve_on_commitment`` only when the agent chose it."""
    sides = set()
    if may_act_for_applicant(user, task):
        sides.add(transitions.AGENT_SIDE)
    if is_window_clerk_for(user, task):
        sides.add(transitions.WINDOW)
    actions = []
    for action in transitions.ACTIONS.values():
        if task.state not in action.sources or not sides & action.sides:
            continue
        if action.name == "approve_on_commitment" and not task.commitment:
            continue
        if action.name == "accept" and task.commitment:
            continue
        actions.append(action.name)
    return actions


# -- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilters:
    """``state``: a task state, ``"active"`` (preparing, accepted or correcting) or empty for all;
    ``overdue``: True for overdue tasks only, False for the others; ``department``: a department code;
    ``project``: a project code."""

    state: str = ""
    overdue: bool | None = None
    department: str = ""
    project: str = ""
    today: datetime.date | None = None


def _with_related(tasks: QuerySet[ApprovalTask]) -> QuerySet[ApprovalTask]:
    return tasks.select_related("project", "item", "department").prefetch_related(
        Prefetch("pauses", queryset=ClockPause.objects.order_by("starts_on", "id"))
    )


def overdue_condition(today: datetime.date) -> Q:
    """Overdue on ``today``, in SQL; the same answer as the live clock (see ``clock.stored_clock``)."""
    return Q(state__in=CLOCK_STATES, overdue_since__lte=today)


def task_queue(user: User, filters: TaskFilters | None = None) -> QuerySet[ApprovalTask]:
    """The user's tasks, filtered, the soonest due first (tasks without a clock last): a QuerySet to
    paginate. A clerk's queue is their department's."""
    filters = filters or TaskFilters()
    today = filters.today or timezone.localdate()
    tasks = _with_related(visible_tasks(user))
    if filters.state == "active":
        tasks = tasks.filter(state__in=ACTIVE_STATES)
    elif filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.overdue is True:
        tasks = tasks.filter(overdue_condition(today))
    elif filters.overdue is False:
        tasks = tasks.exclude(overdue_condition(today))
    if filters.department:
        tasks = tasks.filter(department__code=filters.department.strip())
    if filters.project:
        tasks = tasks.filter(project__code=filters.project.strip().upper())
    return tasks.order_by(F("due_on").asc(nulls_last=True), "id")


def verifications_due(user: User) -> QuerySet[ApprovalTask]:
    """Tasks approved under 告知承诺制 whose follow-up verification is still to be done, the soonest
    due first (a clerk: their department's)."""
    return (
        _with_related(visible_tasks(user))
        .filter(state=TaskState.APPROVED, verification_due_on__isnull=False, verified_on__isnull=True)
        .order_by("verification_due_on", "id")
    )


def owed_materials_due(user: User) -> QuerySet[OwedMaterial]:
    """Materials still owed under 容缺受理 on the user's tasks, the soonest due first."""
    return (
        OwedMaterial.objects.filter(task__in=visible_tasks(user).values("pk"), received_on__isnull=True)
        .select_related("material", "task__item", "task__project", "task__department")
        .order_by("due_on", "id")
    )


def project_tasks(user: User, code: str) -> tuple[Project, QuerySet[ApprovalTask]]:
    """A visible project, by code, and the tasks of it the user may see, in catalog order; 404 when
    the project is outside the user's scope."""
    project = visible_projects(user).filter(code=code.strip().upper()).first()
    if project is None:
        raise Http404
    tasks = _with_related(visible_tasks(user).filter(project=project)).order_by("item__position", "id")
    return project, tasks


def task_for(user: User, task_id: int) -> ApprovalTask:
    """One task with what its page shows, or 404."""
    try:
        return (
            _with_related(visible_tasks(user))
            .select_related("plan", "project__region", "project__agent", "project__investor")
            .prefetch_related(
                Prefetch("owed_materials", queryset=OwedMaterial.objects.select_related("material")),
                Prefetch("joint_events", queryset=JointEvent.objects.order_by("-held_on", "-id")),
            )
            .get(pk=task_id)
        )
    except (ApprovalTask.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- clocks --------------------------------------------------------------------------------------


def counted_pauses(task: ApprovalTask, pauses: Iterable[ClockPause]) -> list[task_clock.Pause]:
    """The pauses the task's clock leaves out: every correction round, and the kinds of time the
    item's rule does not count."""
    excluded = set(task.item.clock_excludes)
    return [
        task_clock.Pause(pause.starts_on, pause.ends_on)
        for pause in pauses
        if pause.kind == PauseKind.CORRECTION or pause.kind in excluded
    ]


def task_clock_of(
    task: ApprovalTask,
    *,
    today: datetime.date | None = None,
    calendar=None,
    pauses: Sequence[ClockPause] | None = None,
) -> task_clock.Clock | None:
    """The live clock of a task as of ``today`` (default: today); None before acceptance and for a
    task withdrawn before it. Uses the prefetched pauses when there are any."""
    if task.accepted_on is None or task.state not in CLOCK_STATES:
        return None
    if pauses is None:
        pauses = list(task.pauses.all())
    return task_clock.compute_clock(
        calendar or selectors.workday_calendar(),
        accepted_on=task.accepted_on,
        limit_workdays=task.limit_workdays,
        as_of=today or timezone.localdate(),
        pauses=counted_pauses(task, pauses),
        extension_workdays=task.extension_workdays,
        decided_on=task.decided_on,
    )


def clocks_for(
    tasks: Iterable[ApprovalTask], *, today: datetime.date | None = None
) -> dict[int, task_clock.Clock | None]:
    """Live clocks of many tasks (fetched with their pauses), reading the calendar once."""
    calendar = selectors.workday_calendar()
    today = today or timezone.localdate()
    return {task.pk: task_clock_of(task, today=today, calendar=calendar) for task in tasks}


# -- materials -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequiredMaterial:
    """A material the task's item requires, with the project's uploads of it (latest first)."""

    link: ItemMaterial
    files: tuple[MaterialFile, ...]
    owed: OwedMaterial | None

    @property
    def latest(self) -> MaterialFile | None:
        return self.files[0] if self.files else None


def task_materials(task: ApprovalTask) -> list[RequiredMaterial]:
    """What the task's item requires and what the project has uploaded for it; a material shared by
    several items shows the same uploads on each of their tasks. Three queries."""
    links = list(
        ItemMaterial.objects.filter(item=task.item_id).select_related("material").order_by("position", "id")
    )
    material_ids = [link.material_id for link in links]
    files: dict[int, list[MaterialFile]] = {material_id: [] for material_id in material_ids}
    for upload in (
        MaterialFile.objects.filter(project=task.project_id, material__in=material_ids)
        .select_related("uploaded_by")
        .prefetch_related("checks")
        .order_by("material", "-version")
    ):
        files[upload.material_id].append(upload)
    owed = {entry.material_id: entry for entry in task.owed_materials.all()}
    return [
        RequiredMaterial(link, tuple(files[link.material_id]), owed.get(link.material_id)) for link in links
    ]


def material_files(user: User, project: Project) -> QuerySet[MaterialFile]:
    """Every uploaded version of a project's materials, for a user who may see the project."""
    if not visible_projects(user).filter(pk=project.pk).exists():
        raise Http404
    return (
        MaterialFile.objects.filter(project=project)
        .select_related("material", "uploaded_by")
        .order_by("material__position", "-version")
    )


def material_file_for(user: User, file_id: int) -> MaterialFile:
    """One uploaded file, for the download view: only for those who may see one of the tasks it
    serves (a clerk: a task of their department), otherwise 404. Files are never served publicly."""
    try:
        upload = MaterialFile.objects.select_related("material", "project").get(pk=file_id)
    except (MaterialFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    serves = visible_tasks(user).filter(
        project=upload.project_id, item__material_links__material=upload.material_id
    )
    if not serves.exists():
        raise Http404
    return upload


# -- joint events --------------------------------------------------------------------------------


def joint_events_for(user: User, project: Project) -> QuerySet[JointEvent]:
    if not visible_projects(user).filter(pk=project.pk).exists():
        raise Http404
    return (
        JointEvent.objects.filter(project=project)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.select_related("region")),
            Prefetch("tasks", queryset=ApprovalTask.objects.select_related("item")),
        )
        .order_by("-held_on", "-id")
    )


def joint_event_for(user: User, event_id: int) -> JointEvent:
    try:
        return (
            JointEvent.objects.filter(project__in=visible_projects(user).values("pk"))
            .select_related("project", "created_by")
            .prefetch_related(
                Prefetch("departments", queryset=Department.objects.select_related("region")),
                Prefetch("tasks", queryset=ApprovalTask.objects.select_related("item")),
            )
            .get(pk=event_id)
        )
    except (JointEvent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- the plan's actuals --------------------------------------------------------------------------


def project_actuals(project: Project) -> dict[str, planner.Actual]:
    """What happened to a project's approvals, as the planner takes it: a decided item with its
    acceptance and decision dates, an item under way with its acceptance date. Items not yet accepted
    and withdrawn ones are left to the plan. One query."""
    rows = (
        ApprovalTask.objects.filter(project=project, state__in=CLOCK_STATES)
        .values_list("item__code", "accepted_on", "decided_on", "state")
        .order_by("id")
    )
    return {
        code: planner.Actual(start=accepted_on, finish=decided_on if state in DECIDED_STATES else None)
        for code, accepted_on, decided_on, state in rows
    }


def plan_forecast(plan: Plan, *, as_of: datetime.date | None = None) -> planner.Schedule:
    """The plan re-planned from what actually happened: decided items at their dates, the rest from
    ``as_of`` (default today) at the earliest."""
    return selectors.plan_schedule(
        plan, actuals=project_actuals(plan.project), as_of=as_of or timezone.localdate()
    )


# -- for the pages -------------------------------------------------------------------------------


def task_history(user: User, task: ApprovalTask) -> QuerySet[AuditEntry]:
    """The audit rows of a task the user may see (every state change, pause, extension and owed
    material received), newest first; staff only, as on the project page."""
    if not has_role(user, STAFF_ROLES):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        object_type=ApprovalTask._meta.label_lower, object_id=str(task.pk)
    ).order_by("-created_at", "-id")


def joint_event_departments(project: Project) -> QuerySet[Department]:
    """The departments an event of the project may gather: those of the project's region and the
    regions above it, and any the project involves elsewhere."""
    chain = [code for code in project.region.path.split("/") if code]
    return (
        Department.objects.filter(Q(region__code__in=chain) | Q(projects=project))
        .select_related("region")
        .distinct()
        .order_by("region__path", "code")
    )
