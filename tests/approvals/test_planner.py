import datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from onewindow.approvals.planner import (
    Actual,
    CycleError,
    DuplicateItemError,
    Item,
    PreparedPlan,
    UnknownPrerequisiteError,
    WhatIf,
    apply_what_if,
    find_cycle,
    schedule,
    what_if,
    without,
)
from onewindow.core.workdays import WorkdayCalendar

D = datetime.date
CALENDAR = WorkdayCalendar()


def by_code(plan):
    return {entry.item.code: entry for entry in plan.items}


# -- the exact semantics -------------------------------------------------------------------------


def test_working_day_one_is_the_start_date_when_it_is_a_working_day():
    plan = schedule([Item("A", 1)], CALENDAR, D(2026, 3, 2))
    assert plan.start == D(2026, 3, 2)
    assert by_code(plan)["A"].start == by_code(plan)["A"].finish == D(2026, 3, 2)


def test_working_day_one_is_the_next_working_day_when_the_start_is_a_holiday():
    plan = schedule([Item("A", 2)], CALENDAR, D(2026, 2, 15))  # Spring Festival
    assert plan.start == D(2026, 2, 24)
    assert by_code(plan)["A"].finish == D(2026, 2, 25)


def test_an_item_of_limit_d_starting_on_day_s_finishes_on_day_s_plus_d_minus_one():
    plan = schedule([Item("A", 3), Item("B", 4, ("A",))], CALENDAR, D(2026, 2, 12))
    a, b = by_code(plan)["A"], by_code(plan)["B"]
    assert (a.start_day, a.finish_day) == (1, 3)
    assert (b.start_day, b.finish_day) == (4, 7)
    # Thu 02-12, Fri 02-13, Sat 02-14 (make-up), then the holiday until 02-23.
    assert a.finish == D(2026, 2, 14)
    assert b.start == D(2026, 2, 24)
    assert b.finish == D(2026, 2, 27)


def test_an_item_starts_the_working_day_after_its_last_prerequisite_finishes():
    items = [Item("A", 2), Item("B", 5), Item("C", 1, ("A", "B"))]
    plan = schedule(items, CALENDAR, D(2026, 3, 2))
    assert by_code(plan)["C"].start_day == 6
    assert by_code(plan)["C"].start == D(2026, 3, 9)  # the Monday after Fri 03-06


def test_parallel_serial_and_speedup():
    items = [Item("A", 10), Item("B", 20), Item("C", 5, ("A",)), Item("D", 5, ("B", "C"))]
    plan = schedule(items, CALENDAR, D(2026, 3, 2))
    assert plan.parallel_workdays == 25
    assert plan.serial_workdays == 40
    assert plan.speedup == pytest.approx(1 - 25 / 40)
    assert plan.to_json()["speedup"] == 0.38


def test_critical_items_are_those_with_zero_float():
    items = [Item("A", 10), Item("B", 20), Item("C", 5, ("A",)), Item("D", 5, ("B", "C"))]
    plan = by_code(schedule(items, CALENDAR, D(2026, 3, 2)))
    assert [code for code, entry in plan.items() if entry.critical] == ["B", "D"]
    assert plan["A"].total_float == 5
    assert plan["C"].total_float == 5


def test_the_json_has_the_agreed_shape_with_iso_dates():
    data = schedule(
        [Item("A", 2, name="备案", department="fgw", stage="project_land")], CALENDAR, D(2026, 3, 2)
    ).to_json()
    assert data == {
        "start": "2026-03-02",
        "finish": "2026-03-03",
        "parallel_workdays": 2,
        "serial_workdays": 2,
        "speedup": 0.0,
        "estimated": False,
        "items": [
            {
                "code": "A",
                "name": "备案",
                "department": "fgw",
                "stage": "project_land",
                "limit_workdays": 2,
                "start": "2026-03-02",
                "finish": "2026-03-03",
                "critical": True,
            }
        ],
        "stages": [{"stage": "project_land", "start": "2026-03-02", "finish": "2026-03-03", "workdays": 2}],
    }


