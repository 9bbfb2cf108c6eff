"""Planner benchmark: prints figures, asserts nothing about speed (the targets are printed beside them).

    .venv/bin/python benchmarks/plan_benchmark.py [--count 100000] [--runs 2000] [--seed 2012]

1. One project on the default catalog: select its items by the rules, bypass the rest, schedule on
   the statutory calendar. Median and 95th percentile over --runs runs. Target: median < 2 ms.
2. A batch: --count projects with random facts and start dates (2005–2026), re-planned in one go, as
   a nightly re-plan after a holiday notice would: each project's items are selected by the rules
   and scheduled as a subset of the catalog's graph, prepared once. Target: 100,000 projects < 60 s.
3. A baseline measured in the same run: the same plans recomputed naively (each item's dates found
   by stepping day by day through ``chinese_calendar.is_workday``, no prepared graph, no tables).
   The naive results are compared with the planner's, so the ratio compares equal answers.

No database: the catalog is read from the package file, exactly as ``onewindow plan --catalog`` does.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import random
import statistics
import sys
import time
from importlib import resources

from django.conf import settings

if not settings.configured:
    # The catalog reader words its errors through gettext; nothing else of Django is needed.
    settings.configure(USE_I18N=False)

import chinese_calendar

from onewindow.approvals import catalog_format, planner, rules
from onewindow.core.workdays import WorkdayCalendar

FIRST_START = datetime.date(2005, 1, 1)
# Up to mid-2027, a year the package does not cover: those plans must come out marked as estimates.
LAST_START = datetime.date(2027, 6, 30)


def random_facts(rng: random.Random) -> dict:
    """A project as the register and its plan inputs would describe it."""
    return {
        "approval_type": rng.choices(["filing", "ratification", "examination"], [80, 12, 8])[0],
        "industry": rng.choices(
            "ABCDEFGHIJKLMNOPQRST", [1, 1, 40, 6, 3, 5, 5, 4, 6, 1, 8, 3, 4, 4, 1, 2, 2, 2, 1, 1]
        )[0],
        "construction_nature": rng.choices(
            ["new", "expansion", "renovation", "tech_upgrade"], [60, 15, 10, 15]
        )[0],
        "project_type": rng.choice(["01", "02", "03", "04", "05"]),
        "level": rng.choice(["city", "county"]),
        "total_investment_wan": rng.randrange(500, 500_000),
        "new_land": rng.random() < 0.7,
        "land_area_m2": rng.randrange(2_000, 200_000),
        "floor_area_m2": rng.randrange(500, 80_000),
        "energy_tce": rng.randrange(0, 20_000),
        "eia_category": rng.choices(
            ["report_book", "report_table", "registration_form", "exempt"], [10, 50, 35, 5]
        )[0],
        "in_evaluated_zone": rng.random() < 0.3,
        "hazardous": rng.random() < 0.08,
        "water_intake": rng.random() < 0.1,
        "flood_risk_area": rng.random() < 0.05,
        "highway_access": rng.random() < 0.1,
        "special_fire_review": rng.random() < 0.3,
        "public_venue": rng.random() < 0.1,
        "new_company": rng.random() < 0.4,
        "gas_connection": rng.random() < 0.3,
    }


def random_start(rng: random.Random) -> datetime.date:
    return FIRST_START + datetime.timedelta(days=rng.randrange((LAST_START - FIRST_START).days))


def selected_codes(spec: catalog_format.CatalogSpec, facts: dict) -> frozenset[str]:
    """The same selection as ``selectors.is_applicable``: the rule holds, no 区域评估 exempts it."""
    zone = facts["in_evaluated_zone"]
    return frozenset(
        item.code
        for item in spec.items
        if not (item.zone_exempt and zone) and rules.applies(item.applies_when, facts)
    )


def plan_one(spec, items, calendar, facts, start) -> planner.Schedule:
    """One project from scratch, caching nothing (the app keeps each catalog's prepared graph, so a
    page or an API call does less than this)."""
    return planner.PreparedPlan(items).schedule(calendar, start, only=selected_codes(spec, facts))


# -- the naive baseline --------------------------------------------------------------------------


def naive_is_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def naive_plan(items: list[planner.Item], start: datetime.date) -> datetime.date:
    """The latest finish date, found by walking the calendar one day at a time for every item."""
    table = {item.code: item for item in items}
    finish: dict[str, datetime.date] = {}

    def first_workday_from(day: datetime.date) -> datetime.date:
        while not naive_is_workday(day):
            day += datetime.timedelta(days=1)
        return day

    def finish_of(code: str) -> datetime.date:
        if code not in finish:
            item = table[code]
            if item.requires:
                begin = first_workday_from(
                    max(finish_of(r) for r in item.requires) + datetime.timedelta(days=1)
                )
            else:
                begin = first_workday_from(start)
            day, left = begin, item.limit - 1
            while left:
                day += datetime.timedelta(days=1)
                if naive_is_workday(day):
                    left -= 1
            finish[code] = day
        return finish[code]

    return max((finish_of(item.code) for item in items), default=start)


# -- reporting -----------------------------------------------------------------------------------


class Progress:
    """A one-line counter on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label = total, label
        self.shown = sys.stderr.isatty()
        self.step = max(1, total // 200)
        self.began = time.perf_counter()

    def update(self, done: int) -> None:
        if self.shown and (done % self.step == 0 or done == self.total):
            elapsed = time.perf_counter() - self.began
            sys.stderr.write(f"\r  {self.label}: {done:,} / {self.total:,}  ({elapsed:.1f} s)")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"chinesecalendar {importlib.metadata.version('chinesecalendar')}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="projects in the batch (default 100,000)")
    parser.add_argument("--runs", type=int, default=2000, help="runs for the single-project median")
    parser.add_argument("--baseline", type=int, default=300, help="projects recomputed naively")
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    text = resources.files("onewindow.approvals").joinpath("catalogs", "default.yaml").read_text("utf-8")
    spec = catalog_format.parse(text)
    items = spec.planner_items()
    began = time.perf_counter()
    calendar = WorkdayCalendar()
    calendar.first_on_or_after(FIRST_START)  # build the tables before timing anything
    built = time.perf_counter() - began

    print("OneWindow planner benchmark")
    print(f"machine:  {machine()}")
    print(f"catalog:  default.yaml, {len(spec.items)} items, {len(spec.departments)} departments")
    print(f"calendar: tables built in {built * 1000:.0f} ms (once per process)")

    # 1. One project.
    facts, start = random_facts(rng), datetime.date(2026, 3, 2)
    facts.update(approval_type="filing", new_land=True, eia_category="report_table", new_company=True)
    sample = plan_one(spec, items, calendar, facts, start)
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter_ns()
        plan_one(spec, items, calendar, facts, start)
        timings.append(time.perf_counter_ns() - t0)
    timings.sort()
    median_ms = statistics.median(timings) / 1e6
    p95_ms = timings[int(len(timings) * 0.95) - 1] / 1e6
    print(
        f"one project ({len(sample.items)} items): median {median_ms:.3f} ms, p95 {p95_ms:.3f} ms "
        f"over {args.runs:,} runs  [target: median < 2 ms: {'met' if median_ms < 2 else 'NOT met'}]"
    )
    whole = []
    for _ in range(max(1, args.runs // 4)):
        t0 = time.perf_counter_ns()
        planner.schedule(items, calendar, start)
        whole.append(time.perf_counter_ns() - t0)
    print(f"whole catalog ({len(items)} items, no selection): median {statistics.median(whole) / 1e6:.3f} ms")

    # 2. The batch.
    projects = [(random_facts(rng), random_start(rng)) for _ in range(args.count)]
    progress = Progress(args.count, "re-planning")
    finishes: list[datetime.date] = []
    item_sets: set[frozenset[str]] = set()
    estimated = 0
    t0 = time.perf_counter()
    catalog = planner.PreparedPlan(items)  # prepared once for the whole batch, as the app does
    for done, (project_facts, project_start) in enumerate(projects, start=1):
        keep = selected_codes(spec, project_facts)
        item_sets.add(keep)
        schedule = catalog.schedule(calendar, project_start, only=keep)
        finishes.append(schedule.finish)
        estimated += schedule.estimated
        progress.update(done)
    batch = time.perf_counter() - t0
    progress.close()
    per_project_us = batch / max(1, args.count) * 1e6
    scaled = per_project_us * 100_000 / 1e6
    print(
        f"batch: {args.count:,} projects re-planned in {batch:.2f} s ({per_project_us:.0f} µs each, "
        f"{len(item_sets):,} distinct item sets, {estimated:,} marked as estimates)  "
        f"[target: 100,000 < 60 s: {'met' if scaled < 60 else 'NOT met'}, {scaled:.1f} s at this rate]"
    )

    # 3. The baseline, on the first projects of the batch, checked against the planner's answers.
    count = min(args.baseline, args.count)
    progress = Progress(count, "naive baseline")
    t0 = time.perf_counter()
    for done, (project_facts, project_start) in enumerate(projects[:count], start=1):
        keep = selected_codes(spec, project_facts)
        chosen = planner.without(items, [item.code for item in items if item.code not in keep])
        naive_finish = naive_plan(chosen, project_start)
        if chosen and naive_finish != finishes[done - 1]:
            raise SystemExit(f"baseline disagrees on project {done}: {naive_finish} != {finishes[done - 1]}")
        progress.update(done)
    naive = (time.perf_counter() - t0) / max(1, count)
    progress.close()
    print(
        f"baseline: naive day-by-day recompute {naive * 1000:.2f} ms per project over {count:,} projects, "
        f"same finish dates; the batch planner is {naive * 1e6 / per_project_us:.0f}× faster"
    )


if __name__ == "__main__":
    main()
