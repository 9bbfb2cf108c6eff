import datetime

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.core.workdays import (
    CalendarNotPublished,
    WorkdayCalendar,
    YearNotice,
    add_workdays,
    default_calendar,
    is_workday,
    nth_workday,
    workdays_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 4), True),  # Sunday, make-up working day for New Year
        (D(2026, 2, 14), True),  # Saturday, make-up working day for the Spring Festival
        (D(2026, 2, 16), False),  # Monday inside the Spring Festival holiday
        (D(2026, 2, 28), True),  # Saturday, make-up working day
        (D(2026, 1, 2), False),  # Friday, New Year holiday
        (D(2026, 10, 7), False),  # last day of the National Day holiday
        (D(2026, 10, 10), True),  # Saturday, make-up working day
        (D(2025, 1, 26), True),  # Sunday before the 2025 Spring Festival
        (D(2025, 2, 3), False),
        (D(2025, 10, 11), True),  # Saturday after National Day 2025
        (D(2025, 5, 5), False),
        (D(2025, 3, 8), False),  # an ordinary Saturday
        (D(2025, 3, 10), True),  # an ordinary Monday
    ],
)
def test_the_2025_and_2026_statutory_calendar_including_make_up_weekends(day, working):
    assert is_workday(day) is working
    assert not default_calendar().is_estimated(day)


def test_every_day_of_the_years_the_package_covers_agrees_with_the_package():
    calendar = WorkdayCalendar()
    day = D(2004, 1, 1)
    while day.year <= 2026:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)


def test_working_day_one_is_the_start_when_the_start_is_a_working_day():
    assert nth_workday(D(2026, 2, 13), 1) == (D(2026, 2, 13), False)


def test_working_day_one_is_the_next_working_day_when_the_start_is_a_holiday():
    # 2026-02-15 is inside the Spring Festival; the holiday ends on 02-23.
    assert nth_workday(D(2026, 2, 15), 1).date == D(2026, 2, 24)


def test_counting_working_days_across_the_spring_festival_uses_the_make_up_saturday():
    # Fri 02-13, Sat 02-14 (make-up), then the holiday until Mon 02-23.
    assert nth_workday(D(2026, 2, 13), 2).date == D(2026, 2, 14)
    assert nth_workday(D(2026, 2, 13), 3).date == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == (2, False)


def test_add_workdays_counts_from_a_holiday_to_the_working_days_after_it():
    assert add_workdays(D(2026, 10, 1), 1).date == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 1), 2).date == D(2026, 10, 9)
    assert add_workdays(D(2026, 10, 1), 3).date == D(2026, 10, 10)
    assert add_workdays(D(2026, 10, 1), 0).date == D(2026, 10, 1)


def test_a_year_outside_the_package_is_planned_on_weekdays_and_flagged_as_an_estimate():
    # 2030-01-05 is a Saturday: the fallback knows no holidays and no make-up days.
    result = nth_workday(D(2030, 1, 5), 1)
    assert result == (D(2030, 1, 7), True)
    assert is_workday(D(2030, 1, 1)) is True  # New Year's Day, unknown to the fallback
    assert default_calendar().is_estimated(D(2030, 1, 1))


def test_a_span_that_reaches_into_an_unknown_year_is_an_estimate():
    result = add_workdays(D(2026, 12, 20), 30)
    assert result.estimated
    assert result.date.year == 2027


def test_a_calendar_that_refuses_estimates_names_the_missing_year():
    strict = WorkdayCalendar(allow_estimates=False)
    with pytest.raises(CalendarNotPublished) as raised:
        strict.nth_workday(D(2030, 3, 1), 5)
    assert raised.value.year == 2030
    assert strict.nth_workday(D(2026, 3, 2), 5).date == D(2026, 3, 6)


def test_an_official_notice_extends_the_calendar_to_a_new_year():
    notice = YearNotice(
        2027,
        holidays=frozenset({D(2027, 1, 1), D(2027, 2, 8), D(2027, 2, 9)}),
        workdays=frozenset({D(2027, 2, 6)}),
        document="国办发明电〔2026〕X号",
    )
    calendar = WorkdayCalendar([notice])
    assert calendar.is_workday(D(2027, 2, 6)) is True  # Saturday made a working day
    assert calendar.is_workday(D(2027, 2, 8)) is False
    assert not calendar.is_estimated(D(2027, 2, 8))
    assert calendar.nth_workday(D(2027, 2, 5), 3) == (D(2027, 2, 10), False)


def test_an_official_notice_corrects_a_year_the_package_covers():
    # Pretend 2026-03-02 (a Monday) were declared a holiday.
    notice = YearNotice(2026, holidays=frozenset({D(2026, 3, 2)}), workdays=frozenset())
    calendar = WorkdayCalendar([notice])
    assert calendar.is_workday(D(2026, 3, 2)) is False
    # The notice replaces the package's data for the whole year: no other 2026 holiday remains.
    assert calendar.is_workday(D(2026, 2, 16)) is True


def test_a_notice_refuses_days_of_another_year_and_days_both_off_and_on():
    with pytest.raises(ValueError, match="another year"):
        YearNotice(2027, holidays=frozenset({D(2026, 12, 31)}))
    with pytest.raises(ValueError, match="both"):
        YearNotice(2027, holidays=frozenset({D(2027, 2, 6)}), workdays=frozenset({D(2027, 2, 6)}))


def test_working_day_numbers_count_from_one():
    with pytest.raises(ValueError):
        nth_workday(D(2026, 3, 2), 0)
    with pytest.raises(ValueError):
        add_workdays(D(2026, 3, 2), -1)


def test_indices_stay_stable_when_the_calendar_grows_into_the_past_and_the_future():
    calendar = WorkdayCalendar()
    index = calendar.first_on_or_after(D(2026, 3, 2))
    calendar.first_on_or_after(D(1950, 6, 1))  # widens backwards
    calendar.first_on_or_after(D(2150, 6, 1))  # and forwards
    assert calendar.first_on_or_after(D(2026, 3, 2)) == index
    assert calendar.date_at(index) == D(2026, 3, 2)


@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2035, 12, 31)),
    n=st.integers(min_value=1, max_value=400),
)
def test_nth_workday_agrees_with_stepping_day_by_day(start, n):
    calendar = default_calendar()
    day, counted = start, 0
    while True:
        if calendar.is_workday(day):
            counted += 1
            if counted == n:
                break
        day += datetime.timedelta(days=1)
    assert calendar.nth_workday(start, n).date == day


@given(
    first=st.dates(min_value=D(2004, 1, 1), max_value=D(2035, 12, 31)),
    n=st.integers(min_value=0, max_value=300),
)
def test_workdays_between_undoes_add_workdays(first, n):
    calendar = default_calendar()
    later = calendar.add_workdays(first, n).date
    assert calendar.workdays_between(first, later).count == n
