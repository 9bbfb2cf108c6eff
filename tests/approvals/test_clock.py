"""The pure clock of an approval task, on the statutory calendar: the 2026 Spring Festival holiday runs
from Sun 02-15 to Mon 02-23; Sat 02-14 and Sat 02-28 are make-up working days. Working days after
Thu 02-12: 02-13, 02-14, 02-24, 02-25, 02-26, 02-27, 02-28, 03-02, 03-03, 03-04, 03-05, 03-06, 03-09."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.approvals.clock import Pause, compute_clock, stored_clock
from onewindow.core.workdays import default_calendar

D = datetime.date
ACCEPTED = D(2026, 2, 12)


def clock(as_of, *, limit=5, pauses=(), extension=0, decided_on=None, accepted_on=ACCEPTED):
    return compute_clock(
        default_calendar(),
        accepted_on=accepted_on,
        limit_workdays=limit,
        as_of=as_of,
        pauses=pauses,
        extension_workdays=extension,
        decided_on=decided_on,
    )


def test_the_calendar_facts_the_clock_tests_rely_on():
    calendar = default_calendar()
    assert calendar.is_workday(D(2026, 2, 14)) is True
    assert calendar.is_workday(D(2026, 2, 16)) is False
    assert calendar.is_workday(D(2026, 2, 28)) is True


def test_the_day_of_acceptance_is_not_counted_and_the_holiday_pushes_the_due_date():
    result = clock(D(2026, 2, 12))
    assert result.due_on == D(2026, 2, 26)  # 02-13, 02-14 (make-up Saturday), then 02-24..02-26
    assert (result.used_workdays, result.remaining_workdays) == (0, 5)
    assert not result.overdue and not result.paused and not result.estimated


def test_the_holiday_is_not_counted_as_time_used():
    during = clock(D(2026, 2, 16))  # a holiday Monday
    assert (during.used_workdays, during.remaining_workdays) == (2, 3)
    assert during.due_on == D(2026, 2, 26)


def test_due_day_is_in_time_and_the_next_working_day_is_overdue():
    assert clock(D(2026, 2, 26)).remaining_workdays == 0
    assert not clock(D(2026, 2, 26)).overdue
    late = clock(D(2026, 2, 27))
    assert late.overdue and late.remaining_workdays == -1 and late.overdue_workdays == 1


def test_a_weekend_after_the_due_date_is_not_yet_overdue():
    # Limit 12: due Fri 03-06. Sat 03-07 and Sun 03-08 use no working day; Mon 03-09 does.
    assert clock(D(2026, 3, 6), limit=12).due_on == D(2026, 3, 6)
    assert not clock(D(2026, 3, 7), limit=12).overdue
    assert not clock(D(2026, 3, 8), limit=12).overdue
    assert clock(D(2026, 3, 9), limit=12).overdue


def test_a_correction_round_pauses_the_clock_and_pushes_the_due_date_back():
    # Asked Fri 02-13, handed in Tue 02-24: 02-14 and 02-24 are not counted (the holiday never was).
    result = clock(D(2026, 2, 28), pauses=[Pause(D(2026, 2, 13), D(2026, 2, 24))])
    assert result.paused_workdays == 2
    assert result.due_on == D(2026, 2, 28)  # the make-up Saturday
    assert (result.used_workdays, result.remaining_workdays) == (5, 0)
    assert not result.overdue and not result.paused


def test_while_paused_the_remaining_time_stands_still_and_the_due_date_moves():
    pause = Pause(D(2026, 2, 13))
    on_25th = clock(D(2026, 2, 25), pauses=[pause])
    on_27th = clock(D(2026, 2, 27), pauses=[pause])
    assert on_25th.paused and on_25th.paused_since == D(2026, 2, 13)
    assert on_25th.remaining_workdays == on_27th.remaining_workdays == 4
    assert (on_25th.due_on, on_27th.due_on) == (D(2026, 3, 2), D(2026, 3, 4))
    assert not on_27th.overdue  # without the pause it would be


def test_resuming_starts_the_clock_again_the_next_working_day():
    pause = Pause(D(2026, 2, 13), D(2026, 2, 25))
    assert clock(D(2026, 2, 25), pauses=[pause]).remaining_workdays == 4
    assert clock(D(2026, 2, 26), pauses=[pause]).remaining_workdays == 3
    # 02-14, 02-24 and 02-25 were paused: due on the 8th working day, Mon 03-02.
    assert clock(D(2026, 3, 2), pauses=[pause]).due_on == D(2026, 3, 2)
    assert not clock(D(2026, 3, 2), pauses=[pause]).overdue
    assert clock(D(2026, 3, 3), pauses=[pause]).overdue


def test_a_task_paused_after_its_due_date_stays_overdue():
    result = clock(D(2026, 3, 4), pauses=[Pause(D(2026, 3, 2))])
    # The day the pause began (Mon 03-02, the 8th working day) still counts.
    assert result.paused and result.overdue and result.remaining_workdays == -3


def test_overlapping_pauses_count_each_day_once():
    pauses = [Pause(D(2026, 2, 24), D(2026, 2, 26)), Pause(D(2026, 2, 25), D(2026, 2, 27))]
    assert clock(D(2026, 3, 9), pauses=pauses).paused_workdays == 3  # 02-25, 02-26, 02-27


def test_a_pause_before_acceptance_counts_nothing():
    assert clock(D(2026, 3, 9), pauses=[Pause(D(2026, 2, 9), D(2026, 2, 11))]).paused_workdays == 0


def test_an_extension_adds_working_days():
    assert clock(D(2026, 2, 27), extension=2).due_on == D(2026, 2, 28)
    assert not clock(D(2026, 2, 27), extension=2).overdue


def test_a_decided_clock_stops_on_its_decision_date():
    in_time = clock(D(2026, 11, 2), decided_on=D(2026, 2, 26))
    assert in_time.decided and not in_time.overdue and in_time.as_of == D(2026, 2, 26)
    late = clock(D(2026, 11, 2), decided_on=D(2026, 3, 2))
    assert late.decided and late.overdue and late.overdue_workdays == 3
    # Read before the decision, the task was still open then.
    assert not clock(D(2026, 2, 20), decided_on=D(2026, 3, 2)).decided


def test_a_year_without_an_official_calendar_is_an_estimate_on_weekdays():
    result = clock(D(2031, 6, 2), accepted_on=D(2031, 6, 2))
    assert result.estimated
    assert result.due_on == D(2031, 6, 9)  # Mon + 5 weekdays


def test_wrong_input_is_refused():
    with pytest.raises(ValueError):
        clock(D(2026, 3, 1), limit=0)
    with pytest.raises(ValueError):
        Pause(D(2026, 3, 2), D(2026, 3, 1))


def test_the_stored_due_date_of_a_paused_task_is_the_one_it_had_when_it_stopped():
    stored = stored_clock(
        default_calendar(),
        accepted_on=ACCEPTED,
        limit_workdays=5,
        today=D(2026, 3, 20),
        pauses=[Pause(D(2026, 2, 13))],
    )
    assert (stored.due_on, stored.overdue_since, stored.paused_since) == (
        D(2026, 2, 26),
        None,
        D(2026, 2, 13),
    )
    running = stored_clock(default_calendar(), accepted_on=ACCEPTED, limit_workdays=5, today=D(2026, 2, 20))
    assert (running.due_on, running.overdue_since) == (D(2026, 2, 26), D(2026, 2, 27))


days = st.integers(min_value=0, max_value=120)


@settings(max_examples=60, deadline=None)
@given(
    start=days,
    limit=st.integers(min_value=1, max_value=30),
    extension=st.integers(min_value=0, max_value=5),
    pauses=st.lists(st.tuples(days, st.one_of(st.none(), st.integers(0, 30))), max_size=3),
    decided=st.one_of(st.none(), st.integers(0, 90)),
    read=days,
)
def test_the_stored_fields_answer_overdue_as_the_live_clock_does(
    start, limit, extension, pauses, decided, read
):
    """``overdue_since <= T`` in SQL is the live clock's ``overdue`` on any later day T."""
    base = D(2025, 12, 1)
    accepted_on = base + datetime.timedelta(days=start)
    spans = []
    for begin, length in pauses:
        first = accepted_on + datetime.timedelta(days=begin % 40)
        spans.append(Pause(first, None if length is None else first + datetime.timedelta(days=length)))
    decided_on = None if decided is None else accepted_on + datetime.timedelta(days=decided)
    # Records are kept in order: pauses end (and open ones are closed) by the decision.
    if decided_on is not None:
        spans = [Pause(p.start, min(p.end or decided_on, decided_on)) for p in spans if p.start <= decided_on]
    ends = (
        [p.end for p in spans if p.end] + [p.start for p in spans] + [accepted_on, decided_on or accepted_on]
    )
    today = max(ends)
    inputs = {
        "accepted_on": accepted_on,
        "limit_workdays": limit,
        "pauses": spans,
        "extension_workdays": extension,
        "decided_on": decided_on,
    }
    stored = stored_clock(default_calendar(), today=today, **inputs)
    for offset in range(0, 40, 3):
        later = today + datetime.timedelta(days=offset + read % 7)
        live = compute_clock(default_calendar(), as_of=later, **inputs)
        assert live.overdue == (stored.overdue_since is not None and stored.overdue_since <= later)
        if not live.paused:
            assert live.due_on == stored.due_on
