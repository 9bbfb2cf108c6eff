"""Tick benchmark: prints figures, asserts nothing about speed (the goal is printed beside them).

    .venv/bin/python benchmarks/tick_benchmark.py [--sizes 10000,100000] [--seed 2012]
        [--database-url sqlite:////tmp/onewindow-tick-benchmark.sqlite3] [--keep]

For each size N, in a fresh process and a throwaway database (a SQLite file under /tmp by default, one
per size; with --database-url postgres://… the database is flushed first, so give it one of its own):

1. creates, in bulk, N open approval tasks (accepted, with their stored clocks), N open problems and
   N open action items, their due dates spread around the tick's day so that about a third are red,
   a sixth yellow, and a fifth of the problems are past their level deadline (they escalate, some by
   two levels), with the agents, window clerks and leaders they notify;
2. runs one tick as of a fixed moment and times it, counting its SQL queries (all of them, and those
   outside ``notify_many``'s bulk inserts, whose batches follow the number of notifications);
3. runs the same tick again (it must store nothing) and times that too.

Goal (issue 4): one tick over 100,000 open tasks, problems and action items in under 30 s, with a
number of queries that does not grow with the number of objects.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30
TICK_DAY = datetime.date(2026, 10, 20)


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    # Production settings: DEBUG off (Django would otherwise keep every query in memory).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "tick-benchmark-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # The digests are part of the tick; their e-mails go nowhere here.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _progress(label: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{label}: {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _due(rng: random.Random, calendar) -> datetime.date:
    """A due date around the tick's day: about a third red, a sixth yellow, the rest later."""
    roll = rng.random()
    base = calendar.last_on_or_before(TICK_DAY)
    if roll < 0.33:
        return calendar.date_at(base - rng.randrange(1, 15))
    if roll < 0.5:
        return calendar.date_at(base + rng.randrange(0, 3))
    return calendar.date_at(base + rng.randrange(3, 40))


def populate(size: int, seed: int) -> dict:
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from onewindow.accounts.models import Role, User
    from onewindow.approvals import services as approval_services
    from onewindow.approvals.models import ApprovalItem, ApprovalTask, Plan, TaskState
    from onewindow.approvals.selectors import workday_calendar
    from onewindow.coordination.models import ActionItem, Meeting, Problem
    from onewindow.coordination.services import level_deadline
    from onewindow.projects.models import Investor, Project
    from onewindow.regions.models import Department
    from onewindow.regions.services import ensure_reference_regions

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    calendar = workday_calendar()
    began = time.perf_counter()
    with transaction.atomic():
        city = ensure_reference_regions()
        version = approval_services.load_default_catalog()
        items = list(ApprovalItem.objects.filter(version=version).order_by("position", "id")[:20])
        departments = list(Department.objects.filter(region=city))
        people = (
            [User(username=f"agent{n}", role=Role.AGENT, region=city) for n in range(50)]
            + [User(username=f"leader{n}", role=Role.LEADER, region=city) for n in range(3)]
            + [
                User(username=f"clerk_{d.code}_{n}", role=Role.CLERK, region=city, department=d)
                for d in departments
                for n in range(2)
            ]
        )
        for person in people:
            # With an address each, so that the tick's digests go out as they would in the city.
            person.email = f"{person.username}@example.com"
        users = User.objects.bulk_create(people)
        agents = [user for user in users if user.role == Role.AGENT]
        investor = Investor.objects.create(name="基准测试投资方", uscc="91510600MA62000000")
        project_count = max(1, size // len(items))
        projects = Project.objects.bulk_create(
            [
                Project(
                    code=f"2610-510600-03-01-{n:06d}",
                    code_is_provisional=True,
                    name=f"基准项目{n}",
                    investor=investor,
                    total_investment_wan=Decimal("5000.00"),
                    industry="C",
                    region=city,
                    level="city",
                    stage="intake",
                    agent=rng.choice(agents),
                )
                for n in range(project_count)
            ],
            batch_size=2000,
        )
        through = Project.departments.through
        through.objects.bulk_create(
            [
                through(project_id=project.pk, department_id=department.pk)
                for project in projects
                for department in rng.sample(departments, 4)
            ],
            batch_size=5000,
        )
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    project=project,
                    catalog_version=version,
                    start_on=datetime.date(2026, 9, 1),
                    baseline_finish_on=datetime.date(2027, 3, 1),
                    baseline_workdays=100,
                )
                for project in projects
            ],
            batch_size=2000,
        )
        tasks = []
        for plan in plans:
            for item in items:
                if len(tasks) == size:
                    break
                due_on = _due(rng, calendar)
                tasks.append(
                    ApprovalTask(
                        plan=plan,
                        project_id=plan.project_id,
                        item=item,
                        department_id=item.department_id,
                        limit_workdays=10,
                        state=TaskState.ACCEPTED,
                        accepted_on=datetime.date(2026, 9, 1),
                        due_on=due_on,
                        overdue_since=calendar.date_at(calendar.last_on_or_before(due_on) + 1),
                    )
                )
        ApprovalTask.objects.bulk_create(tasks, batch_size=2000)
        _progress("tasks", len(tasks), size)
        problems = []
        for n in range(size):
            due_on = _due(rng, calendar)
            level = rng.choice([1, 1, 2, 3])
            started = calendar.date_at(calendar.last_on_or_before(due_on) - 5)
            problems.append(
                Problem(
                    project=projects[n % len(projects)],
                    title=f"难题{n}",
                    description="基准测试",
                    category="other",
                    raised_by=rng.choice(agents),
                    raised_on=started,
                    level=level,
                    status="open",
                    level_started_on=started,
                    due_on=level_deadline(started, level, calendar=calendar),
                    region_path=city.path,
                )
            )
        problems = Problem.objects.bulk_create(problems, batch_size=2000)
        responsible = Problem.departments.through
        responsible.objects.bulk_create(
            [
                responsible(problem_id=problem.pk, department_id=rng.choice(departments).pk)
                for problem in problems
            ],
            batch_size=5000,
        )
        _progress("problems", size, size)
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    title=f"协调会{n}",
                    held_at=datetime.datetime(2026, 9, 1, 1, tzinfo=datetime.UTC),
                    level=2,
                    region=city,
                    chair_name="周主任",
                    region_path=city.path,
                )
                for n in range(100)
            ]
        )
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    meeting=meetings[n % len(meetings)],
                    description=f"事项{n}",
                    owner=rng.choice(agents) if n % 3 else None,
                    department=rng.choice(departments),
                    due_on=_due(rng, calendar),
                    region_path=city.path,
                )
                for n in range(size)
            ],
            batch_size=2000,
        )
        _progress("action items", size, size)
    return {"populate_seconds": time.perf_counter() - began}


