"""Staff pages of the investment-promotion pipeline. Who may see a lead is the selectors' answer (403
for a role that never sees leads, 404 outside the scope); who may change it is the services'."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.permissions import PROMOTION_ROLES, require_role
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip
from onewindow.promotion import selectors, services
from onewindow.promotion.forms import AdvanceForm, ChartForm, ConvertForm, DropForm, LeadFilterForm, LeadForm
from onewindow.promotion.models import PIPELINE_LABELS, Lead, LeadStage
from onewindow.promotion.selectors import LeadFilters


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, PROMOTION_ROLES)
    form = LeadFilterForm(request.GET, user=request.user)
    leads = selectors.lead_list(request.user, form.filters())
    page = Paginator(leads, settings.ONEWINDOW_REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "promotion/lead_list.html", {"form": form, "page": page})


@login_required
def lead_new(request: HttpRequest) -> HttpResponse:
    require_role(request.user, PROMOTION_ROLES)
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(
                actor=request.user, data=form.data_for_create(), source_ip=client_ip(request)
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The lead was recorded."))
            return redirect("lead-detail", pk=lead.pk)
    status = 400 if form.is_bound else 200
    return render(request, "promotion/lead_form.html", {"form": form}, status=status)


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    if not services.may_edit_lead(request.user, lead):
        raise PermissionDenied
    form = LeadForm(request.POST or None, user=request.user, lead=lead)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_lead(
                    actor=request.user, lead=lead, changes=form.changes(), source_ip=client_ip(request)
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The lead was saved."))
                return redirect("lead-detail", pk=pk)
    return render(request, "promotion/lead_form.html", {"form": form, "lead": lead}, status=status)


def _lead_page(
    request: HttpRequest,
    lead: Lead,
    *,
    status: int = 200,
    advance_form: AdvanceForm | None = None,
    drop_form: DropForm | None = None,
    convert_form: ConvertForm | None = None,
) -> HttpResponse:
    user = request.user
    editable = services.may_edit_lead(user, lead)
    targets = services.next_stages(lead) if editable else []
    open_lead = lead.stage not in (LeadStage.CONVERTED, LeadStage.DROPPED)
    context = {
        "lead": lead,
        "history": selectors.history_for(user, lead),
        "may_edit": editable,
        "pipeline": PIPELINE_LABELS,
        "advance_form": (advance_form or AdvanceForm(targets=targets)) if targets else None,
        "drop_form": (drop_form or DropForm()) if editable and open_lead else None,
        "convert_form": (convert_form or ConvertForm(lead=lead))
        if editable and lead.stage == LeadStage.SIGNED
        else None,
    }
    return render(request, "promotion/lead_detail.html", context, status=status)


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_page(request, selectors.lead_for(request.user, pk))


@login_required
@require_POST
def lead_advance(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    form = AdvanceForm(request.POST, targets=services.next_stages(lead))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.advance_lead(
                actor=request.user,
                lead=lead,
                target=data["target"],
                on=data["on"],
                note=data["note"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The lead moved to %(stage)s.") % {"stage": lead.get_stage_display()})
            return redirect("lead-detail", pk=pk)
    return _lead_page(request, selectors.lead_for(request.user, pk), status=400, advance_form=form)


@login_required
@require_POST
def lead_drop(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    form = DropForm(request.POST)
    if form.is_valid():
        try:
            services.drop_lead(
                actor=request.user,
                lead=lead,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The lead was dropped."))
            return redirect("lead-detail", pk=pk)
    return _lead_page(request, selectors.lead_for(request.user, pk), status=400, drop_form=form)


@login_required
@require_POST
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    form = ConvertForm(request.POST, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = services.convert_lead(
                actor=request.user,
                lead=lead,
                project_name=data["project_name"],
                on=data["on"],
                level=data["level"],
                uscc=data.get("uscc") or "",
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The lead was taken into agency as project %(name)s (%(code)s).")
                % {"name": project.name, "code": project.code},
            )
            return redirect("project-detail", pk=project.pk)
    return _lead_page(request, selectors.lead_for(request.user, pk), status=400, convert_form=form)


@login_required
def lead_charts(request: HttpRequest) -> HttpResponse:
    require_role(request.user, PROMOTION_ROLES)
    form = ChartForm(request.GET)
    dimension = form.dimension()
    filters = LeadFilters(year=form.chosen_year())
    total, groups = selectors.funnel(request.user, dimension, filters)
    time_total, time_groups = selectors.conversion_times(request.user, dimension, filters)
    labels = [str(label) for label in PIPELINE_LABELS]
    chart_data = {
        "stages": labels,
        "funnel": {"labels": labels, "values": total.reached},
        "groups": {
            "labels": [group.label for group in groups],
            "series": [[group.reached[step] for group in groups] for step in range(len(labels))],
        },
        "times": {
            "labels": [group.label for group in time_groups],
            "median": [group.median_days for group in time_groups],
        },
        "text": {
            "leads": _("Leads"),
            "days": _("Median days from lead to intake"),
            "empty": _("No leads to show."),
        },
    }
    context = {
        "form": form,
        "dimension": dimension,
        "total": total,
        "groups": groups,
        "time_total": time_total,
        "time_groups": time_groups,
        "pipeline": PIPELINE_LABELS,
        "chart_data": chart_data,
    }
    return render(request, "promotion/lead_charts.html", context)
