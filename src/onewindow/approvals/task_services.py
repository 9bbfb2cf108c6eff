"""Every write of approval tasks (办件): generating them from a plan, each step of the state machine
(``transitions.ACTIONS``), the clock's pauses and extensions, 容缺受理 and 告知承诺制, materials and
their pre-checks, and joint events.

Each function is atomic, takes keyword-only arguments, refuses bad input with a ``ValidationError``
keyed by field and a wrong person with ``PermissionDenied``, and writes its audit row (with the
project's region path) in the same transaction. A function that changes a task locks its row and
returns the task as saved; the instance passed in is not updated.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.approvals import clock as task_clock
from onewindow.approvals import filetypes, selectors, task_selectors, transitions
from onewindow.approvals import tally as task_tally
from onewindow.approvals.models import (
    CLOCK_STATES,
    ApprovalTask,
    ClockPause,
    ItemMaterial,
    JointEvent,
    JointEventKind,
    Material,
    MaterialCheck,
    MaterialFile,
    OwedMaterial,
    PauseKind,
    Plan,
    TaskState,
)
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.projects import services as project_services
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects
from onewindow.regions.models import Department

MAX_TEXT = 2000
MAX_DOCUMENT = 100
TASK_FIELDS = [
    "state",
    "state_changed_on",
    "preparing_on",
    "accepted_on",
    "decided_on",
    "decision_document",
    "decision_note",
    "withdrawal_reason",
    "commitment",
    "verification_due_on",
    "verified_on",
    "verification_passed",
    "verification_note",
    "extension_workdays",
    "correction_rounds",
    "due_on",
    "overdue_since",
    "paused_since",
]


# -- who may act ---------------------------------------------------------------------------------


def _project_visible(actor: User, project_id: int) -> bool:
    return visible_projects(actor).filter(pk=project_id).exists()


def _require_applicant_side(actor: User, task: ApprovalTask) -> None:
    """The agent side: an editor of the register in scope; an agent only on own or unassigned projects."""
    if not task_selectors.may_act_for_applicant(actor, task):
        raise PermissionDenied(_("Only the project's agent or centre staff may do this."))
    if not _project_visible(actor, task.project_id):
        raise PermissionDenied


def _require_window(actor: User, task: ApprovalTask) -> None:
    """A window clerk of the task's department, in a project they may see."""
    if not task_selectors.is_window_clerk_for(actor, task):
        raise PermissionDenied(_("Only the window clerks of the task's department may do this."))
    if not _project_visible(actor, task.project_id):
        raise PermissionDenied


def _require_either(actor: User, task: ApprovalTask) -> None:
    if task_selectors.is_window_clerk_for(actor, task):
        _require_window(actor, task)
    else:
        _require_applicant_side(actor, task)


def _require_project_editor(actor: User, project: Project) -> None:
    if not task_selectors.may_act_for_project(actor, project):
        raise PermissionDenied(_("Only the project's agent or centre staff may do this."))
    if not _project_visible(actor, project.pk):
        raise PermissionDenied


# -- helpers -------------------------------------------------------------------------------------


def _locked(task: ApprovalTask) -> ApprovalTask:
    return (
        ApprovalTask.objects.select_for_update(of=("self",))
        .select_related("item", "department", "project__region")
        .get(pk=task.pk)
    )


def _state_label(state: str) -> str:
    return str(TaskState(state).label)


def _check_action(task: ApprovalTask, action: str) -> None:
    if not transitions.allowed(action, task.state):
        target = transitions.ACTIONS[action].target
        raise ValidationError(
            {
                "state": _("A task that is %(state)s cannot become %(target)s.")
                % {"state": _state_label(task.state), "target": _state_label(target)}
            }
        )


def _date_errors(task: ApprovalTask, on: datetime.date, name: str = "on") -> dict[str, str]:
    if on > timezone.localdate():
        return {name: _("The date is in the future.")}
    if task.state_changed_on is not None and on < task.state_changed_on:
        return {
            name: _("The date is before the task's last change (%(date)s).")
            % {"date": task.state_changed_on.isoformat()}
        }
    return {}


