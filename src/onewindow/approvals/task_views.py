"""Staff pages of approval tasks (办件): the task queue, a project's tasks, one task with its clock,
history, materials and one small form per action, the material download, and joint events.

Each view parses its input, calls one selector or service and renders. Who may see a task, a file or
a project is the selectors' answer (404 outside the scope); who may act is the services' (403). The
pages offer only the actions ``task_selectors.available_actions`` and the sides of the task allow, and
a request for an action of the other side is refused with 403 before its form is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from onewindow.accounts.audit_display import describe
from onewindow.accounts.permissions import STAFF_ROLES, require_role
from onewindow.approvals import filetypes, selectors, task_selectors, task_services, transitions
from onewindow.approvals import task_forms as forms
from onewindow.approvals.clock import Clock
from onewindow.approvals.models import (
    ApprovalTask,
    ClockPause,
    Material,
    MaterialFile,
    OwedMaterial,
    PauseKind,
    TaskState,
)
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip
from onewindow.projects import selectors as project_selectors
from onewindow.projects.models import Project
from onewindow.projects.services import may_edit

# A running clock with this many working days left or fewer is marked as near its due date.
NEAR_DUE_WORKDAYS = 3
# The queue page's lists of follow-ups (告知承诺 verifications, 容缺 owed materials) show this many.
FOLLOW_UP_ROWS = 20
HISTORY_ROWS = 100

APPLICANT = transitions.AGENT_SIDE
WINDOW = transitions.WINDOW


def _is_htmx_fragment_request(request: HttpRequest) -> bool:
    # A history restore needs the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


# ---------------------------------------------------------------------------------------------------
# Clocks as rows


@dataclass(frozen=True)
class TaskRow:
    task: ApprovalTask
    clock: Clock | None
    mark: str  # "overdue", "near", "paused", "late" (decided after its due date) or ""


def clock_mark(clock: Clock | None) -> str:
    if clock is None:
        return ""
    if clock.decided:
        return "late" if clock.overdue else ""
    if clock.overdue:
        return "overdue"
    if clock.paused:
        return "paused"
    if clock.remaining_workdays <= NEAR_DUE_WORKDAYS:
        return "near"
    return ""


def task_rows(tasks) -> list[TaskRow]:
    """The tasks with their live clocks (the calendar read once, the pauses prefetched)."""
    tasks = list(tasks)
    clocks = task_selectors.clocks_for(tasks)
    return [TaskRow(task, clocks[task.pk], clock_mark(clocks[task.pk])) for task in tasks]


# ---------------------------------------------------------------------------------------------------
# The queue


@login_required
def task_queue(request: HttpRequest) -> HttpResponse:
    """A window clerk's queue is their department's tasks; agents, leaders and county staff see the
    tasks of the projects in their scope. The soonest due first; filters update the list through htmx."""
    user = request.user
    require_role(user, STAFF_ROLES)
    form = forms.TaskQueueFilterForm(request.GET, user=user)
    tasks = task_selectors.task_queue(user, form.filters())
    page = Paginator(tasks, form.rows_per_page()).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": task_rows(page.object_list),
        # A clerk's queue is one department's: the column would say the same on every row.
        "show_department": "department" in form.fields,
        "near_due_workdays": NEAR_DUE_WORKDAYS,
        "today": timezone.localdate(),
    }
    if _is_htmx_fragment_request(request):
        template = "approvals/_task_results.html"
    else:
        template = "approvals/task_queue.html"
        verifications = task_selectors.verifications_due(user)
        owed = task_selectors.owed_materials_due(user)
        context |= {
            "verifications": list(verifications[:FOLLOW_UP_ROWS]),
            "verification_count": verifications.count(),
            "owed": list(owed[:FOLLOW_UP_ROWS]),
            "owed_count": owed.count(),
            "follow_up_rows": FOLLOW_UP_ROWS,
        }
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---------------------------------------------------------------------------------------------------
# A project's tasks


def _plan_or_none(request: HttpRequest, project: Project):
    try:
        return selectors.plan_of(request.user, project.code)
    except Http404:
        return None


@login_required
def project_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_selectors.project_for(user, pk)
    _project, tasks = task_selectors.project_tasks(user, project.code)
    plan = _plan_or_none(request, project)
    context = {
        "project": project,
        "plan": plan,
        "rows": task_rows(tasks),
        "may_generate": plan is not None and may_edit(user, project),
        "may_edit": may_edit(user, project),
        "near_due_workdays": NEAR_DUE_WORKDAYS,
    }
    return render(request, "approvals/task_project.html", context)


@login_required
@require_POST
def generate_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_selectors.project_for(request.user, pk)
    if not may_edit(request.user, project):
        raise PermissionDenied
    plan = _plan_or_none(request, project)
    if plan is None:
        messages.error(request, _("Generate the approval plan first: tasks are made from its items."))
        return redirect("project-tasks", pk=pk)
    sync = task_services.generate_tasks(actor=request.user, plan=plan, source_ip=client_ip(request))
    created = len(sync.created)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d task was generated from the plan.",
                "%(count)d tasks were generated from the plan.",
                created,
            )
            % {"count": created},
        )
    else:
        messages.info(request, _("Every item of the plan has its task already."))
    if sync.removed:
        messages.info(
            request,
            _("Tasks that had not started were removed with their items: %(codes)s.")
            % {"codes": "、".join(sync.removed)},
        )
    if sync.kept:
        messages.warning(
            request,
            _("These items left the plan but their tasks had started, so they were kept: %(codes)s.")
            % {"codes": "、".join(sync.kept)},
        )
    return redirect("project-tasks", pk=pk)


# ---------------------------------------------------------------------------------------------------
# One task: its offered actions


@dataclass
class Offer:
    """One action the page offers: a button that opens its small form."""

    key: str
    label: str
    url: str
    form: forms.TaskActionForm
    submit: str
    caution: bool = False
    multipart: bool = False
    is_open: bool = False


@dataclass(frozen=True)
class ActionSpec:
    """How one action of the task page is offered, read and done."""

    label: str
    submit: str
    sides: frozenset[str]
    make_form: Callable[..., forms.TaskActionForm]
    run: Callable[[HttpRequest, ApprovalTask, forms.TaskActionForm], str]
    caution: bool = False
    per_object: bool = False
    multipart: bool = False


def _on(form) -> dict:
    return {"on": form.cleaned_data["on"]}


def _run_prepare(request, task, form):
    task_services.start_preparing(
        actor=request.user,
        task=task,
        note=form.cleaned_data["note"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("Materials preparation began.")


def _run_accept(request, task, form):
    data = form.cleaned_data
    owed = [
        task_services.Owed(material=material, due_on=data["owed_until"])
        for material in data.get("owed") or ()
    ]
    task_services.accept_task(
        actor=request.user, task=task, owed=owed, source_ip=client_ip(request), **_on(form)
    )
    return _("The application was accepted; the clock runs.")


def _run_correction(request, task, form):
    task_services.request_correction(
        actor=request.user,
        task=task,
        requested=form.cleaned_data["requested"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("Corrections were asked for; the clock stands still until they are handed in.")


def _run_resubmit(request, task, form):
    task_services.resubmit_corrections(
        actor=request.user,
        task=task,
        note=form.cleaned_data["note"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("The corrected materials were recorded; the clock runs again.")


def _decide(outcome: str):
    def run(request, task, form):
        data = form.cleaned_data
        task_services.decide_task(
            actor=request.user,
            task=task,
            outcome=outcome,
            document_number=data["document_number"],
            note=data["note"],
            source_ip=client_ip(request),
            **_on(form),
        )
        return _("The task was approved.") if outcome == "approve" else _("The task was refused.")

    return run


def _run_commitment_decision(request, task, form):
    data = form.cleaned_data
    task_services.decide_by_commitment(
        actor=request.user,
        task=task,
        document_number=data["document_number"],
        verification_due_on=data["verification_due_on"],
        note=data["note"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("The task was approved on the applicant's commitment; its verification is due later.")


def _run_withdraw(request, task, form):
    task_services.withdraw_task(
        actor=request.user,
        task=task,
        reason=form.cleaned_data["reason"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("The application was withdrawn.")


def _run_commitment(request, task, form):
    chosen = form.cleaned_data["chosen"]
    task_services.choose_commitment(
        actor=request.user, task=task, chosen=chosen, source_ip=client_ip(request)
    )
    if chosen:
        return _("Notification and commitment (告知承诺制) was chosen for this item.")
    return _("Notification and commitment was dropped; the item is filed the usual way.")


def _run_verify(request, task, form):
    data = form.cleaned_data
    task_services.record_verification(
        actor=request.user,
        task=task,
        kept=data["kept"],
        findings=data["findings"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("The verification of the commitment was recorded.")


def _run_pause(request, task, form):
    data = form.cleaned_data
    task_services.start_pause(
        actor=request.user,
        task=task,
        kind=data["kind"],
        reason=data["reason"],
        source_ip=client_ip(request),
        **_on(form),
    )
    return _("The clock stands still from %(date)s.") % {"date": data["on"].isoformat()}


def _target(queryset, form):
    try:
        return queryset.get(pk=form.cleaned_data["target"])
    except queryset.model.DoesNotExist:
        raise Http404 from None


def _run_end_pause(request, task, form):
    pause = _target(ClockPause.objects.filter(task=task), form)
    task_services.end_pause(actor=request.user, pause=pause, source_ip=client_ip(request), **_on(form))
    return _("The clock runs again.")


def _run_extend(request, task, form):
    data = form.cleaned_data
    task_services.extend_task(
        actor=request.user,
        task=task,
        workdays=data["workdays"],
        reason=data["reason"],
        source_ip=client_ip(request),
    )
    return _("The time limit was extended by %(days)d working days.") % {"days": data["workdays"]}


def _run_receive_owed(request, task, form):
    owed = _target(OwedMaterial.objects.filter(task=task), form)
    task_services.receive_owed_material(
        actor=request.user, owed=owed, source_ip=client_ip(request), **_on(form)
    )
    return _("The owed material was recorded as received.")


def _task_materials(task: ApprovalTask):
    return Material.objects.filter(item_links__item=task.item_id)


def _run_upload(request, task, form):
    material = _target(_task_materials(task), form)
    record = task_services.upload_material(
        actor=request.user,
        project=task.project,
        material=material,
        upload=form.cleaned_data.get("file"),
        note=form.cleaned_data["note"],
        source_ip=client_ip(request),
    )
    return _("%(name)s was stored as version %(version)d of %(material)s.") % {
        "name": record.original_name,
        "version": record.version,
        "material": material.name,
    }


def _run_precheck(request, task, form):
    upload = _target(
        MaterialFile.objects.filter(project=task.project_id, material__item_links__item=task.item_id), form
    )
    task_services.precheck_material(
        actor=request.user,
        upload=upload,
        verdict=form.cleaned_data["verdict"],
        comment=form.cleaned_data["comment"],
        source_ip=client_ip(request),
    )
    return _("The pre-check was recorded.")


def _pause_kinds(task: ApprovalTask, pauses: list[ClockPause]) -> list[str]:
    """The kinds of time the item's clock leaves out that are not already stopping it."""
    running = {pause.kind for pause in pauses if pause.ends_on is None}
    excluded = set(task.item.clock_excludes)
    return [
        kind
        for kind in PauseKind.values
        if kind != PauseKind.CORRECTION and kind in excluded and kind not in running
    ]


