"""The leadership dashboard's reads: how many, how much, how fast, and where it is stuck.

Everything takes the user and answers for their scope only: a city leader or administrator sees the
city, a county unit's leader or staff their own region (a region filter outside it is a 404), roles
without statistics a 403. Counts and investment come from the maintained tally
(``selectors.served_buckets``) and the monthly tally;
efficiency and bottlenecks from the approval tasks decided in the year.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.permissions import STATISTICS_ROLES, region_path, require_role
from onewindow.analytics.selectors import (
    served_buckets,
    tally_aggregates,
    tally_in,
    wan,
)
from onewindow.approvals.models import DECIDED_STATES, ApprovalTask, StatutoryUnit, TaskState
from onewindow.core.workdays import default_calendar
from onewindow.projects.models import Industry, Level, Project, ProjectMonthTally
from onewindow.projects.stages import Stage
from onewindow.regions.models import Region

TREND_YEARS = 6
SPEEDUP_BINS = (Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("3"), Decimal("5"))


@dataclass(frozen=True)
class Scope:
    """Where the dashboard looks: ``region`` chosen (or the user's own), and its subtree ``path``."""

    region: Region | None
    path: str
    whole_city: bool


def scope_for(user: User, region_code: str = "") -> Scope:
    """The user's statistics scope, narrowed to ``region_code`` if given; 404 outside the scope."""
    require_role(user, STATISTICS_ROLES)
    own = region_path(user)
    if not region_code:
        region = None if not own else user.region
        return Scope(region=region, path=own, whole_city=not own or region.parent_id is None)
    region = Region.objects.filter(code=region_code).first()
    if region is None or (own and not region.path.startswith(own)):
        raise Http404
    return Scope(region=region, path=region.path, whole_city=region.parent_id is None)


def regions_for(user: User) -> list[Region]:
    """The regions a user may narrow the dashboard to, in tree order."""
    require_role(user, STATISTICS_ROLES)
    own = region_path(user)
    regions = Region.objects.order_by("sort_order", "path")
    return [region for region in regions if not own or region.path.startswith(own)]


@dataclass(frozen=True)
class Bucket:
    """One segment of a breakdown: ``key`` is the register filter's value (region code, level, …)."""

    key: str
    label: str
    projects: int
    investment_wan: Decimal
    started_projects: int
    started_investment_wan: Decimal
    produced_projects: int

    @property
    def investment_yi(self) -> Decimal:
        return self.investment_wan / 10000

    @property
    def started_investment_yi(self) -> Decimal:
        return self.started_investment_wan / 10000

    @property
    def started_rate(self) -> Decimal | None:
        return _rate(self.started_projects, self.projects)

    @property
    def produced_rate(self) -> Decimal | None:
        return _rate(self.produced_projects, self.projects)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class YearPoint:
    year: int
    projects: int
    investment_wan: Decimal
    started_projects: int


@dataclass(frozen=True)
class MonthPoint:
    month: int
    taken_in: int
    started: int
    produced: int


@dataclass(frozen=True)
class Overview:
    year: int
    scope: Scope
    total: Bucket
    by_level: list[Bucket]
    by_region: list[Bucket]
    by_industry: list[Bucket]
    by_stage: list[Bucket]
    by_year: list[YearPoint]
    by_month: list[MonthPoint]


_SUMS = (
    "count",
    "amount",
    "started_count",
    "started_amount",
    "produced_count",
    "produced_amount",
)


def _bucket(key: str, label: str, row: dict) -> Bucket:
    return Bucket(
        key=key,
        label=str(label),
        projects=row.get("count") or 0,
        investment_wan=wan(row.get("amount")),
        started_projects=row.get("started_count") or 0,
        started_investment_wan=wan(row.get("started_amount")),
        produced_projects=row.get("produced_count") or 0,
    )


def _merge(rows: list[dict]) -> dict:
    return {name: sum(row[name] or 0 for row in rows) for name in _SUMS}


def _child_units(scope: Scope) -> list[Region]:
    """The regions one level below the scope's root (the county units and zones of the city)."""
    if scope.region is None:
        return list(
            Region.objects.filter(parent__parent__isnull=True, parent__isnull=False).order_by(
                "sort_order", "path"
            )
        )
    return list(scope.region.children.order_by("sort_order", "path"))


def overview(user: User, year: int, region_code: str = "") -> Overview:
    """Counts and investment of the year by level, region, industry and stage; the years before; and
    the year's months. A constant number of queries whatever the data."""
    scope = scope_for(user, region_code)
    tallies = tally_in(scope.path)
    served = tallies.filter(served_buckets(year))
    aggregates = tally_aggregates(year)
    rows = list(served.values("region__path", "level", "industry", "stage").annotate(**aggregates).order_by())

    total = _bucket("", "", _merge(rows))
    by_level = []
    for level in Level:
        by_level.append(
            _bucket(level.value, level.label, _merge([r for r in rows if r["level"] == level.value]))
        )
    by_industry = []
    for industry in Industry:
        picked = [r for r in rows if r["industry"] == industry.value]
        if picked:
            by_industry.append(_bucket(industry.value, industry.label, _merge(picked)))
    by_industry.sort(key=lambda bucket: (-bucket.investment_wan, bucket.key))
    by_stage = []
    for stage in Stage:
        picked = [r for r in rows if r["stage"] == stage.value]
        if picked:
            by_stage.append(_bucket(stage.value, stage.label, _merge(picked)))
    by_region = []
    units = _child_units(scope)
    for unit in units:
        picked = [r for r in rows if r["region__path"].startswith(unit.path)]
        by_region.append(_bucket(unit.code, unit.name, _merge(picked)))
    if not units and scope.region is not None:
        by_region.append(_bucket(scope.region.code, scope.region.name, _merge(rows)))
    if units:
        # What the units leave over is registered at the scope's root itself (市本级).
        covered = _merge([r for r in rows if any(r["region__path"].startswith(unit.path) for unit in units)])
        everything = _merge(rows)
        own = {name: everything[name] - covered[name] for name in _SUMS}
        root = scope.region or Region.objects.filter(parent__isnull=True).first()
        if own["count"]:
            label = _("Registered at %(region)s itself (本级)") % {"region": root.name if root else ""}
            by_region.append(_bucket("", label, own))

    return Overview(
        year=year,
        scope=scope,
        total=total,
        by_level=by_level,
        by_region=by_region,
        by_industry=by_industry,
        by_stage=by_stage,
        by_year=_by_year(tallies, year),
        by_month=_by_month(scope, year),
    )


def _by_year(tallies, year: int) -> list[YearPoint]:
    """The served figures of the ``TREND_YEARS`` years up to ``year``, from one grouped query."""
    first = year - TREND_YEARS + 1
    rows = list(
        tallies.filter(intake_year__gte=1, intake_year__lte=year)
        .exclude(
            Q(produced_year__gte=1, produced_year__lt=first)
            | Q(terminated_year__gte=1, terminated_year__lt=first)
        )
        .values("intake_year", "started_year", "produced_year", "terminated_year")
        .annotate(count=Sum("projects"), amount=Sum("investment_hundredths"))
        .order_by()
    )
    points = []
    for each in range(first, year + 1):
        count = amount = started = 0
        for row in rows:
            if row["intake_year"] > each:
                continue
            if 0 < row["produced_year"] < each or 0 < row["terminated_year"] < each:
                continue
            count += row["count"] or 0
            amount += row["amount"] or 0
            if 0 < row["started_year"] <= each:
                started += row["count"] or 0
        points.append(
            YearPoint(year=each, projects=count, investment_wan=wan(amount), started_projects=started)
        )
    return points


def _projects_in(scope: Scope) -> QuerySet[Project]:
    projects = Project.objects.all()
    return projects.filter(region__path__startswith=scope.path) if scope.path else projects


def _by_month(scope: Scope, year: int) -> list[MonthPoint]:
    """Projects taken in, started and in production per month of the year, from the monthly tally."""
    months = ProjectMonthTally.objects.filter(year=year)
    if scope.path:
        months = months.filter(region__path__startswith=scope.path)
    counts: dict[tuple[str, int], int] = {
        (row["event"], row["month"]): row["count"]
        for row in months.values("event", "month").annotate(count=Sum("projects")).order_by()
    }
    return [
        MonthPoint(
            month=month,
            taken_in=counts.get(("intake", month), 0),
            started=counts.get(("started", month), 0),
            produced=counts.get(("produced", month), 0),
        )
        for month in range(1, 13)
    ]


# -- efficiency ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """Median and count of a stretch of the project path, in calendar days."""

    median_days: Decimal | None
    count: int


def _median(values: list) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ApprovalFigures:
    decided: int
    median_workdays: Decimal | None
    median_promised: Decimal | None
    within_promised: int
    with_statutory: int
    within_statutory: int
    mean_correction_rounds: Decimal | None
    correction_distribution: list[tuple[str, int]]

    @property
    def within_promised_rate(self) -> Decimal | None:
        return _rate(self.within_promised, self.decided)

    @property
    def within_statutory_rate(self) -> Decimal | None:
        return _rate(self.within_statutory, self.with_statutory)


@dataclass(frozen=True)
class Speedup:
    projects: int
    median: Decimal | None
    distribution: list[tuple[str, int]]


@dataclass(frozen=True)
class Efficiency:
    year: int
    signing_to_intake: Durations
    intake_to_start: Durations
    start_to_production: Durations
    approvals: ApprovalFigures
    speedup: Speedup


def _stretch(projects: QuerySet[Project], first_field: str, last_field: str, year: int) -> Durations:
    """Days from ``first_field`` to ``last_field`` for the projects whose ``last_field`` fell in the year."""
    pairs = projects.filter(
        **{
            f"{last_field}__gte": datetime.date(year, 1, 1),
            f"{last_field}__lte": datetime.date(year, 12, 31),
            f"{first_field}__isnull": False,
        }
    ).values_list(first_field, last_field)
    days = [(last - first).days for first, last in pairs]
    return Durations(median_days=_median(days), count=len(days))


@dataclass
class _TaskRow:
    project_id: int
    department: str
    item: str
    accepted_on: datetime.date
    decided_on: datetime.date | None
    due_on: datetime.date | None
    overdue_since: datetime.date | None
    limit_workdays: int
    statutory_limit: int | None
    statutory_unit: str
    correction_rounds: int
    workdays: int | None = None


def _tasks(scope: Scope, year: int) -> QuerySet[ApprovalTask]:
    """Tasks decided in the year, or accepted by its end and still open then (for the overdue rate)."""
    last = datetime.date(year, 12, 31)
    tasks = ApprovalTask.objects.filter(accepted_on__isnull=False, accepted_on__lte=last).filter(
        Q(decided_on__gte=datetime.date(year, 1, 1), decided_on__lte=last)
        | Q(decided_on__isnull=True, state__in=(TaskState.ACCEPTED, TaskState.CORRECTING))
        | Q(decided_on__gt=last)
    )
    if scope.path:
        tasks = tasks.filter(project__region__path__startswith=scope.path)
    return tasks


def _task_rows(scope: Scope, year: int) -> list[_TaskRow]:
    calendar = default_calendar()
    rows = []
    values = _tasks(scope, year).values_list(
        "project_id",
        "department__name",
        "item__code",
        "item__name",
        "accepted_on",
        "decided_on",
        "due_on",
        "overdue_since",
        "limit_workdays",
        "item__statutory_limit",
        "item__statutory_unit",
        "correction_rounds",
        "state",
    )
    last = datetime.date(year, 12, 31)
    for (
        project_id,
        department,
        item_code,
        item_name,
        accepted_on,
        decided_on,
        due_on,
        overdue_since,
        limit,
        statutory,
        unit,
        rounds,
        state,
    ) in values:
        decided_in_year = decided_on is not None and decided_on <= last and state in DECIDED_STATES
        row = _TaskRow(
            project_id=project_id,
            department=department,
            item=f"{item_code} {item_name}",
            accepted_on=accepted_on,
            decided_on=decided_on if decided_in_year else None,
            due_on=due_on,
            overdue_since=overdue_since,
            limit_workdays=limit,
            statutory_limit=statutory,
            statutory_unit=unit,
            correction_rounds=rounds,
        )
        if row.decided_on is not None:
            row.workdays = calendar.last_on_or_before(row.decided_on) - calendar.last_on_or_before(
                accepted_on
            )
        rows.append(row)
    return rows


def _late(row: _TaskRow, year: int) -> bool:
    """Decided after its due date, or still open at the year's end past it."""
    if row.due_on is None:
        return False
    if row.decided_on is not None:
        return row.decided_on > row.due_on
    return row.due_on < datetime.date(year, 12, 31)


def _within_statutory(row: _TaskRow) -> bool:
    if row.statutory_unit == StatutoryUnit.DAYS:
        return (row.decided_on - row.accepted_on).days <= row.statutory_limit
    return row.workdays <= row.statutory_limit


def _rounds_distribution(rows: list[_TaskRow]) -> list[tuple[str, int]]:
    counts = [0, 0, 0, 0]
    for row in rows:
        counts[min(row.correction_rounds, 3)] += 1
    return list(zip(("0", "1", "2", "3+"), counts, strict=True))


def _speedup(rows: list[_TaskRow]) -> Speedup:
    """Per project with two or more decided tasks: the tasks' working days added up, divided by the
    working days from the first acceptance to the last decision. 1 means one after another; the
    more approvals ran side by side, the higher."""
    calendar = default_calendar()
    per_project: dict[int, list[_TaskRow]] = defaultdict(list)
    for row in rows:
        if row.decided_on is not None:
            per_project[row.project_id].append(row)
    ratios = []
    for tasks in per_project.values():
        if len(tasks) < 2:
            continue
        first = min(task.accepted_on for task in tasks)
        last = max(task.decided_on for task in tasks)
        elapsed = calendar.last_on_or_before(last) - calendar.last_on_or_before(first)
        if elapsed <= 0:
            continue
        ratios.append(Decimal(sum(task.workdays for task in tasks)) / elapsed)
    labels = ["< 1", "1–1.5", "1.5–2", "2–3", "3–5", "≥ 5"]
    counts = [0] * len(labels)
    for ratio in ratios:
        counts[sum(1 for edge in SPEEDUP_BINS if ratio >= edge)] += 1
    return Speedup(
        projects=len(ratios),
        median=_median(ratios) if ratios else None,
        distribution=list(zip(labels, counts, strict=True)),
    )


def efficiency(user: User, year: int, region_code: str = "") -> Efficiency:
    """How fast: the project path's medians, the approvals against their limits, the realised
    parallel speed-up and the correction rounds, for the year and the scope."""
    scope = scope_for(user, region_code)
    return _efficiency(scope, year, _task_rows(scope, year))


def _efficiency(scope: Scope, year: int, rows: list[_TaskRow]) -> Efficiency:
    projects = _projects_in(scope)
    decided = [row for row in rows if row.decided_on is not None]
    statutory = [row for row in decided if row.statutory_limit]
    return Efficiency(
        year=year,
        signing_to_intake=_stretch(projects, "signed_on", "intake_on", year),
        intake_to_start=_stretch(projects, "intake_on", "started_on", year),
        start_to_production=_stretch(projects, "started_on", "produced_on", year),
        approvals=ApprovalFigures(
            decided=len(decided),
            median_workdays=_median([row.workdays for row in decided]),
            median_promised=_median([row.limit_workdays for row in decided]),
            within_promised=sum(1 for row in decided if not _late(row, year)),
            with_statutory=len(statutory),
            within_statutory=sum(1 for row in statutory if _within_statutory(row)),
            mean_correction_rounds=(
                (Decimal(sum(row.correction_rounds for row in decided)) / len(decided)).quantize(
                    Decimal("0.01")
                )
                if decided
                else None
            ),
            correction_distribution=_rounds_distribution(decided),
        ),
        speedup=_speedup(rows),
    )


# -- bottlenecks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bottleneck:
    name: str
    tasks: int
    late: int
    decided: int
    correction_rounds: int
    median_workdays: Decimal | None

    @property
    def late_rate(self) -> Decimal | None:
        return _rate(self.late, self.tasks)

    @property
    def mean_correction_rounds(self) -> Decimal | None:
        if not self.tasks:
            return None
        return (Decimal(self.correction_rounds) / self.tasks).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Bottlenecks:
    year: int
    departments: list[Bottleneck]
    items: list[Bottleneck]


def _ranked(rows: list[_TaskRow], name_of, year: int, limit: int) -> list[Bottleneck]:
    groups: dict[str, list[_TaskRow]] = defaultdict(list)
    for row in rows:
        groups[name_of(row)].append(row)
    ranked = []
    for name, tasks in groups.items():
        decided = [task.workdays for task in tasks if task.workdays is not None]
        ranked.append(
            Bottleneck(
                name=name,
                tasks=len(tasks),
                late=sum(1 for task in tasks if _late(task, year)),
                decided=len(decided),
                correction_rounds=sum(task.correction_rounds for task in tasks),
                median_workdays=_median(decided),
            )
        )
    ranked.sort(
        key=lambda b: (
            -(b.late_rate or 0),
            -(b.mean_correction_rounds or 0),
            -(b.median_workdays or 0),
            b.name,
        )
    )
    return ranked[:limit]


def bottlenecks(user: User, year: int, region_code: str = "", *, limit: int = 10) -> Bottlenecks:
    """Departments and catalog items ranked by overdue rate, then correction rounds, then median
    working days, over the tasks decided in the year or open at its end."""
    scope = scope_for(user, region_code)
    return _bottlenecks(year, _task_rows(scope, year), limit)


def _bottlenecks(year: int, rows: list[_TaskRow], limit: int) -> Bottlenecks:
    return Bottlenecks(
        year=year,
        departments=_ranked(rows, lambda row: row.department, year, limit),
        items=_ranked(rows, lambda row: row.item, year, limit),
    )


def efficiency_and_bottlenecks(
    user: User, year: int, region_code: str = ""
) -> tuple[Efficiency, Bottlenecks]:
    """Both, from one read of the year's approval tasks (what the dashboard page shows)."""
    scope = scope_for(user, region_code)
    rows = _task_rows(scope, year)
    return _efficiency(scope, year, rows), _bottlenecks(year, rows, 10)
