"""Verifying the audit chain: walk it from its anchor to its head and stop at the first broken link."""

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onewindow.core.chain import COLUMNS, GENESIS_HASH, row_hash
from onewindow.core.models import AuditChainHead, AuditEntry

DEFAULT_BATCH = 5000


@dataclass
class Verification:
    """What ``verify`` found: intact with ``count`` entries, or the first broken link."""

    intact: bool
    count: int
    first_sequence: int
    last_sequence: int
    head_hash: str
    problem: str = ""
    sequence: int | None = None
    entry_id: int | None = None
    detail: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        return data


def _rows(batch: int) -> Iterator[tuple]:
    """Every entry in sequence order, read in keyset batches so memory stays flat."""
    after = None
    while True:
        query = AuditEntry.objects.order_by("sequence")
        if after is not None:
            query = query.filter(sequence__gt=after)
        rows = list(query.values_list(*COLUMNS)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][1]


def verify(*, batch: int = DEFAULT_BATCH, progress: Callable[[int, int], None] | None = None) -> Verification:
    """Walk the chain from its anchor to its head and stop at the first broken link."""
    head = AuditChainHead.objects.filter(pk=1).first()
    total = AuditEntry.objects.count()

    def broken(problem: str, detail: str, *, sequence=None, entry_id=None, count=0) -> Verification:
        return Verification(
            intact=False,
            count=count,
            first_sequence=head.first_sequence if head else 0,
            last_sequence=head.sequence if head else 0,
            head_hash=head.entry_hash if head else "",
            problem=problem,
            sequence=sequence,
            entry_id=entry_id,
            detail=detail,
        )

    if head is None:
        if total == 0:
            return Verification(True, 0, 1, 0, GENESIS_HASH)
        return broken("head-missing", _("The chain's head row is missing."))
    expected_sequence, expected_prev = head.first_sequence, head.first_prev_hash
    count = 0
    for row in _rows(batch):
        entry_id, sequence, prev_hash, stored = row[0], row[1], row[2], row[3]
        if sequence < expected_sequence:
            return broken(
                "inserted",
                _("Entry #%(sequence)s is out of place: #%(expected)s was expected next.")
                % {"sequence": sequence, "expected": expected_sequence},
                sequence=sequence,
                entry_id=entry_id,
                count=count,
            )
        if sequence > expected_sequence:
            return broken(
                "deleted",
                _("Entries #%(first)s to #%(last)s are missing: the chain jumps to #%(sequence)s.")
                % {"first": expected_sequence, "last": sequence - 1, "sequence": sequence},
                sequence=expected_sequence,
                entry_id=entry_id,
                count=count,
            )
        if row_hash(row) != stored:
            return broken(
                "changed",
                _("Entry #%(sequence)s was changed: its content does not match its hash.")
                % {"sequence": sequence},
                sequence=sequence,
                entry_id=entry_id,
                count=count,
            )
        if prev_hash != expected_prev:
            return broken(
                "link",
                _(
                    "Entry #%(sequence)s does not follow the entry before it (its previous hash differs): "
                    "an entry was deleted, replaced or inserted here."
                )
                % {"sequence": sequence},
                sequence=sequence,
                entry_id=entry_id,
                count=count,
            )
        count += 1
        expected_sequence, expected_prev = sequence + 1, stored
        if progress is not None:
            progress(count, total)
    # Checked after the walk, so that a changed prune entry is reported as changed, not as a bad anchor.
    anchor = _anchor_problem(head)
    if anchor:
        return broken("anchor", anchor, sequence=head.first_sequence, count=count)
    last = expected_sequence - 1
    if last != head.sequence or expected_prev != head.entry_hash:
        if last < head.sequence:
            detail = _(
                "The chain ends at #%(last)s but its head records #%(head)s: the newest entries were deleted."
            ) % {"last": last, "head": head.sequence}
        else:
            detail = _(
                "The chain ends at #%(last)s but its head records #%(head)s with another hash: entries were "
                "added or replaced past the head."
            ) % {"last": last, "head": head.sequence}
        return broken("head", detail, sequence=min(last, head.sequence) + 1, count=count)
    return Verification(True, count, head.first_sequence, head.sequence, head.entry_hash)


def _anchor_problem(head: AuditChainHead) -> str:
    """A chain that does not start at #1 must start where the latest prune (itself in the chain) says."""
    prune = (
        AuditEntry.objects.filter(action=AuditEntry.Action.PRUNE)
        .order_by("-sequence")
        .only("changes")
        .first()
    )
    if prune is None:
        recorded = (1, GENESIS_HASH)
    else:
        changes = prune.changes or {}
        recorded = (_after(changes.get("anchor_sequence")), _after(changes.get("anchor_prev_hash")))
    if (head.first_sequence, head.first_prev_hash) != recorded:
        return _(
            "The chain's head says it starts at #%(sequence)s, but the latest prune recorded #%(recorded)s: "
            "the oldest entries were removed outside a prune."
        ) % {"sequence": head.first_sequence, "recorded": recorded[0]}
    return ""


def _after(pair: Any) -> Any:
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else pair
