"""Writing audit entries. Called by service functions inside their transaction.

Every entry is appended to the hash chain (``onewindow.core.chain``): the chain's head row is locked,
the entry numbered and hashed, and the head moved on, all in the caller's transaction. Entries are
written only here: ``record`` for a change to a record, ``record_security`` (and ``record_export``) for
a security event, ``chain_and_create`` for unsaved entries in bulk, ``chain_rows`` for the ledger's raw
rows; ``prune`` cuts the oldest off.
"""

import datetime
import decimal
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from onewindow.core import chain
from onewindow.core.chain import GENESIS_HASH
from onewindow.core.models import AuditChainHead, AuditEntry

# The cybersecurity law (网络安全法 §21) asks for network logs to be kept at least six months.
MINIMUM_RETENTION_DAYS = 180
SECURITY = "security"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe copy of the named fields; foreign keys are recorded by their id."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = field.attname if isinstance(field, models.ForeignKey) else name
        values[name] = _plain(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [before, after]}``."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


_SOURCE_IP = AuditEntry._meta.get_field("source_ip")


def _reserve(count: int) -> tuple[int, str]:
    """Lock the chain's head and take ``count`` sequence numbers: (the first of them, the hash the first
    entry follows). An ``UPDATE`` rather than a read: it locks the row on PostgreSQL and takes SQLite's
    write lock at once (a read first could not be upgraded if another writer came in between)."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    head, entries = quote(AuditChainHead._meta.db_table), quote(AuditEntry._meta.db_table)
    with db.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {head} SET sequence = sequence + %s WHERE id = 1 RETURNING sequence, entry_hash",  # noqa: S608 (names from the models)
                [count],
            )
            row = cursor.fetchone()
            if row is not None:
                last, prev_hash = row
                return last - count + 1, prev_hash
            # A fresh (or flushed) database has no head yet: start one, but only for an empty log (a log
            # whose head was deleted must not start a second chain). Concurrent starters wait for the
            # first one's row and then use it.
            cursor.execute(
                f"INSERT INTO {head} (id, sequence, entry_hash, first_sequence, first_prev_hash) "  # noqa: S608
                f"SELECT 1, 0, %s, 1, %s WHERE NOT EXISTS (SELECT 1 FROM {entries}) ON CONFLICT DO NOTHING",
                [GENESIS_HASH, GENESIS_HASH],
            )
    raise RuntimeError("The audit chain's head row is missing; run `onewindow audit verify`.")


def _move_head(entry_hash: str) -> None:
    AuditChainHead.objects.filter(pk=1).update(entry_hash=entry_hash)


def _json_safe(changes: Mapping[str, Any] | None) -> Any:
    # What the database gives back, so the hash computed now is the one a verifier computes later.
    return json.loads(json.dumps(dict(changes or {})))


@transaction.atomic(savepoint=False)
def _append(
    *,
    actor,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Mapping[str, Any] | None,
    source_ip: str | None,
    region_path: str,
) -> AuditEntry:
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor_name[:150],
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        changes=_json_safe(changes),
        source_ip=_SOURCE_IP.get_prep_value(source_ip or None),
        region_path=region_path,
    )
    entry.sequence, entry.prev_hash = _reserve(1)
    entry.entry_hash = _hash_of(entry)
    entry.save(force_insert=True)
    _move_head(entry.entry_hash)
    return entry


def _hash_of(entry: AuditEntry) -> str:
    return chain.entry_hash(
        sequence=entry.sequence,
        prev_hash=entry.prev_hash,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        changes=entry.changes,
        source_ip=entry.source_ip,
        region_path=entry.region_path,
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    source_ip: str | None = None,
    region_path: str = "",
) -> AuditEntry:
    """Append one entry about ``obj`` to the chain, in the caller's transaction."""
    return _append(
        actor=actor,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        changes=changes,
        source_ip=source_ip,
        region_path=region_path,
    )


@transaction.atomic
def record_security(
    *,
    action: str,
    actor=None,
    actor_name: str | None = None,
    subject: str = "",
    changes: Mapping[str, Any] | None = None,
    source_ip: str | None = None,
    region_path: str | None = None,
) -> AuditEntry:
    """A security event about no one record (a failed login, a refusal, an export): object type
    ``security``. ``actor_name`` defaults to the actor's username (a failed login names the username
    tried), ``region_path`` to the actor's home region, so a county leader sees their people's events."""
    if action not in AuditEntry.Action.values:
        raise ValidationError({"action": _("Unknown audit action %(action)s.") % {"action": action}})
    signed_in = actor is not None and actor.is_authenticated
    if actor_name is None:
        actor_name = actor.username if signed_in else ""
    if region_path is None:
        region = getattr(actor, "region", None) if signed_in else None
        region_path = region.path if region is not None else ""
    return _append(
        actor=actor,
        actor_name=_printable(actor_name),
        action=action,
        object_type=SECURITY,
        object_id="",
        object_repr=_printable(subject),
        changes=_printable(dict(changes or {})),
        source_ip=source_ip,
        region_path=region_path,
    )


