from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "region_id",
    "level",
    "industry",
    "stage",
    "intake_on",
    "started_on",
    "produced_on",
    "terminated_on",
)
BUCKET = (
    "region_id",
    "level",
    "industry",
    "stage",
    "intake_year",
    "started_year",
    "produced_year",
    "terminated_year",
)
MONTH = ("region_id", "level", "event", "year", "month")


def count_existing_projects(apps, schema_editor):
    """Fill both tallies from the projects already registered (the buckets of ``projects.tally``)."""
    project_model = apps.get_model("projects", "Project")
    buckets: dict[tuple, list[int]] = {}
    months: dict[tuple, list[int]] = {}
    rows = project_model.objects.values_list(*COLUMNS, "total_investment_wan").iterator(chunk_size=5000)
    for row in rows:
        amount = int((Decimal(row[8]) * 100).to_integral_value())
        keys = [(buckets, (*row[:4], *(day.year if day else 0 for day in row[4:8])))]
        for event, day in (("intake", row[4]), ("started", row[5]), ("produced", row[6])):
            if day is not None:
                keys.append((months, (row[0], row[1], event, day.year, day.month)))
        for table, key in keys:
            change = table.setdefault(key, [0, 0])
            change[0] += 1
            change[1] += amount
    for name, columns, counted in (("ProjectTally", BUCKET, buckets), ("ProjectMonthTally", MONTH, months)):
        model = apps.get_model("projects", name)
        model.objects.bulk_create(
            [
                model(**dict(zip(columns, key, strict=True)), projects=count, investment_hundredths=amount)
                for key, (count, amount) in counted.items()
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_project_register"),
        ("regions", "0001_region_tree_and_departments"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.CharField(max_length=8, verbose_name="handling level")),
                ("industry", models.CharField(max_length=1, verbose_name="industry")),
                ("stage", models.CharField(max_length=16, verbose_name="stage")),
                ("intake_year", models.PositiveSmallIntegerField(default=0, verbose_name="intake year")),
                (
                    "started_year",
                    models.PositiveSmallIntegerField(default=0, verbose_name="construction start year"),
                ),
                (
                    "produced_year",
                    models.PositiveSmallIntegerField(default=0, verbose_name="production year"),
                ),
                (
                    "terminated_year",
                    models.PositiveSmallIntegerField(default=0, verbose_name="termination year"),
                ),
                ("projects", models.IntegerField(default=0, verbose_name="projects")),
                (
                    "investment_hundredths",
                    models.BigIntegerField(default=0, verbose_name="investment (hundredths of 万元)"),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="regions.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "project tally",
                "verbose_name_plural": "project tallies",
                "indexes": [models.Index(fields=["intake_year"], name="project_tally_intake_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "region",
                            "level",
                            "industry",
                            "stage",
                            "intake_year",
                            "started_year",
                            "produced_year",
                            "terminated_year",
                        ),
                        name="project_tally_key_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ProjectMonthTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.CharField(max_length=8, verbose_name="handling level")),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("intake", "Taken into agency"),
                            ("started", "Construction started"),
                            ("produced", "In production"),
                        ],
                        max_length=8,
                        verbose_name="event",
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("month", models.PositiveSmallIntegerField(verbose_name="month")),
                ("projects", models.IntegerField(default=0, verbose_name="projects")),
                (
                    "investment_hundredths",
                    models.BigIntegerField(default=0, verbose_name="investment (hundredths of 万元)"),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="regions.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly project tally",
                "verbose_name_plural": "monthly project tallies",
                "indexes": [models.Index(fields=["year"], name="project_month_tally_year_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "level", "event", "year", "month"),
                        name="project_month_tally_key_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(count_existing_projects, migrations.RunPython.noop),
    ]
