"""Reads behind the plan page of a project: the plan, the first plan it started as, the forecast from
actual dates, what-if comparisons and the Gantt chart's rows.

Every schedule here is the pure planner's answer (``planner``) on the statutory calendar; nothing is
computed twice in two ways. The current plan is exactly what ``GET /api/v1/projects/{code}/plan``
answers (``selectors.plan_schedule``), so the page and the API cannot disagree.

Schedules of one plan:

* **first plan**: the items the catalog's rules selected when the plan was made (staff changes left
  out), from the plan's start; its finish is the stored baseline;
* **current plan**: the items in the plan now;
* **forecast**: the current plan re-planned from the actual dates that approval tasks (办件) have
  recorded (``task_selectors.project_actuals``): decided items at their dates, items under way from
  their acceptance, the rest from today at the earliest. Without any actual date there is no forecast
  (the plan is the forecast);
* **what-if**: the current plan with 告知承诺制 on the items that allow it (1 working day each), the
  区域评估 exemptions, or items added or removed: read only, nothing is stored.

The expected construction start is the day the last approval before the works (enterprise, project
and land, engineering and construction permit stages) is decided; completion acceptance and utility
connections run during and after the works.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.approvals import planner, selectors, task_selectors
from onewindow.approvals.models import ApprovalStage, Plan, PlanItem, ProjectFacts
from onewindow.approvals.vocabulary import NATIONAL_TARGET_WORKDAYS, REFORM_STAGES
from onewindow.core.workdays import WorkdayCalendar
from onewindow.projects.models import Phase, Project
from onewindow.projects.selectors import visible_projects

# Stages whose approvals come before the works start; see the module's docstring.
BEFORE_WORKS = ("enterprise", "project_land", "engineering", "construction")


# -- one schedule's headline figures ---------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A schedule with the numbers the page shows about it."""

    schedule: planner.Schedule
    serial_finish: datetime.date | None  # the finish if every item ran one after another
    construction_start: datetime.date | None
    reform_workdays: int  # the four reform stages, first start to last finish
    target_date: datetime.date | None  # working day 120 from the first reform-stage start

    @property
    def parallel_workdays(self) -> int:
        return self.schedule.parallel_workdays

    @property
    def serial_workdays(self) -> int:
        return self.schedule.serial_workdays

    @property
    def finish(self) -> datetime.date:
        return self.schedule.finish

    @property
    def start(self) -> datetime.date:
        return self.schedule.start

    @property
    def speedup_percent(self) -> int:
        """Speed-up in whole per cent, rounded as the JSON's two decimals are."""
        return round(round(self.schedule.speedup, 2) * 100)

    @property
    def calendar_days(self) -> int:
        """Calendar days from the first working day to the finish, both included."""
        return (self.schedule.finish - self.schedule.start).days + 1

    @property
    def within_target(self) -> bool:
        return self.reform_workdays <= NATIONAL_TARGET_WORKDAYS

    @property
    def item_count(self) -> int:
        return len(self.schedule.items)


def construction_start(schedule: planner.Schedule) -> datetime.date | None:
    """The day the last approval before the works is decided, or None without such approvals."""
    finishes = [entry.finish for entry in schedule.items if entry.item.stage in BEFORE_WORKS]
    return max(finishes) if finishes else None


def figures(schedule: planner.Schedule, calendar: WorkdayCalendar) -> Figures:
    serial_finish = None
    if schedule.serial_workdays:
        serial_finish = calendar.nth_workday(schedule.start, schedule.serial_workdays).date
    reform = [entry for entry in schedule.items if entry.item.stage in REFORM_STAGES]
    target_date = None
    if reform:
        first = min(entry.start for entry in reform)
        target_date = calendar.nth_workday(first, NATIONAL_TARGET_WORKDAYS).date
    return Figures(
        schedule=schedule,
        serial_finish=serial_finish,
        construction_start=construction_start(schedule),
        reform_workdays=schedule.span_workdays(REFORM_STAGES),
        target_date=target_date,
    )


@dataclass(frozen=True)
class Shift:
    """How far a date moved against a reference: positive is later."""

    reference: datetime.date
    date: datetime.date
    workdays: int
    days: int

    @property
    def later(self) -> bool:
        return self.days > 0

    @property
    def earlier(self) -> bool:
        return self.days < 0

    @property
    def abs_workdays(self) -> int:
        return abs(self.workdays)

    @property
    def abs_days(self) -> int:
        return abs(self.days)


def shift(
    reference: datetime.date | None, date: datetime.date | None, calendar: WorkdayCalendar
) -> Shift | None:
    if reference is None or date is None:
        return None
    return Shift(reference, date, calendar.workdays_between(reference, date).count, (date - reference).days)


