"""Plan and task endpoints.

The plan's answer is ``Schedule.to_json()``, the same JSON as ``onewindow plan --json``. Tasks (办件)
come with their live clocks, read in working days as of today. Scope as in the selectors: a project,
task or file outside the caller's scope is 404; a role that has no queue gets 403.
"""

import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.accounts.permissions import STAFF_ROLES, require_role
from onewindow.approvals import selectors, task_selectors
from onewindow.approvals.models import TaskState

router = Router(tags=["plans"], auth=API_AUTH)


class PlannedItemOut(Schema):
    code: str
    name: str
    department: str
    stage: str
    limit_workdays: int
    start: str
    finish: str
    critical: bool


class StageOut(Schema):
    stage: str
    start: str
    finish: str
    workdays: int


class PlanOut(Schema):
    start: str
    finish: str
    parallel_workdays: int
    serial_workdays: int
    speedup: float
    estimated: bool
    items: list[PlannedItemOut]
    stages: list[StageOut]


@router.get("/{code}/plan", response=PlanOut, summary="A project's parallel approval plan")
def project_plan(request, code: str):
    """The plan on working days: dates are ISO, ``estimated`` is true when a year's holidays are not
    known and weekdays were used instead. 404 for a project outside the caller's scope or without a
    plan."""
    return selectors.schedule_for(request.user, code).to_json()


# -- approval tasks (办件) -------------------------------------------------------------------------

tasks_router = Router(tags=["tasks"], auth=API_AUTH)

MAX_PAGE_SIZE = 200


class ClockOut(Schema):
    accepted_on: datetime.date
    as_of: datetime.date
    due_on: datetime.date
    limit_workdays: int
    extension_workdays: int
    paused_workdays: int
    used_workdays: int
    remaining_workdays: int
    paused: bool
    overdue: bool
    estimated: bool


class TaskOut(Schema):
    id: int
    project_code: str
    item_code: str
    name: str
    department: str
    department_name: str
    stage: str
    state: str
    state_label: str
    limit_workdays: int
    commitment: bool
    correction_rounds: int
    accepted_on: datetime.date | None
    decided_on: datetime.date | None
    decision_document: str
    due_on: datetime.date | None
    clock: ClockOut | None


class PauseOut(Schema):
    kind: str
    number: int
    reason: str
    starts_on: datetime.date
    ends_on: datetime.date | None


class OwedOut(Schema):
    material: str
    name: str
    due_on: datetime.date
    received_on: datetime.date | None


class MaterialFileOut(Schema):
    id: int
    version: int
    name: str
    kind: str
    size: int
    uploaded_at: datetime.datetime


class RequiredMaterialOut(Schema):
    code: str
    name: str
    form: str
    count: int
    key: bool
    latest: MaterialFileOut | None
    versions: int
    owed: OwedOut | None


class JointEventRefOut(Schema):
    id: int
    kind: str
    held_on: datetime.date


class TaskDetailOut(TaskOut):
    decision_note: str
    withdrawal_reason: str
    verification_due_on: datetime.date | None
    verified_on: datetime.date | None
    verification_passed: bool | None
    extension_reason: str
    pauses: list[PauseOut]
    materials: list[RequiredMaterialOut]
    joint_events: list[JointEventRefOut]
    actions: list[str]


class TaskPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


def _clock_out(clock) -> dict | None:
    if clock is None:
        return None
    return {
        "accepted_on": clock.accepted_on,
        "as_of": clock.as_of,
        "due_on": clock.due_on,
        "limit_workdays": clock.limit_workdays,
        "extension_workdays": clock.extension_workdays,
        "paused_workdays": clock.paused_workdays,
        "used_workdays": clock.used_workdays,
        "remaining_workdays": clock.remaining_workdays,
        "paused": clock.paused,
        "overdue": clock.overdue,
        "estimated": clock.estimated,
    }


