"""The leadership dashboard's reads: how many, how much, how fast, and where it is stuck.

Everything takes the user and answers for their scope only: a city leader or administrator sees the
city, a county unit's leader or staff their own region (a region filter outside it is a 404), roles
without statistics a 403. Counts and investment come from the maintained project tallies
(``selectors.served_buckets``, the monthly tally); efficiency and bottlenecks from the task tallies
(``approvals.tally``) and the span tally. ``recounted_approvals`` and ``recounted_stretches`` compute
the same from the tasks and the register themselves, for the tests that hold the tallies to them.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
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
from onewindow.approvals import tally as task_tally
from onewindow.approvals.models import (
    DECIDED_STATES,
    ApprovalItem,
    ApprovalTask,
    OpenTaskTally,
    ProjectYearSpeedup,
    StatutoryUnit,
    TaskState,
    TaskWorkdayTally,
    TaskYearTally,
)
from onewindow.core.workdays import default_calendar
from onewindow.projects import tally as project_tally
from onewindow.projects.models import Industry, Level, Project, ProjectMonthTally, ProjectSpanTally
from onewindow.projects.stages import Stage
from onewindow.regions.models import Department, Region

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


def _weighted_median(counted: Iterable[tuple]) -> Decimal | None:
    """``_median`` of the values ``(value, how many times)`` stand for, without spelling them out:
    the figures come grouped from the database, so the work does not grow with the rows."""
    pairs = sorted((value, count) for value, count in counted if count)
    total = sum(count for _value, count in pairs)
    if not total:
        return None
    lower_at, upper_at = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for value, count in pairs:
        seen += count
        if lower is None and lower_at < seen:
            lower = value
        if upper_at < seen:
            upper = value
            break
    # The same arithmetic as statistics.median, so that both give the same figure to the digit.
    middle = lower if total % 2 else (lower + upper) / 2
    return Decimal(str(middle)).quantize(Decimal("0.1"))


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


def _stretches(scope: Scope, year: int) -> dict[str, Durations]:
    """Days over each stretch of the project path, for the projects whose stretch ended in the year:
    from the span tally, one grouped query."""
    spans = ProjectSpanTally.objects.filter(year=year, projects__gt=0)
    if scope.path:
        spans = spans.filter(region__path__startswith=scope.path)
    counted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in spans.values("stretch", "days").annotate(count=Sum("projects")).order_by():
        counted[row["stretch"]].append((row["days"], row["count"]))
    return {
        stretch: Durations(
            median_days=_weighted_median(counted[stretch]),
            count=sum(count for _days, count in counted[stretch]),
        )
        for stretch in ProjectSpanTally.Stretch.values
    }


def _stretch(projects: QuerySet[Project], first_field: str, last_field: str, year: int) -> Durations:
    """The same, project by project from the register: what the span tally must give (for tests)."""
    spans = (
        projects.filter(
            **{
                f"{last_field}__gte": datetime.date(year, 1, 1),
                f"{last_field}__lte": datetime.date(year, 12, 31),
                f"{first_field}__isnull": False,
            }
        )
        .annotate(span=ExpressionWrapper(F(last_field) - F(first_field), output_field=DurationField()))
        .values("span")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counted = [(row["span"].days, row["count"]) for row in spans]
    return Durations(median_days=_weighted_median(counted), count=sum(count for _days, count in counted))


def recounted_stretches(scope: Scope, year: int) -> dict[str, Durations]:
    projects = _projects_in(scope)
    return {stretch: _stretch(projects, first, last, year) for stretch, first, last in project_tally.SPANS}


@dataclass
class _ItemTally:
    """The year's tasks of one catalog item handled by one department, counted."""

    department: str
    item: str
    tasks: int = 0
    late: int = 0
    decided: int = 0
    decided_late: int = 0
    rounds: int = 0
    decided_rounds: int = 0
    # Decided tasks by correction rounds: 0, 1, 2, 3 or more.
    rounds_distribution: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    with_statutory: int = 0
    within_statutory: int = 0


@dataclass(frozen=True)
class _Approvals:
    """The year's approval tasks reduced to what the figures need, whatever their number:

    * ``items``: per (department, item) the counts;
    * ``workdays``: ``(department, item, promised limit, working days, tasks)`` of the decided tasks;
    * ``speedups``: ``(working days of a project's decided tasks added up, working days from its
      first acceptance to its last decision, projects)``.
    """

    items: list[_ItemTally]
    workdays: list[tuple[str, str, int, int, int]]
    speedups: list[tuple[int, int, int]]


def _approvals(scope: Scope, year: int) -> _Approvals:
    """The tasks decided in the year, or accepted by its end and still open then, reduced: read from
    the task tallies."""
    return _approvals_from_tallies(scope, year)


