"""Staff pages of the county assessment: the ranking, a unit's detail, the city's indicator and note
forms, and the xlsx export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.permissions import ASSESSMENT_ROLES, require_role
from onewindow.assessment import export, selectors, services
from onewindow.assessment.forms import IndicatorSetForm, NoteForm, YearForm
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    require_role(request.user, ASSESSMENT_ROLES)
    form = YearForm(request.GET, default_year=selectors.latest_assessed_year())
    context: dict = {"form": form, "may_edit": selectors.may_edit(request.user)}
    if not form.is_valid():
        return render(request, "assessment/ranking.html", context, status=400)
    year = form.cleaned_data["year"]
    result = selectors.ranking(request.user, year)
    rows = []
    if result is not None:
        rows = [
            {
                "unit": unit,
                "previous": result.previous_of(unit.region.pk),
                "may_open": selectors.may_open(request.user, unit.region),
            }
            for unit in result.current.units
        ]
    context.update(year=year, result=result, rows=rows)
    return render(request, "assessment/ranking.html", context)


@login_required
def unit_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    region = selectors.unit_for(request.user, code)
    return _unit_page(request, year, region)


def _unit_page(request: HttpRequest, year: int, region, *, note_form: NoteForm | None = None) -> HttpResponse:
    result = selectors.ranking(request.user, year)
    if result is None:
        raise Http404
    unit = result.current.for_region(region.pk)
    previous = result.previous_of(region.pk)
    previous_scores = {item.metric: item for item in previous.scores} if previous else {}
    context = {
        "year": year,
        "result": result,
        "unit": unit,
        "previous": previous,
        "rows": [(item, previous_scores.get(item.metric)) for item in unit.scores],
        "may_edit": selectors.may_edit(request.user),
        "note_form": note_form or NoteForm(initial={"verdict": unit.verdict, "text": unit.note}),
    }
    return render(request, "assessment/unit_detail.html", context, status=400 if note_form else 200)


@login_required
@require_POST
def save_note(request: HttpRequest, year: int, code: str) -> HttpResponse:
    region = selectors.unit_for(request.user, code)
    if not selectors.may_edit(request.user):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.save_note(
                actor=request.user,
                year=year,
                region=region,
                verdict=form.cleaned_data["verdict"],
                text=form.cleaned_data["text"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The decision was saved."))
            return redirect("assessment-unit", year=year, code=code)
    return _unit_page(request, year, region, note_form=form)


@login_required
def edit_indicators(request: HttpRequest, year: int) -> HttpResponse:
    require_role(request.user, ASSESSMENT_ROLES)
    if not selectors.may_edit(request.user):
        raise PermissionDenied
    existing = selectors.indicator_set(year)
    form = IndicatorSetForm(
        request.POST or None, existing=existing, template=selectors.indicator_set(year - 1)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_indicator_set(
                    actor=request.user,
                    year=year,
                    cap=form.cleaned_data["cap"],
                    indicators=form.indicators(),
                    source_ip=client_ip(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The indicators for %(year)s were saved.") % {"year": year})
                return redirect(f"{reverse('assessment')}?year={year}")
    context = {"form": form, "year": year, "existing": existing}
    return render(request, "assessment/indicators.html", context, status=status)


@login_required
def export_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    result = selectors.ranking(request.user, year)
    if result is None:
        raise Http404
    response = HttpResponse(
        export.workbook(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="onewindow-assessment-{year}.xlsx"'
    return response
