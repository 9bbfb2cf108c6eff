"""``onewindow statistics check`` finds summaries written around, ``rebuild`` mends them and says so in
the audit log."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project

D = datetime.date


def _run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("statistics", *args, stdout=out)
    return out.getvalue()


def test_check_agrees_when_every_write_went_through_the_services(world):
    assert "agree" in _run("check")


def test_check_names_the_summary_written_around_and_rebuild_mends_it(world):
    # A queryset update sends no signals: the project tallies no longer match the register.
    Project.objects.filter(pk=world["city"].pk).update(started_on=D(2012, 9, 1), stage="started")
    with pytest.raises(CommandError) as refused:
        _run("check")
    assert refused.value.returncode == 1
    before = AuditEntry.objects.count()
    output = _run("rebuild")
    assert "Rebuilt" in output
    assert "agree" in _run("check")
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.changes["rebuilt"]["projects"] >= 1