def _text(value: str, name: str, message: str, errors: dict, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = message
    elif len(value) > MAX_TEXT:
        errors[name] = _("Keep it under 2,000 characters.")
    return value


def _document(value: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors["document_number"] = _("Enter the decision's document number.")
    elif len(value) > MAX_DOCUMENT:
        errors["document_number"] = _("Keep the document number under 100 characters.")
    return value


def _raise(errors: Mapping[str, Any]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _refresh_clock(task: ApprovalTask) -> None:
    """Recompute the stored clock fields from the task and its pauses (see ``clock.stored_clock``)."""
    if task.accepted_on is None or task.state == TaskState.WITHDRAWN:
        task.overdue_since = None
        task.paused_since = None
        if task.accepted_on is None:
            task.due_on = None
        return
    stored = task_clock.stored_clock(
        selectors.workday_calendar(),
        accepted_on=task.accepted_on,
        limit_workdays=task.limit_workdays,
        today=max(timezone.localdate(), task.decided_on or task.accepted_on),
        pauses=task_selectors.counted_pauses(task, task.pauses.all()),
        extension_workdays=task.extension_workdays,
        decided_on=task.decided_on,
    )
    task.due_on, task.overdue_since, task.paused_since = (
        stored.due_on,
        stored.overdue_since,
        stored.paused_since,
    )


def refresh_stored_clocks(*, year: int) -> int:
    """Recompute the stored due dates of the tasks whose clocks a changed calendar year touches (called
    when an administrator enters a year's holiday notice, inside that transaction); how many changed.
    The live clock needs no refresh: it always reads the current calendar."""
    touched = (
        ApprovalTask.objects.filter(accepted_on__year__lte=year, state__in=CLOCK_STATES)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__year__gte=year) | Q(due_on__year__gte=year))
        .select_related("item")
        .prefetch_related("pauses")
    )
    changed = []
    for task in touched:
        before = (task.due_on, task.overdue_since, task.paused_since)
        _refresh_clock(task)
        if (task.due_on, task.overdue_since, task.paused_since) != before:
            changed.append(task)
    # A bulk update sends no signals: the task tallies (which count lateness by due date) follow here.
    with task_tally.retallying(task.pk for task in changed):
        ApprovalTask.objects.bulk_update(changed, ["due_on", "overdue_since", "paused_since"])
    return len(changed)


def _save(
    task: ApprovalTask,
    *,
    actor: User,
    before: Mapping[str, Any],
    action: str,
    source_ip: str | None,
    extra: Mapping[str, Any] | None = None,
) -> ApprovalTask:
    _refresh_clock(task)
    task.save()
    changes = audit.diff(before, audit.snapshot(task, TASK_FIELDS))
    changes.update(extra or {})
    audit.record(
        actor=actor,
        action=action,
        obj=task,
        changes=changes,
        source_ip=source_ip,
        region_path=task.project.region.path,
    )
    return task


def _move(task: ApprovalTask, action: str, on: datetime.date) -> None:
    task.state = transitions.ACTIONS[action].target
    task.state_changed_on = on


def _close_open_pauses(task: ApprovalTask, on: datetime.date, actor: User) -> list[int]:
    """End every pause still open on ``on``; their ids, for the audit row."""
    open_pauses = list(task.pauses.filter(ends_on__isnull=True))
    for pause in open_pauses:
        if on < pause.starts_on:
            raise ValidationError(
                {
                    "on": _("The date is before the open pause that began on %(date)s.")
                    % {"date": pause.starts_on}
                }
            )
        pause.ends_on, pause.ended_by = on, actor
        pause.save(update_fields=["ends_on", "ended_by"])
    return [pause.pk for pause in open_pauses]


# -- generating tasks from a plan ----------------------------------------------------------------


@dataclass(frozen=True)
class TaskSync:
    created: tuple[ApprovalTask, ...]
    removed: tuple[str, ...]  # item codes of unstarted tasks whose item left the plan
    kept: tuple[str, ...]  # item codes of started tasks whose item left the plan (kept as they are)


@transaction.atomic
def generate_tasks(*, actor: User, plan: Plan, source_ip: str | None = None) -> TaskSync:
    """One task per item in the plan; running it again creates only what is missing. A task whose
    item was taken out of the plan is removed if it never started, and kept (and reported) if it did."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("project__region").get(pk=plan.pk)
    project = plan.project
    _require_project_editor(actor, project)
    included = {
        entry.item_id: entry.item
        for entry in plan.entries.filter(included=True).select_related("item__department")
    }
    existing = {task.item_id: task for task in plan.tasks.select_related("item")}
    new = [
        ApprovalTask(
            plan=plan,
            project=project,
            item=item,
            department_id=item.department_id,
            limit_workdays=item.limit_workdays,
        )
        for item_id, item in sorted(included.items(), key=lambda pair: pair[1].position)
        if item_id not in existing
    ]
    created = ApprovalTask.objects.bulk_create(new)
    removed, kept = [], []
    for item_id, task in existing.items():
        if item_id in included:
            continue
        if task.state == TaskState.NOT_STARTED:
            removed.append(task)
        else:
            kept.append(task.item.code)
    for task in created:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=task,
            changes={"plan": plan.pk, "item": task.item.code, "limit_workdays": task.limit_workdays},
            source_ip=source_ip,
            region_path=project.region.path,
        )
    for task in removed:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=task,
            changes={"item": task.item.code, "reason": "item left the plan"},
            source_ip=source_ip,
            region_path=project.region.path,
        )
    removed_codes = tuple(task.item.code for task in removed)
    ApprovalTask.objects.filter(pk__in=[task.pk for task in removed]).delete()
    project_services.involve_departments(
        actor=actor,
        project=project,
        departments=handling_departments(project, {item.department.code for item in included.values()}),
        source_ip=source_ip,
    )
    return TaskSync(created=tuple(created), removed=removed_codes, kept=tuple(sorted(kept)))


def handling_departments(project: Project, codes: set[str]) -> list[Department]:
    """For each catalog department code, the department whose window handles the project's item: the
    one with that code nearest the project's region up its chain (the county's own 发改 for a county
    project, else the city's). Window clerks see a project when its departments include theirs
    (``projects.selectors.visible_projects``), so generating tasks involves these departments."""
    chain = [code for code in project.region.path.split("/") if code]
    depth = {code: position for position, code in enumerate(chain)}
    nearest: dict[str, Department] = {}
    for department in Department.objects.filter(region__code__in=chain, code__in=codes).select_related(
        "region"
    ):
        found = nearest.get(department.code)
        if found is None or depth[department.region.code] > depth[found.region.code]:
            nearest[department.code] = department
    return [nearest[code] for code in sorted(nearest)]


# -- the agent side ------------------------------------------------------------------------------


@transaction.atomic
def start_preparing(
    *, actor: User, task: ApprovalTask, on: datetime.date, note: str = "", source_ip: str | None = None
) -> ApprovalTask:
    """未开始 → 材料准备: the agent starts gathering and pre-checking the materials (提前介入)."""
    task = _locked(task)
    _require_applicant_side(actor, task)
    _check_action(task, "prepare")
    errors = _date_errors(task, on)
    note = _text(note, "note", "", errors, required=False)
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    _move(task, "prepare", on)
    task.preparing_on = on
    extra = {"note": note} if note else {}
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra=extra,
    )


@transaction.atomic
def choose_commitment(
    *, actor: User, task: ApprovalTask, chosen: bool, source_ip: str | None = None
) -> ApprovalTask:
    """The agent chooses (or drops) 告知承诺制 for an item that allows it, before it is filed."""
    task = _locked(task)
    _require_applicant_side(actor, task)
    if not task.item.commitment_allowed:
        raise ValidationError(
            {"commitment": _("This item does not allow notification and commitment (告知承诺制).")}
        )
    if task.state not in (TaskState.NOT_STARTED, TaskState.PREPARING):
        raise ValidationError(
            {
                "state": _("Notification and commitment is chosen before filing; the task is %(state)s.")
                % {"state": _state_label(task.state)}
            }
        )
    before = audit.snapshot(task, TASK_FIELDS)
    task.commitment = bool(chosen)
    return _save(task, actor=actor, before=before, action=AuditEntry.Action.UPDATE, source_ip=source_ip)


@transaction.atomic
def withdraw_task(
    *, actor: User, task: ApprovalTask, on: datetime.date, reason: str, source_ip: str | None = None
) -> ApprovalTask:
    """→ 撤回: the applicant withdraws the application; open pauses end on that day."""
    task = _locked(task)
    _require_applicant_side(actor, task)
    _check_action(task, "withdraw")
    errors = _date_errors(task, on)
    reason = _text(reason, "reason", _("Give the reason for the withdrawal."), errors)
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    ended = _close_open_pauses(task, on, actor)
    _move(task, "withdraw", on)
    task.withdrawal_reason = reason
    extra = {"pauses_ended": ended} if ended else {}
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra=extra,
    )


@transaction.atomic
def resubmit_corrections(
    *, actor: User, task: ApprovalTask, on: datetime.date, note: str = "", source_ip: str | None = None
) -> ApprovalTask:
    """补正 → 已受理: the corrected materials are handed in and the clock runs again from the next
    working day. The agent files them, or the window records receiving them."""
    task = _locked(task)
    _require_either(actor, task)
    _check_action(task, "resubmit")
    errors = _date_errors(task, on)
    note = _text(note, "note", "", errors, required=False)
    pause = task.pauses.filter(kind=PauseKind.CORRECTION, ends_on__isnull=True).order_by("-number").first()
    if pause is not None and on < pause.starts_on:
        errors["on"] = _("The date is before the correction was asked for.")
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    if pause is not None:
        pause.ends_on, pause.ended_by = on, actor
        pause.save(update_fields=["ends_on", "ended_by"])
    _move(task, "resubmit", on)
    extra = {"round": pause.number if pause else None} | ({"note": note} if note else {})
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra=extra,
    )


# -- the department's window ---------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """A material still owed under 容缺受理, and the day it must be handed in."""

    material: Material
    due_on: datetime.date
    note: str = ""


@transaction.atomic
def accept_task(
    *,
    actor: User,
    task: ApprovalTask,
    on: datetime.date,
    owed: Sequence[Owed] = (),
    source_ip: str | None = None,
) -> ApprovalTask:
    """材料准备 → 已受理: the window accepts the application and the clock starts. With ``owed``, it is
    accepted while non-key materials are still owed (容缺受理), if the item allows it."""
    task = _locked(task)
    _require_window(actor, task)
    _check_action(task, "accept")
    errors = _date_errors(task, on)
    if task.commitment:
        errors["commitment"] = _(
            "The applicant chose notification and commitment: decide it at once, or the agent drops "
            "the choice first."
        )
    if owed:
        errors.update(_owed_errors(task, on, owed))
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    _move(task, "accept", on)
    task.accepted_on = on
    OwedMaterial.objects.bulk_create(
        OwedMaterial(task=task, material=entry.material, due_on=entry.due_on, note=entry.note.strip())
        for entry in owed
    )
    extra = (
        {"owed": [{"material": entry.material.code, "due_on": entry.due_on.isoformat()} for entry in owed]}
        if owed
        else {}
    )
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra=extra,
    )


def _owed_errors(task: ApprovalTask, on: datetime.date, owed: Sequence[Owed]) -> dict[str, str]:
    if not task.item.deficiency_acceptance_allowed:
        return {"owed": _("This item does not allow acceptance while a material is owed (容缺受理).")}
    links = {link.material_id: link for link in ItemMaterial.objects.filter(item=task.item_id)}
    seen = set()
    for entry in owed:
        link = links.get(entry.material.pk)
        if link is None:
            return {
                "owed": _("%(material)s is not a material of this item.") % {"material": entry.material.name}
            }
        if link.key:
            return {
                "owed": _("%(material)s is a key material and cannot be owed.")
                % {"material": entry.material.name}
            }
        if entry.material.pk in seen:
            return {"owed": _("%(material)s is listed twice.") % {"material": entry.material.name}}
        seen.add(entry.material.pk)
        if entry.due_on < on:
            return {"owed": _("Give each owed material a date on or after the acceptance.")}
        if len(entry.note) > MAX_TEXT:
            return {"owed": _("Keep it under 2,000 characters.")}
    return {}


@transaction.atomic
def request_correction(
    *, actor: User, task: ApprovalTask, on: datetime.date, requested: str, source_ip: str | None = None
) -> ApprovalTask:
    """已受理 → 补正: the window asks for corrections; the clock stops after ``on`` until they come.
    Each round is counted and keeps what was asked."""
    task = _locked(task)
    _require_window(actor, task)
    _check_action(task, "request_correction")
    errors = _date_errors(task, on)
    requested = _text(requested, "requested", _("Say what must be corrected or supplied."), errors)
    if task.pauses.filter(ends_on__isnull=True).exclude(kind=PauseKind.CORRECTION).exists():
        errors["state"] = _("End the running pause of the clock before asking for corrections.")
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    task.correction_rounds += 1
    ClockPause.objects.create(
        task=task,
        kind=PauseKind.CORRECTION,
        number=task.correction_rounds,
        reason=requested,
        starts_on=on,
        started_by=actor,
    )
    _move(task, "request_correction", on)
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra={"round": task.correction_rounds, "requested": requested},
    )


DECISIONS = {"approve": TaskState.APPROVED, "refuse": TaskState.REFUSED}


@transaction.atomic
def decide_task(
    *,
    actor: User,
    task: ApprovalTask,
    on: datetime.date,
    outcome: str,
    document_number: str,
    note: str = "",
    source_ip: str | None = None,
) -> ApprovalTask:
    """已受理 → 准予 (``outcome="approve"``) or 不予许可 (``outcome="refuse"``, with the reasons in
    ``note``), with the decision's document number and date. The clock stops on that date."""
    if outcome not in DECISIONS:
        raise ValidationError({"outcome": _("Choose to approve or to refuse.")})
    task = _locked(task)
    _require_window(actor, task)
    _check_action(task, outcome)
    errors = _date_errors(task, on)
    document = _document(document_number, errors)
    note = _text(
        note,
        "note",
        _("Give the reasons for the refusal."),
        errors,
        required=outcome == "refuse",
    )
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    ended = _close_open_pauses(task, on, actor)
    _move(task, outcome, on)
    task.decided_on, task.decision_document, task.decision_note = on, document, note
    extra = {"pauses_ended": ended} if ended else {}
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.TRANSITION,
        source_ip=source_ip,
        extra=extra,
    )


