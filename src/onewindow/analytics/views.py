"""The staff statistics page: the public summary's figures for the user's scope, and by region."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.accounts.permissions import STATISTICS_ROLES, region_path, require_role
from onewindow.analytics import selectors
from onewindow.analytics.forms import YearForm
from onewindow.analytics.selectors import Figures, RegionFigures


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
