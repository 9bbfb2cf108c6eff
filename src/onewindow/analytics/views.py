"""The staff statistics pages: the yearly summary for the user's scope and by region, the leadership
dashboard, and the progress report (printable page and workbook)."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.accounts.permissions import STATISTICS_ROLES, region_path, require_role
from onewindow.analytics import dashboard as dashboard_selectors
from onewindow.analytics import reports, selectors
from onewindow.analytics.forms import DashboardForm, ReportForm, YearForm
from onewindow.analytics.selectors import Figures, RegionFigures
from onewindow.core import audit
from onewindow.core.http import client_ip


@dataclass(frozen=True)
class Row:
    label: str
    figures: Figures
    region_code: str = ""


def _remainder(total: Figures, parts: list[Figures]) -> Figures:
    """What the total holds beyond its parts: here, the projects registered at the city itself."""
    return Figures(
        projects=total.projects - sum(part.projects for part in parts),
        investment_wan=total.investment_wan - sum((part.investment_wan for part in parts), Decimal(0)),
        started_projects=total.started_projects - sum(part.started_projects for part in parts),
        started_investment_wan=total.started_investment_wan
        - sum((part.started_investment_wan for part in parts), Decimal(0)),
    )


def _sees_whole_city(user) -> bool:
    # A clerk's figures are scoped to their region even at the city; at the root that is everything.
    return not region_path(user) or user.region.parent_id is None


def _region_rows(total: Figures, per_region: list[RegionFigures], *, whole_city: bool) -> list[Row]:
    rows = [Row(item.region.name, item.figures, item.region.code) for item in per_region]
    if not whole_city:
        return rows
    # County-level units and zones are disjoint children of the city, so what they leave over is the
    # city's own register (市本级); deeper regions are already inside their parent's row.
    top = [item.figures for item in per_region if item.region.path.count("/") == 2]
    city_itself = _remainder(total, top)
    return [*rows, Row(label=_("Registered at the city itself (市本级)"), figures=city_itself)]


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STATISTICS_ROLES)
    form = YearForm(request.GET)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "analytics/statistics.html", context, status=400)
    year = form.cleaned_data["year"]
    summary = selectors.summary_for(request.user, year)
    per_region = selectors.by_region(request.user, year)
    whole_city = _sees_whole_city(request.user)
    context.update(
        year=year,
        summary=summary,
        levels=[("all", summary.all), ("city", summary.city_level), ("county", summary.county_level)],
        rows=_region_rows(summary.all, per_region, whole_city=whole_city),
        whole_city=whole_city,
    )
    return render(request, "analytics/statistics.html", context)


def _register_link(**params) -> str:
    """The register list that holds a chart segment's projects (its filters as query parameters)."""
    query = urlencode({name: value for name, value in params.items() if value not in ("", None)})
    return f"{reverse('project-register')}?{query}"


def _chart_set(buckets, *, year: int, region: str, filter_name: str) -> dict:
    links, started_links = [], []
    for bucket in buckets:
        if not bucket.key and filter_name == "region":
            # The city's own register (本级) has no region filter of its own.
            links.append("")
            started_links.append("")
            continue
        params = {"served_year": year, "region": region, filter_name: bucket.key}
        links.append(_register_link(**params))
        started_links.append(_register_link(**params, started="yes"))
    return {
        "labels": [bucket.label for bucket in buckets],
        "projects": [bucket.projects for bucket in buckets],
        "investment_yi": [float(round(bucket.investment_yi, 2)) for bucket in buckets],
        "started": [bucket.started_projects for bucket in buckets],
        "links": links,
        "started_links": started_links,
    }


