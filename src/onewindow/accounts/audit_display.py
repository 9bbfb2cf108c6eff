"""Audit entries as people read them: each change as field: before → after, in the reader's language,
with choices shown by their label and related records by their name."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from onewindow.core import audit
from onewindow.core.models import AuditEntry


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class DescribedEntry:
    entry: AuditEntry
    record_type: str
    changes: list[Change]


def describe(entries: Iterable[AuditEntry]) -> list[DescribedEntry]:
    """Describe a page of entries; related records are named with one query per related model."""
    entries = list(entries)
    names = _related_names(entries)
    return [
        DescribedEntry(
            entry=entry,
            record_type=_record_type(entry.object_type),
            changes=[_change(entry, name, pair, names) for name, pair in (entry.changes or {}).items()],
        )
        for entry in entries
    ]


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(object_type: str, name: str) -> models.Field | None:
    model = _model(object_type)
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    # A reverse relation (a task's pauses) is no field of the row: its name is shown as written.
    return field if isinstance(field, models.Field) else None


def _record_type(object_type: str) -> str:
    if object_type == audit.SECURITY:
        return _("Security event")
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def _pair(value) -> tuple:
    # Entries store [before, after]; anything else is read as a value set from nothing.
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, value


def _related_names(entries: list[AuditEntry]) -> dict[tuple, str]:
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry in entries:
        for name, pair in (entry.changes or {}).items():
            field = _field(entry.object_type, name)
            if isinstance(field, models.ForeignKey):
                wanted[field.related_model].update(
                    value for value in _pair(pair) if _is_key(field.related_model, value)
                )
    names = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            names[(model, str(obj.pk))] = str(obj)
    return names


def _is_key(model: type[models.Model], value) -> bool:
    """Whether ``value`` can be a primary key of ``model``: a row may name a related record another
    way (an approval task's creation names its item by code), and that is shown as written."""
    if value in (None, "") or isinstance(value, bool | dict | list):
        return False
    try:
        model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return True


def _shown(field: models.Field | None, value, names: dict[tuple, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        # Services add details beside the fields, e.g. a clock pause: {"kind": …, "from": …}.
        return "; ".join(f"{key}: {_shown(None, item, names)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_shown(None, item, names) for item in value)
    if isinstance(field, models.ForeignKey):
        if not _is_key(field.related_model, value):
            return str(value)
        return names.get((field.related_model, str(value)), f"#{value}")
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


def _change(entry: AuditEntry, name: str, pair, names: dict[tuple, str]) -> Change:
    field = _field(entry.object_type, name)
    label = str(field.verbose_name) if field is not None else name
    before, after = _pair(pair)
    return Change(label, _shown(field, before, names), _shown(field, after, names))