def _decision_form(refuse: bool):
    def make(*args, **kwargs):
        return forms.DecisionForm(*args, refuse=refuse, **kwargs)

    return make


def _pause_form(*args, **kwargs):
    task = kwargs["task"]
    return forms.PauseForm(*args, kinds=_pause_kinds(task, list(task.pauses.all())), **kwargs)


BOTH = frozenset({APPLICANT, WINDOW})
ACTIONS: dict[str, ActionSpec] = {
    "prepare": ActionSpec(
        gettext_lazy("Start preparing the materials (材料准备)"),
        gettext_lazy("Start preparing"),
        frozenset({APPLICANT}),
        forms.PrepareForm,
        _run_prepare,
    ),
    "accept": ActionSpec(
        gettext_lazy("Accept the application (受理)"),
        gettext_lazy("Accept"),
        frozenset({WINDOW}),
        forms.AcceptForm,
        _run_accept,
    ),
    "request_correction": ActionSpec(
        gettext_lazy("Ask for corrections (补正)"),
        gettext_lazy("Ask for corrections"),
        frozenset({WINDOW}),
        forms.CorrectionForm,
        _run_correction,
    ),
    "resubmit": ActionSpec(
        gettext_lazy("Corrected materials handed in"),
        gettext_lazy("Record the corrected materials"),
        BOTH,
        forms.ResubmitForm,
        _run_resubmit,
    ),
    "approve": ActionSpec(
        gettext_lazy("Approve (准予)"),
        gettext_lazy("Approve"),
        frozenset({WINDOW}),
        _decision_form(refuse=False),
        _decide("approve"),
    ),
    "refuse": ActionSpec(
        gettext_lazy("Refuse (不予许可)"),
        gettext_lazy("Refuse"),
        frozenset({WINDOW}),
        _decision_form(refuse=True),
        _decide("refuse"),
        caution=True,
    ),
    "approve_on_commitment": ActionSpec(
        gettext_lazy("Approve on the applicant's commitment (告知承诺制)"),
        gettext_lazy("Approve on commitment"),
        frozenset({WINDOW}),
        forms.CommitmentDecisionForm,
        _run_commitment_decision,
    ),
    "withdraw": ActionSpec(
        gettext_lazy("Withdraw the application (撤回)"),
        gettext_lazy("Withdraw"),
        frozenset({APPLICANT}),
        forms.WithdrawForm,
        _run_withdraw,
        caution=True,
    ),
    "commitment": ActionSpec(
        gettext_lazy("Notification and commitment (告知承诺制)"),
        gettext_lazy("Save the choice"),
        frozenset({APPLICANT}),
        forms.CommitmentChoiceForm,
        _run_commitment,
    ),
    "verify": ActionSpec(
        gettext_lazy("Record the verification of the commitment"),
        gettext_lazy("Record the verification"),
        frozenset({WINDOW}),
        forms.VerificationForm,
        _run_verify,
    ),
    "pause": ActionSpec(
        gettext_lazy("Stop the clock (expert review, hearing, testing, site survey)"),
        gettext_lazy("Stop the clock"),
        frozenset({WINDOW}),
        _pause_form,
        _run_pause,
    ),
    "end_pause": ActionSpec(
        gettext_lazy("The clock runs again"),
        gettext_lazy("Restart the clock"),
        frozenset({WINDOW}),
        forms.ObjectForm,
        _run_end_pause,
        per_object=True,
    ),
    "extend": ActionSpec(
        gettext_lazy("Extend the time limit"),
        gettext_lazy("Extend"),
        frozenset({WINDOW}),
        forms.ExtendForm,
        _run_extend,
    ),
    "receive_owed": ActionSpec(
        gettext_lazy("Owed material received"),
        gettext_lazy("Record as received"),
        BOTH,
        forms.ObjectForm,
        _run_receive_owed,
        per_object=True,
    ),
    "upload": ActionSpec(
        gettext_lazy("Upload a new version"),
        gettext_lazy("Upload"),
        frozenset({APPLICANT}),
        forms.UploadForm,
        _run_upload,
        per_object=True,
        multipart=True,
    ),
    "precheck": ActionSpec(
        gettext_lazy("Pre-check this version"),
        gettext_lazy("Record the pre-check"),
        BOTH,
        forms.PrecheckForm,
        _run_precheck,
        per_object=True,
    ),
}