def recounted_approvals(scope: Scope, year: int) -> _Approvals:
    """The same, task by task from the tasks themselves: what the tallies must give (for tests and
    checks; its time grows with the tasks)."""
    return _approvals_from_rows(_task_rows(scope, year), year)


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


def _approvals_from_rows(rows: list[_TaskRow], year: int) -> _Approvals:
    calendar = default_calendar()
    items: dict[tuple[str, str], _ItemTally] = {}
    workdays: Counter[tuple[str, str, int, int]] = Counter()
    per_project: dict[int, list[_TaskRow]] = defaultdict(list)
    for row in rows:
        tally = items.setdefault((row.department, row.item), _ItemTally(row.department, row.item))
        late = _late(row, year)
        tally.tasks += 1
        tally.late += late
        tally.rounds += row.correction_rounds
        if row.decided_on is None:
            continue
        tally.decided += 1
        tally.decided_late += late
        tally.decided_rounds += row.correction_rounds
        tally.rounds_distribution[min(row.correction_rounds, 3)] += 1
        if row.statutory_limit:
            tally.with_statutory += 1
            tally.within_statutory += _within_statutory(row)
        workdays[(row.department, row.item, row.limit_workdays, row.workdays)] += 1
        per_project[row.project_id].append(row)
    speedups: Counter[tuple[int, int]] = Counter()
    for tasks in per_project.values():
        if len(tasks) < 2:
            continue
        first = min(task.accepted_on for task in tasks)
        last = max(task.decided_on for task in tasks)
        elapsed = calendar.last_on_or_before(last) - calendar.last_on_or_before(first)
        if elapsed > 0:
            speedups[(sum(task.workdays for task in tasks), elapsed)] += 1
    return _Approvals(
        items=list(items.values()),
        workdays=[(*key, count) for key, count in workdays.items()],
        speedups=[(summed, elapsed, count) for (summed, elapsed), count in speedups.items()],
    )


def _approvals_from_tallies(scope: Scope, year: int) -> _Approvals:
    """The same reduction, read from the task tallies that every task write keeps (``approvals.tally``)
    and grouped by the database: a few thousand rows come back whatever the number of tasks."""
    # Buckets emptied by later changes stay behind with nothing in them.
    closed = TaskYearTally.objects.filter(year=year, tasks__gt=0)
    workday_buckets = TaskWorkdayTally.objects.filter(year=year, tasks__gt=0)
    still_open = OpenTaskTally.objects.filter(accepted_year__lte=year, until_year__gt=year, tasks__gt=0)
    speedups = ProjectYearSpeedup.objects.filter(year=year)
    if scope.path:
        regions = Region.objects.filter(path__startswith=scope.path).values("pk")
        closed = closed.filter(region__in=regions)
        workday_buckets = workday_buckets.filter(region__in=regions)
        still_open = still_open.filter(region__in=regions)
        speedups = speedups.filter(region__in=regions)
    # Grouped by ids without joins (the work is in the grouping); the names come after, for those seen.
    names = ("department_id", "item_id")
    facts = ("decided", "late", "statutory", "rounds_bucket")
    late_then = Q(late_from_year__gt=0, late_from_year__lte=year)
    closed_rows = list(
        closed.values(*names, *facts).annotate(count=Sum("tasks"), rounds=Sum("rounds")).order_by()
    )
    open_rows = list(
        still_open.values(*names)
        .annotate(count=Sum("tasks"), rounds=Sum("rounds"), late=Sum("tasks", filter=late_then, default=0))
        .order_by()
    )
    workday_rows = list(
        workday_buckets.values(*names, "limit_workdays", "workdays").annotate(count=Sum("tasks")).order_by()
    )
    seen = [*closed_rows, *open_rows]
    departments = dict(
        Department.objects.filter(pk__in={row["department_id"] for row in seen}).values_list("pk", "name")
    )
    labels = {
        pk: f"{code} {name}"
        for pk, code, name in ApprovalItem.objects.filter(
            pk__in={row["item_id"] for row in seen}
        ).values_list("pk", "code", "name")
    }
    items: dict[tuple[str, str], _ItemTally] = {}

    def tally_of(row: dict) -> _ItemTally:
        key = (departments[row["department_id"]], labels[row["item_id"]])
        return items.setdefault(key, _ItemTally(*key))

    for row in closed_rows:
        tally, count, rounds = tally_of(row), row["count"], row["rounds"]
        late = count if row["late"] else 0
        tally.tasks += count
        tally.late += late
        tally.rounds += rounds
        if not row["decided"]:
            continue
        tally.decided += count
        tally.decided_late += late
        tally.decided_rounds += rounds
        tally.rounds_distribution[row["rounds_bucket"]] += count
        if row["statutory"] != task_tally.NO_STATUTORY:
            tally.with_statutory += count
            tally.within_statutory += count if row["statutory"] == task_tally.WITHIN_STATUTORY else 0
    for row in open_rows:
        tally = tally_of(row)
        tally.tasks += row["count"]
        tally.late += row["late"]
        tally.rounds += row["rounds"]
    workdays = [
        (tally_of(row).department, tally_of(row).item, row["limit_workdays"], row["workdays"], row["count"])
        for row in workday_rows
    ]
    # count(*), not count(id): the index on (year, summed, elapsed) then answers alone (index-only).
    pairs = speedups.values("summed", "elapsed").annotate(count=Count("*")).order_by()
    return _Approvals(
        items=list(items.values()),
        workdays=workdays,
        speedups=[(row["summed"], row["elapsed"], row["count"]) for row in pairs],
    )