def test_a_plan_reaching_a_year_without_official_holidays_is_marked_an_estimate():
    plan = schedule([Item("A", 5)], CALENDAR, D(2030, 5, 1))
    assert plan.estimated
    assert plan.estimated_years == (2030,)
    assert plan.to_json()["estimated"] is True
    # Weekdays only: 2030-05-01 is a Wednesday, and no Labour Day holiday is assumed.
    assert plan.finish == D(2030, 5, 7)


def test_a_plan_inside_known_years_is_not_an_estimate():
    assert schedule([Item("A", 5)], CALENDAR, D(2025, 9, 29)).to_json()["estimated"] is False


def test_per_stage_start_finish_and_duration():
    items = [
        Item("L1", 10, stage="project_land"),
        Item("L2", 5, ("L1",), stage="project_land"),
        Item("E1", 4, ("L1",), stage="engineering"),
        Item("C1", 3, ("E1", "L2"), stage="construction"),
    ]
    plan = schedule(items, CALENDAR, D(2026, 3, 2))
    spans = {span.stage: span for span in plan.stages}
    assert [span.stage for span in plan.stages] == ["project_land", "engineering", "construction"]
    assert spans["project_land"].workdays == 15
    assert spans["engineering"].workdays == 4
    assert (spans["construction"].start, spans["construction"].finish) == (D(2026, 3, 23), D(2026, 3, 25))
    assert plan.span_workdays(["project_land", "engineering", "construction"]) == 18


def test_an_empty_plan_takes_no_time():
    plan = schedule([], CALENDAR, D(2026, 3, 2))
    assert (plan.parallel_workdays, plan.serial_workdays, plan.speedup) == (0, 0, 0.0)


# -- errors --------------------------------------------------------------------------------------


def test_a_cycle_is_an_error_naming_exactly_the_items_in_it():
    items = [
        Item("A", 1),
        Item("B", 1, ("A", "D")),
        Item("C", 1, ("B",)),
        Item("D", 1, ("C",)),
        Item("E", 1, ("D",)),
    ]
    with pytest.raises(CycleError) as raised:
        schedule(items, CALENDAR, D(2026, 3, 2))
    assert sorted(raised.value.cycle) == ["B", "C", "D"]
    assert "B" in str(raised.value) and "→" in str(raised.value)


def test_an_unknown_prerequisite_and_a_duplicate_code_are_errors_naming_the_item():
    with pytest.raises(UnknownPrerequisiteError) as raised:
        schedule([Item("A", 1, ("X",))], CALENDAR, D(2026, 3, 2))
    assert (raised.value.item, raised.value.missing) == ("A", "X")
    with pytest.raises(DuplicateItemError) as duplicate:
        schedule([Item("A", 1), Item("A", 2)], CALENDAR, D(2026, 3, 2))
    assert duplicate.value.item == "A"


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        Item("A", 0)


# -- forecast from actual dates ------------------------------------------------------------------


def test_the_rest_is_replanned_from_an_actual_decision_date():
    items = [Item("A", 10), Item("B", 5, ("A",))]
    early = schedule(items, CALENDAR, D(2026, 3, 2), actuals={"A": Actual(D(2026, 3, 2), D(2026, 3, 4))})
    entries = by_code(early)
    assert entries["A"].decided and entries["A"].finish == D(2026, 3, 4)
    assert entries["B"].start == D(2026, 3, 5)
    assert early.parallel_workdays == 8


def test_a_decision_on_a_weekend_lets_the_next_item_start_the_next_working_day():
    items = [Item("A", 3), Item("B", 2, ("A",))]
    plan = by_code(
        schedule(items, CALENDAR, D(2026, 3, 2), actuals={"A": Actual(D(2026, 3, 2), D(2026, 3, 7))})
    )
    assert plan["A"].finish == D(2026, 3, 7)  # shown as it happened, a Saturday
    assert plan["B"].start == D(2026, 3, 9)


def test_an_item_under_way_ends_at_its_limit_and_an_overdue_one_not_before_today():
    items = [Item("A", 5), Item("B", 2, ("A",))]
    on_time = by_code(
        schedule(items, CALENDAR, D(2026, 3, 2), actuals={"A": Actual(D(2026, 3, 3))}, as_of=D(2026, 3, 4))
    )
    assert on_time["A"].under_way and on_time["A"].finish == D(2026, 3, 9)
    late = by_code(
        schedule(items, CALENDAR, D(2026, 3, 2), actuals={"A": Actual(D(2026, 3, 3))}, as_of=D(2026, 3, 20))
    )
    assert late["A"].finish == D(2026, 3, 20)
    assert late["B"].start == D(2026, 3, 23)


