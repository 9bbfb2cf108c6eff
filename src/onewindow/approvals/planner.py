"""The parallel approval planner (并联审批): items, a working-day calendar and a start date in, a
schedule out. Pure: no Django and no database, so the pages, the API, the CLI and the benchmark all
run exactly this code, and property tests can drive it hard.

Semantics (tested):

* working day 1 is the plan's start date if that is a working day, else the next working day;
* an item with limit ``d`` starting on working day ``s`` finishes on working day ``s + d - 1``;
* an item starts on the working day after its last prerequisite finishes, or on day 1 if it has none;
* parallel duration = the latest finish, in working days from day 1; serial duration = the sum of the
  limits; speed-up = 1 - parallel / serial;
* critical items have zero total float (a day's delay on them delays the whole plan);
* a cycle is an error naming the items in it.

Forecast: decided items carry their actual dates; items under way carry their actual start; the rest
is re-planned from those, and nothing not yet started is planned before the ``as_of`` day.

Working days are handled as the calendar's absolute integer indices and turned into dates last.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

from onewindow.approvals.vocabulary import STAGES


class Calendar(Protocol):
    """What the planner needs of a calendar; ``onewindow.core.workdays.WorkdayCalendar`` has it."""

    def first_on_or_after(self, day: datetime.date) -> int: ...

    def last_on_or_before(self, day: datetime.date) -> int: ...

    def date_at(self, index: int) -> datetime.date: ...

    def estimated_years(self, first: datetime.date, last: datetime.date) -> list[int]: ...


class PlanError(ValueError):
    """The items cannot be planned. Carries the codes concerned so callers can word the message."""


class CycleError(PlanError):
    def __init__(self, cycle: Sequence[str]) -> None:
        super().__init__(cycle)
        self.cycle = tuple(cycle)

    def __str__(self) -> str:
        return "items form a cycle: " + " → ".join([*self.cycle, self.cycle[0]])


class UnknownPrerequisiteError(PlanError):
    def __init__(self, item: str, missing: str) -> None:
        super().__init__(item, missing)
        self.item, self.missing = item, missing

    def __str__(self) -> str:
        return f"item {self.item} requires unknown item {self.missing}"


class DuplicateItemError(PlanError):
    def __init__(self, item: str) -> None:
        super().__init__(item)
        self.item = item

    def __str__(self) -> str:
        return f"item {self.item} appears more than once"


@dataclass(frozen=True, slots=True)
class Item:
    """One approval to plan. ``limit`` is in working days; the text fields only pass through."""

    code: str
    limit: int
    requires: tuple[str, ...] = ()
    name: str = ""
    department: str = ""
    stage: str = ""
    commitment_allowed: bool = False
    zone_exempt: bool = False

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"item {self.code}: a limit is at least one working day")


@dataclass(frozen=True, slots=True)
class Actual:
    """What happened: ``finish`` set means decided; only ``start`` set means under way."""

    start: datetime.date | None = None
    finish: datetime.date | None = None


@dataclass(frozen=True)
class WhatIf:
    """Options to compare with the current plan."""

    commitment: bool = False  # 告知承诺制 on every item that allows it: it takes 1 working day
    zone_evaluated: bool = False  # 区域评估 done: the items it exempts drop out
    add: tuple[Item, ...] = ()
    remove: frozenset[str] = frozenset()


class ScheduledItem(NamedTuple):
    # A named tuple rather than a frozen dataclass: a batch creates millions and this is 3× faster.
    item: Item
    start: datetime.date
    finish: datetime.date
    start_day: int  # working day number, day 1 = the plan's first working day
    finish_day: int
    total_float: int
    critical: bool
    decided: bool = False
    under_way: bool = False


class StageSpan(NamedTuple):
    stage: str
    start: datetime.date
    finish: datetime.date
    workdays: int  # from the stage's first working day to its last, both included


@dataclass(frozen=True)
class Schedule:
    start: datetime.date  # working day 1
    finish: datetime.date
    parallel_workdays: int
    serial_workdays: int
    items: tuple[ScheduledItem, ...]
    stages: tuple[StageSpan, ...]
    estimated_years: tuple[int, ...] = field(default=())

    @property
    def speedup(self) -> float:
        if not self.serial_workdays:
            return 0.0
        return 1 - self.parallel_workdays / self.serial_workdays

    @property
    def estimated(self) -> bool:
        """True when some date lies in a year whose holidays are not known: weekdays only."""
        return bool(self.estimated_years)

    def span_workdays(self, stages: Iterable[str]) -> int:
        """Working days from the first start to the last finish of the items in ``stages``."""
        wanted = set(stages)
        chosen = [entry for entry in self.items if entry.item.stage in wanted]
        if not chosen:
            return 0
        return max(entry.finish_day for entry in chosen) - min(entry.start_day for entry in chosen) + 1

    @property
    def critical_codes(self) -> list[str]:
        return [entry.item.code for entry in self.items if entry.critical]

    def to_json(self) -> dict:
        """The one JSON shape answered by the CLI and the API alike."""
        return {
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
            "parallel_workdays": self.parallel_workdays,
            "serial_workdays": self.serial_workdays,
            "speedup": round(self.speedup, 2),
            "estimated": self.estimated,
            "items": [
                {
                    "code": entry.item.code,
                    "name": entry.item.name,
                    "department": entry.item.department,
                    "stage": entry.item.stage,
                    "limit_workdays": entry.item.limit,
                    "start": entry.start.isoformat(),
                    "finish": entry.finish.isoformat(),
                    "critical": entry.critical,
                }
                for entry in self.items
            ],
            "stages": [
                {
                    "stage": span.stage,
                    "start": span.start.isoformat(),
                    "finish": span.finish.isoformat(),
                    "workdays": span.workdays,
                }
                for span in self.stages
            ],
        }


# -- the graph -----------------------------------------------------------------------------------


def find_cycle(requires: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of the prerequisite graph, in order (each requires the next), or None.

    Codes that ``requires`` mentions but does not define are ignored here.
    """
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in requires:
        if state.get(root):
            continue
        path: list[str] = []
        stack = [(root, iter(requires[root]))]
        state[root] = 1
        path.append(root)
        while stack:
            node, children = stack[-1]
            child = next((c for c in children if c in requires and state.get(c) != 2), None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child) :]
            else:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(requires[child])))
    return None