@transaction.atomic
def decide_by_commitment(
    *,
    actor: User,
    task: ApprovalTask,
    on: datetime.date,
    document_number: str,
    verification_due_on: datetime.date | None = None,
    note: str = "",
    source_ip: str | None = None,
) -> ApprovalTask:
    """材料准备 → 准予 at once under 告知承诺制: accepted and approved on the same day on the applicant's
    written commitment, with a follow-up verification due (by default a configured number of working
    days later, ``ONEWINDOW_COMMITMENT_VERIFICATION_WORKDAYS``)."""
    task = _locked(task)
    _require_window(actor, task)
    _check_action(task, "approve_on_commitment")
    errors = _date_errors(task, on)
    if not task.item.commitment_allowed:
        errors["commitment"] = _("This item does not allow notification and commitment (告知承诺制).")
    elif not task.commitment:
        errors["commitment"] = _("The applicant has not chosen notification and commitment for this item.")
    document = _document(document_number, errors)
    note = _text(note, "note", "", errors, required=False)
    if verification_due_on is None:
        verification_due_on = selectors.workday_calendar().add_workdays(
            on, settings.ONEWINDOW_COMMITMENT_VERIFICATION_WORKDAYS
        )[0]
    elif verification_due_on <= on:
        errors["verification_due_on"] = _("The verification is due after the decision.")
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    _move(task, "approve_on_commitment", on)
    task.accepted_on = task.decided_on = on
    task.decision_document, task.decision_note = document, note
    task.verification_due_on = verification_due_on
    return _save(task, actor=actor, before=before, action=AuditEntry.Action.TRANSITION, source_ip=source_ip)


