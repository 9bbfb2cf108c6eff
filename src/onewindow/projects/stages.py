"""The project stage machine (洽谈 → 已签约 → … → 已投产, with 暂缓 and 终止). Pure: no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    INTAKE = "intake", _("Taken into agency")
    APPROVED = "approved", _("Approved (立项)")
    STARTED = "started", _("Construction started")
    COMPLETED = "completed", _("Completed")
    PRODUCING = "producing", _("In production")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


FORWARD = [
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.INTAKE,
    Stage.APPROVED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCING,
]

# The date field each forward stage sets when it is entered.
DATE_FIELD = {
    Stage.NEGOTIATING: "negotiation_on",
    Stage.SIGNED: "signed_on",
    Stage.INTAKE: "intake_on",
    Stage.APPROVED: "approved_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCING: "produced_on",
    Stage.SUSPENDED: "suspended_on",
    Stage.TERMINATED: "terminated_on",
}

FINAL = frozenset({Stage.PRODUCING, Stage.TERMINATED})
INITIAL_STAGES = (Stage.NEGOTIATING, Stage.SIGNED, Stage.INTAKE)


def next_forward(stage: str) -> Stage | None:
    if stage not in FORWARD:
        return None
    position = FORWARD.index(stage)
    return FORWARD[position + 1] if position + 1 < len(FORWARD) else None


def allowed_targets(stage: str, *, resume_to: str | None = None) -> list[Stage]:
    """Stages a project may move to from ``stage``; resuming goes back to where it was suspended."""
    if stage == Stage.SUSPENDED:
        targets = [Stage(resume_to)] if resume_to else []
        return [*targets, Stage.TERMINATED]
    if stage in FINAL:
        return []
    targets = [target for target in [next_forward(stage)] if target]
    return [*targets, Stage.SUSPENDED, Stage.TERMINATED]


def is_allowed(current: str, target: str, *, resume_to: str | None = None) -> bool:
    return target in allowed_targets(current, resume_to=resume_to)


def earlier_forward_stages(stage: str) -> list[Stage]:
    if stage not in FORWARD:
        return []
    return FORWARD[: FORWARD.index(stage)]
