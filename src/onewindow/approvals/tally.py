"""Keeps the task tallies (``TaskYearTally``, ``TaskWorkdayTally``, ``OpenTaskTally``,
``ProjectYearSpeedup``) equal to the approval tasks, for the dashboard's efficiency and bottleneck figures.

Every write that changes a task's counted facts moves the task from its old buckets to its new ones in
the same transaction: ``ApprovalTask.save()`` and ``delete()`` through the signals below (every task
service goes through them), the clock refresh's bulk update through ``retallying``, and a project
moving to another region through ``projects.tally.region_changed``. ``rebuild`` recomputes the tables
from scratch; ``recount`` gives what they should hold, for tests and checks.

Working days are counted on the package's statutory calendar (``core.workdays.default_calendar``), as
the dashboard always has, so a holiday notice entered later changes no stored figure.
"""

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from onewindow.approvals.models import (
    DECIDED_STATES,
    ApprovalTask,
    OpenTaskTally,
    ProjectYearSpeedup,
    StatutoryUnit,
    TaskState,
    TaskWorkdayTally,
    TaskYearTally,
)
from onewindow.core import buckets
from onewindow.core.workdays import default_calendar
from onewindow.projects import tally as project_tally

FACT_COLUMNS = (
    "id",
    "project_id",
    "project__region_id",
    "department_id",
    "item_id",
    "state",
    "accepted_on",
    "decided_on",
    "due_on",
    "limit_workdays",
    "correction_rounds",
    "item__statutory_limit",
    "item__statutory_unit",
)
YEAR_KEY_COLUMNS = (
    "year",
    "region_id",
    "department_id",
    "item_id",
    "decided",
    "late",
    "statutory",
    "rounds_bucket",
)
WORKDAY_KEY_COLUMNS = ("year", "region_id", "department_id", "item_id", "limit_workdays", "workdays")
OPEN_KEY_COLUMNS = ("region_id", "department_id", "item_id", "accepted_year", "until_year", "late_from_year")
OPEN_STATES = (TaskState.ACCEPTED.value, TaskState.CORRECTING.value)
STILL_OPEN = 9999
NO_STATUTORY, WITHIN_STATUTORY, BEYOND_STATUTORY = 0, 1, 2
_DECIDED = {state.value for state in DECIDED_STATES}

Facts = Mapping
Key = tuple


def _workdays(accepted_on: datetime.date, decided_on: datetime.date) -> int:
    calendar = default_calendar()
    return calendar.last_on_or_before(decided_on) - calendar.last_on_or_before(accepted_on)


def _statutory(facts: Facts, workdays: int) -> int:
    limit = facts["item__statutory_limit"]
    if not limit:
        return NO_STATUTORY
    if facts["item__statutory_unit"] == StatutoryUnit.DAYS:
        within = (facts["decided_on"] - facts["accepted_on"]).days <= limit
    else:
        within = workdays <= limit
    return WITHIN_STATUTORY if within else BEYOND_STATUTORY


def _closed(facts: Facts) -> bool:
    return facts["accepted_on"] is not None and facts["decided_on"] is not None


def _decided(facts: Facts) -> bool:
    return _closed(facts) and str(facts["state"]) in _DECIDED


def year_key(facts: Facts) -> Key | None:
    """The year bucket of a task closed in a year (decided, or closed otherwise with a date)."""
    if not _closed(facts):
        return None
    decided_on, due_on = facts["decided_on"], facts["due_on"]
    year = decided_on.year
    if _decided(facts):
        late = due_on is not None and decided_on > due_on
        statutory = _statutory(facts, _workdays(facts["accepted_on"], decided_on))
    else:
        # Closed without a decision (withdrawn): counted like a task still open at the year's end.
        late = due_on is not None and due_on < datetime.date(year, 12, 31)
        statutory = NO_STATUTORY
    return (
        year,
        facts["project__region_id"],
        facts["department_id"],
        facts["item_id"],
        _decided(facts),
        late,
        statutory,
        min(facts["correction_rounds"], 3),
    )