def _chart_data(overview, region: str) -> dict:
    year = overview.year
    months = overview.by_month
    return {
        "text": {
            "projects": _("Projects"),
            "investment": _("Investment (亿元)"),
            "started": _("Started"),
            "taken_in": _("Taken in"),
            "produced": _("In production"),
        },
        "level": _chart_set(overview.by_level, year=year, region=region, filter_name="level"),
        "region": _chart_set(overview.by_region, year=year, region=region, filter_name="region"),
        "industry": _chart_set(overview.by_industry, year=year, region=region, filter_name="industry"),
        "stage": _chart_set(overview.by_stage, year=year, region=region, filter_name="stage"),
        "years": {
            "labels": [str(point.year) for point in overview.by_year],
            "projects": [point.projects for point in overview.by_year],
            "started": [point.started_projects for point in overview.by_year],
            "investment_yi": [float(round(point.investment_wan / 10000, 2)) for point in overview.by_year],
            "links": [_register_link(served_year=point.year, region=region) for point in overview.by_year],
            "started_links": [
                _register_link(served_year=point.year, region=region, started="yes")
                for point in overview.by_year
            ],
        },
        "months": {
            "labels": [f"{year}-{point.month:02d}" for point in months],
            "taken_in": [point.taken_in for point in months],
            "started": [point.started for point in months],
            "produced": [point.produced for point in months],
            "links": [_register_link(intake_month=f"{year}-{p.month:02d}", region=region) for p in months],
            "started_links": [
                _register_link(started_month=f"{year}-{p.month:02d}", region=region) for p in months
            ],
            "produced_links": [
                _register_link(produced_month=f"{year}-{p.month:02d}", region=region) for p in months
            ],
        },
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leadership dashboard: how many, how much, how fast and where it is stuck."""
    require_role(request.user, STATISTICS_ROLES)
    form = DashboardForm(request.GET, user=request.user)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", context, status=400)
    year, region = form.cleaned_data["year"], form.cleaned_data["region"]
    overview = dashboard_selectors.overview(request.user, year, region)
    context.update(
        year=year,
        region=region,
        overview=overview,
        chart_data=_chart_data(overview, region),
        report_query=urlencode({"year": year, "region": region}),
    )
    return render(request, "analytics/dashboard.html", context)


@login_required
def dashboard_details(request: HttpRequest) -> HttpResponse:
    """The dashboard's efficiency and bottleneck sections. They read the year's approval tasks, which
    takes longer than the summary tables, so the dashboard loads them after its first paint (htmx);
    without JavaScript they are a page of their own."""
    require_role(request.user, STATISTICS_ROLES)
    form = DashboardForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    year, region = form.cleaned_data["year"], form.cleaned_data["region"]
    efficiency, bottlenecks = dashboard_selectors.efficiency_and_bottlenecks(request.user, year, region)
    context = {
        "year": year,
        "efficiency": efficiency,
        "bottlenecks": bottlenecks,
        "report_query": urlencode({"year": year, "region": region}),
    }
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "analytics/_details.html" if fragment else "analytics/details.html", context)


def _report(request: HttpRequest):
    form = ReportForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    scope, visible = reports.report_scope(request.user, data["region"])
    try:
        period = reports.Period.of(data["year"], data["quarter"], data["month"])
    except reports.ReportError as error:
        form.add_error(error.option, error.message)
        return form, None
    return form, reports.build(scope=scope, period=period, unit=data["unit"], listed=visible)


def _numbered(report) -> list[tuple]:
    """(line, its figures, its number): regions are numbered 1, 2, … as in the workbook; totals are not."""
    rows, number = [], 0
    for line in report.lines:
        number += line.kind == "region"
        rows.append(
            (line, reports.line_values(line, report.unit_name), number if line.kind == "region" else "")
        )
    return rows


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """The progress report as a printable page, with the workbook to download."""
    require_role(request.user, STATISTICS_ROLES)
    form, report = _report(request)
    context = {"form": form, "report": report}
    if report is None:
        return render(request, "analytics/report.html", context, status=400)
    context.update(
        title=reports.title(report),
        rows=_numbered(report),
        query=request.GET.urlencode(),
    )
    return render(request, "analytics/report.html", context)


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STATISTICS_ROLES)
    form, report = _report(request)
    if report is None:
        return render(request, "analytics/report.html", {"form": form, "report": None}, status=400)
    content = reports.xlsx_bytes(report)
    audit.record_export(
        actor=request.user,
        what=reports.filename(report),
        filters={name: form.cleaned_data[name] for name in ("year", "quarter", "month", "region", "unit")},
        rows=report.lines[0].projects,
        source_ip=client_ip(request),
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(report)}"'
    return response
