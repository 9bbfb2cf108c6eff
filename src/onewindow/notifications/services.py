"""Every write of notifications: creating them in bulk, reading them, preferences and urging.

``announce_many`` is what the periodic tick calls with every warning it finds (up to ~100,000
notifications at once), so it is set-based: a fixed number of queries per batch, never one per
notification. ``notify_many`` (one person per notification) goes through it: one insert path.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.approvals import task_selectors
from onewindow.approvals.models import ApprovalTask
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.notifications import selectors
from onewindow.notifications.models import Kind, Notification, NotificationPreference, Urge

BATCH_SIZE = 20_000
KEY_MAX, SUBJECT_MAX, URL_MAX = 200, 255, 500
KIND_VALUES = frozenset(Kind.values)


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    kind: str
    key: str
    subject: str
    url: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Announcement:
    """The same notification for each of several users: what the tick finds for one task, problem or
    action item. Stored as one ``NewNotification`` per user (``announce_many``)."""

    user_ids: Collection[int]
    kind: str
    key: str
    subject: str
    url: str = ""
    params: dict = field(default_factory=dict)


# What ``_store`` takes: (user ids, kind, key, subject, url, params). Plain tuples, because
# notify_many makes one per notification (up to ~100,000 a tick) and a dataclass apiece costs more.
_Entry = tuple[Collection[int], str, str, str, str, dict]


def _switched_off(kinds: set[str]) -> set[tuple[int, str]]:
    """(user, kind) pairs where the user wants the kind neither in the app nor by e-mail. Few people
    switch anything off, so this one query stays small whatever the number of notifications."""
    return set(
        NotificationPreference.objects.filter(kind__in=kinds, in_app=False, email=False).values_list(
            "user_id", "kind"
        )
    )


@transaction.atomic
def notify_many(*, notifications: Iterable[NewNotification], at: datetime.datetime) -> int:
    """Store the notifications not stored yet and return how many were new.

    (user, kind, key) is stored once: a repeated tick adds nothing, and of repeats in one call the
    first is kept. Kinds a user switched off entirely are skipped. Every new row gets
    ``created_at = at``. Not audited row by row: notifications are derived from audited facts (a
    task's dates, an urge) and a tick may make a hundred thousand. Each notification is stored as an
    announcement to one person, by the same insert as ``announce_many``.
    """
    if at.tzinfo is None:
        raise ValueError("notify_many needs an aware datetime")
    unique: dict[tuple[int, str, str], _Entry] = {}
    for note in notifications:
        unique.setdefault(
            (note.user_id, note.kind, note.key[:KEY_MAX]),
            ((note.user_id,), note.kind, note.key, note.subject, note.url, note.params),
        )
    return _store(list(unique.values()), at=at)


def _fan_out_sql(vendor: str) -> str:
    """One INSERT of many announcements, which arrive as one JSON array parameter of
    ``[[user ids], kind, key, subject, url, params]``: the database makes a row per user, so each
    announcement's text and parameters cross over once rather than once per recipient. Rows already
    stored (the unique user-kind-key) are skipped by the database, and the driver's row count is
    exactly the number of rows added. ``bulk_create`` would cost a statement per ~120 rows on SQLite
    (its limit on parameters); this costs one per ``BATCH_SIZE`` rows on both databases."""
    quote = connection.ops.quote_name
    meta = Notification._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("user", "kind", "key", "subject", "url", "params", "created_at")
    )
    table = quote(meta.db_table)
    if vendor == "postgresql":
        return (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
            "SELECT u.id::bigint, a.v->>1, a.v->>2, a.v->>3, a.v->>4, a.v->5, %(at)s "
            "FROM jsonb_array_elements(%(rows)s::jsonb) AS a(v) "
            "CROSS JOIN LATERAL jsonb_array_elements_text(a.v->0) AS u(id) "
            "ON CONFLICT DO NOTHING"
        )
    if vendor == "sqlite":
        # Each announcement's fields are read out of its JSON once (a materialised CTE) and not again
        # for every person it fans out to; that halves the statement's time.
        materialized = "MATERIALIZED " if connection.Database.sqlite_version_info >= (3, 35) else ""
        return (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
            f"WITH a AS {materialized}(SELECT json_extract(value, '$[0]') AS users, "
            "json_extract(value, '$[1]') AS k, json_extract(value, '$[2]') AS key, "
            "json_extract(value, '$[3]') AS s, json_extract(value, '$[4]') AS url, "
            "json(json_extract(value, '$[5]')) AS p FROM json_each(%(rows)s)) "
            "SELECT u.value, a.k, a.key, a.s, a.url, a.p, %(at)s FROM a, json_each(a.users) AS u WHERE true "
            "ON CONFLICT DO NOTHING"
        )
    raise NotImplementedError(f"notifications cannot be stored on {vendor}")


@transaction.atomic
def announce_many(*, announcements: Iterable[Announcement], at: datetime.datetime) -> int:
    """Store, for each announcement and each of its users, the notification not stored yet, and
    return how many were new: once per (user, kind, key), kinds a user switched off entirely skipped,
    ``created_at = at``, an unknown kind refused before anything is written. One query for the
    preferences and one per ``BATCH_SIZE`` notifications, whatever the number of announcements."""
    if at.tzinfo is None:
        raise ValueError("announce_many needs an aware datetime")
    return _store(
        [(item.user_ids, item.kind, item.key, item.subject, item.url, item.params) for item in announcements],
        at=at,
    )


def _store(entries: list[_Entry], *, at: datetime.datetime) -> int:
    """The one way notifications enter the table, for ``announce_many`` and ``notify_many`` alike."""
    kinds = {entry[1] for entry in entries}
    if not kinds <= KIND_VALUES:
        first = next(entry[1] for entry in entries if entry[1] not in KIND_VALUES)
        raise ValueError(f"unknown notification kind {first!r}")
    if not any(entry[0] for entry in entries):
        return 0
    off = _switched_off(kinds)
    batches: list[list[list]] = [[]]
    size = 0
    for user_ids, kind, key, subject, url, params in entries:
        users = sorted({int(user_id) for user_id in user_ids if (user_id, kind) not in off})
        if not users:
            continue
        if size + len(users) > BATCH_SIZE and batches[-1]:
            batches.append([])
            size = 0
        batches[-1].append([users, kind, key[:KEY_MAX], subject[:SUBJECT_MAX], url[:URL_MAX], params or {}])
        size += len(users)
    sql = _fan_out_sql(connection.vendor)
    created_at = Notification._meta.get_field("created_at").get_db_prep_value(at, connection)
    created = 0
    with connection.cursor() as cursor:
        for batch in batches:
            if batch:
                payload = json.dumps(batch, cls=DjangoJSONEncoder, ensure_ascii=False)
                cursor.execute(sql, {"at": created_at, "rows": payload})
                created += cursor.rowcount
    return created


# -- the reader's side ---------------------------------------------------------------------------


@transaction.atomic
def mark_read(
    *,
    actor: User,
    notification: Notification,
    at: datetime.datetime | None = None,
    source_ip: str | None = None,
) -> Notification:
    """Mark one of the actor's own notifications read (reading it again changes nothing)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = at or timezone.now()
        notification.save(update_fields=["read_at"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=notification,
            changes={"read_at": notification.read_at.isoformat()},
            source_ip=source_ip,
        )
    return notification


@transaction.atomic
def mark_all_read(*, actor: User, at: datetime.datetime | None = None, source_ip: str | None = None) -> int:
    """Mark every unread notification of the actor read; one audit row says how many."""
    at = at or timezone.now()
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=at)
    if count:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=actor,
            changes={"notifications_read": count, "read_at": at.isoformat()},
            source_ip=source_ip,
        )
    return count