def workday_key(facts: Facts) -> Key | None:
    """The working-day bucket of a task decided in a year."""
    if not _decided(facts):
        return None
    return (
        facts["decided_on"].year,
        facts["project__region_id"],
        facts["department_id"],
        facts["item_id"],
        facts["limit_workdays"],
        _workdays(facts["accepted_on"], facts["decided_on"]),
    )


def late_from_year(due_on: datetime.date | None) -> int:
    """The first year at whose end a task still open is past its due date (0: never)."""
    if due_on is None:
        return 0
    return due_on.year + 1 if (due_on.month, due_on.day) == (12, 31) else due_on.year


def open_key(facts: Facts) -> Key | None:
    """The bucket of a task open at the end of one or more years: accepted, and decided in a later
    year or not yet (while accepted or correcting)."""
    accepted_on, decided_on = facts["accepted_on"], facts["decided_on"]
    if accepted_on is None:
        return None
    if decided_on is not None:
        until = decided_on.year
    elif str(facts["state"]) in OPEN_STATES:
        until = STILL_OPEN
    else:
        return None
    if accepted_on.year >= until:
        return None
    return (
        facts["project__region_id"],
        facts["department_id"],
        facts["item_id"],
        accepted_on.year,
        until,
        late_from_year(facts["due_on"]),
    )


# Each table, the key of a task's bucket in it, and what the task adds to the bucket's measures.
_TABLES = (
    (TaskYearTally, YEAR_KEY_COLUMNS, ("tasks", "rounds"), year_key),
    (TaskWorkdayTally, WORKDAY_KEY_COLUMNS, ("tasks",), workday_key),
    (OpenTaskTally, OPEN_KEY_COLUMNS, ("tasks", "rounds"), open_key),
)


def _measures(facts: Facts, columns: tuple[str, ...]) -> tuple[int, ...]:
    return (1, facts["correction_rounds"])[: len(columns)]


