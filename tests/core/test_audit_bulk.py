"""chain_and_create: many audit entries in as few statements as the database allows, still one chain."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.core import audit, verification
from onewindow.core.models import AuditEntry

AT = datetime.datetime(2026, 10, 20, 1, 0, tzinfo=datetime.UTC)


def entries(count: int, actor=None) -> list[AuditEntry]:
    return [
        AuditEntry(
            created_at=AT,
            actor=actor,
            actor_name=actor.username if actor else "",
            action=AuditEntry.Action.TRANSITION,
            object_type="coordination.problem",
            object_id=str(number),
            object_repr=f"难题{number}",
            changes={"level": [1, 2], "due_on": ["2026-10-09", "2026-10-23"], "automatic": True},
            region_path="510600",
        )
        for number in range(count)
    ]


def inserts(captured) -> int:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    return sum(query["sql"].startswith(f"INSERT INTO {table}") for query in captured.captured_queries)


def test_five_hundred_entries_take_one_insert_statement_and_the_chain_verifies(people):
    # Django's own bulk insert would take seven statements on SQLite (999 parameters, 13 columns).
    with CaptureQueriesContext(connection) as captured:
        created = audit.chain_and_create(entries(500, actor=people["agent1"]))
    assert inserts(captured) == 1
    assert AuditEntry.objects.count() == 500
    assert sorted(entry.pk for entry in created) == sorted(AuditEntry.objects.values_list("pk", flat=True))
    stored = AuditEntry.objects.get(pk=created[123].pk)
    assert (stored.sequence, stored.entry_hash, stored.object_repr) == (
        created[123].sequence,
        created[123].entry_hash,
        "难题123",
    )
    assert stored.changes == {"level": [1, 2], "due_on": ["2026-10-09", "2026-10-23"], "automatic": True}
    assert stored.actor == people["agent1"]
    result = verification.verify()
    assert result.intact, result.detail
    assert result.count == 500


def test_a_batch_size_caps_the_rows_per_statement(people):
    with CaptureQueriesContext(connection) as captured:
        audit.chain_and_create(entries(25), batch_size=10)
    assert inserts(captured) == 3
    assert list(AuditEntry.objects.order_by("sequence").values_list("object_id", flat=True)) == [
        str(number) for number in range(25)
    ]
    assert verification.verify().intact


def test_the_statements_follow_the_parameter_limit_not_a_fixed_row_count(people):
    def statements(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            audit.chain_and_create(entries(count))
        return inserts(captured)

    fields = len([field for field in AuditEntry._meta.concrete_fields if not field.primary_key])
    per_statement = audit._parameter_limit(connection) // fields
    assert statements(per_statement) == 1
    assert statements(per_statement + 1) == 2
    assert verification.verify().intact
