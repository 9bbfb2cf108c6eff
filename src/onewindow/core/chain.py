"""The audit log's hash chain format: how an entry's hash is computed (no database here, so that the
migration that chains existing rows and an outside verifier use exactly this).

The format is documented in ``docs/audit.md`` so that an auditor can re-compute every hash with their
own tools: the SHA-256 (lower-case hex) of the UTF-8 bytes of one JSON object holding the entry's
content, its sequence number and the previous entry's hash, serialised canonically (keys sorted, no
white space, non-ASCII characters as themselves). The time is UTC with microseconds, so the same row
hashes the same on SQLite and PostgreSQL.
"""

import datetime
import functools
import hashlib
import json
from typing import Any

import orjson

# The ``prev_hash`` of the very first entry: nothing came before it.
GENESIS_HASH = "0" * 64
# The columns a verifier reads, in this order.
COLUMNS = (
    "id",
    "sequence",
    "prev_hash",
    "entry_hash",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "source_ip",
    "region_path",
)
# One encoder for every hash: ``json.dumps`` with these options would build a new one each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# A JSON string as the canonical encoder writes it (non-ASCII kept), in C where available.
_string = json.encoder.encode_basestring


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


# orjson writes the canonical form with these options; the two below make it refuse dates and
# dataclasses, which it would otherwise write where ``canonical_json`` refuses them.
_FIELDS_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical_json_of_fields(value: Any) -> str:
    """``canonical_json`` of a value made of model fields' plain values (texts, integers, booleans,
    nulls, lists and objects with text keys, as ``audit.snapshot`` gives them), several times faster.

    For the bulk writers, which encode hundreds of thousands of audit entries per import: 1.3 µs a
    project's entry against 7.3 µs. No floats: orjson writes 1e16 where ``json`` writes 1e+16, and no
    model here has a float field. What orjson refuses (integers beyond 64 bits) goes to
    ``canonical_json``. ``tests/core/test_audit_chain.py`` holds the two to the same text.
    """
    try:
        return orjson.dumps(value, option=_FIELDS_OPTIONS).decode()
    except TypeError:
        return _CANONICAL.encode(value)


class CanonicalJson(str):
    """JSON text already in the canonical form (``canonical_json``): hashed as it is, not decoded and
    encoded again. Stored as it is too: it is a ``str``, and decodes to the value it encodes."""

    __slots__ = ()


@functools.lru_cache(maxsize=512)
def canonical_time(value: datetime.datetime) -> str:
    """``2012-08-27T01:30:00.000000Z``: UTC, always with microseconds."""
    if value.utcoffset():
        value = value.astimezone(datetime.UTC)
    # isoformat is several times faster than strftime, and verification formats every row's time.
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entry_hash(
    *,
    sequence: int,
    prev_hash: str,
    created_at: datetime.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    source_ip: str | None,
    region_path: str,
) -> str:
    """SHA-256 of the canonical JSON of the entry (``document`` below, through ``canonical_json``).

    The object is written out key by key in sorted order rather than built and sorted: the ledger
    hashes hundreds of thousands of rows per import. ``test_audit_chain`` checks that both agree."""
    text = "".join(
        (
            '{"action":',
            _string(action),
            ',"actor_id":',
            "null" if actor_id is None else str(int(actor_id)),
            ',"actor_name":',
            _string(actor_name),
            ',"changes":',
            changes if changes.__class__ is CanonicalJson else _CANONICAL.encode(changes),
            ',"created_at":"',
            canonical_time(created_at),
            '","object_id":',
            _string(object_id),
            ',"object_repr":',
            _string(object_repr),
            ',"object_type":',
            _string(object_type),
            ',"prev_hash":',
            _string(prev_hash),
            ',"region_path":',
            _string(region_path),
            ',"sequence":',
            str(int(sequence)),
            ',"source_ip":',
            "null" if source_ip is None else _string(source_ip),
            "}",
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document(
    *,
    sequence: int,
    prev_hash: str,
    created_at: datetime.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    source_ip: str | None,
    region_path: str,
) -> dict:
    """The object whose canonical JSON is hashed, as ``docs/audit.md`` describes it."""
    return {
        "action": action,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "changes": changes,
        "created_at": canonical_time(created_at),
        "object_id": object_id,
        "object_repr": object_repr,
        "object_type": object_type,
        "prev_hash": prev_hash,
        "region_path": region_path,
        "sequence": sequence,
        "source_ip": source_ip,
    }


def row_hash(row: tuple) -> str:
    """The hash a row read in ``COLUMNS`` order should carry."""
    (
        _id,
        sequence,
        prev_hash,
        _stored,
        created_at,
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        object_repr,
        changes,
        source_ip,
        region_path,
    ) = row
    return entry_hash(
        sequence=sequence,
        prev_hash=prev_hash,
        created_at=created_at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        source_ip=source_ip,
        region_path=region_path,
    )