def _printable(value: Any) -> Any:
    """Text from outside (a username tried, a path asked for) without NUL characters, which PostgreSQL
    refuses in text and JSON: a refusal must never turn into a server error while it is recorded."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_printable(str(key)): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def record_export(
    *, actor, what: str, filters: Mapping[str, Any], rows: int | None = None, source_ip: str | None = None
) -> AuditEntry:
    """A staff export of data (the register as CSV or as a ledger): who took what, with which filters."""
    details: dict[str, Any] = {"filters": [None, {k: v for k, v in filters.items() if v not in ("", None)}]}
    if rows is not None:
        details["rows"] = [None, rows]
    return record_security(
        action=AuditEntry.Action.EXPORT, actor=actor, subject=what, changes=details, source_ip=source_ip
    )


# -- the ledger's bulk rows ---------------------------------------------------------------------------


def _as_datetime(value, db) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, db.timezone)
    parsed = parse_datetime(str(value))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, db.timezone)


def _as_json(value) -> Any:
    if value.__class__ is chain.CanonicalJson:
        return value
    if isinstance(value, str | bytes):
        return json.loads(value)
    # psycopg's Jsonb wrapper keeps the Python object it will send.
    return _json_safe(getattr(value, "obj", value))


def chain_rows(rows: Sequence[list], positions: Mapping[str, int]) -> None:
    """Number and hash audit rows that are about to be inserted in bulk, in the caller's transaction.

    ``rows`` hold every column of ``AuditEntry`` (primary key aside) as the database driver takes it,
    at the index ``positions`` gives for each attribute name (``actor_id``); their ``sequence``,
    ``prev_hash`` and ``entry_hash`` are filled here and the head moves past them, so the caller must
    insert all of them before its transaction commits. The hash is computed from the values as the
    database will give them back (the time and the changes are decoded from the driver's form).
    """
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    sequence, prev_hash = _reserve(len(rows))
    (
        sequence_at,
        prev_at,
        hash_at,
        time_at,
        actor_at,
        name_at,
        action_at,
        type_at,
        id_at,
        repr_at,
        changes_at,
        address_at,
        path_at,
    ) = (positions[name] for name in chain.COLUMNS[1:])
    times: dict[Any, datetime.datetime] = {}
    addresses: dict[Any, Any] = {}
    hash_of = chain.entry_hash
    for row in rows:
        stamp = row[time_at]
        created_at = times.get(stamp)
        if created_at is None:
            created_at = times[stamp] = _as_datetime(stamp, db)
        address = row[address_at]
        if address not in addresses:
            addresses[address] = _SOURCE_IP.get_prep_value(address or None)
        row[address_at] = address = addresses[address]
        row[sequence_at] = sequence
        row[prev_at] = prev_hash
        prev_hash = row[hash_at] = hash_of(
            sequence=sequence,
            prev_hash=prev_hash,
            created_at=created_at,
            actor_id=row[actor_at],
            actor_name=row[name_at],
            action=row[action_at],
            object_type=row[type_at],
            object_id=row[id_at],
            object_repr=row[repr_at],
            changes=_as_json(row[changes_at]),
            source_ip=address,
            region_path=row[path_at],
        )
        sequence += 1
    _move_head(prev_hash)


def _parameter_limit(db) -> int:
    """How many parameters one statement may carry: SQLite's own limit (Django assumes the old default
    of 999, which would cut a bulk insert of audit rows into statements of 76 rows)."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        if hasattr(db.connection, "getlimit"):
            return db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return db.features.max_query_params
    return db.features.max_query_params or 65535


