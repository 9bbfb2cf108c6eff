"""Analytics benchmark: prints figures, asserts nothing about speed (the goals are printed beside them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/analytics_benchmark.py [--sizes 10000,100000,1000000] [--runs 5] [--keep]

Builds a throwaway database on the server of the configured ``DATABASE_URL`` (PostgreSQL: a scratch
database created and dropped again; SQLite: a file under /tmp), migrates it, and grows it to each size
in turn: N projects over 2005–2024 in the demo city's regions, each taken-in project with three approval
tasks (one in twenty left open), written with COPY on PostgreSQL (multi-row INSERT on SQLite), then the
statistics' tallies rebuilt (the projects' and the tasks').
At each size it prints the median of --runs runs of:

* the dashboard's overview (headline figures, level, region, industry, stage, years, months: what the
  charts draw and what the page computes before its first paint), as a city leader for 2015;
* the dashboard's efficiency and bottleneck sections, which the page loads after its first paint
  (approvals decided in 2015 or open at its end, their working days, the speed-ups and the project
  path's medians, read from the task and span tallies);
* the annual report's table (``reports.build`` and its region rows), and at sizes up to 100,000 the
  whole workbook with its project list;

and the ratio of each time to the previous size's. Goal (issue 7 §5, PostgreSQL): the dashboard under
300 ms at 1,000,000 projects, and time growing far slower than the data.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 300
YEAR = 2015
TASKS_PER_PROJECT = 3
OPEN_SHARE = 0.05


def _progress(text: str) -> None:
    if sys.stdout.isatty():
        sys.stdout.write(f"\r{text}\033[K")
        sys.stdout.flush()


def _scratch_database(url: str) -> tuple[str, callable]:
    """A fresh database next to ``url`` and the function that drops it."""
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        name = f"onewindow_bench_{uuid.uuid4().hex[:8]}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return urlunsplit(parts._replace(path=f"/{name}")), drop
    path = Path(tempfile.gettempdir()) / f"onewindow-analytics-{uuid.uuid4().hex[:8]}.sqlite3"

    def remove() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return f"sqlite:///{path}", remove


def _values(model, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Every concrete column of ``model``: the given values, else the field's default."""
    fields = [field for field in model._meta.concrete_fields]
    columns = [field.column for field in fields]
    defaults = {}
    for field in fields:
        if field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = NOW
        else:
            defaults[field.attname] = "" if field.get_internal_type() in ("CharField", "TextField") else None
    out = []
    for row in rows:
        out.append(tuple(row.get(field.attname, defaults[field.attname]) for field in fields))
    return columns, out