def topological_order(items: Sequence[Item]) -> list[Item]:
    """Prerequisites before the items that need them; ties keep the input order."""
    by_code: dict[str, Item] = {}
    for item in items:
        if item.code in by_code:
            raise DuplicateItemError(item.code)
        by_code[item.code] = item
    waiting: dict[str, int] = {}
    dependents: dict[str, list[str]] = {code: [] for code in by_code}
    for item in items:
        unique = dict.fromkeys(item.requires)  # a prerequisite listed twice counts once
        for code in unique:
            if code not in by_code:
                raise UnknownPrerequisiteError(item.code, code)
            dependents[code].append(item.code)
        waiting[item.code] = len(unique)
    ready = deque(item.code for item in items if not waiting[item.code])
    order: list[Item] = []
    while ready:
        code = ready.popleft()
        order.append(by_code[code])
        for dependent in dependents[code]:
            waiting[dependent] -= 1
            if not waiting[dependent]:
                ready.append(dependent)
    if len(order) < len(items):
        left = {item.code: item.requires for item in items if waiting[item.code]}
        raise CycleError(find_cycle(left) or sorted(left))
    return order


def without(items: Sequence[Item], codes: Iterable[str]) -> list[Item]:
    """The items less ``codes``. A removed item is bypassed, not cut out: whoever required it now
    requires what it required, so the order the catalog prescribes still holds."""
    removed = set(codes)
    if not removed:
        return list(items)
    requires = {item.code: item.requires for item in items}
    expanded: dict[str, tuple[str, ...]] = {}

    def expand(code: str, trail: tuple[str, ...]) -> tuple[str, ...]:
        if code not in removed:
            return (code,)
        if code in trail:
            raise CycleError(trail[trail.index(code) :])
        if code not in expanded:
            if code not in requires:
                return ()
            result: dict[str, None] = {}
            for inner in requires[code]:
                result.update(dict.fromkeys(expand(inner, (*trail, code))))
            expanded[code] = tuple(result)
        return expanded[code]

    kept = []
    for item in items:
        if item.code in removed:
            continue
        if any(code in removed for code in item.requires):
            new: dict[str, None] = {}
            for code in item.requires:
                new.update(dict.fromkeys(expand(code, ())))
            item = replace(item, requires=tuple(new))
        kept.append(item)
    return kept