@transaction.atomic
def record_verification(
    *,
    actor: User,
    task: ApprovalTask,
    on: datetime.date,
    kept: bool,
    findings: str = "",
    source_ip: str | None = None,
) -> ApprovalTask:
    """The follow-up check of a commitment: was it kept? A broken commitment needs its findings."""
    task = _locked(task)
    _require_window(actor, task)
    errors: dict[str, str] = {}
    if task.verification_due_on is None or task.state != TaskState.APPROVED:
        raise ValidationError({"state": _("Only a task approved on commitment is verified afterwards.")})
    if task.verified_on is not None:
        raise ValidationError({"state": _("The commitment has been verified already.")})
    if on > timezone.localdate():
        errors["on"] = _("The date is in the future.")
    elif on < task.decided_on:
        errors["on"] = _("The verification comes after the decision.")
    findings = _text(findings, "findings", _("Describe what was found."), errors, required=not kept)
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    task.verified_on, task.verification_passed, task.verification_note = on, bool(kept), findings
    return _save(task, actor=actor, before=before, action=AuditEntry.Action.UPDATE, source_ip=source_ip)


# -- the clock: pauses and extensions ------------------------------------------------------------


@transaction.atomic
def start_pause(
    *,
    actor: User,
    task: ApprovalTask,
    kind: str,
    on: datetime.date,
    reason: str,
    source_ip: str | None = None,
) -> ClockPause:
    """Stop the clock for expert review, a hearing, testing or a site survey, when the item's rule
    does not count that time (``clock_excludes``). Corrections have their own step."""
    task = _locked(task)
    _require_window(actor, task)
    errors: dict[str, str] = {}
    if kind == PauseKind.CORRECTION:
        errors["kind"] = _("Ask for corrections with their own step.")
    elif kind not in PauseKind.values:
        errors["kind"] = _("Choose expert review, a hearing, testing or a site survey.")
    elif kind not in task.item.clock_excludes:
        errors["kind"] = _("This item's time limit counts %(kind)s; its clock does not stop for it.") % {
            "kind": str(PauseKind(kind).label)
        }
    if task.state != TaskState.ACCEPTED:
        errors["state"] = _("The clock stops only while the task is accepted; it is %(state)s.") % {
            "state": _state_label(task.state)
        }
    elif "kind" not in errors and task.pauses.filter(kind=kind, ends_on__isnull=True).exists():
        errors["kind"] = _("This pause is running already.")
    if on > timezone.localdate():
        errors["on"] = _("The date is in the future.")
    elif task.accepted_on is not None and on < task.accepted_on:
        errors["on"] = _("The date is before the acceptance.")
    reason = _text(reason, "reason", _("Say why the clock stops."), errors)
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    number = (task.pauses.filter(kind=kind).aggregate(last=Max("number"))["last"] or 0) + 1
    pause = ClockPause.objects.create(
        task=task, kind=kind, number=number, reason=reason, starts_on=on, started_by=actor
    )
    _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.UPDATE,
        source_ip=source_ip,
        extra={"pause": {"kind": kind, "number": number, "from": on.isoformat(), "reason": reason}},
    )
    return pause


