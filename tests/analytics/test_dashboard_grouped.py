"""The efficiency and bottleneck figures come from the task tallies; they must equal a task-by-task
recomputation, whatever the states, dates and scope."""

import datetime
import random
import statistics
from collections import defaultdict
from decimal import Decimal

import pytest

from onewindow.analytics import dashboard
from onewindow.approvals import services, task_services
from onewindow.approvals.models import ApprovalItem, ApprovalTask, StatutoryUnit, TaskState
from onewindow.core.workdays import default_calendar
from tests.factories import ProjectFactory

D = datetime.date


def _plan_tasks(project, catalog, actor) -> list[ApprovalTask]:
    plan = services.create_plan(actor=actor, project=project, start_on=D(2025, 3, 2), catalog_version=catalog)
    return task_services.generate_tasks(actor=actor, plan=plan).created


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _shuffle_tasks(rng: random.Random, tasks: list[ApprovalTask]) -> None:
    """Random states and dates around 2025–2026, written directly (the figures read whatever is
    stored): open, decided, decided long after acceptance, withdrawn after a decision date, never
    accepted; due dates before and after the decision."""
    for task in tasks:
        kind = rng.choice(("untouched", "open", "decided", "decided", "decided", "old", "withdrawn"))
        if kind == "untouched":
            continue
        first = D(2009, 5, 4) if kind == "old" else D(2024, 10, 1)
        accepted = _day(rng, first, D(2026, 12, 31))
        decided = accepted + datetime.timedelta(days=rng.randrange(0, 120))
        changes = {
            "accepted_on": accepted,
            "due_on": accepted + datetime.timedelta(days=rng.randrange(0, 60)),
            "correction_rounds": rng.choice((0, 0, 1, 2, 3, 5)),
        }
        if kind == "open":
            changes.update(state=rng.choice((TaskState.ACCEPTED, TaskState.CORRECTING)), decided_on=None)
        elif kind == "withdrawn":
            changes.update(state=TaskState.WITHDRAWN, decided_on=decided)
        else:
            changes.update(
                state=rng.choice((TaskState.APPROVED, TaskState.REFUSED)),
                decided_on=decided,
                decision_document="德审〔2026〕9号",
            )
        # Saved (not a queryset update) so that the task tallies follow, as they do every service's save.
        for name, value in changes.items():
            setattr(task, name, value)
        task.save()


def _shuffle_project_dates(rng: random.Random, projects) -> None:
    """Random path dates around 2025–2026, some stretches not reached, saved (the tallies follow)."""
    for project in projects:
        signed = _day(rng, D(2024, 6, 1), D(2026, 6, 30))
        project.signed_on = signed if rng.random() < 0.8 else None
        project.intake_on = signed + datetime.timedelta(days=rng.randrange(0, 200))
        project.started_on = project.intake_on + datetime.timedelta(days=rng.randrange(0, 300))
        project.produced_on = project.started_on + datetime.timedelta(days=rng.randrange(0, 300))
        if rng.random() < 0.3:
            project.started_on = project.produced_on = None
        project.save()


def _median(values):
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1")) if values else None


def _recomputed(user, year: int, region: str = ""):
    """The figures task by task, the way the dashboard computed them before it grouped anything."""
    calendar = default_calendar()
    rows = dashboard._task_rows(dashboard.scope_for(user, region), year)
    decided = [row for row in rows if row.decided_on is not None]
    statutory = [row for row in decided if row.statutory_limit]
    approvals = {
        "decided": len(decided),
        "median_workdays": _median([row.workdays for row in decided]),
        "median_promised": _median([row.limit_workdays for row in decided]),
        "within_promised": sum(1 for row in decided if not dashboard._late(row, year)),
        "with_statutory": len(statutory),
        "within_statutory": sum(1 for row in statutory if dashboard._within_statutory(row)),
        "rounds": sum(row.correction_rounds for row in decided),
        "distribution": [
            sum(1 for row in decided if min(row.correction_rounds, 3) == rounds) for rounds in range(4)
        ],
    }
    per_project = defaultdict(list)
    for row in decided:
        per_project[row.project_id].append(row)
    ratios = []
    for tasks in per_project.values():
        elapsed = calendar.last_on_or_before(max(t.decided_on for t in tasks)) - calendar.last_on_or_before(
            min(t.accepted_on for t in tasks)
        )
        if len(tasks) >= 2 and elapsed > 0:
            ratios.append(Decimal(sum(t.workdays for t in tasks)) / elapsed)
    bottlenecks = {}
    for attribute in ("department", "item"):
        groups = defaultdict(list)
        for row in rows:
            groups[getattr(row, attribute)].append(row)
        bottlenecks[attribute] = {
            name: (
                len(tasks),
                sum(1 for t in tasks if dashboard._late(t, year)),
                sum(1 for t in tasks if t.workdays is not None),
                sum(t.correction_rounds for t in tasks),
                _median([t.workdays for t in tasks if t.workdays is not None]),
            )
            for name, tasks in groups.items()
        }
    return approvals, (len(ratios), _median(ratios)), bottlenecks


def _assert_stretches_equal_a_recount(user, year: int, region: str = "") -> None:
    efficiency = dashboard.efficiency(user, year, region)
    shown = [efficiency.signing_to_intake, efficiency.intake_to_start, efficiency.start_to_production]
    recounted = dashboard.recounted_stretches(dashboard.scope_for(user, region), year)
    assert shown == list(recounted.values())