def _sides(user, task: ApprovalTask) -> set[str]:
    sides = set()
    if task_selectors.may_act_for_applicant(user, task):
        sides.add(APPLICANT)
    if task_selectors.is_window_clerk_for(user, task):
        sides.add(WINDOW)
    return sides


@dataclass
class Offers:
    """The forms a task page shows: the task's actions, and those of its pauses and materials."""

    task: list[Offer] = field(default_factory=list)
    by_key: dict[str, Offer] = field(default_factory=dict)

    def add(self, offer: Offer, *, listed: bool = True) -> Offer:
        self.by_key[offer.key] = offer
        if listed:
            self.task.append(offer)
        return offer


def _offer(
    task: ApprovalTask, action: str, bound: forms.TaskActionForm | None, *, target=None, label=None, **initial
) -> Offer:
    spec = ACTIONS[action]
    key = action if target is None else f"{action}-{target}"
    if bound is not None and bound.key == key:
        form, is_open = bound, True
    else:
        values = {"target": target} if target is not None else {}
        form, is_open = spec.make_form(task=task, key=key, initial=values | initial), False
    return Offer(
        key=key,
        label=label or str(spec.label),
        url=reverse("task-action", args=[task.pk, action]),
        form=form,
        submit=str(spec.submit),
        caution=spec.caution,
        multipart=spec.multipart,
        is_open=is_open,
    )