@transaction.atomic
def end_pause(
    *, actor: User, pause: ClockPause, on: datetime.date, source_ip: str | None = None
) -> ClockPause:
    """The expert review (hearing, testing, site survey) is over: the clock runs again after ``on``."""
    task = _locked(pause.task)
    _require_window(actor, task)
    pause = ClockPause.objects.select_for_update().get(pk=pause.pk)
    errors: dict[str, str] = {}
    if pause.kind == PauseKind.CORRECTION:
        errors["kind"] = _("A correction ends when the corrected materials are handed in.")
    elif pause.ends_on is not None:
        errors["state"] = _("This pause has ended already.")
    if on > timezone.localdate():
        errors["on"] = _("The date is in the future.")
    elif on < pause.starts_on:
        errors["on"] = _("A pause cannot end before it began.")
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    pause.ends_on, pause.ended_by = on, actor
    pause.save(update_fields=["ends_on", "ended_by"])
    _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.UPDATE,
        source_ip=source_ip,
        extra={"pause": {"kind": pause.kind, "number": pause.number, "to": on.isoformat()}},
    )
    return pause


@transaction.atomic
def extend_task(
    *,
    actor: User,
    task: ApprovalTask,
    workdays: int,
    reason: str,
    source_ip: str | None = None,
) -> ApprovalTask:
    """Extend an open task's limit by ``workdays`` working days, with the approval's reason (e.g. 核准:
    20 working days, extendable by 10). All extensions together stay within the promised limit."""
    task = _locked(task)
    _require_window(actor, task)
    errors: dict[str, str] = {}
    if not task.is_open:
        errors["state"] = _("Only an accepted task's limit is extended; it is %(state)s.") % {
            "state": _state_label(task.state)
        }
    if not isinstance(workdays, int) or isinstance(workdays, bool) or workdays < 1:
        errors["workdays"] = _("Extend by a whole number of working days, at least 1.")
    elif task.extension_workdays + workdays > task.limit_workdays:
        errors["workdays"] = _("Extensions together may not exceed the limit of %(limit)d working days.") % {
            "limit": task.limit_workdays
        }
    reason = _text(reason, "reason", _("Give the reason for the extension."), errors)
    _raise(errors)
    before = audit.snapshot(task, TASK_FIELDS)
    task.extension_workdays += workdays
    task.extension_reason = "\n".join(filter(None, [task.extension_reason, reason]))
    return _save(
        task,
        actor=actor,
        before=before,
        action=AuditEntry.Action.UPDATE,
        source_ip=source_ip,
        extra={"extension_reason": reason},
    )


