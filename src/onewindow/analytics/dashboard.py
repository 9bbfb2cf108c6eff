"""The leadership dashboard's reads: how many, how much, how fast, and where it is stuck.

Everything takes the user and answers for their scope only: a city leader or administrator sees the
city, a county unit's leader or staff their own region (a region filter outside it is a 404), roles
without statistics a 403. Counts and investment come from the maintained tally
(``selectors.served_buckets``) and the monthly tally;
efficiency and bottlenecks from the approval tasks decided in the year.
"""

import datetime
import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
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


def _stretch(projects: QuerySet[Project], first_field: str, last_field: str, year: int) -> Durations:
    """Days from ``first_field`` to ``last_field`` for the projects whose ``last_field`` fell in the year."""
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
    """The tasks decided in the year, or accepted by its end and still open then, reduced.

    On PostgreSQL the database does it (a few thousand rows come back whatever the number of tasks);
    the working-day calendar, which lives in Python, goes along as an array. Elsewhere (SQLite, for
    development) the tasks are read and reduced here, to the same figures."""
    if connection.vendor == "postgresql":
        return _approvals_in_database(scope, year)
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


# How far back the calendar array reaches before the year; a task accepted earlier than that and
# decided in the year makes the query run again with the array widened to it.
_CALENDAR_YEARS_BACK = 2


@functools.lru_cache(maxsize=16)
def _workday_indices(first: datetime.date, last: datetime.date) -> tuple[int, ...]:
    """The working-day index of each day from ``first`` to ``last``, counted from ``first``'s."""
    calendar = default_calendar()
    start = calendar.last_on_or_before(first)
    return tuple(
        calendar.last_on_or_before(first + datetime.timedelta(days=offset)) - start
        for offset in range((last - first).days + 1)
    )


# One statement, reading the tasks through the indexes of migration approvals 0003: the tasks decided
# in the year (``year_tasks``, the covering index alone) and those open at its end (``open_tasks``,
# the GiST index), counted per department and item; the decided ones' working days per department,
# item and promised limit; and the per-project speed-up pairs. The calendar array gives each day's
# working-day index counted from ``base``; a day before ``base`` gives NULL (see the caller).
_REDUCED_TASKS_SQL = """
WITH year_tasks AS NOT MATERIALIZED (
    SELECT t.project_id, t.department_id, t.item_id, t.accepted_on, t.decided_on, t.due_on,
           t.limit_workdays, t.correction_rounds, t.state = ANY(%(decided)s) AS decided_in_year
    FROM approvals_approvaltask t
    WHERE t.accepted_on IS NOT NULL AND t.decided_on >= %(first)s AND t.decided_on <= %(last)s {scope}
),
open_tasks AS NOT MATERIALIZED (
    SELECT t.department_id, t.item_id, t.due_on, t.correction_rounds
    FROM approvals_approvaltask t
    WHERE t.accepted_on IS NOT NULL AND daterange(t.accepted_on, t.decided_on, '[)') @> %(last)s::date
      AND (t.decided_on IS NOT NULL OR t.state = ANY(%(open)s)) {scope}
),
decided AS NOT MATERIALIZED (
    SELECT y.project_id, y.department_id, y.item_id, y.limit_workdays,
           (%(indices)s::int[])[y.decided_on - %(base)s + 1] AS decided_index,
           (%(indices)s::int[])[y.accepted_on - %(base)s + 1] AS accepted_index
    FROM year_tasks y WHERE y.decided_in_year
),
counted AS (
    SELECT y.department_id, y.item_id, y.correction_rounds, y.decided_in_year,
           COALESCE(y.decided_on > y.due_on, false) AS late,
           CASE WHEN y.decided_in_year AND i.statutory_limit <> 0 THEN
               CASE WHEN i.statutory_unit = %(days)s THEN y.decided_on - y.accepted_on <= i.statutory_limit
                    ELSE (%(indices)s::int[])[y.decided_on - %(base)s + 1]
                         - (%(indices)s::int[])[y.accepted_on - %(base)s + 1] <= i.statutory_limit
               END
           END AS within_statutory
    FROM year_tasks y JOIN approvals_approvalitem i ON i.id = y.item_id
    WHERE y.decided_in_year
    UNION ALL
    SELECT y.department_id, y.item_id, y.correction_rounds, false, COALESCE(y.due_on < %(last)s, false), NULL
    FROM year_tasks y WHERE NOT y.decided_in_year
    UNION ALL
    SELECT o.department_id, o.item_id, o.correction_rounds, false, COALESCE(o.due_on < %(last)s, false), NULL
    FROM open_tasks o
)
SELECT 'item', d.name, i.code || ' ' || i.name, c.*
FROM (
    SELECT department_id, item_id,
           count(*), count(*) FILTER (WHERE late), count(*) FILTER (WHERE decided_in_year),
           count(*) FILTER (WHERE decided_in_year AND late), sum(correction_rounds),
           coalesce(sum(correction_rounds) FILTER (WHERE decided_in_year), 0),
           count(*) FILTER (WHERE decided_in_year AND correction_rounds = 0),
           count(*) FILTER (WHERE decided_in_year AND correction_rounds = 1),
           count(*) FILTER (WHERE decided_in_year AND correction_rounds = 2),
           count(*) FILTER (WHERE decided_in_year AND correction_rounds >= 3),
           count(within_statutory), count(*) FILTER (WHERE within_statutory)
    FROM counted GROUP BY department_id, item_id
) c
JOIN regions_department d ON d.id = c.department_id
JOIN approvals_approvalitem i ON i.id = c.item_id
UNION ALL
SELECT 'workdays', NULL, NULL, department_id, item_id, limit_workdays, decided_index - accepted_index,
       count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM decided GROUP BY 4, 5, 6, 7
UNION ALL
SELECT 'speedup', NULL, NULL, NULL, NULL, summed, elapsed, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL
FROM (
    SELECT sum(decided_index - accepted_index) AS summed,
           max(decided_index) - min(accepted_index) AS elapsed, count(*) AS tasks
    FROM decided GROUP BY project_id
) per_project
WHERE tasks >= 2 AND elapsed > 0 GROUP BY summed, elapsed
"""


