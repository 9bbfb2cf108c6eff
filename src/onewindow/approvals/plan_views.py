"""The plan page of a project (审批计划): the parallel plan beside the serial one, per stage against the
national 120-working-day target, the Gantt chart with a plain table of the same data, the forecast
from actual dates, and what-if comparisons; editors generate the plan, record the facts its rules
read and add or remove items with a reason.

Each view parses its input, calls one selector or service and renders. Who may see the project is
``projects.selectors.project_for`` (404 outside the scope); who may change the plan is the services'
answer (403), asked first through ``projects.services.may_edit`` so that nobody types in vain.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.approvals import plan_selectors, services
from onewindow.approvals.models import ApprovalStage, ProjectFacts
from onewindow.approvals.plan_forms import CreatePlanForm, PlanFactsForm, PlanItemChangeForm, WhatIfForm
from onewindow.approvals.vocabulary import NATIONAL_TARGET_WORKDAYS
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip
from onewindow.projects import selectors as project_selectors
from onewindow.projects.models import Project
from onewindow.projects.services import may_edit

# Yes-or-no facts shown together as "also": each holds for few projects.
FLAG_FACTS = (
    "hazardous",
    "water_intake",
    "flood_risk_area",
    "highway_access",
    "special_fire_review",
    "public_venue",
    "new_company",
    "gas_connection",
)


def _page(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    facts_form: PlanFactsForm | None = None,
    create_form: CreatePlanForm | None = None,
    add_form: PlanItemChangeForm | None = None,
    remove_form: PlanItemChangeForm | None = None,
) -> HttpResponse:
    user = request.user
    page = plan_selectors.plan_page(user, project)
    editable = may_edit(user, project)
    what_if_form = None
    if page.plan is not None:
        what_if_form = WhatIfForm(
            request.GET if "what_if" in request.GET else None,
            addable=page.addable,
            removable=page.removable,
        )
        page.compare(what_if_form.choice())
    facts = page.facts or ProjectFacts(project=project)
    labels = {name: ProjectFacts._meta.get_field(name).verbose_name for name in ProjectFacts.FIELDS}
    context = {
        "project": project,
        "page": page,
        "plan": page.plan,
        "may_edit": editable,
        "facts": facts,
        "facts_form": (facts_form or PlanFactsForm(instance=facts)) if editable else None,
        "create_form": (create_form or CreatePlanForm()) if editable and page.plan is None else None,
        "add_form": (add_form or PlanItemChangeForm(choices=page.addable, prefix_id="add"))
        if editable and page.plan is not None
        else None,
        "remove_form": (remove_form or PlanItemChangeForm(choices=page.removable, prefix_id="remove"))
        if editable and page.plan is not None
        else None,
        "what_if_form": what_if_form,
        "chart": page.chart_data() if page.plan is not None else None,
        "target_workdays": NATIONAL_TARGET_WORKDAYS,
        "stage_choices": ApprovalStage.choices,
        "facts_labels": labels,
        "facts_flags": [(name, labels[name]) for name in FLAG_FACTS if getattr(facts, name)],
    }
    return render(request, "approvals/plan.html", context, status=status)


@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, project_selectors.project_for(request.user, pk))


def _editable(request: HttpRequest, pk: int) -> Project:
    project = project_selectors.project_for(request.user, pk)
    if not may_edit(request.user, project):
        raise PermissionDenied
    return project


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("project-plan", args=[pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def save_facts(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable(request, pk)
    instance = ProjectFacts.objects.filter(project=project).first() or ProjectFacts(project=project)
    form = PlanFactsForm(request.POST, instance=instance)
    if form.is_valid():
        try:
            services.save_project_facts(
                actor=request.user, project=project, values=form.values(), source_ip=client_ip(request)
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The plan facts were saved."))
            return _back(pk, "facts")
    return _page(request, project, status=400, facts_form=form)


@login_required
@require_POST
def create_plan(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable(request, pk)
    form = CreatePlanForm(request.POST)
    if form.is_valid():
        try:
            services.create_plan(
                actor=request.user,
                project=project,
                start_on=form.cleaned_data["start_on"],
                catalog_version=form.cleaned_data["catalog_version"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The approval plan was generated."))
            return _back(pk)
    return _page(request, project, status=400, create_form=form)


def _change_item(request: HttpRequest, pk: int, *, adding: bool) -> HttpResponse:
    project = _editable(request, pk)
    page = plan_selectors.plan_page(request.user, project)
    if page.plan is None:
        messages.error(request, _("Generate the plan first."))
        return _back(pk)
    choices = page.addable if adding else page.removable
    form = PlanItemChangeForm(request.POST, choices=choices, prefix_id="add" if adding else "remove")
    if form.is_valid():
        change = services.add_plan_item if adding else services.remove_plan_item
        try:
            entry = change(
                actor=request.user,
                plan=page.plan,
                code=form.cleaned_data["code"],
                reason=form.cleaned_data["reason"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error, renames={"item": "code"})
        else:
            message = (
                _("%(code)s was added to the plan.") if adding else _("%(code)s was taken out of the plan.")
            )
            messages.success(request, message % {"code": entry.item.code})
            return _back(pk, "items")
    forms = {"add_form": form} if adding else {"remove_form": form}
    return _page(request, project, status=400, **forms)


@login_required
@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_item(request, pk, adding=True)


@login_required
@require_POST
def remove_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_item(request, pk, adding=False)