@transaction.atomic
def receive_owed_material(
    *, actor: User, owed: OwedMaterial, on: datetime.date, source_ip: str | None = None
) -> OwedMaterial:
    """A material owed under 容缺受理 has been handed in."""
    task = _locked(owed.task)
    _require_either(actor, task)
    owed = OwedMaterial.objects.select_for_update(of=("self",)).select_related("material").get(pk=owed.pk)
    errors: dict[str, str] = {}
    if owed.received_on is not None:
        errors["state"] = _("This material has been received already.")
    if on > timezone.localdate():
        errors["on"] = _("The date is in the future.")
    elif task.accepted_on is not None and on < task.accepted_on:
        errors["on"] = _("The date is before the acceptance.")
    _raise(errors)
    owed.received_on = on
    owed.save(update_fields=["received_on"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=task,
        changes={"owed_received": {"material": owed.material.code, "on": on.isoformat()}},
        source_ip=source_ip,
        region_path=task.project.region.path,
    )
    return owed


# -- materials -----------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    if len(base) > 255:
        stem, extension = os.path.splitext(base)
        base = stem[: 255 - len(extension)] + extension
    return base


def _upload_errors(upload: UploadedFile | None, name: str) -> tuple[dict[str, str], str | None]:
    limit = settings.ONEWINDOW_MAX_UPLOAD_BYTES
    if upload is None or not name:
        return {"file": _("Choose a file to upload.")}, None
    if not upload.size:
        return {"file": _("The file %(name)s is empty.") % {"name": name}}, None
    if upload.size > limit:
        return {
            "file": _("The file %(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"}
        }, None
    kind = filetypes.sniff(upload)
    if kind is None:
        return {
            "file": _("The content of %(name)s is not a PDF, PNG, JPEG, DOCX, XLSX or OFD file.")
            % {"name": name}
        }, None
    if not filetypes.name_matches(name, kind):
        return {
            "file": _("The file %(name)s is named as %(extension)s but its content is %(kind)s.")
            % {"name": name, "extension": filetypes.extension_of(name) or "—", "kind": kind.upper()}
        }, None
    return {}, kind


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def upload_material(
    *,
    actor: User,
    project: Project,
    material: Material,
    upload: UploadedFile,
    note: str = "",
    source_ip: str | None = None,
) -> MaterialFile:
    """Store a new version of one of the project's required materials.

    The file is checked on its content (PDF, PNG, JPEG, DOCX, XLSX, OFD), not only its name, and
    against ``ONEWINDOW_MAX_UPLOAD_BYTES``. One upload serves every task of the project whose item
    requires the material. Nothing is half-written: a refused or failed upload leaves neither a row
    nor a file behind.
    """
    plan = Plan.objects.select_for_update().filter(project=project.pk).first()
    project = Project.objects.select_related("region").get(pk=project.pk)
    _require_project_editor(actor, project)
    name = _clean_name(getattr(upload, "name", "") or "")
    errors, kind = _upload_errors(upload, name)
    if plan is None or material.version_id != plan.catalog_version_id:
        errors["material"] = _("This material is not in the catalog of the project's plan.")
    elif (
        not ApprovalTask.objects.filter(project=project, item__material_links__material=material)
        .exclude(state=TaskState.WITHDRAWN)
        .exists()
    ):
        errors["material"] = _("No task of this project requires %(material)s.") % {"material": material.name}
    note = _text(note, "note", "", errors, required=False)
    _raise(errors)
    last = MaterialFile.objects.filter(project=project, material=material).aggregate(last=Max("version"))[
        "last"
    ]
    record = MaterialFile(
        project=project,
        material=material,
        version=(last or 0) + 1,
        original_name=name,
        kind=kind,
        size=upload.size,
        sha256=_digest(upload),
        note=note,
        uploaded_by=actor,
    )
    record.file.save(name, upload, save=False)
    stored = record.file.name
    try:
        record.save()
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=record,
            changes={
                "material": material.code,
                "version": record.version,
                "file": name,
                "kind": kind,
                "size": record.size,
                "sha256": record.sha256,
            },
            source_ip=source_ip,
            region_path=project.region.path,
        )
    except BaseException:
        record.file.storage.delete(stored)
        raise
    return record


