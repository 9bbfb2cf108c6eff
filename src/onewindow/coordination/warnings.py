"""Yellow and red warnings (黄牌, 红牌) on the working-day calendar, never stored.

As of a day ``today``:

* red: the item is overdue, i.e. a working day after its due date has begun. A due date on Friday is
  still in time over the weekend and turns red on Monday morning (or after the holiday);
* yellow: not red, and due within ``WARNING_YELLOW_WORKDAYS`` working days: on or before the N-th
  working day after ``today`` (on a rest day, counted from the last working day before it);
* otherwise none.

Both come as a pure function (for one item on a page) and as SQL conditions (``Q``) so that lists
filter and count yellow and red in the database. ``Cutoffs`` holds the two dates the conditions need,
computed once from the calendar.

Approval tasks keep their own clock (``approvals.clock``): a task is red when its stored
``overdue_since`` has come, and yellow only while its clock runs (a task paused for corrections is
waiting for the applicant, not for the department).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from onewindow.approvals.models import TaskState
from onewindow.coordination.models import ACTIVE_PROBLEM_STATES, ActionStatus

NONE = ""
YELLOW = "yellow"
RED = "red"
LEVELS = (YELLOW, RED)

OPEN_TASK_STATES = (TaskState.ACCEPTED, TaskState.CORRECTING)


@dataclass(frozen=True)
class Cutoffs:
    """``late_before``: a due date before this day is red (the last working day on or before today);
    ``soon_until``: a due date from ``late_before`` up to this day is yellow."""

    today: datetime.date
    late_before: datetime.date
    soon_until: datetime.date


def cutoffs(today: datetime.date, *, calendar=None, yellow_workdays: int | None = None) -> Cutoffs:
    if calendar is None:
        from onewindow.approvals.selectors import workday_calendar

        calendar = workday_calendar()
    if yellow_workdays is None:
        yellow_workdays = settings.ONEWINDOW_WARNING_YELLOW_WORKDAYS
    last_workday = calendar.date_at(calendar.last_on_or_before(today))
    soon = calendar.add_workdays(today, yellow_workdays).date if yellow_workdays else last_workday
    return Cutoffs(today=today, late_before=last_workday, soon_until=max(soon, last_workday))


def level_for(due_on: datetime.date | None, cut: Cutoffs) -> str:
    """The warning of an open item due on ``due_on``."""
    if due_on is None:
        return NONE
    if due_on < cut.late_before:
        return RED
    if due_on <= cut.soon_until:
        return YELLOW
    return NONE


def warning_for(due_on: datetime.date | None, today: datetime.date, *, calendar=None) -> str:
    """The warning of one open item as of ``today`` (reads the calendar; use ``level_for`` in loops)."""
    return level_for(due_on, cutoffs(today, calendar=calendar))


# -- SQL -----------------------------------------------------------------------------------------


def due_condition(level: str, cut: Cutoffs, *, field: str = "due_on") -> Q:
    """Items whose ``field`` gives the warning ``level`` (the caller adds what "open" means)."""
    if level == RED:
        return Q(**{f"{field}__lt": cut.late_before})
    if level == YELLOW:
        return Q(**{f"{field}__gte": cut.late_before, f"{field}__lte": cut.soon_until})
    raise ValueError(f"unknown warning level {level!r}")


def problem_condition(level: str, cut: Cutoffs, *, prefix: str = "") -> Q:
    """Problems still worked on whose current level's deadline gives the warning."""
    return Q(**{f"{prefix}status__in": ACTIVE_PROBLEM_STATES}) & due_condition(
        level, cut, field=f"{prefix}due_on"
    )


def action_item_condition(level: str, cut: Cutoffs, *, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": ActionStatus.OPEN}) & due_condition(level, cut, field=f"{prefix}due_on")


def task_condition(level: str, cut: Cutoffs, *, prefix: str = "") -> Q:
    """Open approval tasks (accepted, or correcting) with the warning, read from their stored clock."""
    is_open = Q(**{f"{prefix}state__in": OPEN_TASK_STATES})
    red = Q(**{f"{prefix}overdue_since__lte": cut.today})
    if level == RED:
        return is_open & red
    if level == YELLOW:
        running = Q(**{f"{prefix}paused_since__isnull": True})
        return is_open & running & ~red & Q(**{f"{prefix}due_on__lte": cut.soon_until})
    raise ValueError(f"unknown warning level {level!r}")


def task_level(task, cut: Cutoffs) -> str:
    """The warning of one approval task, the same answer as ``task_condition``."""
    if task.state not in OPEN_TASK_STATES:
        return NONE
    if task.overdue_since is not None and task.overdue_since <= cut.today:
        return RED
    if task.paused_since is None and task.due_on is not None and task.due_on <= cut.soon_until:
        return YELLOW
    return NONE
