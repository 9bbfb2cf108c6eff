"""Plan and task endpoints.

The plan's answer is ``Schedule.to_json()``, the same JSON as ``onewindow plan --json``. Tasks (办件)
come with their live clocks, read in working days as of today. Scope as in the selectors: a project,
task or file outside the caller's scope is 404; a role that has no queue gets 403.

Writes are what the plan and task pages do, through the same services: generating the plan and its
tasks, the plan's facts and items, and every action of the task page, one endpoint each under
``/tasks/{id}/``. An action for the other side of the task (the applicant's for a window clerk, or the
reverse) answers 403; an action the task's current state does not allow answers 409.

Joint events (联合踏勘, 联合审图, 联合验收) are listed and recorded under the project
(``/projects/{code}/joint-events``) and read and changed by id (``/joint-events/{id}``): read by whoever
may see the project, written by the project's agent side as on the joint events page.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import ConfigDict

from onewindow.accounts.api_auth import API_AUTH
from onewindow.accounts.permissions import STAFF_ROLES, require_role
from onewindow.approvals import (
    plan_selectors,
    selectors,
    services,
    task_selectors,
    task_services,
    transitions,
)
from onewindow.approvals.models import (
    CatalogVersion,
    ClockPause,
    EiaCategory,
    JointEvent,
    JointEventKind,
    Material,
    MaterialCheck,
    MaterialFile,
    OwedMaterial,
    PauseKind,
    TaskState,
)
from onewindow.core.http import client_ip
from onewindow.projects import selectors as project_selectors

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


# -- writes: the plan ------------------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str


class CreatePlanIn(Schema):
    start_on: datetime.date = Field(..., description="Usually the signing or the intake date")
    catalog_version: str | None = Field(
        None, description="A catalog version's name; empty for the version in force on the start date"
    )


def _field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


@router.post(
    "/{code}/plan", response={201: PlanOut, 409: ConflictOut}, summary="Generate a project's approval plan"
)
def create_plan(request: HttpRequest, code: str, payload: CreatePlanIn):
    """The catalog items the project's facts call for, planned from ``start_on``, as the plan page's
    button does. A project has one plan: afterwards its items are changed one by one (409 for a second)."""
    project = project_selectors.project_by_code(request.user, code)
    version = None
    if payload.catalog_version:
        version = CatalogVersion.objects.filter(name=payload.catalog_version).first()
        if version is None:
            raise _field_error("catalog_version", _("No catalog version has this name."))
    try:
        services.create_plan(
            actor=request.user,
            project=project,
            start_on=payload.start_on,
            catalog_version=version,
            source_ip=client_ip(request),
        )
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        # The one refusal without a field: the project has its plan already.
        return Status(409, {"detail": " ".join(error.messages)})
    return Status(201, selectors.schedule_for(request.user, project.code).to_json())


class FactsOut(Schema):
    new_land: bool
    land_area_m2: str | None
    floor_area_m2: str | None
    eia_category: str
    energy_tce: str | None
    in_evaluated_zone: bool
    hazardous: bool
    water_intake: bool
    flood_risk_area: bool
    highway_access: bool
    special_fire_review: bool
    public_venue: bool
    new_company: bool
    gas_connection: bool


class FactsIn(Schema):
    """Only the fields sent are changed."""

    new_land: bool | None = None
    land_area_m2: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    floor_area_m2: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    eia_category: str | None = Field(None, description=", ".join(EiaCategory.values))
    energy_tce: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    in_evaluated_zone: bool | None = None
    hazardous: bool | None = None
    water_intake: bool | None = None
    flood_risk_area: bool | None = None
    highway_access: bool | None = None
    special_fire_review: bool | None = None
    public_venue: bool | None = None
    new_company: bool | None = None
    gas_connection: bool | None = None


DECIMAL_FACTS = ("land_area_m2", "floor_area_m2", "energy_tce")


def _facts_out(facts) -> dict:
    values = {name: getattr(facts, name) for name in FactsOut.model_fields}
    for name in DECIMAL_FACTS:
        values[name] = None if values[name] is None else f"{values[name]:.2f}"
    return values


@router.put("/{code}/plan/facts", response=FactsOut, summary="Record the facts the plan's rules read")
def save_facts(request: HttpRequest, code: str, payload: FactsIn):
    """New land, the EIA category, floor area …: what the catalog's rules read beyond the register.
    A new plan follows them; an existing plan changes only by its items."""
    project = project_selectors.project_by_code(request.user, code)
    values = payload.dict(exclude_unset=True)
    for name, value in values.items():
        if value is None and name not in DECIMAL_FACTS:
            raise _field_error(name, _("This field cannot be empty."))
    facts = services.save_project_facts(
        actor=request.user, project=project, values=values, source_ip=client_ip(request)
    )
    return _facts_out(facts)


class PlanItemIn(Schema):
    code: str = Field(..., description="The catalog item's code, e.g. ZJJ-SG")
    reason: str


class PlanItemRemovalIn(Schema):
    reason: str


def _plan_item_change(request: HttpRequest, code: str, item_code: str, reason: str, *, adding: bool):
    plan = selectors.plan_of(request.user, code)
    change = services.add_plan_item if adding else services.remove_plan_item
    try:
        change(actor=request.user, plan=plan, code=item_code, reason=reason, source_ip=client_ip(request))
    except DjangoValidationError as error:
        # The service names the catalog item "item"; callers sent it as "code".
        if hasattr(error, "error_dict") and "item" in error.error_dict:
            raise DjangoValidationError({"code": error.error_dict["item"]}) from None
        raise
    return selectors.schedule_for(request.user, code).to_json()


@router.post("/{code}/plan/items", response=PlanOut, summary="Add an item to the plan, with the reason")
def add_plan_item(request: HttpRequest, code: str, payload: PlanItemIn):
    """An item of the plan's catalog version that the rules left out, or that was taken out before.
    404 for a project outside the scope or without a plan."""
    return _plan_item_change(request, code, payload.code, payload.reason, adding=True)


@router.post(
    "/{code}/plan/items/{item_code}/removal", response=PlanOut, summary="Take an item out of the plan"
)
def remove_plan_item(request: HttpRequest, code: str, item_code: str, payload: PlanItemRemovalIn):
    return _plan_item_change(request, code, item_code, payload.reason, adding=False)


class FiguresOut(Schema):
    start: datetime.date
    finish: datetime.date
    parallel_workdays: int
    serial_workdays: int
    construction_start: datetime.date | None
    reform_workdays: int
    item_count: int


class WhatIfOut(Schema):
    current: FiguresOut
    alternative: FiguresOut
    workdays_saved: int
    finish_days_saved: int
    commitment_items: list[str]
    exempt_items: list[str]
    added: list[str]
    removed: list[str]


def _figures_out(figures) -> dict:
    return {
        "start": figures.start,
        "finish": figures.finish,
        "parallel_workdays": figures.parallel_workdays,
        "serial_workdays": figures.serial_workdays,
        "construction_start": figures.construction_start,
        "reform_workdays": figures.reform_workdays,
        "item_count": figures.item_count,
    }


class WhatIfQuery(Schema):
    commitment: bool = False
    zone: bool = False
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


@router.get("/{code}/plan/what-if", response=WhatIfOut, summary="Compare the plan with a what-if")
def plan_what_if(request: HttpRequest, code: str, options: Query[WhatIfQuery]):
    """What the plan page's what-if panel shows; nothing is stored. ``commitment``: 告知承诺制 on every
    item that allows it; ``zone``: a completed 区域评估 exempts the items it covers; ``add`` and
    ``remove``: item codes to put in or leave out. 404 for a project outside the scope or without a plan."""
    project = project_selectors.project_by_code(request.user, code)
    page = plan_selectors.plan_page(request.user, project)
    if page.plan is None:
        raise Http404
    add, remove = options.add, options.remove
    for name, codes, allowed in (("add", add, page.addable), ("remove", remove, page.removable)):
        unknown = set(codes) - {item for item, _label in allowed}
        if unknown:
            raise NinjaValidationError(
                [
                    {
                        "loc": ["query", name],
                        "msg": _("Not an item that can be chosen here: %(codes)s.")
                        % {"codes": ", ".join(sorted(unknown))},
                    }
                ]
            )
    choice = plan_selectors.WhatIfChoice(
        commitment=options.commitment, zone_evaluated=options.zone, add=tuple(add), remove=tuple(remove)
    )
    what_if = page.compare(choice)
    current = _figures_out(page.current)
    if what_if is None:
        return {
            "current": current,
            "alternative": current,
            "workdays_saved": 0,
            "finish_days_saved": 0,
            "commitment_items": [],
            "exempt_items": [],
            "added": [],
            "removed": [],
        }
    return {
        "current": current,
        "alternative": _figures_out(what_if.alternative),
        "workdays_saved": what_if.workdays_saved,
        "finish_days_saved": what_if.finish_days_saved,
        "commitment_items": [item.code for item in what_if.commitment_items],
        "exempt_items": [item.code for item in what_if.exempt_items],
        "added": [item.code for item in what_if.added],
        "removed": [item.code for item in what_if.removed],
    }


class TaskSyncOut(Schema):
    created: list[str]
    removed: list[str]
    kept: list[str]
    tasks: list[TaskOut]


@router.post(
    "/{code}/tasks",
    response={200: TaskSyncOut, 409: ConflictOut},
    summary="Generate the project's tasks from its plan",
)
def generate_tasks(request: HttpRequest, code: str):
    """One task per item of the plan; running it again adds the new items' tasks, removes those of
    items that left the plan and had not started, and keeps those that had (``kept``). 409 while the
    project has no plan."""
    try:
        plan = selectors.plan_of(request.user, code)
    except Http404:
        project_selectors.project_by_code(request.user, code)
        return Status(409, {"detail": _("Generate the approval plan first: tasks are made from its items.")})
    sync = task_services.generate_tasks(actor=request.user, plan=plan, source_ip=client_ip(request))
    return {
        "created": [task.item.code for task in sync.created],
        "removed": list(sync.removed),
        "kept": list(sync.kept),
        "tasks": project_task_list(request, code),
    }


# -- writes: the actions of a task -----------------------------------------------------------------


def _is_state_conflict(error: DjangoValidationError) -> bool:
    return hasattr(error, "error_dict") and set(error.error_dict) == {"state"}


def _act(request: HttpRequest, task_id: int, action: str, run):
    """Do one action of the task page on a task the caller may see (404 otherwise): refused with 403
    for a person of the other side, as the page refuses it, and with 409 when the task's state does
    not allow it now; the service validates the rest (422)."""
    task = task_selectors.task_for(request.user, task_id)
    sides = transitions.ACTIONS[action].sides if action in transitions.ACTIONS else EXTRA_SIDES[action]
    if not sides & _sides(request.user, task):
        raise PermissionDenied
    try:
        run(task)
    except DjangoValidationError as error:
        if _is_state_conflict(error):
            return Status(409, {"detail": " ".join(error.message_dict["state"])})
        raise
    return Status(200, task_detail(request, task_id))


APPLICANT = transitions.AGENT_SIDE
WINDOW = transitions.WINDOW
BOTH = frozenset({APPLICANT, WINDOW})
# The sides of the task page's actions that are not steps of the state machine (as the page offers them).
EXTRA_SIDES = {
    "commitment": frozenset({APPLICANT}),
    "verify": frozenset({WINDOW}),
    "pause": frozenset({WINDOW}),
    "end_pause": frozenset({WINDOW}),
    "extend": frozenset({WINDOW}),
    "receive_owed": BOTH,
    "upload": frozenset({APPLICANT}),
    "precheck": BOTH,
}


def _sides(user, task) -> set[str]:
    sides = set()
    if task_selectors.may_act_for_applicant(user, task):
        sides.add(APPLICANT)
    if task_selectors.is_window_clerk_for(user, task):
        sides.add(WINDOW)
    return sides


ACTION_RESPONSES = {200: TaskDetailOut, 409: ConflictOut}


class DatedIn(Schema):
    on: datetime.date = Field(..., description="The day it happened; not in the future")


class NoteIn(DatedIn):
    note: str = ""


class AcceptIn(DatedIn):
    owed: list[str] = Field(
        default_factory=list,
        description="Codes of non-key materials still owed (容缺受理), if the item allows",
    )
    owed_until: datetime.date | None = Field(None, description="Required with owed materials")


class CorrectionIn(DatedIn):
    requested: str = Field(..., description="What must be corrected or supplied")


class DecisionIn(DatedIn):
    document_number: str
    note: str = Field("", description="Required for a refusal: its reasons")


class CommitmentDecisionIn(DatedIn):
    document_number: str
    verification_due_on: datetime.date | None = Field(
        None, description="Empty for the usual follow-up period after the decision"
    )
    note: str = ""


class WithdrawIn(DatedIn):
    reason: str


class CommitmentChoiceIn(Schema):
    chosen: bool = Field(..., description="True to choose 告知承诺制 for the item, false to drop it")


class VerificationIn(DatedIn):
    kept: bool
    findings: str = Field("", description="Required when the commitment was broken")


class PauseIn(DatedIn):
    kind: str = Field(..., description="expert_review, hearing, testing or site_survey, as the item allows")
    reason: str


class EndPauseIn(DatedIn):
    kind: str = Field(..., description="The kind of the running pause to end (one runs of each kind at most)")


class ExtendIn(Schema):
    workdays: int = Field(..., ge=1, le=365)
    reason: str


class ReceiveOwedIn(DatedIn):
    material: str = Field(..., description="The code of the owed material")


class PrecheckIn(Schema):
    file: int = Field(..., description="The id of an uploaded version of one of the task's materials")
    verdict: str = Field(..., description=", ".join(MaterialCheck.Verdict.values))
    comment: str = ""


def _one(queryset, field: str, value):
    """The task's own object named in the body: one of another task does not exist here (422)."""
    found = queryset.filter(pk=value).first() if isinstance(value, int) else queryset.filter(**value).first()
    if found is None:
        raise _field_error(field, _("The task has no such %(field)s.") % {"field": field})
    return found