def _count(changes: list[dict[Key, list[int]]], facts: Facts, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one task's share to each table's changes."""
    for table, (_model, _columns, measures, key_of) in zip(changes, _TABLES, strict=True):
        key = key_of(facts)
        if key is None:
            continue
        change = table.setdefault(key, [0] * len(measures))
        for index, amount in enumerate(_measures(facts, measures)):
            change[index] += sign * amount


def _deltas(plus: Iterable[Facts], minus: Iterable[Facts]) -> list[dict[Key, list[int]]]:
    """The changes to each table, ``{key: [change of each measure]}``, in the order of ``_TABLES``."""
    changes: list[dict[Key, list[int]]] = [{} for _table in _TABLES]
    for facts in plus:
        _count(changes, facts, 1)
    for facts in minus:
        _count(changes, facts, -1)
    return [{key: change for key, change in table.items() if any(change)} for table in changes]


def _apply(deltas: list[dict[Key, list[int]]]) -> None:
    for (model, columns, measures, _key_of), changes in zip(_TABLES, deltas, strict=True):
        buckets.add(model, columns, measures, changes)


# -- the speed-up of each project and year --------------------------------------------------------


def _speedup_facts(facts: Facts | None) -> tuple | None:
    if facts is None or str(facts["state"]) not in _DECIDED or facts["accepted_on"] is None:
        return None
    return (facts["accepted_on"], facts["decided_on"])


def speedups_of(decisions: Iterable[tuple[datetime.date, datetime.date]]) -> dict[int, tuple[int, int]]:
    """``{year: (summed, elapsed)}`` of one project's decided tasks, given as (accepted, decided)
    dates, for the years in which two or more were decided over more than no time at all."""
    calendar = default_calendar()
    per_year: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for accepted_on, decided_on in decisions:
        per_year[decided_on.year].append(
            (calendar.last_on_or_before(accepted_on), calendar.last_on_or_before(decided_on))
        )
    result = {}
    for year, spans in per_year.items():
        elapsed = max(decided for _accepted, decided in spans) - min(accepted for accepted, _decided in spans)
        if len(spans) >= 2 and elapsed > 0:
            result[year] = (sum(decided - accepted for accepted, decided in spans), elapsed)
    return result


def _decisions(project_ids: Iterable[int]) -> tuple[dict[int, list[tuple]], dict[int, int]]:
    """The (accepted, decided) dates of these projects' decided tasks, and the projects' regions."""
    decisions, regions = defaultdict(list), {}
    rows = ApprovalTask.objects.filter(
        project_id__in=list(project_ids), state__in=_DECIDED, accepted_on__isnull=False
    ).values_list("project_id", "project__region_id", "accepted_on", "decided_on")
    for project_id, region_id, accepted_on, decided_on in rows:
        decisions[project_id].append((accepted_on, decided_on))
        regions[project_id] = region_id
    return decisions, regions


def _recount_speedups(project_ids: set[int]) -> None:
    """Replace the stored speed-ups of these projects by their tasks' current ones."""
    if not project_ids:
        return
    decisions, regions = _decisions(project_ids)
    ProjectYearSpeedup.objects.filter(project_id__in=project_ids).delete()
    ProjectYearSpeedup.objects.bulk_create(
        ProjectYearSpeedup(
            project_id=project_id, region_id=regions[project_id], year=year, summed=summed, elapsed=elapsed
        )
        # A project without decided tasks (one deleted with its tasks among them) stores none.
        for project_id in sorted(decisions)
        for year, (summed, elapsed) in speedups_of(decisions[project_id]).items()
    )


# -- the entry points ----------------------------------------------------------------------------


def facts_of(task_ids: Iterable[int]) -> dict[int, dict]:
    """The counted facts of these tasks as the database holds them now."""
    rows = ApprovalTask.objects.filter(pk__in=list(task_ids)).values(*FACT_COLUMNS)
    return {row["id"]: row for row in rows}


def moved(before: Mapping[int, Facts], after: Mapping[int, Facts]) -> None:
    """Move tasks from the buckets of their ``before`` facts to those of their ``after`` facts (a task
    missing on one side was created or deleted), and recount the speed-ups that changed."""
    _apply(_deltas(after.values(), before.values()))
    changed = {
        facts["project_id"]
        for task_id in {*before, *after}
        for facts in (before.get(task_id), after.get(task_id))
        if facts is not None and _speedup_facts(before.get(task_id)) != _speedup_facts(after.get(task_id))
    }
    _recount_speedups(changed)


@contextlib.contextmanager
def retallying(task_ids: Iterable[int]) -> Iterator[None]:
    """Around a bulk write of these tasks (one that sends no signals): count them again after it."""
    ids = list(task_ids)
    before = facts_of(ids)
    yield
    moved(before, facts_of(ids))


def recount(task_model=ApprovalTask) -> tuple[dict, ...]:
    """What the four tables should hold, counted from the tasks themselves: the three bucket tables
    as ``{key: (measures…)}`` (non-empty buckets only), the speed-ups as ``{(project, year): (region,
    summed, elapsed)}``."""
    counted: list[dict[Key, list[int]]] = [{} for _table in _TABLES]
    decisions = defaultdict(list)
    regions = {}
    tasks = task_model.objects.filter(accepted_on__isnull=False).order_by().values(*FACT_COLUMNS)
    for facts in tasks.iterator(chunk_size=5000):
        _count(counted, facts, 1)
        if _speedup_facts(facts) is not None:
            decisions[facts["project_id"]].append(_speedup_facts(facts))
            regions[facts["project_id"]] = facts["project__region_id"]
    speedups = {
        (project_id, year): (regions[project_id], *pair)
        for project_id, spans in decisions.items()
        for year, pair in speedups_of(spans).items()
    }
    return (*({key: tuple(change) for key, change in table.items()} for table in counted), speedups)


def stored() -> tuple[dict, ...]:
    """What the four tables hold (non-empty buckets only), in ``recount``'s form."""
    counted = []
    for model, columns, measures, _key_of in _TABLES:
        rows = model.objects.values_list(*columns, *measures)
        width = len(measures)
        counted.append({tuple(row[:-width]): tuple(row[-width:]) for row in rows if any(row[-width:])})
    speedups = {
        (project_id, year): (region_id, summed, elapsed)
        for project_id, year, region_id, summed, elapsed in ProjectYearSpeedup.objects.values_list(
            "project_id", "year", "region_id", "summed", "elapsed"
        )
    }
    return (*counted, speedups)


@transaction.atomic
def rebuild() -> int:
    """Recount the four tables from the tasks; returns the number of year buckets."""
    return fill(ApprovalTask, *(model for model, *_rest in _TABLES), ProjectYearSpeedup)


def fill(task_model, year_model, workday_model, open_model, speedup_model) -> int:
    """Replace the four tables' rows by a recount (the models are passed in so that a migration can
    hand over its historical ones)."""
    models = (year_model, workday_model, open_model)
    for model in (*models, speedup_model):
        model.objects.all().delete()
    *counted, speedups = recount(task_model)
    for model, (_live, columns, measures, _key_of), table in zip(models, _TABLES, counted, strict=True):
        model.objects.bulk_create(
            (
                model(**dict(zip(columns, key, strict=True)), **dict(zip(measures, change, strict=True)))
                for key, change in table.items()
            ),
            batch_size=1000,
        )
    speedup_model.objects.bulk_create(
        (
            speedup_model(
                project_id=project_id, year=year, region_id=region_id, summed=summed, elapsed=elapsed
            )
            for (project_id, year), (region_id, summed, elapsed) in speedups.items()
        ),
        batch_size=2000,
    )
    return len(counted[0])


# -- the signals ---------------------------------------------------------------------------------


@receiver(pre_save, sender=ApprovalTask, dispatch_uid="task_tally_before_save")
def _remember_old_facts(sender, instance: ApprovalTask, raw: bool = False, **kwargs) -> None:
    instance._tally_before = {}
    if instance.pk is not None and not instance._state.adding:
        instance._tally_before = facts_of([instance.pk])


@receiver(post_save, sender=ApprovalTask, dispatch_uid="task_tally_after_save")
def _count_saved(sender, instance: ApprovalTask, **kwargs) -> None:
    before = getattr(instance, "_tally_before", {})
    # A task not yet accepted counts nowhere, before or after: spare the read.
    if before or instance.accepted_on is not None:
        moved(before, facts_of([instance.pk]))
    instance._tally_before = {}


@receiver(pre_delete, sender=ApprovalTask, dispatch_uid="task_tally_before_delete")
def _remember_deleted_facts(sender, instance: ApprovalTask, **kwargs) -> None:
    instance._tally_before = facts_of([instance.pk]) if instance.accepted_on is not None else {}


@receiver(post_delete, sender=ApprovalTask, dispatch_uid="task_tally_after_delete")
def _uncount_deleted(sender, instance: ApprovalTask, **kwargs) -> None:
    before = getattr(instance, "_tally_before", {})
    if before:
        moved(before, {})


@receiver(project_tally.region_changed, dispatch_uid="task_tally_region_changed")
def _follow_project(sender, project_id: int, old_region_id: int, new_region_id: int, **kwargs) -> None:
    ProjectYearSpeedup.objects.filter(project_id=project_id).update(region_id=new_region_id)
    tasks = ApprovalTask.objects.filter(project_id=project_id, accepted_on__isnull=False)
    after = facts_of(tasks.values_list("pk", flat=True))
    before = {task_id: {**facts, "project__region_id": old_region_id} for task_id, facts in after.items()}
    _apply(_deltas(after.values(), before.values()))
