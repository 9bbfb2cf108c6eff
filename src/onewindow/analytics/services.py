"""The statistics' maintained summaries as a whole: checking them against a recount and rebuilding
them (after a restore, or a repair made in SQL around the services)."""

from dataclasses import dataclass

from django.db import transaction

from onewindow.approvals import tally as task_tally
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.projects import tally as project_tally

# Each summary by name, with what it holds now and what a recount gives.
SUMMARIES = (
    ("projects", project_tally),
    ("tasks", task_tally),
)


@dataclass(frozen=True)
class Difference:
    summary: str
    buckets_differing: int


def differences() -> list[Difference]:
    """The summaries that differ from a recount, and in how many buckets (empty: all exact)."""
    found = []
    for name, module in SUMMARIES:
        differing = 0
        for stored, counted in zip(module.stored(), module.recount(), strict=True):
            differing += sum(
                1 for key in stored.keys() | counted.keys() if stored.get(key) != counted.get(key)
            )
        if differing:
            found.append(Difference(name, differing))
    return found


@transaction.atomic
def rebuild_statistics(*, actor=None) -> dict[str, int]:
    """Recount every summary from the register and the tasks, and record that it was done."""
    rebuilt = {name: module.rebuild() for name, module in SUMMARIES}
    audit.record_security(
        action=AuditEntry.Action.UPDATE, actor=actor, subject="statistics", changes={"rebuilt": rebuilt}
    )
    return rebuilt
