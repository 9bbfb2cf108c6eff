from django.db import migrations

# The dashboard reads the tasks decided in a year (analytics.dashboard). Those tasks are scattered over
# the whole table (it fills in project order), so on PostgreSQL the index carries every column the
# figures need and the read never visits the table itself (an index-only scan).
#
# The tasks still open at a year's end (accepted on or before it, decided after it or not yet) are a
# two-sided date condition that no B-tree answers without reading every later decision; a GiST index
# on the range from acceptance to decision finds them directly.
#
# SQLite serves development databases: a plain index there. The indexes are not declared on the model
# because covering and expression indexes of this kind are PostgreSQL's alone.
DECIDED_INDEX = "approval_task_decided_idx"
OPEN_RANGE_INDEX = "approval_task_open_range_idx"
COVERED = (
    "accepted_on",
    "project_id",
    "department_id",
    "item_id",
    "due_on",
    "limit_workdays",
    "correction_rounds",
    "state",
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {DECIDED_INDEX} ON approvals_approvaltask (decided_on) INCLUDE ({', '.join(COVERED)})"
        )
        schema_editor.execute(
            f"CREATE INDEX {OPEN_RANGE_INDEX} ON approvals_approvaltask "
            "USING gist (daterange(accepted_on, decided_on, '[)')) WHERE accepted_on IS NOT NULL"
        )
    else:
        schema_editor.execute(f"CREATE INDEX {DECIDED_INDEX} ON approvals_approvaltask (decided_on)")


def drop_indexes(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {DECIDED_INDEX}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_RANGE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_approval_tasks_materials_and_joint_events")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