def _write(model, rows: list[dict]) -> None:
    from django.db import connection

    if not rows:
        return
    columns, values = _values(model, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608


NOW = datetime.datetime.now(datetime.UTC)


def _grow(start: int, stop: int, context: dict, rng: random.Random) -> None:
    """Projects with ids ``start+1 .. stop`` and their plans and tasks."""
    from django.db import transaction

    from onewindow.approvals.models import ApprovalTask, Plan
    from onewindow.projects.models import Project

    regions, items, version_id, investors = (
        context["regions"],
        context["items"],
        context["version"],
        context["investors"],
    )
    industries = ["C"] * 8 + ["D", "E", "F", "G", "I", "K", "M", "N"]
    batch = 20_000
    for first in range(start, stop, batch):
        last = min(first + batch, stop)
        projects, plans, tasks = [], [], []
        for pk in range(first + 1, last + 1):
            region = rng.choice(regions)
            level = (
                "city"
                if region.parent_id is None or (region.kind == "zone" and rng.random() < 0.4)
                else "county"
            )
            intake = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(20 * 365))
            signed = intake - datetime.timedelta(days=rng.randrange(0, 200))
            values = {
                "id": pk,
                "code": f"{intake:%y%m}-{region.division_code}-{pk // 1_000_000:02d}-01-{pk % 1_000_000:06d}",
                "code_is_provisional": True,
                "name": f"基准项目{pk}",
                "investor_id": rng.choice(investors),
                "total_investment_wan": Decimal(rng.randrange(100_00, 500_000_00)) / 100,
                "industry": rng.choice(industries),
                "region_id": region.pk,
                "level": level,
                "stage": "intake",
                "signed_on": signed,
                "intake_on": intake,
                "version": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
            roll = rng.random()
            if roll < 0.6:
                started = intake + datetime.timedelta(days=rng.randrange(30, 400))
                values.update(stage="started", approved_on=intake, started_on=started)
                if rng.random() < 0.45:
                    completed = started + datetime.timedelta(days=rng.randrange(150, 500))
                    produced = completed + datetime.timedelta(days=rng.randrange(10, 200))
                    values.update(stage="producing", completed_on=completed, produced_on=produced)
            elif roll < 0.65:
                values.update(
                    stage="terminated",
                    terminated_on=intake + datetime.timedelta(days=rng.randrange(30, 600)),
                    termination_reason="基准",
                )
            projects.append(values)
            plans.append(
                {
                    "id": pk,
                    "project_id": pk,
                    "catalog_version_id": version_id,
                    "start_on": intake,
                    "baseline_finish_on": intake + datetime.timedelta(days=120),
                    "baseline_workdays": 80,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            for number, item in enumerate(rng.sample(items, TASKS_PER_PROJECT)):
                accepted = intake + datetime.timedelta(days=rng.randrange(0, 60))
                decided = accepted + datetime.timedelta(days=rng.randrange(2, 70))
                due = accepted + datetime.timedelta(days=int(item.limit_workdays * 1.4) + 1)
                task = {
                    "id": (pk - 1) * TASKS_PER_PROJECT + number + 1,
                    "plan_id": pk,
                    "project_id": pk,
                    "item_id": item.pk,
                    "department_id": item.department_id,
                    "limit_workdays": item.limit_workdays,
                    "state": "approved",
                    "state_changed_on": decided,
                    "accepted_on": accepted,
                    "decided_on": decided,
                    "decision_document": "基准〔2015〕1号",
                    "correction_rounds": rng.choice((0, 0, 0, 1, 1, 2, 3)),
                    "due_on": due,
                    "overdue_since": due + datetime.timedelta(days=1) if decided > due else None,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                if rng.random() < OPEN_SHARE:
                    # Accepted and never decided: counted open at the end of every year since.
                    task.update(
                        state="accepted", state_changed_on=accepted, decided_on=None, decision_document=""
                    )
                    task["overdue_since"] = due + datetime.timedelta(days=1)
                tasks.append(task)
        with transaction.atomic():
            _write(Project, projects)
            _write(Plan, plans)
            _write(ApprovalTask, tasks)
        _progress(f"  writing projects: {last:,} of {stop:,}")
    _progress("")


def _timed(function, runs: int) -> float:
    times = []
    for _run in range(runs):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated project counts, e.g. 10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (the median is printed)")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and print its URL")
    arguments = parser.parse_args()
    try:
        sizes = sorted({int(size) for size in arguments.sizes.split(",")})
    except ValueError:
        parser.error("--sizes: give whole numbers separated by commas")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes: every size must be at least 1")

    configured = os.environ.get("DATABASE_URL", "sqlite:///")
    scratch, drop = _scratch_database(configured)
    os.environ["DATABASE_URL"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        from onewindow.accounts.models import Role, User
        from onewindow.analytics import dashboard, reports
        from onewindow.approvals import services as approval_services
        from onewindow.approvals import tally as task_tally
        from onewindow.approvals.models import ApprovalItem, TaskYearTally
        from onewindow.projects import tally
        from onewindow.projects.models import Investor
        from onewindow.regions.models import Region
        from onewindow.regions.services import ensure_reference_regions

        city = ensure_reference_regions()
        version = approval_services.load_default_catalog()
        items = list(ApprovalItem.objects.filter(version=version))
        leader = User.objects.create(username="bench_leader", role=Role.LEADER, region=city)
        Investor.objects.bulk_create(
            [Investor(name=f"基准企业{number}", uscc=f"91510600MA{number:08d}") for number in range(500)]
        )
        context = {
            "regions": list(Region.objects.all()),
            "items": items,
            "version": version.pk,
            "investors": list(Investor.objects.values_list("pk", flat=True)),
        }
        rng = random.Random(arguments.seed)
        period = reports.Period.of(YEAR)
        print(
            f"database: {connection.vendor} ({connection.settings_dict['NAME']}), year {YEAR}, "
            f"{TASKS_PER_PROJECT} approval tasks per project, median of {arguments.runs} runs"
        )
        header = (
            f"{'projects':>10} {'overview ms':>12} {'efficiency+bottlenecks ms':>26} "
            f"{'report table ms':>16} {'workbook ms':>12} {'tally rows':>11} {'task tally rows':>16}"
        )
        print(header)
        previous = None
        built = 0
        for size in sizes:
            began = time.perf_counter()
            _grow(built, size, context, rng)
            built = size
            tally.rebuild()
            _progress("  counting the tasks into their tallies")
            task_tally.rebuild()
            _progress("")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # What autovacuum does on a live database: COPYed rows are not yet marked visible
                    # to all, and until they are, index-only scans still visit the table.
                    cursor.execute("VACUUM ANALYZE")
            load_seconds = time.perf_counter() - began
            overview = _timed(lambda: dashboard.overview(leader, YEAR), arguments.runs)
            deeper = _timed(
                lambda: dashboard.efficiency_and_bottlenecks(leader, YEAR),
                arguments.runs,
            )
            table = _timed(lambda: reports.build(scope=city, period=period).lines, arguments.runs)
            workbook = None
            if size <= 100_000:
                workbook = _timed(
                    lambda: reports.write_xlsx(reports.build(scope=city, period=period), io.BytesIO()), 1
                )
            from onewindow.projects.models import ProjectTally

            buckets = ProjectTally.objects.count()
            task_buckets = TaskYearTally.objects.count()
            shown = f"{workbook:12.0f}" if workbook is not None else f"{'(skipped)':>12}"
            print(
                f"{size:>10,} {overview:12.1f} {deeper:26.1f} {table:16.0f} {shown} {buckets:>11,}"
                f" {task_buckets:>16,}"
                f"   (built in {load_seconds:.0f} s)"
            )
            if previous is not None:
                growth = size / previous[0]
                print(
                    f"{'':>10} ×{overview / previous[1]:11.2f} ×{deeper / previous[2]:25.2f} "
                    f"×{table / previous[3]:15.2f}   for ×{growth:.0f} the data"
                )
            previous = (size, overview, deeper, table)
        print(f"goal: each section under {GOAL_MS} ms at 1,000,000 projects on PostgreSQL")
    finally:
        if arguments.keep:
            print(f"kept: DATABASE_URL={scratch}")
        else:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
