"""China's statutory working-day calendar (法定工作日), with make-up working days (调休).

Where the calendar comes from, per year, first match wins:

1. an official notice entered by an administrator (``YearNotice``: the State Council publishes next
   year's holidays each November, and the ``chinesecalendar`` package lags behind it), which extends
   or corrects the package;
2. the ``chinesecalendar`` package (it raises ``NotImplementedError`` for years it does not cover);
3. otherwise Monday to Friday only. Such a year is an *estimate*: every answer that touches it says
   so (``estimated=True``), or the calendar refuses (``allow_estimates=False``). Never silently wrong.

Semantics used everywhere, the planner included:

* ``nth_workday(start, n)``: working day 1 is ``start`` if it is a working day, else the next one.
* ``add_workdays(day, n)``: the n-th working day strictly after ``day`` (n = 0 gives ``day``).
* ``workdays_between(first, last)``: working days ``d`` with ``first < d <= last``, so that
  ``add_workdays(a, workdays_between(a, b).count) == b`` whenever ``b`` is a working day after ``a``.

Speed: each year's days are classified once; lookups are array indexing. Working days carry an
absolute *index* that stays stable when the covered span grows, so that the planner can do its
arithmetic on integers and turn indices into dates only at the end.

Pure Python: no Django, so the planner that uses it stays pure too.
"""

from __future__ import annotations

import datetime
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import chinese_calendar

# Built around today when first used, then widened on demand; 40 years is ~15,000 days.
_INITIAL_SPAN_YEARS = 20
_MIN_YEAR = datetime.MINYEAR + 1
_MAX_YEAR = datetime.MAXYEAR - 1


