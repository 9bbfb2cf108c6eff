"""notify_many benchmark: prints figures, asserts nothing about speed.

    .venv/bin/python benchmarks/notify_benchmark.py [--sizes 10000,100000] [--users 500]
        [--database-url sqlite:////tmp/onewindow-notify-benchmark.sqlite3]

In a throwaway database (a SQLite file under /tmp by default; with --database-url postgres://… the
database is flushed first, so give it one of its own), with --users staff accounts, it stores N
notifications spread over the users and kinds in one ``notify_many`` call, then the same N again (a
repeated tick: nothing new), then N again of which a tenth are new. For each it prints the time, the
number of notifications created and the number of SQL queries. A tick may hand ``notify_many`` about
100,000 notifications; the queries must not follow N (one statement per 20,000 rows).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "notify-benchmark-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _progress(text: str) -> None:
    if sys.stdout.isatty():
        sys.stdout.write(f"\r{text}\033[K")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--database-url", default="sqlite:////tmp/onewindow-notify-benchmark.sqlite3")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite://")).unlink(missing_ok=True)
    _setup_django(args.database_url)

    from zoneinfo import ZoneInfo

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.accounts.models import Role, User
    from onewindow.notifications.models import Kind, Notification
    from onewindow.notifications.services import NewNotification, notify_many
    from onewindow.regions.services import ensure_reference_regions

    _progress("migrating…")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    city = ensure_reference_regions()
    users = User.objects.bulk_create(
        [User(username=f"bench{n}", role=Role.AGENT, region=city) for n in range(args.users)]
    )
    user_ids = [user.pk for user in users]
    kinds = list(Kind.values)
    at = datetime.datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def batch(size: int, prefix: str, fresh_from: int = 0) -> list[NewNotification]:
        return [
            NewNotification(
                user_id=user_ids[n % len(user_ids)],
                kind=kinds[n % len(kinds)],
                key=f"{prefix if n >= fresh_from else 'base'}-{size}:task:{n}:2026-10-27",
                subject=f"FGW-BA 企业投资项目备案 {n}",
                url=f"/tasks/{n}/",
                params={"due_on": "2026-10-27", "project": "江苏玉龙钢管项目"},
            )
            for n in range(size)
        ]

    print(f"database: {connection.vendor}; {args.users} users")
    print(f"{'N':>9}  {'run':<22} {'seconds':>8}  {'created':>8}  {'queries':>7}")
    for size in sizes:
        runs = [
            ("all new", batch(size, "base")),
            ("repeated (none new)", batch(size, "base")),
            ("a tenth new", batch(size, "more", fresh_from=size - size // 10)),
        ]
        for label, notes in runs:
            _progress(f"N={size}: {label}…")
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                created = notify_many(notifications=notes, at=at)
            seconds = time.perf_counter() - started
            _progress("")
            print(f"{size:>9}  {label:<22} {seconds:>8.2f}  {created:>8}  {len(queries.captured_queries):>7}")
    print(f"stored: {Notification.objects.count()} notifications")


if __name__ == "__main__":
    main()