def test_nothing_not_yet_started_is_planned_before_the_forecast_day():
    items = [Item("A", 2), Item("B", 2)]
    plan = by_code(
        schedule(
            items,
            CALENDAR,
            D(2026, 3, 2),
            actuals={"A": Actual(D(2026, 3, 2), D(2026, 3, 3))},
            as_of=D(2026, 3, 16),
        )
    )
    assert plan["A"].start == D(2026, 3, 2)
    assert plan["B"].start == D(2026, 3, 16)


# -- what-if -------------------------------------------------------------------------------------


def test_commitment_makes_the_items_that_allow_it_take_one_working_day():
    items = [Item("A", 10, commitment_allowed=True), Item("B", 10, ("A",))]
    comparison = what_if(items, CALENDAR, D(2026, 3, 2), WhatIf(commitment=True))
    assert comparison.current.parallel_workdays == 20
    assert comparison.alternative.parallel_workdays == 11
    assert comparison.workdays_saved == 9
    assert comparison.alternative.finish < comparison.current.finish


def test_zone_evaluation_drops_the_exempt_items_and_keeps_the_order_they_passed_on():
    items = [Item("A", 5), Item("X", 20, ("A",), zone_exempt=True), Item("B", 3, ("X",))]
    alternative = apply_what_if(items, WhatIf(zone_evaluated=True))
    assert [item.code for item in alternative] == ["A", "B"]
    assert alternative[1].requires == ("A",)
    assert schedule(alternative, CALENDAR, D(2026, 3, 2)).parallel_workdays == 8


def test_items_added_and_removed():
    items = [Item("A", 5), Item("B", 3, ("A",))]
    changed = apply_what_if(items, WhatIf(add=(Item("C", 7, ("B",)),), remove=frozenset({"A"})))
    assert [(item.code, item.requires) for item in changed] == [("B", ()), ("C", ("B",))]


def test_removing_a_chain_passes_prerequisites_through_every_removed_link():
    items = [Item("A", 1), Item("B", 1, ("A",)), Item("C", 1, ("B",)), Item("D", 1, ("C", "A"))]
    assert without(items, ["B", "C"])[1].requires == ("A",)


# -- properties on random acyclic graphs ---------------------------------------------------------


@st.composite
def acyclic_items(draw, max_items=25):
    """Items whose prerequisites are earlier items, shuffled so the planner must sort them."""
    count = draw(st.integers(min_value=1, max_value=max_items))
    items = []
    for position in range(count):
        earlier = [f"I{n}" for n in range(position)]
        requires = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=4)) if earlier else []
        items.append(Item(f"I{position}", draw(st.integers(min_value=1, max_value=30)), tuple(requires)))
    return draw(st.permutations(items))


STARTS = st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 6, 30))


def longest_path(items) -> int:
    table = {item.code: item for item in items}
    memo: dict[str, int] = {}

    def length(code: str) -> int:
        if code not in memo:
            memo[code] = table[code].limit + max((length(r) for r in table[code].requires), default=0)
        return memo[code]

    return max(length(item.code) for item in items)


@given(items=acyclic_items(), start=STARTS)
def test_every_item_starts_after_all_its_prerequisites_finish(items, start):
    plan = by_code(schedule(items, CALENDAR, start))
    for item in items:
        entry = plan[item.code]
        expected = max((plan[code].finish_day for code in item.requires), default=0) + 1
        assert entry.start_day == expected
        assert entry.finish_day == entry.start_day + item.limit - 1
        for code in item.requires:
            assert plan[code].finish < entry.start
        assert entry.start == CALENDAR.nth_workday(start, entry.start_day).date


@given(items=acyclic_items(), start=STARTS)
def test_the_latest_finish_equals_the_longest_path(items, start):
    plan = schedule(items, CALENDAR, start)
    assert plan.parallel_workdays == longest_path(items)
    assert plan.finish == CALENDAR.nth_workday(start, plan.parallel_workdays).date


