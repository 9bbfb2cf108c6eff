"""Keeps ``ProjectTally`` and ``ProjectMonthTally`` equal to the register.

Every write that changes a project's tallied facts moves the project from its old bucket to its new one
in the same transaction: ``Project.save()`` and ``delete()`` through the signals below (the intake, the
admin, test factories), queryset updates through ``moved`` (the services' version-checked saves), and the
ledger's bulk writer through ``add``. ``rebuild`` recomputes the table from scratch; ``recount`` gives
what it should hold, for tests and checks.

The buckets are applied with one ``INSERT … ON CONFLICT … DO UPDATE`` per batch, which SQLite and
PostgreSQL both speak, so that concurrent writers add to a bucket instead of overwriting each other.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from onewindow.projects.models import Project, ProjectMonthTally, ProjectTally

KEY_COLUMNS = (
    "region_id",
    "level",
    "industry",
    "stage",
    "intake_year",
    "started_year",
    "produced_year",
    "terminated_year",
)
# The project columns a bucket is made of; a write touching none of them leaves the tally alone.
SOURCE_COLUMNS = (
    "region_id",
    "level",
    "industry",
    "stage",
    "intake_on",
    "started_on",
    "produced_on",
    "terminated_on",
    "total_investment_wan",
)
MONTH_KEY_COLUMNS = ("region_id", "level", "event", "year", "month")
MONTH_EVENTS = (("intake", "intake_on"), ("started", "started_on"), ("produced", "produced_on"))
_BATCH = 400

Key = tuple


def _year(value) -> int:
    return value.year if value is not None else 0


def key_of(values: Mapping) -> Key:
    """The bucket of a project given as a mapping of ``SOURCE_COLUMNS`` (missing dates: not reached)."""
    return (
        values["region_id"],
        str(values["level"]),
        str(values["industry"]),
        str(values["stage"]),
        _year(values.get("intake_on")),
        _year(values.get("started_on")),
        _year(values.get("produced_on")),
        _year(values.get("terminated_on")),
    )


def month_keys_of(values: Mapping) -> list[Key]:
    """The monthly buckets of a project: one per event (intake, start, production) it reached."""
    keys = []
    for event, name in MONTH_EVENTS:
        day = values.get(name)
        if day is not None:
            keys.append((values["region_id"], str(values["level"]), event, day.year, day.month))
    return keys


def hundredths(amount) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def rows(projects: QuerySet[Project]) -> list[dict]:
    """The tallied facts of ``projects``, to pass to ``moved`` before and after a queryset update."""
    return list(projects.values(*SOURCE_COLUMNS))


def _instance_values(project: Project) -> dict:
    return {name: getattr(project, name) for name in SOURCE_COLUMNS}


def _deltas(plus: Iterable[Mapping], minus: Iterable[Mapping]) -> tuple[dict, dict]:
    """The changes to both tables: {key: [projects, hundredths]} for the buckets and the months."""
    buckets: dict[Key, list[int]] = {}
    months: dict[Key, list[int]] = {}
    for values, sign in [*((values, 1) for values in plus), *((values, -1) for values in minus)]:
        amount = sign * hundredths(values["total_investment_wan"])
        for table, keys in ((buckets, [key_of(values)]), (months, month_keys_of(values))):
            for key in keys:
                change = table.setdefault(key, [0, 0])
                change[0] += sign
                change[1] += amount
    return (
        {key: change for key, change in buckets.items() if change != [0, 0]},
        {key: change for key, change in months.items() if change != [0, 0]},
    )


def _upsert(model, key_columns: tuple[str, ...], deltas: dict[Key, list[int]]) -> None:
    if not deltas:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    keys = ", ".join(connection.ops.quote_name(name) for name in key_columns)
    quoted = [connection.ops.quote_name(name) for name in ("projects", "investment_hundredths")]
    placeholders = "(" + ", ".join(["%s"] * (len(key_columns) + 2)) + ")"
    items = sorted(deltas.items())  # one order for every writer, so that two never wait on each other
    with connection.cursor() as cursor:
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            # Only quoted model names and placeholders go into the text; every value is a parameter.
            values = ", ".join([placeholders] * len(batch))
            update = (
                f"{quoted[0]} = {table}.{quoted[0]} + excluded.{quoted[0]}, "
                f"{quoted[1]} = {table}.{quoted[1]} + excluded.{quoted[1]}"
            )
            sql = f"INSERT INTO {table} ({keys}, {quoted[0]}, {quoted[1]}) VALUES {values} ON CONFLICT ({keys}) DO UPDATE SET {update}"  # noqa: S608, E501
            params = [value for key, (count, amount) in batch for value in (*key, count, amount)]
            cursor.execute(sql, params)


def _apply(deltas: tuple[dict, dict]) -> None:
    buckets, months = deltas
    _upsert(ProjectTally, KEY_COLUMNS, buckets)
    _upsert(ProjectMonthTally, MONTH_KEY_COLUMNS, months)


def add(projects: Iterable[Mapping]) -> None:
    """Count new projects, given as mappings of ``SOURCE_COLUMNS`` (the ledger's bulk writer)."""
    _apply(_deltas(projects, []))


def moved(before: Iterable[Mapping], after: Iterable[Mapping]) -> None:
    """Move projects from the buckets of their ``before`` rows to those of their ``after`` rows."""
    _apply(_deltas(after, before))


def recount() -> tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]]:
    """What the two tables should hold, counted from the register itself (non-empty buckets only)."""
    buckets, months = _deltas(Project.objects.values(*SOURCE_COLUMNS).iterator(chunk_size=5000), [])
    return (
        {key: tuple(change) for key, change in buckets.items()},
        {key: tuple(change) for key, change in months.items()},
    )


def stored() -> tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]]:
    """What the two tables hold (non-empty buckets only)."""
    return tuple(
        {
            tuple(row[:-2]): (row[-2], row[-1])
            for row in model.objects.values_list(*columns, "projects", "investment_hundredths")
            if row[-2] or row[-1]
        }
        for model, columns in ((ProjectTally, KEY_COLUMNS), (ProjectMonthTally, MONTH_KEY_COLUMNS))
    )


@transaction.atomic
def rebuild() -> int:
    """Recount both tables from the register; returns the number of buckets (months not counted)."""
    ProjectTally.objects.all().delete()
    ProjectMonthTally.objects.all().delete()
    buckets, months = recount()
    for model, columns, counted in (
        (ProjectTally, KEY_COLUMNS, buckets),
        (ProjectMonthTally, MONTH_KEY_COLUMNS, months),
    ):
        model.objects.bulk_create(
            [
                model(**dict(zip(columns, key, strict=True)), projects=count, investment_hundredths=amount)
                for key, (count, amount) in counted.items()
            ],
            batch_size=1000,
        )
    return len(buckets)


@receiver(pre_save, sender=Project, dispatch_uid="project_tally_before_save")
def _remember_old_bucket(sender, instance: Project, raw: bool = False, **kwargs) -> None:
    instance._tally_before = None
    if instance.pk is not None and not instance._state.adding:
        instance._tally_before = Project.objects.filter(pk=instance.pk).values(*SOURCE_COLUMNS).first()


@receiver(post_save, sender=Project, dispatch_uid="project_tally_after_save")
def _count_saved(sender, instance: Project, **kwargs) -> None:
    before = getattr(instance, "_tally_before", None)
    moved([before] if before else [], [_instance_values(instance)])
    instance._tally_before = None


@receiver(post_delete, sender=Project, dispatch_uid="project_tally_after_delete")
def _uncount_deleted(sender, instance: Project, **kwargs) -> None:
    moved([_instance_values(instance)], [])