def apply_what_if(items: Sequence[Item], options: WhatIf) -> list[Item]:
    result = list(items)
    if options.add:
        present = {item.code for item in result}
        result.extend(item for item in options.add if item.code not in present)
    drop = set(options.remove)
    if options.zone_evaluated:
        drop.update(item.code for item in result if item.zone_exempt)
    result = without(result, drop)
    if options.commitment:
        result = [replace(item, limit=1) if item.commitment_allowed else item for item in result]
    return result


# -- scheduling ----------------------------------------------------------------------------------


def schedule(
    items: Sequence[Item],
    calendar: Calendar,
    start: datetime.date,
    *,
    actuals: Mapping[str, Actual] | None = None,
    as_of: datetime.date | None = None,
) -> Schedule:
    """Plan ``items`` from ``start``; see the module's docstring for the exact rules."""
    return PreparedPlan(items).schedule(calendar, start, actuals=actuals, as_of=as_of)


class PreparedPlan:
    """A checked, sorted graph of items that can be scheduled again and again: from other start
    dates, with other actual dates, and with ``only`` a subset of its items, for many projects on
    one catalog. Preparing costs about as much as one schedule, so a catalog is prepared once.

    ``only`` gives the same schedule as ``without`` would: an item left out becomes a step of no
    duration that ends when its own prerequisites end, which passes them on to its dependents.
    """

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = tuple(items)
        self.order = tuple(topological_order(self.items))
        position = {item.code: index for index, item in enumerate(self.order)}
        self._limits = [item.limit for item in self.order]
        self._requires = [
            tuple(position[code] for code in dict.fromkeys(item.requires)) for item in self.order
        ]
        self._output = [position[item.code] for item in self.items]

    def schedule(
        self,
        calendar: Calendar,
        start: datetime.date,
        *,
        actuals: Mapping[str, Actual] | None = None,
        as_of: datetime.date | None = None,
        only: Collection[str] | None = None,
    ) -> Schedule:
        day1 = calendar.first_on_or_after(start)
        floor = max(day1, calendar.first_on_or_after(as_of)) if as_of else day1
        found = [actuals.get(item.code) for item in self.order] if actuals else None
        kept = None if only is None else [item.code in only for item in self.order]
        early_start, early_finish = self._forward(calendar, day1, floor, found, kept)
        output = self._output if kept is None else [i for i in self._output if kept[i]]
        finish = max((early_finish[i] for i in output), default=day1 - 1)
        total_float = self._total_float(early_start, early_finish, finish)

        # Many items share a start or finish day: convert each index to a date once.
        used = {day1, *(early_start[i] for i in output), *(early_finish[i] for i in output)}
        dates = {index: calendar.date_at(index) for index in used}
        if found:
            entries = tuple(
                _entry(self.order[i], found[i], early_start[i], early_finish[i], total_float[i], day1, dates)
                for i in output
            )
        else:
            entries = tuple(
                ScheduledItem(
                    self.order[i],
                    dates[early_start[i]],
                    dates[early_finish[i]],
                    early_start[i] - day1 + 1,
                    early_finish[i] - day1 + 1,
                    total_float[i],
                    total_float[i] <= 0,
                )
                for i in output
            )
        first_date = dates[day1]
        last_date = max((entry.finish for entry in entries), default=first_date)
        earliest = min((entry.start for entry in entries), default=start)
        years = calendar.estimated_years(min(start, earliest), max(last_date, first_date))
        return Schedule(
            start=first_date,
            finish=last_date,
            parallel_workdays=finish - day1 + 1,
            serial_workdays=sum(entry.item.limit for entry in entries),
            items=entries,
            stages=_stages(entries),
            estimated_years=tuple(years),
        )

    def _forward(
        self,
        calendar: Calendar,
        day1: int,
        floor: int,
        found: list[Actual | None] | None,
        kept: list[bool] | None,
    ) -> tuple[list[int], list[int]]:
        count = len(self.order)
        early_start, early_finish = [0] * count, [0] * count
        for i in range(count):
            ready = day1
            for j in self._requires[i]:
                if early_finish[j] >= ready:
                    ready = early_finish[j] + 1
            actual = found[i] if found else None
            if kept is not None and not kept[i]:
                early_start[i], early_finish[i] = ready, ready - 1  # left out: no duration
            elif actual is not None:
                early_start[i], early_finish[i] = _place(self._limits[i], actual, ready, floor, calendar)
            else:
                begin = ready if ready > floor else floor
                early_start[i], early_finish[i] = begin, begin + self._limits[i] - 1
        return early_start, early_finish

    def _total_float(self, early_start: list[int], early_finish: list[int], finish: int) -> list[int]:
        late_finish = [finish] * len(self.order)
        for i in range(len(self.order) - 1, -1, -1):
            late_start = late_finish[i] - (early_finish[i] - early_start[i])
            for j in self._requires[i]:
                if late_start - 1 < late_finish[j]:
                    late_finish[j] = late_start - 1
        return [late - early for late, early in zip(late_finish, early_finish, strict=True)]