# -- what-if -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfChoice:
    """The options of the what-if panel (GET parameters): nothing is stored."""

    commitment: bool = False
    zone_evaluated: bool = False
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.commitment or self.zone_evaluated or self.add or self.remove)


@dataclass(frozen=True)
class WhatIf:
    choice: WhatIfChoice
    current: Figures
    alternative: Figures
    commitment_items: tuple[planner.Item, ...]  # items whose limit 告知承诺制 cuts to 1 working day
    exempt_items: tuple[planner.Item, ...]  # items a 区域评估 would drop
    added: tuple[planner.Item, ...]
    removed: tuple[planner.Item, ...]

    @property
    def workdays_saved(self) -> int:
        return self.current.parallel_workdays - self.alternative.parallel_workdays

    @property
    def finish_days_saved(self) -> int:
        return (self.current.finish - self.alternative.finish).days

    @property
    def workdays_change(self) -> str:
        """The change in working days, signed as people write it: "−5", "+3" or "0"."""
        return _signed(-self.workdays_saved)

    @property
    def finish_change(self) -> str:
        """The change of the finish in calendar days, signed."""
        return _signed(-self.finish_days_saved)

    @property
    def construction_change(self) -> str:
        """The change of the expected construction start in calendar days, signed ("" without one)."""
        before, after = self.current.construction_start, self.alternative.construction_start
        if before is None or after is None:
            return ""
        return _signed((after - before).days)


def _signed(value: int) -> str:
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{-value}"
    return "0"


def what_if_items(
    catalog: list[planner.Item], included: Collection[str], choice: WhatIfChoice
) -> list[planner.Item]:
    """The items of the what-if plan, through the planner's own ``apply_what_if``.

    The current plan is the catalog less the items not in the plan (bypassed, as a plan bypasses
    them); an item added in the what-if is simply not left out."""
    left_out = {item.code for item in catalog} - set(included) - set(choice.add)
    base = planner.without(catalog, left_out)
    options = planner.WhatIf(
        commitment=choice.commitment, zone_evaluated=choice.zone_evaluated, remove=frozenset(choice.remove)
    )
    return planner.apply_what_if(base, options)


def compare(
    catalog: list[planner.Item],
    included: Collection[str],
    choice: WhatIfChoice,
    current: Figures,
    calendar: WorkdayCalendar,
    start: datetime.date,
) -> WhatIf:
    alternative = planner.schedule(what_if_items(catalog, included, choice), calendar, start)
    by_code = {item.code: item for item in catalog}
    in_alternative = {entry.item.code for entry in alternative.items}
    commitment_items = tuple(
        entry.item
        for entry in alternative.items
        if choice.commitment
        and by_code[entry.item.code].commitment_allowed
        and by_code[entry.item.code].limit > 1
    )
    exempt = tuple(
        item
        for item in catalog
        if choice.zone_evaluated
        and item.code in included
        and item.zone_exempt
        and item.code not in in_alternative
    )
    return WhatIf(
        choice=choice,
        current=current,
        alternative=figures(alternative, calendar),
        commitment_items=commitment_items,
        exempt_items=exempt,
        added=tuple(by_code[code] for code in choice.add if code in by_code),
        removed=tuple(by_code[code] for code in choice.remove if code in by_code),
    )


# -- rows of the chart and its table ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One item of the plan as the Gantt chart and its table show it."""

    entry: planner.ScheduledItem
    department_name: str
    stage_label: str
    actual: planner.Actual | None = None
    forecast: planner.ScheduledItem | None = None

    @property
    def item(self) -> planner.Item:
        return self.entry.item

    @property
    def decided(self) -> bool:
        return self.actual is not None and self.actual.finish is not None

    @property
    def under_way(self) -> bool:
        return self.actual is not None and self.actual.start is not None and self.actual.finish is None

    def chart(self, today: datetime.date) -> dict:
        actual = None
        if self.actual is not None and self.actual.start is not None:
            end = self.actual.finish or max(today, self.actual.start)
            actual = [self.actual.start.isoformat(), end.isoformat()]
        forecast = None
        if self.forecast is not None and not self.decided:
            forecast = [self.forecast.start.isoformat(), self.forecast.finish.isoformat()]
        return {
            "code": self.item.code,
            "name": self.item.name,
            "department": self.department_name,
            "stage": self.item.stage,
            "stage_label": self.stage_label,
            "limit_workdays": self.item.limit,
            "start": self.entry.start.isoformat(),
            "finish": self.entry.finish.isoformat(),
            "critical": self.entry.critical,
            "actual": actual,
            "decided": self.decided,
            "forecast": forecast,
        }