def _task_offers(user, task: ApprovalTask, pauses: list[ClockPause], bound) -> Offers:
    offers = Offers()
    sides = _sides(user, task)
    for action in task_selectors.available_actions(user, task):
        offers.add(_offer(task, action, bound))
    if (
        APPLICANT in sides
        and task.item.commitment_allowed
        and task.state in (TaskState.NOT_STARTED, TaskState.PREPARING)
    ):
        label = (
            _("Drop notification and commitment (告知承诺制)")
            if task.commitment
            else _("Choose notification and commitment (告知承诺制)")
        )
        offers.add(_offer(task, "commitment", bound, label=label, chosen="0" if task.commitment else "1"))
    if WINDOW not in sides:
        return offers
    if task.state == TaskState.APPROVED and task.verification_due_on and task.verified_on is None:
        offers.add(_offer(task, "verify", bound))
    if task.state == TaskState.ACCEPTED and _pause_kinds(task, pauses):
        offers.add(_offer(task, "pause", bound))
    for pause in pauses:
        if pause.ends_on is None and pause.kind != PauseKind.CORRECTION:
            label = _("Clock stopped for %(kind)s since %(date)s: it runs again") % {
                "kind": pause.get_kind_display(),
                "date": pause.starts_on.isoformat(),
            }
            offers.add(_offer(task, "end_pause", bound, target=pause.pk, label=label))
    if task.is_open and task.extension_workdays < task.limit_workdays:
        offers.add(_offer(task, "extend", bound))
    return offers