def _shown(user, year: int, region: str = ""):
    efficiency, bottlenecks = dashboard.efficiency_and_bottlenecks(user, year, region)
    figures = efficiency.approvals
    approvals = {
        "decided": figures.decided,
        "median_workdays": figures.median_workdays,
        "median_promised": figures.median_promised,
        "within_promised": figures.within_promised,
        "with_statutory": figures.with_statutory,
        "within_statutory": figures.within_statutory,
        "rounds": (
            round(figures.mean_correction_rounds * figures.decided) if figures.mean_correction_rounds else 0
        ),
        "distribution": [count for _label, count in figures.correction_distribution],
    }
    ranked = {
        attribute: {
            b.name: (b.tasks, b.late, b.decided, b.correction_rounds, b.median_workdays)
            for b in getattr(bottlenecks, attribute + "s")
        }
        for attribute in ("department", "item")
    }
    return approvals, (efficiency.speedup.projects, efficiency.speedup.median), ranked


@pytest.mark.parametrize("seed", [7, 2012, 2026])
def test_the_grouped_figures_equal_a_task_by_task_recomputation_after_random_changes(
    seed, people, world, city, guanghan, mianzhu, zjj, task_catalog
):
    rng = random.Random(seed)
    projects = list(world.values()) + [
        ProjectFactory(region=rng.choice((city, guanghan, mianzhu))) for _number in range(6)
    ]
    tasks = []
    for project in projects:
        tasks += _plan_tasks(project, task_catalog, people["admin"])
    # One item's statutory limit in calendar days, so that both units are compared.
    ApprovalItem.objects.filter(version=task_catalog, code="ZJJ-SG").update(
        statutory_limit=rng.choice((14, 20, 30)), statutory_unit=StatutoryUnit.DAYS
    )
    for _round in range(3):
        _shuffle_tasks(rng, tasks)
        _shuffle_project_dates(rng, projects)
        for user, region in (
            (people["leader"], ""),
            (people["leader"], guanghan.code),
            (people["county_leader_gh"], ""),
        ):
            for year in (2025, 2026):
                assert _shown(user, year, region) == _recomputed(user, year, region), (user, region, year)
                _assert_stretches_equal_a_recount(user, year, region)


def test_a_task_accepted_long_before_the_year_counts_all_its_working_days(people, world, task_catalog):
    """The working-day calendar goes to the database for the two years before the year; a task
    accepted earlier still counts every working day (the 2009–2026 span, from the calendar)."""
    task = _plan_tasks(world["city"], task_catalog, people["agent1"])[0]
    task.state, task.accepted_on, task.decided_on = TaskState.APPROVED, D(2009, 3, 2), D(2026, 3, 2)
    task.due_on, task.decision_document = D(2009, 3, 9), "德审〔2026〕2号"
    task.save()
    calendar = default_calendar()
    expected = calendar.last_on_or_before(D(2026, 3, 2)) - calendar.last_on_or_before(D(2009, 3, 2))
    assert expected > 4000
    efficiency, bottlenecks = dashboard.efficiency_and_bottlenecks(people["leader"], 2026)
    assert efficiency.approvals.decided == 1
    assert efficiency.approvals.median_workdays == Decimal(expected).quantize(Decimal("0.1"))
    assert bottlenecks.items[0].median_workdays == Decimal(expected).quantize(Decimal("0.1"))


def test_the_details_cost_the_same_queries_whatever_the_number_of_tasks(
    people, world, city, task_catalog, django_assert_num_queries
):
    rng = random.Random(5)
    tasks = _plan_tasks(world["city"], task_catalog, people["agent1"])
    _shuffle_tasks(rng, tasks)
    dashboard.efficiency_and_bottlenecks(people["leader"], 2026)  # the calendar is built once
    # The closed, open and working-day task buckets, the names of their departments and items, the
    # speed-ups, and the stretches of the project path.
    with django_assert_num_queries(7):
        dashboard.efficiency_and_bottlenecks(people["leader"], 2026)
    for _number in range(5):
        tasks += _plan_tasks(ProjectFactory(region=city), task_catalog, people["admin"])
    _shuffle_tasks(rng, tasks)
    with django_assert_num_queries(7):
        first, _ = dashboard.efficiency_and_bottlenecks(people["leader"], 2026)
    assert sum(count for _label, count in first.approvals.correction_distribution) == first.approvals.decided


@pytest.mark.parametrize("seed", range(5))
def test_the_weighted_median_is_the_median_of_the_values_spelt_out(seed):
    rng = random.Random(seed)
    counted = [(rng.randrange(0, 40), rng.randrange(0, 4)) for _number in range(rng.randrange(1, 30))]
    ratios = [(Decimal(rng.randrange(1, 90)) / rng.randrange(1, 60), rng.randrange(1, 3)) for _n in range(9)]
    for pairs in (counted, ratios):
        spelt_out = [value for value, count in pairs for _copy in range(count)]
        expected = Decimal(str(statistics.median(spelt_out))).quantize(Decimal("0.1")) if spelt_out else None
        assert dashboard._weighted_median(pairs) == expected