def phase(size: int, seed: int, database_url: str) -> dict:
    _setup_django(database_url)
    import zoneinfo

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.coordination.tick import run_tick
    from onewindow.notifications.models import Notification

    if connection.vendor == "postgresql":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    figures = populate(size, seed)
    at = datetime.datetime(
        TICK_DAY.year, TICK_DAY.month, TICK_DAY.day, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    for label in ("tick", "again"):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            report = run_tick(at=at)
            seconds = time.perf_counter() - began
        statements = [query["sql"] for query in captured.captured_queries]
        notification_inserts = sum(
            sql.startswith('INSERT INTO "notifications_notification"') for sql in statements
        )
        audit_inserts = sum(sql.startswith('INSERT INTO "core_auditentry"') for sql in statements)
        figures[label] = {
            "seconds": seconds,
            "queries": len(statements),
            "notification_inserts": notification_inserts,
            "audit_inserts": audit_inserts,
            "other_queries": len(statements) - notification_inserts - audit_inserts,
            "report": report.as_dict(),
        }
    figures["notifications"] = Notification.objects.count()
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["vendor"] = connection.vendor
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated numbers of each kind of object"
    )
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:
        size = int(options.phase)
        print(json.dumps(phase(size, options.seed, options.database_url)))
        return
    sizes = [int(part) for part in options.sizes.split(",") if part.strip()]
    print(
        f"Tick benchmark · Python {platform.python_version()} · {platform.machine()} · {os.cpu_count()} cores"
    )
    results = {}
    for size in sizes:
        url = options.database_url or f"sqlite:////tmp/onewindow-tick-benchmark-{size}.sqlite3"
        if url.startswith("sqlite:////"):
            path = Path(url.removeprefix("sqlite:///"))
            path.unlink(missing_ok=True)
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                str(size),
                "--seed",
                str(options.seed),
                "--database-url",
                url,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"the run with {size:,} objects failed")
        results[size] = json.loads(done.stdout.strip().splitlines()[-1])
        if url.startswith("sqlite:////") and not options.keep:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        figures = results[size]
        first, again = figures["tick"], figures["again"]
        report = first["report"]
        print(f"\n{size:,} open tasks, {size:,} problems, {size:,} action items ({figures['vendor']})")
        print(f"  populated in {figures['populate_seconds']:.1f} s")
        print(
            f"  tick:  {first['seconds']:.2f} s, {first['queries']} queries "
            f"({first['other_queries']} + {first['notification_inserts']} notification and "
            f"{first['audit_inserts']} audit insert batches)"
        )
        stages = ", ".join(f"{stage} {value:.1f} s" for stage, value in report["seconds"].items())
        print(f"         of which {stages}")
        print(
            f"         escalations {report['escalations']} ({report['problems_escalated']} problems); "
            f"tasks {report['tasks_yellow']} yellow / {report['tasks_red']} red; "
            f"problems {report['problems_yellow']} / {report['problems_red']}; "
            f"action items {report['actions_yellow']} / {report['actions_red']}; "
            f"{report['notifications']} notifications; {report['digests']} digests"
        )
        print(
            f"  again: {again['seconds']:.2f} s, {again['queries']} queries, "
            f"{again['report']['notifications']} new notifications, "
            f"{again['report']['escalations']} escalations"
        )
        print(f"  peak memory {figures['peak_mb']:.0f} MB")
    largest = max(results)
    print(
        f"\nGoal: one tick over 100,000 of each under {GOAL_SECONDS} s: "
        f"{results[largest]['tick']['seconds']:.1f} s at {largest:,}."
    )
    counts = {size: figures["tick"]["other_queries"] for size, figures in results.items()}
    print(
        "Queries besides the bulk insert batches (whose rows per statement the database caps), "
        f"per size: {counts}"
    )


if __name__ == "__main__":
    main()
