"""A write of the bulk writer that the database refuses raises Django's error, an import whose rows are
refused while they are written keeps nothing, and what it writes (addresses, names that need escaping)
comes back as the audit chain hashed it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onewindow.core import verification
from onewindow.core.models import AuditEntry
from onewindow.ledger.bulk import _Table
from onewindow.ledger.report import EXIT_UNUSABLE
from onewindow.ledger.services import import_ledger
from onewindow.projects.models import Investor, Project, TimelineEntry
from tests.factories import InvestorFactory, ProjectFactory
from tests.ledger.conftest import D, ledger_row


def test_a_write_the_database_refuses_raises_djangos_error_and_keeps_nothing(db):
    taken = InvestorFactory()
    table = _Table(Investor, timezone.now(), with_ids=True)
    table.add_instance(Investor(pk=taken.pk, name="另一家企业", uscc=taken.uscc))
    with pytest.raises(IntegrityError), transaction.atomic():
        table.insert()
    assert list(Investor.objects.values_list("pk", flat=True)) == [taken.pk]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite numbers rows after the largest id in the table, so an id cannot be taken beforehand",
)
def test_an_import_whose_rows_are_refused_while_written_reports_it_and_keeps_nothing(make_ledger, run_import):
    # A timeline entry written with the id the sequence gives next, as a data fix might: the import's
    # first entry is allocated the same id and refused when its batch is written.
    project = ProjectFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('projects_timelineentry', 'id'))")
        next_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('projects_timelineentry', 'id'), %s, false)", [next_id]
        )
    TimelineEntry.objects.create(pk=next_id, project=project, happened_on=D(2012, 1, 1), text="补录")
    report = run_import(make_ledger([ledger_row(1), ledger_row(2)]))
    assert report.exit_code == EXIT_UNUSABLE
    assert "The register changed while the ledger was imported" in report.fatal
    assert list(Project.objects.values_list("pk", flat=True)) == [project.pk]
    assert TimelineEntry.objects.count() == 1


def test_projects_imported_from_an_address_record_it_and_keep_the_audit_chain_intact(make_ledger, people):
    path = make_ledger(
        [
            ledger_row(1, 项目名称='引号"与\\反斜杠\t项目'),
            ledger_row(2, 项目阶段="已开工", 开工时间="2012-06-01"),
        ]
    )
    report = import_ledger(actor=people["leader"], source=path, source_ip="192.0.2.7")
    assert report.created == 2
    entries = AuditEntry.objects.filter(object_type__in=["projects.project", "projects.investor"])
    assert sorted(entries.values_list("object_type", "source_ip")) == [
        ("projects.investor", "192.0.2.7"),
        ("projects.investor", "192.0.2.7"),
        ("projects.project", "192.0.2.7"),
        ("projects.project", "192.0.2.7"),
    ]
    named = entries.get(object_type="projects.project", object_repr__startswith="引号")
    assert named.changes["name"] == [None, '引号"与\\反斜杠 项目']  # the tab became a space
    verified = verification.verify()
    assert verified.intact, verified.detail
    assert verified.count == AuditEntry.objects.count()