def _place(limit: int, actual: Actual, ready: int, floor: int, calendar: Calendar) -> tuple[int, int]:
    """Working-day indices of the start and finish of an item with actual dates."""
    if actual.finish is not None:
        finish = calendar.last_on_or_before(actual.finish)
        start = calendar.first_on_or_after(actual.start) if actual.start is not None else min(ready, finish)
        return min(start, finish), finish
    if actual.start is not None:
        start = calendar.first_on_or_after(actual.start)
        # Still open: it ends at the end of its limit, and not before the day the forecast is made.
        return start, max(start + limit - 1, floor)
    begin = max(ready, floor)
    return begin, begin + limit - 1


def _entry(
    item: Item,
    actual: Actual | None,
    start_index: int,
    finish_index: int,
    total_float: int,
    day1: int,
    dates: Mapping[int, datetime.date],
) -> ScheduledItem:
    decided = actual is not None and actual.finish is not None
    under_way = actual is not None and actual.start is not None and not decided
    # Actual dates are shown as they happened, even on a weekend; planned ones are working days.
    start = actual.start if actual is not None and actual.start else dates[start_index]
    finish = actual.finish if decided else dates[finish_index]
    return ScheduledItem(
        item=item,
        start=start,
        finish=finish,
        start_day=start_index - day1 + 1,
        finish_day=finish_index - day1 + 1,
        total_float=total_float,
        critical=total_float <= 0,
        decided=decided,
        under_way=under_way,
    )


def _stages(entries: Sequence[ScheduledItem]) -> tuple[StageSpan, ...]:
    spans: dict[str, list] = {}  # stage → [start, finish, first day, last day]
    for entry in entries:
        span = spans.get(entry.item.stage)
        if span is None:
            spans[entry.item.stage] = [entry.start, entry.finish, entry.start_day, entry.finish_day]
            continue
        if entry.start < span[0]:
            span[0] = entry.start
        if entry.finish > span[1]:
            span[1] = entry.finish
        if entry.start_day < span[2]:
            span[2] = entry.start_day
        if entry.finish_day > span[3]:
            span[3] = entry.finish_day
    rank = _STAGE_RANK
    ordered = sorted(spans, key=lambda stage: (rank.get(stage, len(rank)), stage))
    return tuple(
        StageSpan(stage, spans[stage][0], spans[stage][1], spans[stage][3] - spans[stage][2] + 1)
        for stage in ordered
    )


_STAGE_RANK = {stage: position for position, stage in enumerate(STAGES)}


@dataclass(frozen=True)
class Comparison:
    current: Schedule
    alternative: Schedule

    @property
    def workdays_saved(self) -> int:
        return self.current.parallel_workdays - self.alternative.parallel_workdays


def what_if(items: Sequence[Item], calendar: Calendar, start: datetime.date, options: WhatIf) -> Comparison:
    """The current plan and the plan under ``options``, side by side."""
    return Comparison(
        current=schedule(items, calendar, start),
        alternative=schedule(apply_what_if(items, options), calendar, start),
    )
