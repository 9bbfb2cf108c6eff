"""The time clock of an approval task (办件时限): pure, no Django, unit-tested on its own.

Semantics, in working days of China's statutory calendar (``core.workdays``):

* The clock starts on the acceptance date ``A`` and, as in 期间计算, the day of acceptance itself is
  not counted: working day 1 of the clock is the first working day after ``A``.
* ``due = add_workdays(A, limit + extension + paused)``: the promised limit, any extension granted,
  and every working day the clock stood still push the due date back.
* A pause from ``P`` to ``R`` (补正, or expert review, a hearing, testing or a site survey where the
  item's rule does not count that time) stops the clock on the working days ``d`` with
  ``P < d <= R``: the day the pause began still counts, the day it ended does not (work resumes the
  next day). An open pause (``R`` unknown) runs up to the day the clock is read. Overlapping pauses
  count each day once; a pause before acceptance counts nothing.
* ``used`` = working days after ``A`` up to the day read, less the paused ones; ``remaining`` =
  ``limit + extension - used`` (negative when overdue).
* The clock is read as of a day; a decided task's clock stopped on its decision date.
* Overdue: the clock used more working days than it allows (``remaining < 0``): a decision on the
  Saturday after a Friday due date is not late, a decision on the Monday is. Counting working days
  keeps the flag from flickering over weekends and holidays.
* ``estimated`` is true when a date lies in a year whose holidays are not known (weekdays only).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Calendar(Protocol):
    """What the clock needs of a calendar; ``core.workdays.WorkdayCalendar`` has it."""

    def last_on_or_before(self, day: datetime.date) -> int: ...

    def date_at(self, index: int) -> datetime.date: ...

    def estimated_between(self, first: datetime.date, last: datetime.date) -> bool: ...


@dataclass(frozen=True)
class Pause:
    """A stretch of time the clock does not count; ``end`` is None while it lasts."""

    start: datetime.date
    end: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("a pause cannot end before it starts")


@dataclass(frozen=True)
class Clock:
    accepted_on: datetime.date
    as_of: datetime.date  # the day the clock was read (the decision date for a decided task)
    limit_workdays: int
    extension_workdays: int
    paused_workdays: int
    used_workdays: int
    remaining_workdays: int
    due_on: datetime.date
    paused: bool  # standing still on the day read
    paused_since: datetime.date | None  # the start of the open pause, if any
    decided: bool
    overdue: bool
    estimated: bool

    @property
    def overdue_workdays(self) -> int:
        return max(0, -self.remaining_workdays)


def _merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open intervals ``(low, high]`` of working-day indices, merged where they overlap."""
    merged: list[list[int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


def compute_clock(
    calendar: Calendar,
    *,
    accepted_on: datetime.date,
    limit_workdays: int,
    as_of: datetime.date,
    pauses: Iterable[Pause] = (),
    extension_workdays: int = 0,
    decided_on: datetime.date | None = None,
) -> Clock:
    """Read a task's clock on ``as_of`` (or on its decision date, if it was decided before)."""
    if limit_workdays < 1:
        raise ValueError("a limit is at least one working day")
    if extension_workdays < 0:
        raise ValueError("an extension cannot be negative")
    read_on = min(as_of, decided_on) if decided_on is not None else as_of
    start = calendar.last_on_or_before(accepted_on)
    now = max(calendar.last_on_or_before(read_on), start)
    intervals = []
    paused_since = None
    for pause in pauses:
        if pause.start > read_on:
            continue
        low = max(calendar.last_on_or_before(pause.start), start)
        ends = pause.end is not None and pause.end <= read_on
        high = min(calendar.last_on_or_before(pause.end) if ends else now, now)
        if not ends and (paused_since is None or pause.start < paused_since):
            paused_since = pause.start
        if high > low:
            intervals.append((low, high))
    paused = sum(high - low for low, high in _merged(intervals))
    used = now - start - paused
    allowed = limit_workdays + extension_workdays
    due_on = calendar.date_at(start + allowed + paused)
    return Clock(
        accepted_on=accepted_on,
        as_of=read_on,
        limit_workdays=limit_workdays,
        extension_workdays=extension_workdays,
        paused_workdays=paused,
        used_workdays=used,
        remaining_workdays=allowed - used,
        due_on=due_on,
        paused=paused_since is not None,
        paused_since=paused_since,
        decided=decided_on is not None and decided_on <= as_of,
        overdue=used > allowed,
        estimated=calendar.estimated_between(accepted_on, max(due_on, read_on)),
    )


@dataclass(frozen=True)
class StoredClock:
    """What a task row keeps so that queues can be sorted and filtered in SQL.

    ``due_on`` is the due date as it stood when the clock last stopped (at the start of an open pause,
    or for good at the decision); while the clock runs it is the live due date. ``overdue_since`` is
    the first day on which the task is overdue if nothing changes: overdue on day T exactly when
    ``overdue_since <= T``; None when it cannot become overdue (paused in time, or decided in time).
    """

    due_on: datetime.date
    overdue_since: datetime.date | None
    paused_since: datetime.date | None


def stored_clock(
    calendar: Calendar,
    *,
    accepted_on: datetime.date,
    limit_workdays: int,
    today: datetime.date,
    pauses: Iterable[Pause] = (),
    extension_workdays: int = 0,
    decided_on: datetime.date | None = None,
) -> StoredClock:
    pauses = tuple(pauses)
    inputs = {
        "accepted_on": accepted_on,
        "limit_workdays": limit_workdays,
        "pauses": pauses,
        "extension_workdays": extension_workdays,
        "decided_on": decided_on,
    }
    live = compute_clock(calendar, as_of=today, **inputs)
    due_on = live.due_on
    if live.paused and not live.decided:
        # During a pause the live due date moves a day per working day; the day it stopped does not,
        # and the remaining time (frozen due − pause start) stays what it was.
        due_on = compute_clock(calendar, as_of=live.paused_since, **inputs).due_on
    if live.decided or live.paused:
        overdue_since = _next_workday(calendar, due_on) if live.overdue else None
    else:
        overdue_since = _next_workday(calendar, due_on)
    return StoredClock(due_on=due_on, overdue_since=overdue_since, paused_since=live.paused_since)


def _next_workday(calendar: Calendar, day: datetime.date) -> datetime.date:
    return calendar.date_at(calendar.last_on_or_before(day) + 1)