@dataclass(frozen=True)
class MaterialRow:
    entry: task_selectors.RequiredMaterial
    upload: Offer | None
    precheck: Offer | None
    receive: Offer | None


def _material_rows(user, task: ApprovalTask, offers: Offers, bound) -> list[MaterialRow]:
    sides = _sides(user, task)
    rows = []
    for entry in task_selectors.task_materials(task):
        upload = precheck = receive = None
        if APPLICANT in sides and task.state != TaskState.WITHDRAWN:
            upload = offers.add(_offer(task, "upload", bound, target=entry.link.material_id), listed=False)
        if sides and entry.latest is not None:
            precheck = offers.add(_offer(task, "precheck", bound, target=entry.latest.pk), listed=False)
        if sides and entry.owed is not None and entry.owed.received_on is None:
            receive = offers.add(_offer(task, "receive_owed", bound, target=entry.owed.pk), listed=False)
        rows.append(MaterialRow(entry, upload, precheck, receive))
    return rows


def _task_page(
    request: HttpRequest,
    task: ApprovalTask,
    *,
    status: int = 200,
    bound: forms.TaskActionForm | None = None,
) -> HttpResponse:
    user = request.user
    pauses = list(task.pauses.all())
    clock = task_selectors.task_clock_of(task, pauses=pauses)
    offers = _task_offers(user, task, pauses, bound)
    materials = _material_rows(user, task, offers, bound)
    alert = ""
    if bound is not None and bound.key not in offers.by_key:
        # An action the page does not offer now (the task moved on, or a forged request): its form is
        # not on the page, so its errors go to the top.
        alert = " ".join(message for errors in bound.errors.values() for message in errors)
    context = {
        "task": task,
        "project": task.project,
        "clock": clock,
        "mark": clock_mark(clock),
        "near_due_workdays": NEAR_DUE_WORKDAYS,
        "pauses": pauses,
        "corrections": [pause for pause in pauses if pause.kind == PauseKind.CORRECTION],
        "offers": offers.task,
        "materials": materials,
        "owed": list(task.owed_materials.all()),
        "joint_events": list(task.joint_events.all()),
        "history": describe(task_selectors.task_history(user, task)[:HISTORY_ROWS]),
        "shows_history": user.role != "investor",
        "alert": alert,
    }
    return render(request, "approvals/task_detail.html", context, status=status)


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, task_selectors.task_for(request.user, task_id))


