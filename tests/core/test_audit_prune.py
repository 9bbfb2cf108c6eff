"""Retention: ``onewindow audit prune`` removes only entries older than AUDIT_RETENTION_DAYS (at least
180), records that it did, and leaves a chain that still verifies from its new anchor."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from onewindow.core import audit, verification
from onewindow.core.models import AuditChainHead, AuditEntry
from tests.core.test_config import run_cli

NOW = timezone.now()


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def append(*ages: int) -> list[AuditEntry]:
    """One entry per age (days before NOW), in this order."""
    return audit.chain_and_create(
        [
            AuditEntry(
                created_at=days_ago(age),
                actor_name="agent1",
                action=AuditEntry.Action.UPDATE,
                object_type="projects.project",
                object_id=str(number),
                object_repr=f"项目{number}",
                changes={"name": [None, f"项目{number}"]},
            )
            for number, age in enumerate(ages)
        ]
    )


@pytest.fixture
def aged(db):
    """Ten entries from 400 days ago, five from 200, five from 10."""
    return append(*[400] * 10, *[200] * 5, *[10] * 5)


def test_prune_deletes_only_what_is_older_than_the_retention_and_records_it(aged):
    result = audit.prune(now=NOW)
    assert result.deleted == 10
    remaining = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in remaining] == list(range(11, 22))
    assert all(entry.created_at >= days_ago(365) for entry in remaining)
    prune = remaining[-1]
    assert prune.action == "prune"
    assert prune.changes["deleted"] == [None, 10]
    assert prune.changes["retention_days"] == [None, 365]
    assert prune.changes["cutoff"] == [None, days_ago(365).isoformat()]
    assert prune.changes["anchor_sequence"] == [1, 11]
    verified = verification.verify()
    assert verified.intact, verified.detail
    assert (verified.count, verified.first_sequence) == (11, 11)


def test_a_shorter_retention_of_at_least_180_days_prunes_more(aged, settings):
    settings.ONEWINDOW_AUDIT_RETENTION_DAYS = 180
    assert audit.prune(now=NOW).deleted == 15
    assert verification.verify().intact


def test_prune_keeps_a_young_entry_and_everything_after_it_even_if_older_entries_follow(db):
    # Times are not strictly ordered by sequence (entries are stamped before they queue for the chain):
    # the prune cuts the chain's prefix only, up to the first entry still within the retention.
    append(400, 400, 100, 400, 10)
    assert audit.prune(now=NOW).deleted == 2
    assert AuditEntry.objects.filter(created_at__lt=days_ago(365)).count() == 1
    assert verification.verify().intact


def test_a_dry_run_deletes_and_records_nothing(aged):
    out = io.StringIO()
    call_command("audit", "prune", "--dry-run", "--json", stdout=out)
    reported = json.loads(out.getvalue())
    assert (reported["dry_run"], reported["deleted"], reported["entry_sequence"]) == (True, 10, None)
    assert AuditEntry.objects.count() == 20
    assert not AuditEntry.objects.filter(action="prune").exists()


def test_the_prune_command_reports_what_it_deleted(aged):
    out = io.StringIO()
    call_command("audit", "prune", stdout=out)
    assert "10" in out.getvalue()
    assert AuditEntry.objects.filter(action="prune").count() == 1


def test_repeated_prunes_keep_the_chain_verifiable(aged):
    audit.prune(now=NOW)
    assert audit.prune(now=NOW).deleted == 0
    # A year later, everything so far is old, the first prunes' own entries too.
    later = audit.prune(now=NOW + datetime.timedelta(days=400))
    assert later.deleted == 12
    assert AuditEntry.objects.count() == 1
    verified = verification.verify()
    assert verified.intact, verified.detail
    assert verified.count == 1
    # And appending after a prune continues the same chain.
    audit.record_security(action="login_failed", actor_name="ghost")
    assert verification.verify().count == 2


def test_deleting_the_oldest_kept_entry_after_a_prune_is_caught(aged):
    audit.prune(now=NOW)
    first = AuditEntry.objects.order_by("sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [first.pk])  # noqa: S608
    result = verification.verify()
    assert (result.problem, result.sequence) == ("deleted", first.sequence)


def test_moving_the_anchor_to_hide_deleted_entries_is_caught(aged):
    audit.prune(now=NOW)
    doomed = list(AuditEntry.objects.order_by("sequence")[:3])
    AuditEntry.objects.filter(pk__in=[entry.pk for entry in doomed]).delete()
    kept = AuditEntry.objects.order_by("sequence").first()
    AuditChainHead.objects.update(first_sequence=kept.sequence, first_prev_hash=kept.prev_hash)
    result = verification.verify()
    assert not result.intact
    assert result.problem == "anchor"


def test_a_chain_that_starts_late_without_a_prune_is_caught(aged):
    AuditEntry.objects.filter(sequence__lte=3).delete()
    kept = AuditEntry.objects.order_by("sequence").first()
    AuditChainHead.objects.update(first_sequence=kept.sequence, first_prev_hash=kept.prev_hash)
    assert verification.verify().problem == "anchor"


def test_prune_refuses_a_retention_below_180_days_and_deletes_nothing(aged, settings):
    settings.ONEWINDOW_AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ValidationError) as refused:
        audit.prune(now=NOW)
    assert "AUDIT_RETENTION_DAYS" in refused.value.message_dict
    with pytest.raises(CommandError, match="180"):
        call_command("audit", "prune", stdout=io.StringIO())
    assert AuditEntry.objects.count() == 20


@pytest.mark.parametrize("value", ["90", "179", "half a year"])
def test_a_retention_below_180_days_stops_start_up_naming_the_setting(tmp_path, value):
    result = run_cli("check", env_overrides={"DEBUG": "1", "AUDIT_RETENTION_DAYS": value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "AUDIT_RETENTION_DAYS" in result.stderr


def test_an_unknown_security_action_is_refused_naming_the_field_and_writes_nothing(db):
    with pytest.raises(ValidationError) as refused:
        audit.record_security(action="teleport", actor_name="ghost")
    assert "action" in refused.value.message_dict
    assert not AuditEntry.objects.exists()
    assert not AuditChainHead.objects.filter(sequence__gt=0).exists()