def _approvals_in_database(scope: Scope, year: int, base: datetime.date | None = None) -> _Approvals:
    last = datetime.date(year, 12, 31)
    base = base or datetime.date(year - _CALENDAR_YEARS_BACK, 1, 1)
    scope_sql = ""
    parameters = {
        "indices": list(_workday_indices(base, last)),
        "base": base,
        "first": datetime.date(year, 1, 1),
        "last": last,
        "open": [TaskState.ACCEPTED.value, TaskState.CORRECTING.value],
        "decided": [state.value for state in DECIDED_STATES],
        "days": StatutoryUnit.DAYS.value,
    }
    if scope.path:
        scope_sql = (
            "AND t.project_id IN (SELECT p.id FROM projects_project p "
            "JOIN regions_region r ON r.id = p.region_id WHERE r.path LIKE %(path)s)"
        )
        escaped = scope.path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parameters["path"] = f"{escaped}%"
    with connection.cursor() as cursor:
        cursor.execute(_REDUCED_TASKS_SQL.format(scope=scope_sql), parameters)
        results = cursor.fetchall()
    items, names, workdays, speedups = [], {}, [], []
    for kind, department, item, department_id, item_id, *figures in results:
        if kind == "item":
            tasks, late, decided, decided_late, rounds, decided_rounds, *distribution, statutory, within = (
                figures
            )
            items.append(
                _ItemTally(
                    department,
                    item,
                    tasks,
                    late,
                    decided,
                    decided_late,
                    rounds,
                    decided_rounds,
                    distribution,
                    statutory,
                    within,
                )
            )
            names[(department_id, item_id)] = (department, item)
        elif kind == "workdays":
            workdays.append((department_id, item_id, *figures[:3]))
        else:
            speedups.append(tuple(figures[:3]))
    if any(days is None for *_key, days, _count in workdays):
        # Rare: a task decided in the year was accepted before the array begins. Widen it to the
        # earliest such acceptance and ask again, rather than miscount its working days.
        earliest = (
            _tasks(scope, year)
            .filter(decided_on__gte=datetime.date(year, 1, 1), decided_on__lte=last)
            .aggregate(earliest=Min("accepted_on"))["earliest"]
        )
        return _approvals_in_database(scope, year, base=datetime.date(earliest.year, 1, 1))
    return _Approvals(
        items=items,
        workdays=[(*names[(department_id, item_id)], *rest) for department_id, item_id, *rest in workdays],
        speedups=speedups,
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
    projects = _projects_in(scope)
    decided = sum(tally.decided for tally in approvals.items)
    rounds = [sum(tally.rounds_distribution[i] for tally in approvals.items) for i in range(4)]
    return Efficiency(
        year=year,
        signing_to_intake=_stretch(projects, "signed_on", "intake_on", year),
        intake_to_start=_stretch(projects, "intake_on", "started_on", year),
        start_to_production=_stretch(projects, "started_on", "produced_on", year),
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
