"""The published scoring method, and the raw values it scores. See docs/assessment.md.

Every unit is a county-level unit or zone (a child of the city) with everything below it. For each
indicator: attainment = min(raw value ÷ target, cap), or min(target ÷ raw value, cap) where less is
better (median days); score = weight × attainment, rounded half up to 0.01; the total is the sum of
the scores. Rates are percentages rounded to 0.01 first, and the score uses the value as shown, so a
county can recompute its own score by hand from the page.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from onewindow.approvals.models import ApprovalTask
from onewindow.assessment.models import LOWER_IS_BETTER, Metric
from onewindow.coordination.models import Problem
from onewindow.portal.models import PublicMessage
from onewindow.projects.models import Project
from onewindow.regions.models import Region

ONE_YI = Decimal("10000")  # 1亿元 in 万元
TEN_YI = Decimal("100000")
CENT = Decimal("0.01")
# Rates whose count is empty score as met: with nothing to decide, answer or resolve, nothing was late.
MET_WHEN_EMPTY = frozenset({Metric.APPROVALS_ON_TIME, Metric.PROBLEMS_ON_TIME, Metric.MESSAGES_ON_TIME})

DEFAULT_INDICATORS = {
    Metric.SIGNED_COUNT: (Decimal("15"), Decimal("40")),
    Metric.SIGNED_INVESTMENT: (Decimal("15"), Decimal("300000")),
    Metric.LARGE_1YI: (Decimal("10"), Decimal("10")),
    Metric.LARGE_10YI: (Decimal("10"), Decimal("1")),
    Metric.START_RATE: (Decimal("15"), Decimal("40")),
    Metric.PRODUCTION_RATE: (Decimal("5"), Decimal("10")),
    Metric.MEDIAN_SIGN_TO_START: (Decimal("10"), Decimal("180")),
    Metric.APPROVALS_ON_TIME: (Decimal("10"), Decimal("95")),
    Metric.PROBLEMS_ON_TIME: (Decimal("5"), Decimal("90")),
    Metric.MESSAGES_ON_TIME: (Decimal("5"), Decimal("95")),
}


def units() -> list[Region]:
    """The assessed units: the city's county-level units and zones, in the tree's order."""
    return list(
        Region.objects.filter(parent__isnull=False, parent__parent__isnull=True).order_by(
            "sort_order", "path"
        )
    )


def _unit_of(path: str, unit_paths: list[str]) -> str | None:
    for unit_path in unit_paths:
        if path.startswith(unit_path):
            return unit_path
    return None


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Raw:
    """One indicator's raw value for one unit, with the counts a rate was computed from."""

    value: Decimal | None
    part: int | None = None
    whole: int | None = None


def _served(year: int) -> Q:
    # The statistics' definition of a project under agency service in the year (analytics.selectors).
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Q(intake_on__isnull=False, intake_on__lte=last)
        & (Q(produced_on__isnull=True) | Q(produced_on__gte=first))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
    )