@transaction.atomic
def set_preferences(
    *, actor: User, choices: Mapping[str, tuple[bool, bool]], source_ip: str | None = None
) -> list[NotificationPreference]:
    """Save the actor's (in_app, email) choice for each kind given. A kind with both channels on is the
    default and keeps no row."""
    errors = {}
    for kind, channels in choices.items():
        if kind not in KIND_VALUES:
            errors["kind"] = _("Unknown kind of notification: %(kind)s.") % {"kind": kind}
        elif not (
            isinstance(channels, tuple) and len(channels) == 2 and all(isinstance(c, bool) for c in channels)
        ):
            errors[kind] = _("Choose on or off for the app and for e-mail.")
    if errors:
        raise ValidationError(errors)
    existing = {p.kind: p for p in NotificationPreference.objects.select_for_update().filter(user=actor)}
    before = {kind: [p.in_app, p.email] for kind, p in existing.items()}
    after = dict(before)
    for kind, (in_app, email) in choices.items():
        if in_app and email:
            after.pop(kind, None)
        else:
            after[kind] = [in_app, email]
    NotificationPreference.objects.filter(user=actor).exclude(kind__in=list(after)).delete()
    for kind, (in_app, email) in after.items():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"in_app": in_app, "email": email}
        )
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=actor,
            changes={"notification_preferences": changes},
            source_ip=source_ip,
        )
    return list(NotificationPreference.objects.filter(user=actor))