class CalendarNotPublished(LookupError):
    """The calendar was asked, with estimates refused, about a year whose holidays are unknown."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        return f"the official holiday calendar for {self.year} is not available"


@dataclass(frozen=True)
class YearNotice:
    """One year's official notice: the holidays and the make-up working days (调休) it announces.

    Every other day of the year follows the weekday rule. A notice replaces the package's data for
    its year entirely, so an admin can both extend the package to a new year and correct it.
    """

    year: int
    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    workdays: frozenset[datetime.date] = field(default_factory=frozenset)
    document: str = ""

    def __post_init__(self) -> None:
        outside = [day for day in self.holidays | self.workdays if day.year != self.year]
        if outside:
            raise ValueError(f"notice for {self.year} lists days of another year: {sorted(outside)}")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"days both holiday and working day: {sorted(both)}")


class WorkdayResult(NamedTuple):
    date: datetime.date
    estimated: bool


class WorkdayCount(NamedTuple):
    count: int
    estimated: bool


@dataclass(frozen=True)
class _Table:
    """An immutable snapshot of the covered span; replaced as a whole when the span grows."""

    first_year: int
    last_year: int
    base: int  # ordinal of 1 January of first_year
    flags: bytes  # 1 for a working day, per day from base
    cumulative: array  # working days in [base, base + i]
    days: array  # ordinals of the working days, ascending
    offset: int  # absolute index of days[0]


def _year_flags(year: int, notice: YearNotice | None) -> tuple[bytes, bool]:
    """One byte per day of ``year`` (1 = working day) and whether the year is an estimate."""
    first = datetime.date(year, 1, 1)
    days = [first + datetime.timedelta(days=i) for i in range((datetime.date(year + 1, 1, 1) - first).days)]
    if notice is not None:
        holidays, workdays = notice.holidays, notice.workdays
    else:
        try:
            chinese_calendar.is_workday(first)
        except NotImplementedError:
            # The package does not cover this year: fall back to weekdays and say so.
            return bytes(int(day.weekday() < 5) for day in days), True
        # The package's own rule, read from its tables directly: calling is_workday for every day
        # re-validates the year each time and makes building a calendar a hundred times slower.
        holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    flags = bytes(0 if day in holidays else 1 if day in workdays else int(day.weekday() < 5) for day in days)
    return flags, False


class WorkdayCalendar:
    """Working days on China's statutory calendar, extended or corrected by official notices."""

    def __init__(self, notices: Iterable[YearNotice] = (), *, allow_estimates: bool = True) -> None:
        self.notices = {notice.year: notice for notice in notices}
        self.allow_estimates = allow_estimates
        self._year_cache: dict[int, tuple[bytes, bool]] = {}
        self._estimated_years: set[int] = set()
        self._lock = threading.Lock()
        today = datetime.date.today().year
        self._table = self._build(today - _INITIAL_SPAN_YEARS, today + _INITIAL_SPAN_YEARS, None)

    # -- the covered span ------------------------------------------------------------------------

    def _flags_for(self, year: int) -> bytes:
        if year not in self._year_cache:
            flags, estimated = _year_flags(year, self.notices.get(year))
            self._year_cache[year] = (flags, estimated)
            if estimated:
                self._estimated_years.add(year)
        return self._year_cache[year][0]

    def _build(self, first_year: int, last_year: int, previous: _Table | None) -> _Table:
        first_year, last_year = max(first_year, _MIN_YEAR), min(last_year, _MAX_YEAR)
        flags = b"".join(self._flags_for(year) for year in range(first_year, last_year + 1))
        base = datetime.date(first_year, 1, 1).toordinal()
        cumulative = array("q", bytes(8 * len(flags)))
        days = array("q")
        running = 0
        for i, flag in enumerate(flags):
            if flag:
                running += 1
                days.append(base + i)
            cumulative[i] = running
        offset = 0
        if previous is not None:
            # Keep absolute indices stable: the working day previous.days[0] keeps its index.
            position = cumulative[previous.days[0] - base] - 1 if previous.days else 0
            offset = previous.offset - position
        return _Table(first_year, last_year, base, flags, cumulative, days, offset)

    def _cover(self, first_year: int, last_year: int) -> _Table:
        table = self._table
        if table.first_year <= first_year and last_year <= table.last_year:
            return table
        if first_year < _MIN_YEAR or last_year > _MAX_YEAR:
            raise OverflowError("date outside the supported range of years")
        with self._lock:
            table = self._table
            if not (table.first_year <= first_year and last_year <= table.last_year):
                # Grow by a margin so that a run of nearby dates does not rebuild again and again.
                self._table = table = self._build(
                    min(first_year - 5, table.first_year), max(last_year + 5, table.last_year), table
                )
        return table

    def _position(self, day: datetime.date) -> tuple[_Table, int]:
        # One year of margin after ``day`` guarantees a working day after it inside the table.
        table = self._cover(day.year, day.year + 1)
        return table, day.toordinal() - table.base

    def _check(self, first: datetime.date, last: datetime.date) -> bool:
        estimated = self.estimated_between(first, last)
        if estimated and not self.allow_estimates:
            year = next(y for y in range(first.year, last.year + 1) if self.is_estimated_year(y))
            raise CalendarNotPublished(year)
        return estimated

    # -- estimates -------------------------------------------------------------------------------

    def is_estimated_year(self, year: int) -> bool:
        """Whether ``year`` is planned on weekdays only because no official data covers it."""
        self._flags_for(year)
        return year in self._estimated_years

    def is_estimated(self, day: datetime.date) -> bool:
        return self.is_estimated_year(day.year)

    def estimated_between(self, first: datetime.date, last: datetime.date) -> bool:
        if last < first:
            first, last = last, first
        return any(self.is_estimated_year(year) for year in range(first.year, last.year + 1))

    def estimated_years(self, first: datetime.date, last: datetime.date) -> list[int]:
        if last < first:
            first, last = last, first
        return [year for year in range(first.year, last.year + 1) if self.is_estimated_year(year)]

    # -- answers with dates ----------------------------------------------------------------------

    def is_workday(self, day: datetime.date) -> bool:
        """Whether ``day`` is a working day; ``is_estimated(day)`` says if the answer is an estimate."""
        self._check(day, day)
        table, i = self._position(day)
        return bool(table.flags[i])

    def nth_workday(self, start: datetime.date, n: int) -> WorkdayResult:
        """Working day number ``n`` (from 1) of a period that starts on ``start``."""
        if n < 1:
            raise ValueError("working days are numbered from 1")
        day = self.date_at(self.first_on_or_after(start) + n - 1)
        return WorkdayResult(day, self._check(start, day))

    def add_workdays(self, day: datetime.date, n: int) -> WorkdayResult:
        """The ``n``-th working day after ``day``; ``n = 0`` returns ``day`` itself."""
        if n < 0:
            raise ValueError("add_workdays counts forward; n must not be negative")
        if n == 0:
            return WorkdayResult(day, self._check(day, day))
        result = self.date_at(self.last_on_or_before(day) + n)
        return WorkdayResult(result, self._check(day, result))

    def workdays_between(self, first: datetime.date, last: datetime.date) -> WorkdayCount:
        """Working days ``d`` with ``first < d <= last``; negative when ``last`` is before ``first``."""
        count = self.last_on_or_before(last) - self.last_on_or_before(first)
        return WorkdayCount(count, self._check(first, last))

    # -- absolute indices, for the planner -------------------------------------------------------

    def first_on_or_after(self, day: datetime.date) -> int:
        """The index of the first working day on or after ``day``."""
        table, i = self._position(day)
        before = table.cumulative[i - 1] if i > 0 else 0
        return table.offset + before

    def last_on_or_before(self, day: datetime.date) -> int:
        """The index of the last working day on or before ``day``."""
        table, i = self._position(day)
        if i == 0 or table.cumulative[i] == 0:
            # No working day in the table before ``day``: widen backwards and ask again.
            table = self._cover(day.year - 1, day.year + 1)
            i = day.toordinal() - table.base
        return table.offset + table.cumulative[i] - 1

    def date_at(self, index: int) -> datetime.date:
        """The working day with absolute index ``index``."""
        table = self._table
        position = index - table.offset
        while position < 0 or position >= len(table.days):
            # Roughly 250 working days a year: widen towards the index, then look again.
            years = abs(position if position < 0 else position - len(table.days)) // 240 + 1
            if position < 0:
                table = self._cover(table.first_year - years, table.last_year)
            else:
                table = self._cover(table.first_year, table.last_year + years)
            position = index - table.offset
        return datetime.date.fromordinal(table.days[position])


_default: WorkdayCalendar | None = None


def default_calendar() -> WorkdayCalendar:
    """The package's calendar without notices, built once per process."""
    global _default
    if _default is None:
        _default = WorkdayCalendar()
    return _default


def is_workday(day: datetime.date) -> bool:
    return default_calendar().is_workday(day)


def nth_workday(start: datetime.date, n: int) -> WorkdayResult:
    return default_calendar().nth_workday(start, n)


def add_workdays(day: datetime.date, n: int) -> WorkdayResult:
    return default_calendar().add_workdays(day, n)


def workdays_between(first: datetime.date, last: datetime.date) -> WorkdayCount:
    return default_calendar().workdays_between(first, last)