def _bound_form(request: HttpRequest, task: ApprovalTask, action: str, spec: ActionSpec):
    key = action
    if spec.per_object:
        target = request.POST.get("target", "")
        key = f"{action}-{target}" if target.isdigit() else action
    return spec.make_form(request.POST, request.FILES or None, task=task, key=key)


@login_required
@require_POST
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = task_selectors.task_for(request.user, task_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.sides & _sides(request.user, task):
        # Not this person's side of the task: refused before the form is read.
        raise PermissionDenied
    form = _bound_form(request, task, action, spec)
    if form.is_valid():
        try:
            message = spec.run(request, task, form)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message)
            anchor = "#materials" if action in ("upload", "precheck", "receive_owed") else ""
            return redirect(reverse("task-detail", args=[task.pk]) + anchor)
    return _task_page(request, task, status=400, bound=form)


# ---------------------------------------------------------------------------------------------------
# Material files


@login_required
def download_material(request: HttpRequest, file_id: int) -> FileResponse:
    """An uploaded material, streamed as an attachment to those who may see a task it serves (404 for
    anyone else). Files never leave through MEDIA_URL."""
    upload = task_selectors.material_file_for(request.user, file_id)
    try:
        handle = upload.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=upload.original_name,
        content_type=filetypes.CONTENT_TYPES.get(upload.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


# ---------------------------------------------------------------------------------------------------
# Joint events


@login_required
def joint_events(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's joint site surveys, drawing reviews and acceptances; editors record new ones."""
    user = request.user
    project = project_selectors.project_for(user, pk)
    events = task_selectors.joint_events_for(user, project)
    editable = may_edit(user, project)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = None
    status = 200
    if editable:
        _project, tasks = task_selectors.project_tasks(user, project.code)
        form = forms.JointEventForm(
            request.POST if request.method == "POST" else None,
            departments=task_selectors.joint_event_departments(project),
            tasks=tasks,
        )
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                task_services.record_joint_event(
                    actor=user,
                    project=project,
                    kind=data["kind"],
                    held_on=data["held_on"],
                    location=data["location"],
                    departments=list(data["departments"]),
                    participants=form.participant_names(),
                    findings=data["findings"],
                    tasks=list(data["tasks"]),
                    source_ip=client_ip(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The joint event was recorded."))
                return redirect("project-joint-events", pk=pk)
    context = {"project": project, "events": events, "form": form}
    return render(request, "approvals/task_joint_events.html", context, status=status)
