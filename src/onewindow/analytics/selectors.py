"""Statistics of projects under agency service.

A project counts for a year when it was under agency service at any time in that year: taken in
on or before 31 December, and neither produced nor terminated before 1 January. It counts as
started when its construction started on or before 31 December.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from onewindow.accounts.models import User
from onewindow.accounts.permissions import STATISTICS_ROLES, region_path, require_role
from onewindow.projects.models import Level, Project
from onewindow.regions.models import Region

FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Figures:
    projects: int
    investment_wan: Decimal
    started_projects: int
    started_investment_wan: Decimal

    @property
    def investment_yi(self) -> Decimal:
        return self.investment_wan / 10000

    @property
    def started_investment_yi(self) -> Decimal:
        return self.started_investment_wan / 10000


@dataclass(frozen=True)
class Summary:
    year: int
    all: Figures
    city_level: Figures
    county_level: Figures


def served_in_year(year: int) -> Q:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Q(intake_on__isnull=False, intake_on__lte=last)
        & (Q(produced_on__isnull=True) | Q(produced_on__gte=first))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
    )


def _started_by(year: int) -> Q:
    return Q(started_on__isnull=False, started_on__lte=datetime.date(year, 12, 31))


def _aggregates(year: int, prefix: str = "") -> dict:
    started = _started_by(year)
    return {
        f"{prefix}projects": Count("id"),
        f"{prefix}investment": Sum("total_investment_wan"),
        f"{prefix}started_projects": Count("id", filter=started),
        f"{prefix}started_investment": Sum("total_investment_wan", filter=started),
    }


def _figures(row: dict, prefix: str = "") -> Figures:
    return Figures(
        projects=row[f"{prefix}projects"] or 0,
        investment_wan=row[f"{prefix}investment"] or Decimal("0.00"),
        started_projects=row[f"{prefix}started_projects"] or 0,
        started_investment_wan=row[f"{prefix}started_investment"] or Decimal("0.00"),
    )


def _summary(projects: QuerySet[Project], year: int) -> Summary:
    served = projects.filter(served_in_year(year))
    totals = served.aggregate(**_aggregates(year))
    by_level = {row["level"]: row for row in served.values("level").annotate(**_aggregates(year)).order_by()}
    empty = {"projects": 0, "investment": None, "started_projects": 0, "started_investment": None}
    return Summary(
        year=year,
        all=_figures(totals),
        city_level=_figures(by_level.get(Level.CITY, empty)),
        county_level=_figures(by_level.get(Level.COUNTY, empty)),
    )


def public_summary(year: int) -> Summary:
    """Citywide figures for everyone: counts and sums only, so confidential projects may count."""
    return _summary(Project.objects.all(), year)


def summary_for(user: User, year: int) -> Summary:
    require_role(user, STATISTICS_ROLES)
    return _summary(_scoped(user), year)


def _scoped(user: User) -> QuerySet[Project]:
    scope = region_path(user)
    projects = Project.objects.all()
    return projects.filter(region__path__startswith=scope) if scope else projects


@dataclass(frozen=True)
class RegionFigures:
    region: Region
    figures: Figures


def by_region(user: User, year: int) -> list[RegionFigures]:
    """Figures per county-level unit or zone (each with everything below it), in tree order."""
    require_role(user, STATISTICS_ROLES)
    scope = region_path(user)
    regions = list(Region.objects.filter(parent__isnull=False).order_by("sort_order", "path"))
    if scope:
        regions = [region for region in regions if region.path.startswith(scope)]
    served = _scoped(user).filter(served_in_year(year))
    per_region = {
        row["region__path"]: row
        for row in served.values("region__path").annotate(**_aggregates(year)).order_by()
    }
    result = []
    for region in regions:
        rows = [row for path, row in per_region.items() if path.startswith(region.path)]
        merged = {
            key: sum((row[key] or 0) for row in rows)
            for key in ("projects", "investment", "started_projects", "started_investment")
        }
        result.append(RegionFigures(region=region, figures=_figures(merged)))
    return result
