from django.db import migrations

# The dashboard's project-path medians (analytics.dashboard._stretch) read, for the projects whose
# intake, start or production fell in a year, the date before it. Projects of a year are scattered
# over the whole table, so on PostgreSQL each of these indexes carries the earlier date and the
# region (for the scope) and the read never visits the table itself (an index-only scan). SQLite,
# for development, makes do with the plain date indexes the register already has.
SPAN_INDEXES = (
    ("project_intake_span_idx", "intake_on", "signed_on"),
    ("project_start_span_idx", "started_on", "intake_on"),
    ("project_production_span_idx", "produced_on", "started_on"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, last, first in SPAN_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX {name} ON projects_project ({last}) INCLUDE ({first}, region_id)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _last, _first in SPAN_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_project_tally_for_statistics")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