def _insert_entries(entries: Sequence[AuditEntry], batch_size: int | None) -> None:
    """Multi-row ``INSERT … RETURNING id`` of the entries, as many rows per statement as the database's
    limit on parameters allows (``batch_size`` caps it), setting each entry's primary key."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    # Text and whole numbers go to the driver as they are; the time, the changes and the address are
    # adapted by their fields, as Django's own insert would.
    prepared = [
        field.attname
        if isinstance(field, models.CharField | models.IntegerField | models.ForeignKey)
        else field
        for field in fields
    ]
    per_statement = max(1, _parameter_limit(db) // len(fields))
    if batch_size:
        per_statement = min(per_statement, batch_size)
    quote = db.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table, pk = quote(AuditEntry._meta.db_table), quote(AuditEntry._meta.pk.column)
    by_sequence = {entry.sequence: entry for entry in entries}
    with db.cursor() as cursor:
        for start in range(0, len(entries), per_statement):
            batch = entries[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(batch))} "  # noqa: S608 (names from the model)
                f"RETURNING {pk}, {quote(AuditEntry._meta.get_field('sequence').column)}",
                [
                    getattr(entry, field)
                    if isinstance(field, str)
                    else field.get_db_prep_save(getattr(entry, field.attname), db)
                    for entry in batch
                    for field in prepared
                ],
            )
            # Matched by sequence number: SQLite does not promise to return the rows in their order.
            for new_id, sequence in cursor.fetchall():
                entry = by_sequence[sequence]
                entry.pk = new_id
                entry._state.adding = False
                entry._state.db = db.alias


def chain_and_create(entries: Sequence[AuditEntry], *, batch_size: int | None = None) -> list[AuditEntry]:
    """Number, hash and insert unsaved entries (their ``created_at`` set, else now), in as few
    statements as the database allows (``batch_size``, if given, caps the rows per statement)."""
    if not entries:
        return []
    entries = list(entries)
    sequence, prev_hash = _reserve(len(entries))
    now = timezone.now()
    for entry in entries:
        entry.created_at = entry.created_at or now
        entry.changes = _json_safe(entry.changes)
        entry.source_ip = _SOURCE_IP.get_prep_value(entry.source_ip or None)
        entry.object_repr = entry.object_repr[:255]
        entry.sequence, entry.prev_hash = sequence, prev_hash
        prev_hash = entry.entry_hash = _hash_of(entry)
        sequence += 1
    if connections[DEFAULT_DB_ALIAS].features.can_return_rows_from_bulk_insert:
        _insert_entries(entries, batch_size)
        created = entries
    else:
        created = AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    _move_head(prev_hash)
    return created


# -- retention ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneResult:
    cutoff: datetime.datetime
    deleted: int
    anchor_sequence: int
    entry: AuditEntry | None


def retention_days() -> int:
    days = getattr(settings, "ONEWINDOW_AUDIT_RETENTION_DAYS", 365)
    if days < MINIMUM_RETENTION_DAYS:
        raise ValidationError(
            {
                "AUDIT_RETENTION_DAYS": _("Audit entries are kept at least %(days)d days, not %(given)d.")
                % {"days": MINIMUM_RETENTION_DAYS, "given": days}
            }
        )
    return days


@transaction.atomic
def prune(*, now: datetime.datetime | None = None, dry_run: bool = False) -> PruneResult:
    """Delete the entries older than the retention (``AUDIT_RETENTION_DAYS``) and record that it did.

    Only a prefix of the chain goes, up to the first entry that is still within the retention, so
    nothing younger is ever deleted and what remains is still one unbroken chain. Its first entry
    becomes the chain's anchor (its sequence and previous hash), kept on the head and in the prune's
    own entry, from which ``verify`` starts."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    # Appending waits behind this lock until the prune commits.
    AuditChainHead.objects.filter(pk=1).update(sequence=models.F("sequence"))
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        _reserve(0)
        head = AuditChainHead.objects.get(pk=1)
    kept = (
        AuditEntry.objects.filter(created_at__gte=cutoff)
        .order_by("sequence")
        .values_list("sequence", "prev_hash")
        .first()
    )
    if kept is None:
        # Everything is older: the prune's own entry, next in the chain, becomes the anchor.
        kept = (head.sequence + 1, head.entry_hash)
    doomed = AuditEntry.objects.filter(sequence__lt=kept[0])
    if dry_run:
        return PruneResult(cutoff=cutoff, deleted=doomed.count(), anchor_sequence=kept[0], entry=None)
    deleted, _by_model = doomed.delete()
    before = (head.first_sequence, head.first_prev_hash)
    AuditChainHead.objects.filter(pk=1).update(first_sequence=kept[0], first_prev_hash=kept[1])
    entry = _append(
        actor=None,
        actor_name="",
        action=AuditEntry.Action.PRUNE,
        object_type=AuditChainHead._meta.label_lower,
        object_id="1",
        object_repr=_("Audit entries before %(date)s") % {"date": f"{timezone.localtime(cutoff):%Y-%m-%d}"},
        changes={
            "cutoff": [None, cutoff.isoformat()],
            "deleted": [None, deleted],
            "retention_days": [None, retention_days()],
            "anchor_sequence": [before[0], kept[0]],
            "anchor_prev_hash": [before[1], kept[1]],
        },
        source_ip=None,
        region_path="",
    )
    return PruneResult(cutoff=cutoff, deleted=deleted, anchor_sequence=kept[0], entry=entry)
