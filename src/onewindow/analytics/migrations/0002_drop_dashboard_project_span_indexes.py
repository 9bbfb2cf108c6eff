import importlib

from django.db import migrations

# The dashboard's project-path medians now come from the span tally (projects.ProjectSpanTally): the
# covering indexes of migration 0001 only slow the register's writes down.
_FIRST = "onewindow.analytics.migrations.0001_dashboard_project_span_indexes"


def drop_indexes(apps, schema_editor):
    importlib.import_module(_FIRST).drop_indexes(apps, schema_editor)


def restore_indexes(apps, schema_editor):
    importlib.import_module(_FIRST).create_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_dashboard_project_span_indexes"),
        ("projects", "0003_project_span_tally_for_dashboard"),
    ]

    operations = [migrations.RunPython(drop_indexes, restore_indexes, elidable=False)]