@transaction.atomic
def precheck_material(
    *,
    actor: User,
    upload: MaterialFile,
    verdict: str,
    comment: str = "",
    source_ip: str | None = None,
) -> MaterialCheck:
    """A pre-check comment on one version (提前介入): it meets the requirements, or what to revise.
    The agent side checks before filing; a window clerk of a task that needs the material may too."""
    upload = MaterialFile.objects.select_related("project__region", "material").get(pk=upload.pk)
    project = upload.project
    clerk_tasks = [
        task
        for task in ApprovalTask.objects.filter(
            project=project, item__material_links__material=upload.material_id
        ).select_related("department", "project")
        if task_selectors.is_window_clerk_for(actor, task)
    ]
    if clerk_tasks:
        _require_window(actor, clerk_tasks[0])
    else:
        _require_project_editor(actor, project)
    errors: dict[str, str] = {}
    if verdict not in MaterialCheck.Verdict.values:
        errors["verdict"] = _("Choose whether the material meets the requirements.")
    comment = _text(
        comment,
        "comment",
        _("Say what must be revised."),
        errors,
        required=verdict == MaterialCheck.Verdict.REVISE,
    )
    _raise(errors)
    check = MaterialCheck.objects.create(file=upload, verdict=verdict, comment=comment, author=actor)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=check,
        changes={
            "file": upload.pk,
            "material": upload.material.code,
            "version": upload.version,
            "verdict": verdict,
        }
        | ({"comment": comment} if comment else {}),
        source_ip=source_ip,
        region_path=project.region.path,
    )
    return check