def raw_values(year: int, regions: list[Region]) -> dict[str, dict[str, Raw]]:
    """``{unit path: {metric: Raw}}`` for the year: a fixed number of grouped queries, whatever the
    number of projects, tasks, problems and messages."""
    paths = [region.path for region in regions]
    sums: dict[str, dict[str, int | Decimal]] = {path: defaultdict(int) for path in paths}

    def add(rows, path_key: str, fields: list[str]) -> None:
        for row in rows:
            unit = _unit_of(row[path_key] or "", paths)
            if unit is not None:
                for name in fields:
                    sums[unit][name] += row[name] or 0

    signed = Project.objects.filter(signed_on__year=year)
    add(
        signed.values("region__path")
        .annotate(
            signed=Count("id"),
            investment=Sum("total_investment_wan"),
            large_1yi=Count("id", filter=Q(total_investment_wan__gte=ONE_YI)),
            large_10yi=Count("id", filter=Q(total_investment_wan__gte=TEN_YI)),
        )
        .order_by(),
        "region__path",
        ["signed", "investment", "large_1yi", "large_10yi"],
    )
    last = datetime.date(year, 12, 31)
    add(
        Project.objects.filter(_served(year))
        .values("region__path")
        .annotate(
            served=Count("id"),
            started=Count("id", filter=Q(started_on__isnull=False, started_on__lte=last)),
            produced=Count("id", filter=Q(produced_on__isnull=False, produced_on__lte=last)),
        )
        .order_by(),
        "region__path",
        ["served", "started", "produced"],
    )
    add(
        ApprovalTask.objects.filter(decided_on__year=year, due_on__isnull=False)
        .values("project__region__path")
        .annotate(tasks=Count("id"), tasks_on_time=Count("id", filter=Q(decided_on__lte=F("due_on"))))
        .order_by(),
        "project__region__path",
        ["tasks", "tasks_on_time"],
    )
    today = timezone.localdate()
    # An open problem or message whose deadline has not come yet is neither in time nor late.
    add(
        Problem.objects.filter(raised_on__year=year)
        .exclude(resolved_on__isnull=True, due_on__gte=today)
        .values("region_path")
        .annotate(
            problems=Count("id"),
            problems_on_time=Count("id", filter=Q(resolved_on__isnull=False, resolved_on__lte=F("due_on"))),
        )
        .order_by(),
        "region_path",
        ["problems", "problems_on_time"],
    )
    add(
        PublicMessage.objects.filter(submitted_on__year=year, project__isnull=False)
        .exclude(answered_on__isnull=True, due_on__gte=today)
        .values("project__region__path")
        .annotate(
            messages=Count("id"),
            messages_on_time=Count("id", filter=Q(answered_on__isnull=False, answered_on__lte=F("due_on"))),
        )
        .order_by(),
        "project__region__path",
        ["messages", "messages_on_time"],
    )
    days: dict[str, list[int]] = {path: [] for path in paths}
    started = Project.objects.filter(started_on__year=year, signed_on__isnull=False)
    for path, signed_on, started_on in started.values_list("region__path", "signed_on", "started_on"):
        unit = _unit_of(path, paths)
        if unit is not None:
            days[unit].append((started_on - signed_on).days)

    result = {}
    for path in paths:
        s = sums[path]
        median = days[path]
        result[path] = {
            Metric.SIGNED_COUNT: Raw(Decimal(s["signed"])),
            Metric.SIGNED_INVESTMENT: Raw(Decimal(s["investment"]).quantize(CENT)),
            Metric.LARGE_1YI: Raw(Decimal(s["large_1yi"])),
            Metric.LARGE_10YI: Raw(Decimal(s["large_10yi"])),
            Metric.START_RATE: Raw(_percent(s["started"], s["served"]), s["started"], s["served"]),
            Metric.PRODUCTION_RATE: Raw(_percent(s["produced"], s["served"]), s["produced"], s["served"]),
            Metric.MEDIAN_SIGN_TO_START: Raw(
                Decimal(str(statistics.median(median))).quantize(CENT) if median else None, None, len(median)
            ),
            Metric.APPROVALS_ON_TIME: Raw(
                _percent(s["tasks_on_time"], s["tasks"]), s["tasks_on_time"], s["tasks"]
            ),
            Metric.PROBLEMS_ON_TIME: Raw(
                _percent(s["problems_on_time"], s["problems"]), s["problems_on_time"], s["problems"]
            ),
            Metric.MESSAGES_ON_TIME: Raw(
                _percent(s["messages_on_time"], s["messages"]), s["messages_on_time"], s["messages"]
            ),
        }
    return result


def attainment(metric: str, raw: Decimal | None, target: Decimal, cap: Decimal) -> Decimal:
    """The share of the weight an indicator earns, before rounding; see the module's docstring."""
    if raw is None:
        return Decimal(1) if metric in MET_WHEN_EMPTY else Decimal(0)
    if metric in LOWER_IS_BETTER:
        return cap if raw <= 0 else min(target / raw, cap)
    return min(raw / target, cap)


def score(metric: str, raw: Decimal | None, weight: Decimal, target: Decimal, cap: Decimal) -> Decimal:
    return (weight * attainment(metric, raw, target, cap)).quantize(CENT, rounding=ROUND_HALF_UP)


def competition_ranks(totals: list[Decimal]) -> list[int]:
    """Rank 1 for the highest; equal totals share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(totals, reverse=True)
    return [ordered.index(total) + 1 for total in totals]