def _stage_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ApprovalStage.choices}


# -- the page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDifference:
    """How the catalog's rules, on the facts as they are now, differ from the items in the plan."""

    missing: tuple[tuple[str, str], ...]  # (code, name) the rules select that the plan lacks
    extra: tuple[tuple[str, str], ...]  # (code, name) the rules selected but no longer select

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)


@dataclass
class PlanPage:
    project: Project
    facts: ProjectFacts | None
    plan: Plan | None = None
    current: Figures | None = None
    first: Figures | None = None
    forecast: Figures | None = None
    rows: list[Row] = field(default_factory=list)
    entries: list[PlanItem] = field(default_factory=list)
    actual_count: int = 0
    decided_count: int = 0
    what_if: WhatIf | None = None
    rule_difference: RuleDifference | None = None
    addable: list[tuple[str, str]] = field(default_factory=list)  # (code, label) of items not in the plan
    removable: list[tuple[str, str]] = field(default_factory=list)
    commitment_codes: list[str] = field(default_factory=list)
    exempt_codes: list[str] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    catalog: list[planner.Item] = field(default_factory=list)  # the whole version, catalog order
    included: set[str] = field(default_factory=set)
    construction_slip: Shift | None = None  # expected construction start against the first plan's
    finish_slip: Shift | None = None  # expected finish against the first plan's (the stored baseline)
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def changes(self) -> list[PlanItem]:
        """The staff's additions and removals, with their reasons."""
        return [
            entry for entry in self.entries if entry.source == PlanItem.Source.STAFF or not entry.included
        ]

    def compare(self, choice: WhatIfChoice) -> WhatIf | None:
        """Set and return the what-if comparison for ``choice`` (None without a plan or options)."""
        if self.plan is None or self.current is None or not choice.active:
            self.what_if = None
        else:
            calendar = selectors.workday_calendar()
            self.what_if = compare(
                self.catalog, self.included, choice, self.current, calendar, self.plan.start_on
            )
        return self.what_if

    @property
    def expected(self) -> Figures | None:
        """The figures to trust: the forecast when there are actual dates, else the plan."""
        return self.forecast or self.current

    def days_from_start(self, day: datetime.date | None) -> int | None:
        """Calendar days from the plan's start date (e.g. the signing) to ``day``."""
        if self.plan is None or day is None:
            return None
        return (day - self.plan.start_on).days

    @property
    def construction_days(self) -> int | None:
        """Calendar days from the plan's start to the expected construction start."""
        expected = self.expected
        return self.days_from_start(expected.construction_start if expected else None)

    @property
    def actual_construction_days(self) -> int | None:
        return self.days_from_start(self.project.started_on)

    def chart_data(self) -> dict:
        """The JSON the Gantt chart reads (``gantt.js``), labels in the page's language.

        ``range`` spans the plan, the actual dates and the 120-day target: the chart opens on it.
        ``full_range`` adds the forecast, which for an old plan may run far ahead (items not yet
        accepted are forecast from today); the chart then offers a slider to reach it."""
        assert self.current is not None
        current = self.current
        dates = [current.start, current.finish]
        for row in self.rows:
            if row.actual is not None:
                dates += [day for day in (row.actual.start, row.actual.finish) if day]
        if current.target_date is not None:
            dates.append(current.target_date)
        first, last = min(dates), max(dates)
        forecast = [row.forecast.finish for row in self.rows if row.forecast is not None and not row.decided]
        full_last = max([last, *forecast])
        margin = datetime.timedelta(days=30)
        show_today = first - margin <= self.today <= full_last + margin
        if show_today and last < self.today <= last + margin:
            last = self.today
        full_last = max(full_last, last)
        return {
            "rows": [row.chart(self.today) for row in self.rows],
            "today": self.today.isoformat() if show_today else None,
            "target": current.target_date.isoformat() if current.target_date else None,
            "construction_start": current.construction_start.isoformat()
            if current.construction_start
            else None,
            "range": [first.isoformat(), last.isoformat()],
            "full_range": [first.isoformat(), full_last.isoformat()],
            "labels": {
                "planned": _("Planned"),
                "critical": _("Critical (no float)"),
                "actual": _("Actual"),
                "forecast": _("Forecast"),
                "today": _("Today"),
                "target": _("National target: %(n)d working days") % {"n": NATIONAL_TARGET_WORKDAYS},
                "construction_start": _("Construction can start"),
                "limit": _("%(n)s working days"),
                "department": _("Department"),
                "stage": _("Stage"),
            },
        }


