"""The periodic job (the tick), as of one moment: escalate the problems whose level deadline passed,
warn about what is yellow or red, and send the daily digests.

Set-based throughout: the number of queries does not grow with the number of tasks, problems and
action items (the warnings are found with the SQL conditions of ``coordination.warnings``, the people
to tell with ``coordination.recipients``, and the notifications are stored in bulk: one announcement per
object, which the database fans out to its people, ``notifications.services.announce_many``).

Idempotent: a notification is stored once per (user, kind, key), and the keys name the object, the
warning and the due date it was given for:

* ``task:<id>:<yellow|red>:<due date>``, ``action:<id>:<yellow|red>:<due date>``;
* ``problem:<id>:<level>:<yellow|red>:<due date>`` (each level has its own deadline);
* ``problem:<id>:level:<level>`` when a problem reached a level.

A new due date (an extension, a new level) warns afresh; the same moment twice adds nothing. A run
that changed something leaves one ``TickRun`` row and one audit entry with its counts; each
escalation has its own audit entry too.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.approvals.models import ApprovalTask
from onewindow.approvals.selectors import workday_calendar
from onewindow.coordination import recipients, services, warnings
from onewindow.coordination.models import ActionItem, Problem, TickRun
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.notifications.digests import send_digests
from onewindow.notifications.services import Announcement, announce_many


@dataclass(frozen=True)
class TickReport:
    at: datetime.datetime
    today: datetime.date
    escalations: int = 0
    problems_escalated: int = 0
    tasks_yellow: int = 0
    tasks_red: int = 0
    problems_yellow: int = 0
    problems_red: int = 0
    actions_yellow: int = 0
    actions_red: int = 0
    notifications: int = 0
    digests: int = 0
    # Seconds spent escalating, warning (finding and notifying) and sending digests.
    seconds: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.escalations or self.notifications or self.digests)

    def __str__(self) -> str:
        return _(
            "tick as of %(at)s: %(escalations)d escalations, %(notifications)d notifications, "
            "%(digests)d digests"
        ) % {
            "at": timezone.localtime(self.at).isoformat(timespec="seconds"),
            "escalations": self.escalations,
            "notifications": self.notifications,
            "digests": self.digests,
        }

    def as_dict(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["today"] = self.today.isoformat()
        return data


def _task_notes(level: str, cut: warnings.Cutoffs) -> tuple[int, Iterator[Announcement]]:
    found = recipients.task_recipients_with(
        ApprovalTask.objects.filter(warnings.task_condition(level, cut)),
        ("due_on", "item__code", "item__name", "project__name"),
    )

    def notes() -> Iterator[Announcement]:
        for task_id, (users, (due_on, code, name, project)) in found.items():
            day = due_on.isoformat()
            yield Announcement(
                user_ids=users,
                kind=f"task_{level}",
                key=f"task:{task_id}:{level}:{day}",
                subject=f"{code} {name}",
                url=f"/tasks/{task_id}/",
                params={"due_on": day, "project": project},
            )

    return len(found), notes()


def _problem_notes(level: str, cut: warnings.Cutoffs) -> tuple[int, Iterator[Announcement]]:
    found = recipients.problem_recipients_with(
        Problem.objects.filter(warnings.problem_condition(level, cut)),
        ("due_on", "level", "title", "project__name"),
    )

    def notes() -> Iterator[Announcement]:
        for problem_id, (users, (due_on, problem_level, title, project)) in found.items():
            day = due_on.isoformat()
            yield Announcement(
                user_ids=users,
                kind=f"problem_{level}",
                key=f"problem:{problem_id}:{problem_level}:{level}:{day}",
                subject=title,
                url=f"/problems/{problem_id}/",
                params={"due_on": day, "level": problem_level, "project": project},
            )

    return len(found), notes()


def _action_notes(level: str, cut: warnings.Cutoffs) -> tuple[int, Iterator[Announcement]]:
    found = recipients.action_item_recipients_with(
        ActionItem.objects.filter(warnings.action_item_condition(level, cut)),
        ("due_on", "description", "meeting__title"),
    )

    def notes() -> Iterator[Announcement]:
        for item_id, (users, (due_on, description, meeting)) in found.items():
            day = due_on.isoformat()
            yield Announcement(
                user_ids=users,
                kind=f"action_{level}",
                key=f"action:{item_id}:{level}:{day}",
                subject=description[:120],
                url=f"/action-items/{item_id}/",
                params={"due_on": day, "meeting": meeting},
            )

    return len(found), notes()


@transaction.atomic
def run_tick(*, at: datetime.datetime) -> TickReport:
    """Run the job once as of ``at`` (an aware datetime) and report what it found and did."""
    today = services.local_date(at)
    clock = time.perf_counter()
    escalated = services.escalate_due_problems(at=at)
    seconds = {"escalation": time.perf_counter() - clock}
    clock = time.perf_counter()
    notified = services.notify_escalations(escalated.problems, at) if escalated.count else 0
    cut = warnings.cutoffs(today, calendar=workday_calendar())
    counts: dict[str, int] = {}
    for prefix, finder in (("tasks", _task_notes), ("problems", _problem_notes), ("actions", _action_notes)):
        for level in warnings.LEVELS:
            found, notes = finder(level, cut)
            counts[f"{prefix}_{level}"] = found
            notified += announce_many(announcements=notes, at=at)
    seconds["warnings"] = time.perf_counter() - clock
    clock = time.perf_counter()
    digests = send_digests(at=at)
    seconds["digests"] = time.perf_counter() - clock
    report = TickReport(
        at=at,
        today=today,
        escalations=escalated.steps,
        problems_escalated=escalated.count,
        notifications=notified,
        digests=digests,
        seconds={stage: round(value, 3) for stage, value in seconds.items()},
        **counts,
    )
    if report.changed:
        run = TickRun.objects.create(
            at=at,
            escalations=report.escalations,
            problems_escalated=report.problems_escalated,
            notifications=report.notifications,
            digests=report.digests,
        )
        audit.record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            obj=run,
            changes={key: value for key, value in report.as_dict().items() if value and key != "seconds"},
        )
    return report


def describe(report: TickReport) -> list[str]:
    """The report as lines for a terminal."""
    return [
        _("Tick as of %(at)s (working-day date %(today)s)")
        % {"at": report.at.isoformat(), "today": report.today.isoformat()},
        _("Escalations: %(steps)d (problems: %(problems)d)")
        % {"steps": report.escalations, "problems": report.problems_escalated},
        _("Approval tasks: %(yellow)d yellow, %(red)d red")
        % {"yellow": report.tasks_yellow, "red": report.tasks_red},
        _("Problems: %(yellow)d yellow, %(red)d red")
        % {"yellow": report.problems_yellow, "red": report.problems_red},
        _("Action items: %(yellow)d yellow, %(red)d red")
        % {"yellow": report.actions_yellow, "red": report.actions_red},
        _("Notifications queued: %(count)d") % {"count": report.notifications},
        _("Digests sent: %(count)d") % {"count": report.digests},
    ]