# -- joint events --------------------------------------------------------------------------------

EVENT_FIELDS = ["kind", "held_on", "location", "participants", "findings"]
EVENT_CHANGEABLE = {"held_on", "location", "participants", "findings", "departments", "tasks"}
MAX_PARTICIPANTS = 200


def _event_errors(
    project: Project,
    *,
    kind: str,
    held_on: datetime.date | None,
    location: str,
    participants: Sequence[str],
    findings: str,
    departments: Sequence[Department],
    tasks: Sequence[ApprovalTask],
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in JointEventKind.values:
        errors["kind"] = _("Choose a joint site survey, a joint drawing review or a joint acceptance.")
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = _("Enter the date.")
    if len(location) > 200:
        errors["location"] = _("Keep the place under 200 characters.")
    if not departments:
        errors["departments"] = _("Choose the departments taking part.")
    if (
        not isinstance(participants, list | tuple)
        or len(participants) > MAX_PARTICIPANTS
        or any(not isinstance(name, str) or not name.strip() or len(name) > 200 for name in participants)
    ):
        errors["participants"] = _("List the participants, one non-empty name (under 200 characters) each.")
    if len(findings) > 20000:
        errors["findings"] = _("Keep the findings under 20,000 characters.")
    if any(task.project_id != project.pk for task in tasks):
        errors["tasks"] = _("Link only tasks of this project.")
    return errors


@transaction.atomic
def record_joint_event(
    *,
    actor: User,
    project: Project,
    kind: str,
    held_on: datetime.date,
    departments: Sequence[Department],
    participants: Sequence[str] = (),
    findings: str = "",
    location: str = "",
    tasks: Sequence[ApprovalTask] = (),
    source_ip: str | None = None,
) -> JointEvent:
    """Record a joint site survey (联合踏勘), joint drawing review (联合审图) or joint acceptance
    (联合验收): the date, the departments and people, the findings and the tasks it serves. A future
    date records a planned event; its findings come later (``update_joint_event``)."""
    project = Project.objects.select_related("region").get(pk=project.pk)
    _require_project_editor(actor, project)
    participants = list(participants)
    errors = _event_errors(
        project,
        kind=kind,
        held_on=held_on,
        location=(location or "").strip(),
        participants=participants,
        findings=(findings or "").strip(),
        departments=list(departments),
        tasks=list(tasks),
    )
    _raise(errors)
    event = JointEvent.objects.create(
        project=project,
        kind=kind,
        held_on=held_on,
        location=location.strip(),
        participants=[name.strip() for name in participants],
        findings=findings.strip(),
        created_by=actor,
    )
    event.departments.set(departments)
    event.tasks.set(tasks)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=event,
        changes=audit.snapshot(event, EVENT_FIELDS) | _event_links(event),
        source_ip=source_ip,
        region_path=project.region.path,
    )
    return event


def _event_links(event: JointEvent) -> dict[str, list]:
    return {
        "departments": sorted(f"{d.region_id}:{d.code}" for d in event.departments.all()),
        "tasks": sorted(task.item.code for task in event.tasks.select_related("item")),
    }


@transaction.atomic
def update_joint_event(
    *, actor: User, event: JointEvent, changes: Mapping[str, Any], source_ip: str | None = None
) -> JointEvent:
    """Change an event: typically its findings after it was held, or the tasks it served."""
    event = (
        JointEvent.objects.select_for_update(of=("self",)).select_related("project__region").get(pk=event.pk)
    )
    project = event.project
    _require_project_editor(actor, project)
    unknown = set(changes) - EVENT_CHANGEABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    departments = list(changes.get("departments", event.departments.all()))
    tasks = list(changes.get("tasks", event.tasks.all()))
    values = {
        "held_on": changes.get("held_on", event.held_on),
        "location": (changes.get("location", event.location) or "").strip(),
        "participants": list(changes.get("participants", event.participants)),
        "findings": (changes.get("findings", event.findings) or "").strip(),
    }
    _raise(_event_errors(project, kind=event.kind, departments=departments, tasks=tasks, **values))
    before = audit.snapshot(event, EVENT_FIELDS) | _event_links(event)
    values["participants"] = [name.strip() for name in values["participants"]]
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    if "departments" in changes:
        event.departments.set(departments)
    if "tasks" in changes:
        event.tasks.set(tasks)
    changed = audit.diff(before, audit.snapshot(event, EVENT_FIELDS) | _event_links(event))
    if changed:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=event,
            changes=changed,
            source_ip=source_ip,
            region_path=project.region.path,
        )
    return event
