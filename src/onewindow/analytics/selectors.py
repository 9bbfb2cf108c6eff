"""Statistics of projects under agency service.

A project counts for a year when it was under agency service at any time in that year: taken in
on or before 31 December, and neither produced nor terminated before 1 January. It counts as
started when its construction started on or before 31 December.

The figures are read from ``ProjectTally`` (kept by ``projects.tally`` in every writer's transaction),
whose buckets carry the years of intake, start, production and termination: the rule above is the same
on years as on dates, so a year's figures add up a few thousand buckets instead of every project.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from onewindow.accounts.models import User
from onewindow.accounts.permissions import STATISTICS_ROLES, region_path, require_role
from onewindow.projects.models import Level, ProjectTally
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


def served_buckets(year: int) -> Q:
    """``served_in_year`` on the tally's buckets (a year of 0 means the date is not reached)."""
    return (
        Q(intake_year__gte=1, intake_year__lte=year)
        & (Q(produced_year=0) | Q(produced_year__gte=year))
        & (Q(terminated_year=0) | Q(terminated_year__gte=year))
    )


def started_buckets(year: int) -> Q:
    return Q(started_year__gte=1, started_year__lte=year)


def produced_buckets(year: int) -> Q:
    return Q(produced_year__gte=1, produced_year__lte=year)


def tally_aggregates(year: int) -> dict:
    started, produced = started_buckets(year), produced_buckets(year)
    return {
        "count": Sum("projects"),
        "amount": Sum("investment_hundredths"),
        "started_count": Sum("projects", filter=started),
        "started_amount": Sum("investment_hundredths", filter=started),
        "produced_count": Sum("projects", filter=produced),
        "produced_amount": Sum("investment_hundredths", filter=produced),
    }


def wan(hundredths: int | None) -> Decimal:
    return (Decimal(hundredths or 0) / 100).quantize(Decimal("0.01"))


def _figures(row: dict) -> Figures:
    return Figures(
        projects=row["count"] or 0,
        investment_wan=wan(row["amount"]),
        started_projects=row["started_count"] or 0,
        started_investment_wan=wan(row["started_amount"]),
    )


def tally_in(scope: str) -> QuerySet[ProjectTally]:
    """The tally of the projects registered in the region subtree ``scope`` ('' for everything)."""
    tallies = ProjectTally.objects.all()
    return tallies.filter(region__path__startswith=scope) if scope else tallies


def _summary(tallies: QuerySet[ProjectTally], year: int) -> Summary:
    served = tallies.filter(served_buckets(year))
    totals = served.aggregate(**tally_aggregates(year))
    by_level = {
        row["level"]: row for row in served.values("level").annotate(**tally_aggregates(year)).order_by()
    }
    empty = {"count": 0, "amount": None, "started_count": 0, "started_amount": None}
    return Summary(
        year=year,
        all=_figures(totals),
        city_level=_figures(by_level.get(Level.CITY, empty)),
        county_level=_figures(by_level.get(Level.COUNTY, empty)),
    )


def public_summary(year: int) -> Summary:
    """Citywide figures for everyone: counts and sums only, so confidential projects may count."""
    return _summary(tally_in(""), year)


def summary_for(user: User, year: int) -> Summary:
    require_role(user, STATISTICS_ROLES)
    return _summary(tally_in(region_path(user)), year)


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
    served = tally_in(scope).filter(served_buckets(year))
    per_region = {
        row["region__path"]: row
        for row in served.values("region__path").annotate(**tally_aggregates(year)).order_by()
    }
    result = []
    for region in regions:
        rows = [row for path, row in per_region.items() if path.startswith(region.path)]
        merged = {
            key: sum((row[key] or 0) for row in rows)
            for key in ("count", "amount", "started_count", "started_amount")
        }
        result.append(RegionFigures(region=region, figures=_figures(merged)))
    return result