def _speedup(approvals: _Approvals) -> Speedup:
    """Per project with two or more decided tasks: the tasks' working days added up, divided by the
    working days from the first acceptance to the last decision. 1 means one after another; the
    more approvals ran side by side, the higher."""
    ratios: Counter[Decimal] = Counter()
    for summed, elapsed, count in approvals.speedups:
        ratios[Decimal(summed) / elapsed] += count
    labels = ["< 1", "1–1.5", "1.5–2", "2–3", "3–5", "≥ 5"]
    counts = [0] * len(labels)
    for ratio, count in ratios.items():
        counts[sum(1 for edge in SPEEDUP_BINS if ratio >= edge)] += count
    return Speedup(
        projects=sum(ratios.values()),
        median=_weighted_median(ratios.items()),
        distribution=list(zip(labels, counts, strict=True)),
    )


def efficiency(user: User, year: int, region_code: str = "") -> Efficiency:
    """How fast: the project path's medians, the approvals against their limits, the realised
    parallel speed-up and the correction rounds, for the year and the scope."""
    scope = scope_for(user, region_code)
    return _efficiency(scope, year, _approvals(scope, year))


def _efficiency(scope: Scope, year: int, approvals: _Approvals) -> Efficiency:
    stretches = _stretches(scope, year)
    decided = sum(tally.decided for tally in approvals.items)
    rounds = [sum(tally.rounds_distribution[i] for tally in approvals.items) for i in range(4)]
    return Efficiency(
        year=year,
        signing_to_intake=stretches[ProjectSpanTally.Stretch.SIGNING_TO_INTAKE],
        intake_to_start=stretches[ProjectSpanTally.Stretch.INTAKE_TO_START],
        start_to_production=stretches[ProjectSpanTally.Stretch.START_TO_PRODUCTION],
        approvals=ApprovalFigures(
            decided=decided,
            median_workdays=_weighted_median((days, count) for *_key, days, count in approvals.workdays),
            median_promised=_weighted_median(
                (limit, count) for _department, _item, limit, _days, count in approvals.workdays
            ),
            within_promised=sum(tally.decided - tally.decided_late for tally in approvals.items),
            with_statutory=sum(tally.with_statutory for tally in approvals.items),
            within_statutory=sum(tally.within_statutory for tally in approvals.items),
            mean_correction_rounds=(
                (Decimal(sum(tally.decided_rounds for tally in approvals.items)) / decided).quantize(
                    Decimal("0.01")
                )
                if decided
                else None
            ),
            correction_distribution=list(zip(("0", "1", "2", "3+"), rounds, strict=True)),
        ),
        speedup=_speedup(approvals),
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


def _ranked(approvals: _Approvals, by: str, limit: int) -> list[Bottleneck]:
    """Bottlenecks per department (``by="department"``) or per item (``by="item"``)."""
    tallies: dict[str, list[_ItemTally]] = defaultdict(list)
    for tally in approvals.items:
        tallies[getattr(tally, by)].append(tally)
    workdays: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for department, item, _limit, days, count in approvals.workdays:
        workdays[department if by == "department" else item].append((days, count))
    ranked = []
    for name, alike in tallies.items():
        ranked.append(
            Bottleneck(
                name=name,
                tasks=sum(tally.tasks for tally in alike),
                late=sum(tally.late for tally in alike),
                decided=sum(tally.decided for tally in alike),
                correction_rounds=sum(tally.rounds for tally in alike),
                median_workdays=_weighted_median(workdays[name]),
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
    return _bottlenecks(year, _approvals(scope, year), limit)


def _bottlenecks(year: int, approvals: _Approvals, limit: int) -> Bottlenecks:
    return Bottlenecks(
        year=year,
        departments=_ranked(approvals, "department", limit),
        items=_ranked(approvals, "item", limit),
    )


def efficiency_and_bottlenecks(
    user: User, year: int, region_code: str = ""
) -> tuple[Efficiency, Bottlenecks]:
    """Both, from one read of the year's approval tasks (what the dashboard page shows)."""
    scope = scope_for(user, region_code)
    approvals = _approvals(scope, year)
    return _efficiency(scope, year, approvals), _bottlenecks(year, approvals, 10)
