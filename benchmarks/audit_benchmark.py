"""Audit chain benchmark: prints figures, asserts nothing about speed.

    .venv/bin/python benchmarks/audit_benchmark.py [--entries 100000] [--single 5000]
        [--database-url sqlite:////tmp/onewindow-audit-benchmark.sqlite3] [--keep]

Runs in a throwaway database: the SQLite file given (replaced), or, for a postgres:// address, a new
database ``onewindow_audit_benchmark`` created on that server and dropped at the end (the database named
in the address is only used to connect). Measures, in one run:

1. the baseline: ``bulk_create`` of --entries audit rows with no chain (sequence numbers only);
2. bulk appends through the chain (``audit.chain_and_create``): numbered, hashed, head moved;
3. the ledger's bulk path: ``audit.chain_rows`` over --entries rows as the ledger import builds them
   (hashing only; the insert is the ledger's own);
4. single appends (``audit.record``), each in its own transaction as a service call makes it, against
   single un-chained ``create`` calls the same way;
5. ``onewindow audit verify``'s walk over the whole chain.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "sqlite:////tmp/onewindow-audit-benchmark.sqlite3"
BENCHMARK_DATABASE = "onewindow_audit_benchmark"


def _throwaway(database_url: str) -> tuple[str, callable]:
    """The address of a fresh database for the run, and how to remove it afterwards."""
    parts = urlsplit(database_url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return database_url, lambda: path.unlink(missing_ok=True)
    import psycopg

    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCHMARK_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCHMARK_DATABASE}")

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCHMARK_DATABASE}")

    return urlunsplit(parts._replace(path=f"/{BENCHMARK_DATABASE}")), drop


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    # Production settings: DEBUG off (Django would otherwise keep every query in memory).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "audit-benchmark-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _entries(count: int, actor, *, chained: bool) -> list:
    from onewindow.core.models import AuditEntry

    now = datetime.datetime.now(datetime.UTC)
    return [
        AuditEntry(
            created_at=now,
            actor=actor,
            actor_name=actor.username,
            action=AuditEntry.Action.CREATE,
            object_type="projects.project",
            object_id=str(number),
            object_repr=f"德阳基准项目{number}",
            changes={"name": [None, f"德阳基准项目{number}"], "total_investment_wan": [None, "12500.00"]},
            source_ip="192.0.2.10",
            region_path="510600/510681/",
            # The baseline has no chain, but the column is unique and required.
            sequence=None if chained else -1 - number,
        )
        for number in range(count)
    ]


def _rate(count: int, seconds: float) -> str:
    return f"{count:>9,} in {seconds:7.2f} s = {count / seconds:>10,.0f} /s"


def run(entries: int, single: int, database_url: str) -> None:
    _setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from onewindow.accounts.models import Role, User
    from onewindow.core import audit, verification
    from onewindow.core.models import AuditEntry
    from onewindow.ledger.bulk import _Table
    from onewindow.regions.services import ensure_reference_regions

    call_command("migrate", verbosity=0)
    city = ensure_reference_regions()
    actor, _created = User.objects.get_or_create(
        username="audit_benchmark", defaults={"role": Role.LEADER, "region": city, "full_name": "基准测试"}
    )
    print(f"database: {connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"entries: {entries:,} bulk, {single:,} single")

    rows = _entries(entries, actor, chained=False)
    began = time.perf_counter()
    with transaction.atomic():
        AuditEntry.objects.bulk_create(rows, batch_size=2000)
    baseline = time.perf_counter() - began
    AuditEntry.objects.filter(sequence__lt=0).delete()
    print(f"baseline bulk_create, no chain:   {_rate(entries, baseline)}")

    rows = _entries(entries, actor, chained=True)
    began = time.perf_counter()
    with transaction.atomic():
        audit.chain_and_create(rows)
    bulk = time.perf_counter() - began
    print(f"chained bulk (chain_and_create):  {_rate(entries, bulk)}  ({bulk / baseline:.2f}× the baseline)")

    # The ledger's rows: every column as the driver takes it, the changes already JSON.
    table = _Table(AuditEntry, datetime.datetime.now(datetime.UTC))
    at = table.positions
    as_json = table.adapters[at["changes"]]
    for number in range(entries):
        row = table.defaults.copy()
        row[at["actor_id"]], row[at["actor_name"]] = actor.pk, actor.username
        row[at["action"]], row[at["object_type"]], row[at["object_id"]] = (
            "create",
            "projects.project",
            str(number),
        )
        row[at["object_repr"]] = f"德阳基准项目{number}"
        row[at["changes"]] = as_json({"name": [None, f"德阳基准项目{number}"]})
        row[at["region_path"]] = "510600/"
        table.rows.append(row)
    began = time.perf_counter()
    with transaction.atomic():
        audit.chain_rows(table.rows, table.positions)
        hashing = time.perf_counter() - began
        table.insert()
    print(f"ledger rows hashed (chain_rows):  {_rate(entries, hashing)}  (the ledger's own insert aside)")

    project = city
    began = time.perf_counter()
    for number in range(single):
        with transaction.atomic():
            AuditEntry.objects.create(
                actor=actor,
                actor_name=actor.username,
                action=AuditEntry.Action.UPDATE,
                object_type="regions.region",
                object_id=str(project.pk),
                object_repr=str(project),
                changes={"name": [f"旧{number}", f"新{number}"]},
                source_ip="192.0.2.10",
                region_path=city.path,
                sequence=-1 - number,
            )
    plain = time.perf_counter() - began
    AuditEntry.objects.filter(sequence__lt=0).delete()
    print(f"baseline single create, no chain: {_rate(single, plain)}")
    began = time.perf_counter()
    for number in range(single):
        with transaction.atomic():
            audit.record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=project,
                changes={"name": [f"旧{number}", f"新{number}"]},
                source_ip="192.0.2.10",
                region_path=city.path,
            )
    singles = time.perf_counter() - began
    print(
        f"single appends (record):          {_rate(single, singles)}  ({singles / plain:.2f}× the baseline)"
    )

    total = AuditEntry.objects.count()
    began = time.perf_counter()
    result = verification.verify()
    verifying = time.perf_counter() - began
    print(f"verify the whole chain:           {_rate(total, verifying)}  intact={result.intact}")
    if not result.intact:
        print(f"  broken at #{result.sequence}: {result.detail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=5_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--keep", action="store_true", help="Keep the throwaway database afterwards.")
    options = parser.parse_args(argv)
    database_url, remove = _throwaway(options.database_url)
    try:
        run(options.entries, options.single, database_url)
    finally:
        if not options.keep:
            remove()


if __name__ == "__main__":
    main()