def _task_out(task, clock) -> dict:
    return {
        "id": task.pk,
        "project_code": task.project.code,
        "item_code": task.item.code,
        "name": task.item.name,
        "department": task.department.code,
        "department_name": task.department.name,
        "stage": task.item.stage,
        "state": task.state,
        "state_label": str(TaskState(task.state).label),
        "limit_workdays": task.limit_workdays,
        "commitment": task.commitment,
        "correction_rounds": task.correction_rounds,
        "accepted_on": task.accepted_on,
        "decided_on": task.decided_on,
        "decision_document": task.decision_document,
        "due_on": clock.due_on if clock is not None else task.due_on,
        "clock": _clock_out(clock),
    }


def _file_out(upload) -> dict | None:
    if upload is None:
        return None
    return {
        "id": upload.pk,
        "version": upload.version,
        "name": upload.original_name,
        "kind": upload.kind,
        "size": upload.size,
        "uploaded_at": upload.uploaded_at,
    }


def _owed_out(owed) -> dict | None:
    if owed is None:
        return None
    return {
        "material": owed.material.code,
        "name": owed.material.name,
        "due_on": owed.due_on,
        "received_on": owed.received_on,
    }


@router.get("/{code}/tasks", response=list[TaskOut], summary="A project's approval tasks with their clocks")
def project_task_list(request, code: str):
    """The project's tasks the caller may see, in catalog order, each with its live clock (working days,
    as of today). 404 for a project outside the caller's scope."""
    _project, tasks = task_selectors.project_tasks(request.user, code)
    tasks = list(tasks)
    clocks = task_selectors.clocks_for(tasks)
    return [_task_out(task, clocks[task.pk]) for task in tasks]


@tasks_router.get("/queue", response=TaskPageOut, summary="The caller's task queue, soonest due first")
def task_queue(
    request,
    state: str = "",
    overdue: bool | None = None,
    department: str = "",
    project: str = "",
    page: int = 1,
    page_size: int = 50,
):
    """A window clerk's queue is their department's tasks; other staff see the tasks of the projects in
    their scope. ``state`` is a task state or ``active`` (preparing, accepted or correcting). Investors
    follow their tasks on the project instead (403 here)."""
    require_role(request.user, STAFF_ROLES)
    if state and state != "active" and state not in TaskState.values:
        raise NinjaValidationError(
            [{"loc": ["query", "state"], "msg": _("Unknown state %(state)s.") % {"state": state}}]
        )
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    tasks = task_selectors.task_queue(
        request.user,
        task_selectors.TaskFilters(state=state, overdue=overdue, department=department, project=project),
    )
    count = tasks.count()
    chosen = list(tasks[(page - 1) * page_size : page * page_size])
    clocks = task_selectors.clocks_for(chosen)
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": [_task_out(task, clocks[task.pk]) for task in chosen],
    }


@tasks_router.get("/{task_id}", response=TaskDetailOut, summary="One approval task with its clock")
def task_detail(request, task_id: int):
    """The task, its live clock, its pauses (补正 rounds with what was asked), its materials with the
    project's latest upload of each, what is owed (容缺), linked joint events, and the actions the caller
    may take. 404 outside the caller's scope."""
    task = task_selectors.task_for(request.user, task_id)
    pauses = list(task.pauses.all())
    clock = task_selectors.task_clock_of(task, pauses=pauses)
    materials = task_selectors.task_materials(task)
    return {
        **_task_out(task, clock),
        "decision_note": task.decision_note,
        "withdrawal_reason": task.withdrawal_reason,
        "verification_due_on": task.verification_due_on,
        "verified_on": task.verified_on,
        "verification_passed": task.verification_passed,
        "extension_reason": task.extension_reason,
        "pauses": [
            {
                "kind": pause.kind,
                "number": pause.number,
                "reason": pause.reason,
                "starts_on": pause.starts_on,
                "ends_on": pause.ends_on,
            }
            for pause in pauses
        ],
        "materials": [
            {
                "code": entry.link.material.code,
                "name": entry.link.material.name,
                "form": entry.link.form,
                "count": entry.link.count,
                "key": entry.link.key,
                "latest": _file_out(entry.latest),
                "versions": len(entry.files),
                "owed": _owed_out(entry.owed),
            }
            for entry in materials
        ],
        "joint_events": [
            {"id": event.pk, "kind": event.kind, "held_on": event.held_on}
            for event in task.joint_events.all()
        ],
        "actions": task_selectors.available_actions(request.user, task),
    }