@tasks_router.post("/{task_id}/prepare", response=ACTION_RESPONSES, summary="Start preparing the materials")
def task_prepare(request: HttpRequest, task_id: int, payload: NoteIn):
    return _act(
        request,
        task_id,
        "prepare",
        lambda task: task_services.start_preparing(
            actor=request.user, task=task, on=payload.on, note=payload.note, source_ip=client_ip(request)
        ),
    )


@tasks_router.post("/{task_id}/accept", response=ACTION_RESPONSES, summary="Accept the application (受理)")
def task_accept(request: HttpRequest, task_id: int, payload: AcceptIn):
    """The clock starts. Where the item allows 容缺受理, non-key materials may still be owed until
    ``owed_until``."""

    def run(task):
        owed = []
        if payload.owed:
            if payload.owed_until is None:
                raise _field_error(
                    "owed_until", _("Give the date by which the owed materials are handed in.")
                )
            materials = {
                material.code: material
                for material in Material.objects.filter(item_links__item=task.item_id, code__in=payload.owed)
            }
            unknown = sorted(set(payload.owed) - set(materials))
            if unknown:
                raise _field_error(
                    "owed", _("Not a material of this item: %(codes)s.") % {"codes": ", ".join(unknown)}
                )
            owed = [
                task_services.Owed(material=materials[code], due_on=payload.owed_until)
                for code in dict.fromkeys(payload.owed)
            ]
        task_services.accept_task(
            actor=request.user, task=task, on=payload.on, owed=owed, source_ip=client_ip(request)
        )

    return _act(request, task_id, "accept", run)