def _entries(plan: Plan) -> list[PlanItem]:
    return list(plan.entries.select_related("item", "changed_by").order_by("item__position"))


def plan_page(user: User, project: Project, *, today: datetime.date | None = None) -> PlanPage:
    """Everything the plan page shows about a project the user may see (the caller fetched it through
    ``projects.selectors.project_for``, which answers 404 outside the scope). ``PlanPage.compare``
    adds a what-if comparison."""
    if not visible_projects(user).filter(pk=project.pk).exists():
        raise Http404
    today = today or timezone.localdate()
    facts = ProjectFacts.objects.filter(project=project).first()
    page = PlanPage(project=project, facts=facts, today=today)
    page.phases = list(project.phases.all())
    plan = Plan.objects.filter(project=project).select_related("catalog_version", "created_by").first()
    if plan is None:
        return page
    page.plan = plan
    calendar = selectors.workday_calendar()
    prepared = selectors.prepared_catalog(plan.catalog_version)
    catalog = page.catalog = list(prepared.items)
    page.entries = _entries(plan)
    included = page.included = {entry.item.code for entry in page.entries if entry.included}
    by_rules = {entry.item.code for entry in page.entries if entry.source == PlanItem.Source.RULE}

    current = prepared.schedule(calendar, plan.start_on, only=included)
    page.current = figures(current, calendar)
    page.first = figures(prepared.schedule(calendar, plan.start_on, only=by_rules), calendar)

    actuals = {
        code: actual for code, actual in task_selectors.project_actuals(project).items() if code in included
    }
    page.actual_count = len(actuals)
    page.decided_count = sum(1 for actual in actuals.values() if actual.finish is not None)
    forecast_entries: Mapping[str, planner.ScheduledItem] = {}
    if actuals:
        forecast = prepared.schedule(calendar, plan.start_on, actuals=actuals, as_of=today, only=included)
        page.forecast = figures(forecast, calendar)
        forecast_entries = {entry.item.code: entry for entry in forecast.items}

    names = dict(plan.catalog_version.items.values_list("code", "department__name"))
    labels = _stage_labels()
    page.rows = [
        Row(
            entry=entry,
            department_name=names.get(entry.item.code, entry.item.department),
            stage_label=labels.get(entry.item.stage, entry.item.stage),
            actual=actuals.get(entry.item.code),
            forecast=forecast_entries.get(entry.item.code),
        )
        for entry in current.items
    ]
    expected = page.expected
    page.construction_slip = shift(page.first.construction_start, expected.construction_start, calendar)
    page.finish_slip = shift(plan.baseline_finish_on, expected.finish, calendar)

    page.rule_difference = _rule_difference(project, facts, plan, page.entries, included)
    page.addable = [(item.code, f"{item.code} {item.name}") for item in catalog if item.code not in included]
    page.removable = [(item.code, f"{item.code} {item.name}") for item in catalog if item.code in included]
    page.commitment_codes = [
        item.code for item in catalog if item.code in included and item.commitment_allowed and item.limit > 1
    ]
    page.exempt_codes = [item.code for item in catalog if item.code in included and item.zone_exempt]
    return page


def _rule_difference(
    project: Project, facts: ProjectFacts | None, plan: Plan, entries: Iterable[PlanItem], included: set[str]
) -> RuleDifference:
    now = selectors.applicable_items(plan.catalog_version, selectors.rule_facts(project, facts))
    selected = {item.code: item.name for item in now}
    staff_removed = {entry.item.code for entry in entries if not entry.included}
    chosen_by_rules = {
        entry.item.code: entry.item.name for entry in entries if entry.source == PlanItem.Source.RULE
    }
    missing = tuple(
        (code, name) for code, name in selected.items() if code not in included and code not in staff_removed
    )
    extra = tuple(
        (code, name) for code, name in chosen_by_rules.items() if code in included and code not in selected
    )
    return RuleDifference(missing=missing, extra=extra)


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    figures: Figures

    @property
    def construction_days(self) -> int | None:
        start = self.figures.construction_start
        return None if start is None else (start - self.plan.start_on).days


def plan_summary(user: User, project: Project) -> PlanSummary | None:
    """The current plan's headline figures for the project page, or None without a plan."""
    plan = (
        Plan.objects.filter(project__in=visible_projects(user).filter(pk=project.pk))
        .select_related("catalog_version")
        .first()
    )
    if plan is None:
        return None
    calendar = selectors.workday_calendar()
    return PlanSummary(plan, figures(selectors.plan_schedule(plan, calendar=calendar), calendar))
