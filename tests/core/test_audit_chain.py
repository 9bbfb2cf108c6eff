"""The audit log's hash chain: appends, verification, and tampering done directly in the database."""

import datetime
import hashlib
import io
import itertools
import json
import threading
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.core import audit, chain, verification
from onewindow.core.chain import GENESIS_HASH
from onewindow.core.models import AuditChainHead, AuditEntry
from onewindow.projects import services

D = datetime.date
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def trail(people, world):
    """Eight entries through the services and ``record``: stage changes, notes, a login-like entry."""
    agent = people["agent1"]
    services.change_stage(
        actor=agent, project=world["city"], target="approved", on=D(2012, 6, 1), expected_version=1
    )
    for day in range(2, 5):
        services.add_timeline_note(
            actor=agent, project=world["city"], text=f"跟踪{day}", happened_on=D(2012, 6, day), is_public=True
        )
    audit.record(
        actor=people["leader"],
        action=AuditEntry.Action.UPDATE,
        obj=world["guanghan"],
        changes={
            "name": ["旧名", "新名"],
            "amount": [None, "12.50"],
            "nested": [None, {"b": 1, "a": [1, 2]}],
        },
        source_ip="2001:db8::1",
        region_path=world["guanghan"].region.path,
    )
    return list(AuditEntry.objects.order_by("sequence"))


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        statement = statement.replace("{table}", connection.ops.quote_name(TABLE))
        statement = statement.replace("{head}", connection.ops.quote_name(AuditChainHead._meta.db_table))
        cursor.execute(statement, params)


def verify_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        # The command speaks the site's language (Chinese); these tests read its English messages.
        with translation.override("en"):
            call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_entries_are_numbered_without_gaps_and_linked_to_the_one_before(trail):
    assert [entry.sequence for entry in trail] == list(range(1, len(trail) + 1))
    assert trail[0].prev_hash == GENESIS_HASH
    for before, entry in itertools.pairwise(trail):
        assert entry.prev_hash == before.entry_hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (trail[-1].sequence, trail[-1].entry_hash)


def test_an_intact_chain_verifies_with_its_count(trail):
    result = verification.verify()
    assert result.intact
    assert result.count == len(trail)
    code, out, _err = verify_command()
    assert code == 0
    assert f"intact: {len(trail)} entries (#1 to #{len(trail)})" in out