@tasks_router.post(
    "/{task_id}/request-correction", response=ACTION_RESPONSES, summary="Ask for corrections (补正)"
)
def task_request_correction(request: HttpRequest, task_id: int, payload: CorrectionIn):
    """The clock stands still until the corrected materials are handed in."""
    return _act(
        request,
        task_id,
        "request_correction",
        lambda task: task_services.request_correction(
            actor=request.user,
            task=task,
            on=payload.on,
            requested=payload.requested,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post("/{task_id}/resubmit", response=ACTION_RESPONSES, summary="Corrected materials handed in")
def task_resubmit(request: HttpRequest, task_id: int, payload: NoteIn):
    return _act(
        request,
        task_id,
        "resubmit",
        lambda task: task_services.resubmit_corrections(
            actor=request.user, task=task, on=payload.on, note=payload.note, source_ip=client_ip(request)
        ),
    )


def _decide(request: HttpRequest, task_id: int, payload: DecisionIn, outcome: str):
    return _act(
        request,
        task_id,
        outcome,
        lambda task: task_services.decide_task(
            actor=request.user,
            task=task,
            on=payload.on,
            outcome=outcome,
            document_number=payload.document_number,
            note=payload.note,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post("/{task_id}/approve", response=ACTION_RESPONSES, summary="Approve (准予)")
def task_approve(request: HttpRequest, task_id: int, payload: DecisionIn):
    return _decide(request, task_id, payload, "approve")


@tasks_router.post("/{task_id}/refuse", response=ACTION_RESPONSES, summary="Refuse (不予许可)")
def task_refuse(request: HttpRequest, task_id: int, payload: DecisionIn):
    """``note`` gives the reasons and is required."""
    return _decide(request, task_id, payload, "refuse")


@tasks_router.post(
    "/{task_id}/approve-on-commitment",
    response=ACTION_RESPONSES,
    summary="Approve on the applicant's commitment (告知承诺制)",
)
def task_approve_on_commitment(request: HttpRequest, task_id: int, payload: CommitmentDecisionIn):
    return _act(
        request,
        task_id,
        "approve_on_commitment",
        lambda task: task_services.decide_by_commitment(
            actor=request.user,
            task=task,
            on=payload.on,
            document_number=payload.document_number,
            verification_due_on=payload.verification_due_on,
            note=payload.note,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post(
    "/{task_id}/withdraw", response=ACTION_RESPONSES, summary="Withdraw the application (撤回)"
)
def task_withdraw(request: HttpRequest, task_id: int, payload: WithdrawIn):
    return _act(
        request,
        task_id,
        "withdraw",
        lambda task: task_services.withdraw_task(
            actor=request.user, task=task, on=payload.on, reason=payload.reason, source_ip=client_ip(request)
        ),
    )


@tasks_router.post(
    "/{task_id}/commitment", response=ACTION_RESPONSES, summary="Choose or drop 告知承诺制 for the item"
)
def task_commitment(request: HttpRequest, task_id: int, payload: CommitmentChoiceIn):
    return _act(
        request,
        task_id,
        "commitment",
        lambda task: task_services.choose_commitment(
            actor=request.user, task=task, chosen=payload.chosen, source_ip=client_ip(request)
        ),
    )


@tasks_router.post(
    "/{task_id}/verify", response=ACTION_RESPONSES, summary="Record the verification of the commitment"
)
def task_verify(request: HttpRequest, task_id: int, payload: VerificationIn):
    return _act(
        request,
        task_id,
        "verify",
        lambda task: task_services.record_verification(
            actor=request.user,
            task=task,
            on=payload.on,
            kept=payload.kept,
            findings=payload.findings,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post(
    "/{task_id}/pause",
    response=ACTION_RESPONSES,
    summary="Stop the clock (expert review, hearing, testing, site survey)",
)
def task_pause(request: HttpRequest, task_id: int, payload: PauseIn):
    if payload.kind not in PauseKind.values or payload.kind == PauseKind.CORRECTION:
        raise _field_error("kind", _("Not a kind of time the clock can stop for here."))
    return _act(
        request,
        task_id,
        "pause",
        lambda task: task_services.start_pause(
            actor=request.user,
            task=task,
            kind=payload.kind,
            on=payload.on,
            reason=payload.reason,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post("/{task_id}/end-pause", response=ACTION_RESPONSES, summary="The clock runs again")
def task_end_pause(request: HttpRequest, task_id: int, payload: EndPauseIn):
    return _act(
        request,
        task_id,
        "end_pause",
        lambda task: task_services.end_pause(
            actor=request.user,
            pause=_one(
                ClockPause.objects.filter(task=task, ends_on__isnull=True).exclude(kind=PauseKind.CORRECTION),
                "kind",
                {"kind": payload.kind},
            ),
            on=payload.on,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post("/{task_id}/extend", response=ACTION_RESPONSES, summary="Extend the time limit")
def task_extend(request: HttpRequest, task_id: int, payload: ExtendIn):
    return _act(
        request,
        task_id,
        "extend",
        lambda task: task_services.extend_task(
            actor=request.user,
            task=task,
            workdays=payload.workdays,
            reason=payload.reason,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post(
    "/{task_id}/receive-owed", response=ACTION_RESPONSES, summary="An owed material (容缺) was received"
)
def task_receive_owed(request: HttpRequest, task_id: int, payload: ReceiveOwedIn):
    return _act(
        request,
        task_id,
        "receive_owed",
        lambda task: task_services.receive_owed_material(
            actor=request.user,
            owed=_one(
                OwedMaterial.objects.filter(task=task), "material", {"material__code": payload.material}
            ),
            on=payload.on,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post(
    "/{task_id}/precheck", response=ACTION_RESPONSES, summary="Pre-check an uploaded version of a material"
)
def task_precheck(request: HttpRequest, task_id: int, payload: PrecheckIn):
    return _act(
        request,
        task_id,
        "precheck",
        lambda task: task_services.precheck_material(
            actor=request.user,
            upload=_one(
                MaterialFile.objects.filter(project=task.project_id, material__item_links__item=task.item_id),
                "file",
                payload.file,
            ),
            verdict=payload.verdict,
            comment=payload.comment,
            source_ip=client_ip(request),
        ),
    )


@tasks_router.post(
    "/{task_id}/materials",
    response={200: TaskDetailOut, 409: ConflictOut},
    summary="Upload a new version of one of the task's materials",
)
def task_upload(
    request: HttpRequest,
    task_id: int,
    material: Form[str],
    file: File[UploadedFile],
    note: Form[str] = "",
):
    """Multipart: ``material`` (its code), ``file`` and an optional ``note``. The type is checked on
    the content (PDF, PNG, JPEG, DOCX, XLSX or OFD) and the size against ``MAX_UPLOAD_MB``, as on the
    page; the version serves every task of the project that requires the material."""
    return _act(
        request,
        task_id,
        "upload",
        lambda task: task_services.upload_material(
            actor=request.user,
            project=task.project,
            material=_one(
                Material.objects.filter(item_links__item=task.item_id), "material", {"code": material}
            ),
            upload=file,
            note=note,
            source_ip=client_ip(request),
        ),
    )


# -- joint events (联合踏勘, 联合审图, 联合验收) ------------------------------------------------------
#
# What the project's joint events page shows and records, plus the later changes the service allows
# (findings after the event, the tasks it served). Reads follow the project's scope (404 outside it,
# investors and window clerks included); writes are the agent side's, as on the page (403 otherwise).

joint_events_router = Router(tags=["joint events"], auth=API_AUTH)


class JointDepartmentOut(Schema):
    ref: str = Field(..., description="REGION:CODE, as the writes name the department")
    region: str
    code: str
    name: str


class LinkedTaskOut(Schema):
    id: int
    item_code: str
    name: str


class JointEventOut(Schema):
    id: int
    project_code: str
    kind: str
    kind_label: str
    held_on: datetime.date
    location: str
    departments: list[JointDepartmentOut]
    participants: list[str]
    findings: str
    tasks: list[LinkedTaskOut]
    recorded_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class JointEventPage(Schema):
    items: list[JointEventOut]
    next_cursor: str | None


class JointEventQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    kind: str = Field("", description=", ".join(JointEventKind.values))


class JointEventIn(Schema):
    kind: str = Field(..., description=", ".join(JointEventKind.values))
    held_on: datetime.date = Field(..., description="A future date records a planned event")
    location: str = ""
    departments: list[str] = Field(
        default_factory=list,
        description="REGION:CODE of each department taking part: of the project's region, a region "
        "above it, or one the project involves",
    )
    participants: list[str] = Field(default_factory=list, description="One person or body each")
    findings: str = ""
    tasks: list[int] = Field(default_factory=list, description="Ids of the project's tasks it serves")


class JointEventChangeIn(Schema):
    """Only the fields sent are changed. The kind is not among them: record another event instead."""

    model_config = ConfigDict(extra="forbid")

    held_on: datetime.date | None = None
    location: str | None = None
    departments: list[str] | None = Field(None, description="REGION:CODE, replacing the departments")
    participants: list[str] | None = Field(None, description="Replacing the participants")
    findings: str | None = None
    tasks: list[int] | None = Field(None, description="Task ids, replacing the linked tasks")


def _event_out(event: JointEvent, project_code: str) -> dict:
    return {
        "id": event.pk,
        "project_code": project_code,
        "kind": event.kind,
        "kind_label": str(JointEventKind(event.kind).label),
        "held_on": event.held_on,
        "location": event.location,
        "departments": [
            {
                "ref": f"{department.region.code}:{department.code}",
                "region": department.region.code,
                "code": department.code,
                "name": department.name,
            }
            for department in event.departments.all()
        ],
        "participants": list(event.participants),
        "findings": event.findings,
        "tasks": [
            {"id": task.pk, "item_code": task.item.code, "name": task.item.name} for task in event.tasks.all()
        ],
        "recorded_by": event.created_by.username if event.created_by_id else None,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _require_event_editor(user, project) -> None:
    """Refuse the other roles before their input is read, as the page does (403, not 422)."""
    if not task_selectors.may_act_for_project(user, project):
        raise PermissionDenied


def _event_departments(project, refs: list[str]) -> list:
    allowed = {
        f"{department.region.code}:{department.code}": department
        for department in task_selectors.joint_event_departments(project)
    }
    wanted = list(dict.fromkeys(refs))
    unknown = [ref for ref in wanted if ref not in allowed]
    if unknown:
        raise _field_error(
            "departments",
            _("Not a department that may take part in this project's events: %(refs)s.")
            % {"refs": ", ".join(unknown)},
        )
    return [allowed[ref] for ref in wanted]


def _event_tasks(user, project, ids: list[int]) -> list:
    if not ids:
        return []
    # Matched in Python among the project's few tasks: an id of another project, or of no task at
    # all (however large), is refused on the field and never sent to the database.
    _project, tasks = task_selectors.project_tasks(user, project.code)
    by_id = {task.pk: task for task in tasks}
    if any(task_id not in by_id for task_id in ids):
        raise _field_error("tasks", _("Link only tasks of this project."))
    return [by_id[task_id] for task_id in dict.fromkeys(ids)]


@router.get(
    "/{code}/joint-events",
    response=JointEventPage,
    summary="A project's joint surveys, reviews and acceptances",
)
def project_joint_events(request: HttpRequest, code: str, filters: Query[JointEventQuery]):
    """Newest recorded first, keyset-paginated: send ``next_cursor`` as ``cursor`` for the next page.
    Everyone who may see the project sees its events; 404 outside the caller's scope."""
    if filters.kind and filters.kind not in JointEventKind.values:
        raise NinjaValidationError(
            [{"loc": ["query", "kind"], "msg": _("Unknown kind %(kind)s.") % {"kind": filters.kind}}]
        )
    project = project_selectors.project_by_code(request.user, code)
    events = task_selectors.joint_events_for(request.user, project)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.cursor:
        if not filters.cursor.isdigit():
            raise NinjaValidationError([{"loc": ["query", "cursor"], "msg": _("This cursor is not valid.")}])
        events = events.filter(pk__lt=int(filters.cursor))
    rows = list(events.order_by("-pk")[: filters.limit + 1])
    next_cursor = str(rows[filters.limit - 1].pk) if len(rows) > filters.limit else None
    rows = rows[: filters.limit]
    return {"items": [_event_out(event, project.code) for event in rows], "next_cursor": next_cursor}


@router.post(
    "/{code}/joint-events",
    response={201: JointEventOut},
    summary="Record a joint survey, review or acceptance",
)
def record_joint_event(request: HttpRequest, code: str, payload: JointEventIn):
    """As the project's joint events page records one: the project's agent (own or unassigned
    projects) or centre staff; 403 for other roles, 404 outside the caller's scope."""
    project = project_selectors.project_by_code(request.user, code)
    _require_event_editor(request.user, project)
    event = task_services.record_joint_event(
        actor=request.user,
        project=project,
        kind=payload.kind,
        held_on=payload.held_on,
        location=payload.location,
        departments=_event_departments(project, payload.departments),
        participants=payload.participants,
        findings=payload.findings,
        tasks=_event_tasks(request.user, project, payload.tasks),
        source_ip=client_ip(request),
    )
    return Status(201, joint_event_detail(request, event.pk))


@joint_events_router.get("/{event_id}", response=JointEventOut, summary="One joint event")
def joint_event_detail(request: HttpRequest, event_id: int):
    """404 for an event of a project outside the caller's scope."""
    event = task_selectors.joint_event_for(request.user, event_id)
    return _event_out(event, event.project.code)


@joint_events_router.patch("/{event_id}", response=JointEventOut, summary="Change a joint event")
def change_joint_event(request: HttpRequest, event_id: int, payload: JointEventChangeIn):
    """Typically the findings once the event was held, or the tasks it served. The same people as
    for recording one (403 otherwise); the change is audited field by field."""
    event = task_selectors.joint_event_for(request.user, event_id)
    _require_event_editor(request.user, event.project)
    changes = payload.dict(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise _field_error(name, _("This field cannot be empty."))
    if "departments" in changes:
        changes["departments"] = _event_departments(event.project, changes["departments"])
    if "tasks" in changes:
        changes["tasks"] = _event_tasks(request.user, event.project, changes["tasks"])
    task_services.update_joint_event(
        actor=request.user, event=event, changes=changes, source_ip=client_ip(request)
    )
    return joint_event_detail(request, event.pk)