@given(items=acyclic_items(), start=STARTS)
def test_serial_is_never_shorter_than_parallel(items, start):
    plan = schedule(items, CALENDAR, start)
    assert plan.serial_workdays == sum(item.limit for item in items)
    assert plan.serial_workdays >= plan.parallel_workdays
    assert 0 <= plan.speedup < 1


@given(items=acyclic_items(), data=st.data())
def test_adding_a_prerequisite_never_shortens_the_plan(items, data):
    ordered = sorted(items, key=lambda item: int(item.code[1:]))
    assume(len(ordered) >= 2)
    later = data.draw(st.integers(min_value=1, max_value=len(ordered) - 1))
    earlier = data.draw(st.integers(min_value=0, max_value=later - 1))
    target = ordered[later]
    extra = tuple(dict.fromkeys((*target.requires, ordered[earlier].code)))
    changed = [Item(item.code, item.limit, extra) if item is target else item for item in items]
    before = schedule(items, CALENDAR, D(2026, 3, 2)).parallel_workdays
    assert schedule(changed, CALENDAR, D(2026, 3, 2)).parallel_workdays >= before


@given(items=acyclic_items())
@settings(max_examples=60)
def test_delaying_an_item_by_its_float_keeps_the_finish_and_one_day_more_moves_it(items):
    plan = schedule(items, CALENDAR, D(2026, 3, 2))
    for entry in plan.items:
        longer = [
            Item(i.code, i.limit + entry.total_float, i.requires) if i.code == entry.item.code else i
            for i in items
        ]
        assert schedule(longer, CALENDAR, D(2026, 3, 2)).parallel_workdays == plan.parallel_workdays
        later = [
            Item(i.code, i.limit + entry.total_float + 1, i.requires) if i.code == entry.item.code else i
            for i in items
        ]
        assert schedule(later, CALENDAR, D(2026, 3, 2)).parallel_workdays == plan.parallel_workdays + 1
    assert plan.critical_codes


@given(items=acyclic_items(), data=st.data())
def test_a_cycle_is_rejected_and_the_named_items_really_form_one(items, data):
    ordered = sorted(items, key=lambda item: int(item.code[1:]))
    requires = {item.code: set(item.requires) for item in ordered}
    # Make an earlier item require a later one that (directly or not) requires it, or itself.
    later = data.draw(st.integers(min_value=0, max_value=len(ordered) - 1))
    ancestors = {ordered[later].code}
    frontier = [ordered[later].code]
    while frontier:
        for code in requires[frontier.pop()]:
            if code not in ancestors:
                ancestors.add(code)
                frontier.append(code)
    victim = data.draw(st.sampled_from(sorted(ancestors)))
    cyclic = [
        Item(item.code, item.limit, (*item.requires, ordered[later].code)) if item.code == victim else item
        for item in items
    ]
    with pytest.raises(CycleError) as raised:
        schedule(cyclic, CALENDAR, D(2026, 3, 2))
    cycle = raised.value.cycle
    graph = {item.code: set(item.requires) for item in cyclic}
    for position, code in enumerate(cycle):
        assert cycle[(position + 1) % len(cycle)] in graph[code]
    assert find_cycle({item.code: item.requires for item in items}) is None


@given(items=acyclic_items(), data=st.data(), start=STARTS)
def test_scheduling_a_subset_of_a_prepared_catalog_equals_planning_it_without_the_rest(items, data, start):
    keep = data.draw(st.sets(st.sampled_from([item.code for item in items])))
    prepared = PreparedPlan(items).schedule(CALENDAR, start, only=keep)
    direct = schedule(without(items, [item.code for item in items if item.code not in keep]), CALENDAR, start)
    assert prepared.to_json() == direct.to_json()
    assert [e.total_float for e in prepared.items] == [e.total_float for e in direct.items]


def test_a_prepared_plan_gives_the_same_answer_from_many_start_dates():
    items = [Item("A", 3), Item("B", 4, ("A",)), Item("C", 2)]
    prepared = PreparedPlan(items)
    for start in (D(2026, 2, 12), D(2025, 9, 30), D(2030, 1, 1)):
        assert prepared.schedule(CALENDAR, start).to_json() == schedule(items, CALENDAR, start).to_json()