def test_the_hash_is_the_documented_canonical_json(trail):
    entry = trail[-1]
    document = {
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "changes": entry.changes,
        "created_at": entry.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "object_type": entry.object_type,
        "prev_hash": entry.prev_hash,
        "region_path": entry.region_path,
        "sequence": entry.sequence,
        "source_ip": entry.source_ip,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == entry.entry_hash


@pytest.mark.parametrize(
    ("text", "actor_id", "source_ip", "changes"),
    [
        ('德阳 "引号" \\ 反斜杠', 7, "192.0.2.1", {"b": [None, 1.5], "a": [True, {"z": [], "y": "ü"}]}),
        ("tab\tnew\nline \u2028 😀", None, None, {}),
        ("", 10**15, "2001:db8::1", {"amount": ["12.50", "1,250.00"], "n": [None, -3]}),
    ],
)
def test_the_fast_hash_is_the_canonical_json_of_the_documented_object(text, actor_id, source_ip, changes):
    fields = {
        "sequence": 42,
        "prev_hash": "b" * 64,
        "created_at": datetime.datetime(2012, 8, 27, 9, 30, 0, 7, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        "actor_id": actor_id,
        "actor_name": text,
        "action": "update",
        "object_type": "projects.project",
        "object_id": text,
        "object_repr": text,
        "changes": changes,
        "source_ip": source_ip,
        "region_path": text,
    }
    document = chain.document(**fields)
    assert document["created_at"] == "2012-08-27T01:30:00.000007Z"
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert chain.entry_hash(**fields) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_an_updated_row_is_caught_at_its_sequence(trail):
    target = trail[3]
    sql("UPDATE {table} SET changes = %s WHERE id = %s", ['{"text": [null, "改过的"]}', target.pk])
    result = verification.verify()
    assert not result.intact
    assert (result.problem, result.sequence, result.entry_id) == ("changed", target.sequence, target.pk)
    assert result.count == target.sequence - 1
    code, _out, err = verify_command()
    assert code == 1
    assert f"#{target.sequence}" in err


def test_a_changed_time_is_caught(trail):
    target = trail[1]
    sql(
        "UPDATE {table} SET created_at = %s WHERE id = %s",
        [connection.ops.adapt_datetimefield_value(target.created_at - datetime.timedelta(days=1)), target.pk],
    )
    result = verification.verify()
    assert (result.problem, result.sequence) == ("changed", target.sequence)


def test_a_deleted_middle_row_is_caught_at_its_sequence(trail):
    target = trail[4]
    sql("DELETE FROM {table} WHERE id = %s", [target.pk])
    result = verification.verify()
    assert not result.intact
    assert (result.problem, result.sequence) == ("deleted", target.sequence)
    code, out, _err = verify_command("--json")
    assert code == 1
    reported = json.loads(out)
    assert reported["intact"] is False
    assert reported["sequence"] == target.sequence
    assert reported["problem"] == "deleted"


def test_a_deleted_middle_row_with_renumbered_successors_is_caught(trail):
    target = trail[4]
    sql("DELETE FROM {table} WHERE id = %s", [target.pk])
    for entry in trail[5:]:
        sql("UPDATE {table} SET sequence = %s WHERE id = %s", [entry.sequence - 1, entry.pk])
    sql("UPDATE {head} SET sequence = sequence - 1")
    result = verification.verify()
    assert (result.problem, result.sequence) == ("changed", target.sequence)


def test_a_deleted_newest_row_is_caught_by_the_head(trail):
    newest = trail[-1]
    sql("DELETE FROM {table} WHERE id = %s", [newest.pk])
    result = verification.verify()
    assert not result.intact
    assert (result.problem, result.sequence) == ("head", newest.sequence)
    code, _out, err = verify_command()
    assert code == 1
    assert f"broken at #{newest.sequence}" in err
    assert "newest entries were deleted" in err


def test_deleted_oldest_rows_are_caught(trail):
    sql("DELETE FROM {table} WHERE sequence <= 2")
    result = verification.verify()
    assert (result.problem, result.sequence) == ("deleted", 1)


def _insert(values: dict) -> None:
    columns = ", ".join(connection.ops.quote_name(name) for name in values)
    placeholders = ", ".join(["%s"] * len(values))
    sql(f"INSERT INTO {{table}} ({columns}) VALUES ({placeholders})", list(values.values()))  # noqa: S608


def _forged(sequence: int, prev_hash: str, *, entry_hash: str | None = None) -> dict:
    created_at = timezone.now()
    content = {
        "actor_id": None,
        "actor_name": "intruder",
        "action": "delete",
        "object_type": "projects.project",
        "object_id": "1",
        "object_repr": "伪造",
        "changes": {},
        "source_ip": None,
        "region_path": "",
    }
    computed = chain.entry_hash(sequence=sequence, prev_hash=prev_hash, created_at=created_at, **content)
    return {
        **content,
        "changes": "{}",
        "created_at": connection.ops.adapt_datetimefield_value(created_at),
        "sequence": sequence,
        "prev_hash": prev_hash,
        "entry_hash": entry_hash or computed,
    }


def test_an_inserted_row_with_a_made_up_hash_is_caught(trail):
    newest = trail[-1]
    _insert(_forged(newest.sequence + 1, newest.entry_hash, entry_hash="f" * 64))
    result = verification.verify()
    assert (result.problem, result.sequence) == ("changed", newest.sequence + 1)


def test_an_inserted_row_with_a_correct_hash_is_caught_by_the_head(trail):
    newest = trail[-1]
    _insert(_forged(newest.sequence + 1, newest.entry_hash))
    result = verification.verify()
    assert (result.problem, result.sequence) == ("head", newest.sequence + 1)


def test_a_row_inserted_in_the_middle_is_caught(trail):
    # Make room after entry 3 by moving the later ones up (from the top, for the unique sequence).
    for entry in reversed(trail[3:]):
        sql("UPDATE {table} SET sequence = %s WHERE id = %s", [entry.sequence + 1, entry.pk])
    _insert(_forged(4, trail[2].entry_hash))
    sql("UPDATE {head} SET sequence = sequence + 1")
    result = verification.verify()
    # The forged row itself links correctly; the entry it pushed along no longer matches its hash.
    assert (result.problem, result.sequence) == ("changed", 5)


def test_a_row_whose_previous_hash_was_rewritten_with_a_matching_hash_is_caught_by_its_link(trail):
    target = trail[2]
    forged_prev = "a" * 64
    forged_hash = chain.entry_hash(
        sequence=target.sequence,
        prev_hash=forged_prev,
        created_at=target.created_at,
        actor_id=target.actor_id,
        actor_name=target.actor_name,
        action=target.action,
        object_type=target.object_type,
        object_id=target.object_id,
        object_repr=target.object_repr,
        changes=target.changes,
        source_ip=target.source_ip,
        region_path=target.region_path,
    )
    sql(
        "UPDATE {table} SET prev_hash = %s, entry_hash = %s WHERE id = %s",
        [forged_prev, forged_hash, target.pk],
    )
    result = verification.verify()
    assert (result.problem, result.sequence) == ("link", target.sequence)


def test_bulk_and_single_appends_interleaved_verify(trail, people, world):
    agent = people["agent2"]
    audit.chain_and_create(
        [
            AuditEntry(
                actor=agent,
                actor_name=agent.username,
                action=AuditEntry.Action.CREATE,
                object_type="projects.project",
                object_id=str(number),
                object_repr=f"批量{number}",
                changes={"name": [None, f"批量{number}"], "amount": [None, "1.00"]},
            )
            for number in range(30)
        ]
    )
    audit.record(actor=agent, action=AuditEntry.Action.UPDATE, obj=world["mianzhu"], changes={"x": [1, 2]})
    audit.chain_and_create(
        [
            AuditEntry(actor_name="", action="create", object_type="security", object_id="", object_repr="x")
            for _ in range(5)
        ]
    )
    result = verification.verify(batch=7)
    assert result.intact, result.detail
    assert result.count == len(trail) + 36
    assert AuditEntry.objects.order_by("-sequence").first().sequence == len(trail) + 36


def test_verify_reads_in_batches_and_still_finds_a_change_late_in_the_chain(trail):
    target = trail[-2]
    sql("UPDATE {table} SET actor_name = %s WHERE id = %s", ["someone", target.pk])
    for batch in (1, 3, 100):
        assert verification.verify(batch=batch).sequence == target.sequence


def test_an_empty_chain_is_intact(db):
    result = verification.verify()
    assert result.intact
    assert result.count == 0


def test_a_missing_head_is_reported(trail):
    AuditChainHead.objects.all().delete()
    result = verification.verify()
    assert result.problem == "head-missing"
    with pytest.raises(RuntimeError, match="head row is missing"):
        audit.record(actor=None, action="update", obj=trail[0])


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain(people, world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time in; the head's row lock matters on PostgreSQL")
    # No head yet either (a fresh database): the four also race to start the chain.
    AuditChainHead.objects.all().delete()
    barrier = threading.Barrier(4)
    failures = []

    def append(name: str) -> None:
        try:
            barrier.wait()
            for number in range(15):
                with transaction.atomic():
                    audit.record(
                        actor=None,
                        action="update",
                        obj=world["city"],
                        changes={"who": [None, f"{name}{number}"]},
                    )
        except Exception as error:  # reported to the test thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    result = verification.verify()
    assert result.intact, result.detail
    assert result.count == 60


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_entries_written_before_the_chain_in_id_order(people):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("core")
    executor.migrate([("core", "0001_audit_log")])
    old = MigrationExecutor(connection).loader.project_state([("core", "0001_audit_log")]).apps
    OldEntry = old.get_model("core", "AuditEntry")
    for number in range(7):
        OldEntry.objects.create(
            actor_id=people["agent1"].pk,
            actor_name="agent1",
            action="update",
            object_type="projects.project",
            object_id=str(number),
            object_repr=f"旧项目{number}",
            changes={"name": [f"旧{number}", f"新{number}"]},
            source_ip="192.0.2.1",
            region_path="510600/",
        )
    MigrationExecutor(connection).migrate(latest)
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.object_id for entry in entries] == [str(number) for number in range(7)]
    result = verification.verify()
    assert result.intact, result.detail
    assert result.count == 7
    audit.record(actor=people["agent1"], action="update", obj=people["agent1"])
    assert verification.verify().count == 8


def test_a_ledger_import_written_in_bulk_between_single_appends_verifies(trail, people, tmp_path):
    from benchmarks.ledger_benchmark import messy_ledger, write_xlsx

    from onewindow.ledger.services import import_ledger

    rows, merges = messy_ledger(40, seed=3)
    path = tmp_path / "ledger.xlsx"
    write_xlsx(path, rows, merges)
    before = AuditEntry.objects.count()
    report = import_ledger(actor=people["leader"], source=path)
    assert report.exit_code == 0
    audit.record_security(action="export", actor=people["leader"], subject="register.csv")
    written = AuditEntry.objects.count() - before
    assert written > 40
    result = verification.verify(batch=50)
    assert result.intact, result.detail
    assert result.count == before + written


_plain_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=("Cs",)), max_size=6), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_plain_json)
def test_the_fast_encoding_of_field_values_is_the_canonical_json(value):
    assert chain.canonical_json_of_fields(value) == chain.canonical_json(value)


def test_the_fast_encoding_refuses_what_the_canonical_json_refuses():
    for value in ({"on": datetime.date(2012, 8, 27)}, {"at": datetime.datetime(2012, 8, 27, 9, 30)}):
        with pytest.raises(TypeError):
            chain.canonical_json_of_fields(value)