# -- urging (督促) -------------------------------------------------------------------------------

NOTE_MAX = 1000


def _task_clerks(task: ApprovalTask) -> list[int]:
    """The window clerks who handle the task: its department's code, in a department of the project."""
    return list(
        User.objects.filter(role=Role.CLERK, is_active=True, department__code=task.department.code)
        .filter(Q(department=task.department_id) | Q(department__in=task.project.departments.values("pk")))
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def urge_task(
    *,
    actor: User,
    task: ApprovalTask,
    note: str = "",
    at: datetime.datetime | None = None,
    source_ip: str | None = None,
) -> Urge:
    """Urge the department handling an open task (accepted or in correction, not decided): record it,
    audit it and notify the department's window clerks. ``task`` comes from
    ``task_selectors.task_for`` (so outside the actor's scope it was already a 404)."""
    if not selectors.may_urge(actor, task):
        raise PermissionDenied(_("Only the project's agent or centre staff may urge a department."))
    if not task_selectors.visible_tasks(actor).filter(pk=task.pk).exists():
        raise PermissionDenied
    task = (
        ApprovalTask.objects.select_for_update(of=("self",))
        .select_related("department", "project__region", "item")
        .get(pk=task.pk)
    )
    errors: dict[str, str] = {}
    if not selectors.is_urgeable(task):
        errors["task"] = _(
            "Only a task the department has accepted and not yet decided can be urged; it is %(state)s."
        ) % {"state": task.get_state_display()}
    if not isinstance(note, str):
        errors["note"] = _("The note must be text.")
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = _("The note is at most %(max)d characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    if at.tzinfo is None:
        raise ValidationError({"at": _("The time must carry its time zone.")})
    note = note.strip()
    urge = Urge.objects.create(task=task, department=task.department, by=actor, on=at, note=note)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=urge,
        changes={"task": task.pk, "department": task.department.code, "note": note},
        source_ip=source_ip,
        region_path=task.project.region.path,
    )
    notify_many(
        notifications=[
            NewNotification(
                user_id=clerk,
                kind=Kind.URGE,
                key=f"urge:{urge.pk}",
                subject=f"{task.project.name} · {task.item.name}",
                url=reverse("task-detail", args=[task.pk]),
                params={"by": actor.display_name, "department": task.department.name, "note": note},
            )
            for clerk in _task_clerks(task)
        ],
        at=at,
    )
    return urge
