"""Staff pages of the project register. Each view parses its input, calls one selector or service and
renders; who may see a project is the selectors' answer (404 outside the scope) and who may change it
is the services' (403)."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.accounts.audit_display import describe
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import INTAKE_ROLES, has_role, require_role
from onewindow.core import audit
from onewindow.core.errors import StaleObjectError
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip
from onewindow.projects import selectors, services, stages
from onewindow.projects.forms import (
    IntakeForm,
    NationalCodeForm,
    PhaseForm,
    ProjectFactsForm,
    RegisterFilterForm,
    StageChangeForm,
    TimelineNoteForm,
)
from onewindow.projects.models import Phase, Project
from onewindow.projects.selectors import RegisterFilters
from onewindow.projects.stages import Stage

WORKBENCH_ROWS = 15
AUDIT_ROWS_ON_PROJECT_PAGE = 50


def _is_htmx_fragment_request(request: HttpRequest) -> bool:
    # A history restore needs the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


# ---------------------------------------------------------------------------------------------------
# Workbench and register


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_agent = user.role == Role.AGENT
    projects = selectors.register(user, RegisterFilters(mine=is_agent))
    if not is_agent:
        projects = projects.order_by("-updated_at", "-id")
    context = {
        "is_agent": is_agent,
        "projects": projects[:WORKBENCH_ROWS],
        "project_count": projects.count(),
        "recent_entries": selectors.recent_timeline_by(user),
        "may_intake": has_role(user, INTAKE_ROLES),
    }
    return render(request, "projects/workbench.html", context)


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""
    next_sort: str = ""
    aria_sort: str = ""


# (label, sort key); dates and amounts sort newest or largest first on the first click.
REGISTER_COLUMNS = [
    (gettext_lazy("Project code"), "code"),
    (gettext_lazy("Project name"), "name"),
    (gettext_lazy("Investor"), ""),
    (gettext_lazy("Region"), ""),
    (gettext_lazy("Stage"), ""),
    (gettext_lazy("Investment (万元)"), "investment"),
    (gettext_lazy("Signing date"), "signed"),
    (gettext_lazy("Intake date"), "intake"),
    (gettext_lazy("Agent"), ""),
]
_ASCENDING_FIRST = frozenset({"code", "name"})


def register_columns(current_sort: str) -> list[Column]:
    columns = []
    for label, key in REGISTER_COLUMNS:
        if not key:
            columns.append(Column(label))
        elif current_sort == key:
            columns.append(Column(label, key, f"-{key}", "ascending"))
        elif current_sort == f"-{key}":
            columns.append(Column(label, key, key, "descending"))
        else:
            columns.append(Column(label, key, key if key in _ASCENDING_FIRST else f"-{key}"))
    return columns


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterFilterForm(request.GET, user=request.user)
    filters = form.filters()
    projects = selectors.register(request.user, filters)
    page = Paginator(projects, form.rows_per_page()).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "columns": register_columns(filters.sort),
        "may_intake": has_role(request.user, INTAKE_ROLES),
    }
    template = "projects/register.html"
    if _is_htmx_fragment_request(request):
        template = "projects/_register_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Echo:
    """A file-like object whose ``write`` hands the line back, so ``csv.writer`` can feed a stream."""

    def write(self, value: str) -> str:
        return value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (names are typed in by people)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def _csv_header() -> list[str]:
    return [
        _("Project code"),
        _("Provisional code"),
        _("Project name"),
        _("Investor"),
        _("Unified social credit code"),
        _("Total investment (万元)"),
        _("Industry"),
        _("Region"),
        _("Handling level"),
        _("Stage"),
        _("Fast track"),
        _("Signing date"),
        _("Intake date"),
        _("Construction start"),
        _("Agent"),
    ]


def _csv_row(project: Project) -> list[str]:
    yes, no = _("Yes"), _("No")
    return [
        project.code,
        yes if project.code_is_provisional else no,
        _cell(project.name),
        _cell(project.investor.name),
        project.investor.uscc,
        f"{project.total_investment_wan:.2f}",
        f"{project.industry} {project.get_industry_display()}",
        project.region.name,
        project.get_level_display(),
        project.get_stage_display(),
        yes if project.fast_track else no,
        project.signed_on.isoformat() if project.signed_on else "",
        project.intake_on.isoformat() if project.intake_on else "",
        project.started_on.isoformat() if project.started_on else "",
        _cell(project.agent.display_name) if project.agent else "",
    ]


def _csv_lines(projects: Iterable[Project], language: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The response is streamed after the view returns, so the language is pinned here.
    with translation.override(language):
        # The byte-order mark tells Excel the file is UTF-8; without it Chinese text turns to mojibake.
        yield "\ufeff" + writer.writerow(_csv_header())
        for project in projects:
            yield writer.writerow(_csv_row(project))


@login_required
def register_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The current view of the register, every row (not only the page), as a spreadsheet-ready CSV."""
    form = RegisterFilterForm(request.GET, user=request.user)
    projects = selectors.register(request.user, form.filters()).iterator(chunk_size=500)
    audit.record_export(
        actor=request.user, what="register.csv", filters=request.GET.dict(), source_ip=client_ip(request)
    )
    response = StreamingHttpResponse(
        _csv_lines(projects, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    filename = f"onewindow-register-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------------
# One-window intake


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    require_role(request.user, INTAKE_ROLES)
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.intake_project(
                actor=request.user,
                data=form.intake(),
                investor=form.existing_investor(),
                new_investor=form.new_investor(),
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Project %(name)s registered with code %(code)s.")
                % {"name": project.name, "code": project.code},
            )
            return redirect("project-detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(request, "projects/intake.html", {"form": form}, status=status)


# ---------------------------------------------------------------------------------------------------
# The project page and its actions


def _stage_forms(project: Project, bound: StageChangeForm | None) -> list[StageChangeForm]:
    resume_to = project.stage_before_suspension or None
    forms = []
    for target in stages.allowed_targets(project.stage, resume_to=resume_to):
        if bound is not None and bound.target == target:
            forms.append(bound)
        else:
            forms.append(StageChangeForm(project=project, target=target))
    return forms


@dataclass(frozen=True)
class StageAction:
    """One offered transition: its button and the small form it opens."""

    form: StageChangeForm
    label: str
    target: str
    caution: bool
    is_open: bool


def stage_action_label(project: Project, target: Stage) -> str:
    if target == Stage.SUSPENDED:
        return _("Suspend")
    if target == Stage.TERMINATED:
        return _("Terminate")
    if project.stage == Stage.SUSPENDED:
        return _("Resume: %(stage)s") % {"stage": target.label}
    return _("Move to: %(stage)s") % {"stage": target.label}


def _project_page(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    stage_form: StageChangeForm | None = None,
    note_form: TimelineNoteForm | None = None,
    code_form: NationalCodeForm | None = None,
    alert: str = "",
) -> HttpResponse:
    user = request.user
    editable = services.may_edit(user, project)
    stage_forms = _stage_forms(project, stage_form) if editable else []
    if stage_form is not None and stage_form not in stage_forms:
        # A transition the page does not offer (a forged or outdated request): its form is not on the
        # page, so its errors go to the top.
        alert = alert or " ".join(message for messages in stage_form.errors.values() for message in messages)
    context = {
        "project": project,
        "may_edit": editable,
        "stage_actions": [
            StageAction(
                form=form,
                label=stage_action_label(project, form.target),
                target=form.target.value,
                caution=form.target in StageChangeForm.NEEDS_REASON,
                is_open=form is stage_form,
            )
            for form in stage_forms
        ],
        "phases": project.phases.all(),
        "departments": project.departments.select_related("region"),
        "timeline": selectors.timeline_for(user, project),
        "audit_entries": describe(selectors.audit_for_project(user, project)[:AUDIT_ROWS_ON_PROJECT_PAGE]),
        "shows_audit": user.role != Role.INVESTOR,
        "note_form": (note_form or TimelineNoteForm(project=project)) if editable else None,
        "code_form": (code_form or NationalCodeForm(project=project))
        if editable and project.code_is_provisional
        else None,
        "alert": alert,
    }
    return render(request, "projects/project_detail.html", context, status=status)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, selectors.project_for(request.user, pk))


def _stale(request: HttpRequest, project_id: int) -> HttpResponse:
    """The page as it is now, with the conflict explained; the refused change is not kept."""
    fresh = selectors.project_for(request.user, project_id)
    return _project_page(request, fresh, status=409, alert=str(StaleObjectError.message))


@login_required
@require_POST
def change_stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_for(request.user, pk)
    target = request.POST.get("target", "")
    if target not in Stage.values:
        return _project_page(request, project, status=400, alert=_("Choose a stage to move to."))
    form = StageChangeForm(request.POST, project=project, target=target)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_stage(
                actor=request.user,
                project=project,
                target=target,
                on=data["on"],
                expected_version=data["version"],
                reason=data.get("reason", ""),
                note=data["note"],
                source_ip=client_ip(request),
            )
        except StaleObjectError:
            return _stale(request, pk)
        except ValidationError as error:
            apply_service_errors(form, error, renames={"target": None})
        else:
            messages.success(request, _("Stage changed to %(stage)s.") % {"stage": Stage(target).label})
            return redirect("project-detail", pk=pk)
    return _project_page(request, project, status=400, stage_form=form)


@login_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_for(request.user, pk)
    form = TimelineNoteForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_timeline_note(
                actor=request.user,
                project=project,
                text=data["text"],
                happened_on=data["happened_on"],
                is_public=data["is_public"],
                phase=data.get("phase"),
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The timeline entry was added."))
            return redirect(reverse("project-detail", args=[pk]) + "#timeline")
    return _project_page(request, project, status=400, note_form=form)


@login_required
@require_POST
def set_national_code(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_for(request.user, pk)
    form = NationalCodeForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.set_national_code(
                actor=request.user,
                project=project,
                code=form.cleaned_data["code"],
                expected_version=form.cleaned_data["version"],
                source_ip=client_ip(request),
            )
        except StaleObjectError:
            return _stale(request, pk)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The national project code was recorded."))
            return redirect("project-detail", pk=pk)
    return _project_page(request, project, status=400, code_form=form)


def _editable_project(request: HttpRequest, pk: int) -> Project:
    project = selectors.project_for(request.user, pk)
    if not services.may_edit(request.user, project):
        # The service would refuse the save; refusing the form too saves the user the typing.
        raise PermissionDenied
    return project


@login_required
def edit_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable_project(request, pk)
    form = ProjectFactsForm(request.POST or None, project=project, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("project-detail", pk=pk)
            try:
                services.update_project(
                    actor=request.user,
                    project=project,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                    source_ip=client_ip(request),
                )
            except StaleObjectError as error:
                form.add_error(None, str(error))
                status = 409
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The project was saved."))
                return redirect("project-detail", pk=pk)
    return render(request, "projects/project_edit.html", {"project": project, "form": form}, status=status)


@login_required
def edit_phase(request: HttpRequest, pk: int, phase_pk: int | None = None) -> HttpResponse:
    project = _editable_project(request, pk)
    phase = None
    if phase_pk is not None:
        try:
            phase = project.phases.get(pk=phase_pk)
        except Phase.DoesNotExist:
            raise Http404 from None
    form = PhaseForm(request.POST or None, phase=phase)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_phase(
                    actor=request.user,
                    project=project,
                    values=form.values(),
                    phase=phase,
                    source_ip=client_ip(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The phase was saved."))
                return redirect("project-detail", pk=pk)
    context = {"project": project, "phase": phase, "form": form}
    return render(request, "projects/phase_form.html", context, status=status)
