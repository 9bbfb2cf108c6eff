"""From a row's stage word and dates to the stage machine's steps. Pure: no database."""

import datetime

from onewindow.ledger.normalisers import LedgerDate
from onewindow.ledger.plan import Current, plan_new, plan_update
from onewindow.projects.stages import Stage

D = datetime.date
TODAY = D(2013, 1, 1)
LABELS = {
    "signed_on": "签约时间",
    "intake_on": "受理时间",
    "approved_on": "立项时间",
    "started_on": "开工时间",
}


def dates(**values) -> dict[str, LedgerDate]:
    return {
        key: value if isinstance(value, LedgerDate) else LedgerDate(value) for key, value in values.items()
    }


def new(stage, reason="", **given):
    return plan_new(stage=stage, dates=dates(**given), reason=reason, today=TODAY, labels=LABELS)


def update(current: Current, stage, reason="", **given):
    return plan_update(
        current=current, stage=stage, dates=dates(**given), reason=reason, today=TODAY, labels=LABELS
    )


def steps(plan) -> list[tuple]:
    return [(step.target.value, step.on, step.resumes) for step in plan.steps]


def test_a_new_started_project_is_taken_in_and_moved_one_stage_at_a_time():
    plan = new(
        Stage.STARTED,
        signed_on=D(2012, 3, 1),
        intake_on=D(2012, 4, 1),
        approved_on=D(2012, 5, 1),
        started_on=D(2012, 6, 1),
    )
    assert plan.errors == {}
    assert plan.initial_stage == Stage.INTAKE
    assert plan.initial_dates == {
        "negotiation_on": None,
        "signed_on": D(2012, 3, 1),
        "intake_on": D(2012, 4, 1),
    }
    assert steps(plan) == [("approved", D(2012, 5, 1), False), ("started", D(2012, 6, 1), False)]


def test_without_a_stage_word_the_latest_dated_stage_is_the_stage():
    plan = new(None, signed_on=D(2012, 3, 1))
    assert (plan.initial_stage, plan.steps) == (Stage.SIGNED, [])


def test_a_row_with_neither_stage_nor_dates_is_refused():
    assert "stage" in new(None).errors


def test_the_stage_reached_needs_its_own_date_and_earlier_ones_are_filled_from_later():
    assert "started_on" in new(Stage.STARTED, signed_on=D(2012, 3, 1), intake_on=D(2012, 4, 1)).errors
    plan = new(Stage.STARTED, signed_on=D(2012, 3, 1), started_on=D(2012, 6, 1))
    assert plan.initial_dates["intake_on"] == D(2012, 6, 1)
    assert [key for key, _message in plan.warnings] == ["approved_on", "intake_on"]


def test_a_date_for_a_later_stage_than_the_row_says_is_refused():
    plan = new(Stage.SIGNED, signed_on=D(2012, 3, 1), started_on=D(2012, 6, 1))
    assert "but the row's stage is" in plan.errors["started_on"]


def test_dates_out_of_order_or_in_the_future_are_refused():
    plan = new(Stage.INTAKE, signed_on=D(2012, 5, 1), intake_on=D(2012, 4, 1))
    assert plan.errors["intake_on"] == "2012-04-01 is before 签约时间 (2012-05-01)."
    assert "in the future" in new(Stage.SIGNED, signed_on=D(2013, 2, 1)).errors["signed_on"]


def test_a_month_only_date_in_the_month_of_the_previous_date_is_read_as_that_date():
    plan = new(Stage.INTAKE, signed_on=D(2012, 8, 15), intake_on=LedgerDate(D(2012, 8, 1), month_only=True))
    assert plan.errors == {}
    assert plan.initial_dates["intake_on"] == D(2012, 8, 15)


def test_construction_never_starts_before_intake():
    plan = new(
        Stage.STARTED,
        signed_on=D(2012, 3, 1),
        intake_on=D(2012, 6, 2),
        approved_on=D(2012, 6, 1),
        started_on=D(2012, 6, 1),
    )
    assert plan.errors


def test_suspension_and_termination_need_a_reason():
    plan = new(Stage.SUSPENDED, signed_on=D(2012, 3, 1), intake_on=D(2012, 4, 1), suspended_on=D(2012, 5, 1))
    assert "reason" in plan.errors
    plan = new(
        Stage.SUSPENDED, "资金", signed_on=D(2012, 3, 1), intake_on=D(2012, 4, 1), suspended_on=D(2012, 5, 1)
    )
    assert steps(plan) == [("suspended", D(2012, 5, 1), False)]


INTAKE = Current(
    stage="intake",
    stage_before_suspension="",
    dates={"negotiation_on": None, "signed_on": D(2012, 3, 1), "intake_on": D(2012, 4, 1)},
)
SUSPENDED = Current(
    stage="suspended",
    stage_before_suspension="intake",
    dates={"signed_on": D(2012, 3, 1), "intake_on": D(2012, 4, 1), "suspended_on": D(2012, 5, 1)},
)


def test_the_same_stage_needs_no_step():
    assert update(INTAKE, Stage.INTAKE, signed_on=D(2012, 3, 1)).steps == []


def test_a_registered_project_moves_forward_to_the_rows_stage():
    plan = update(INTAKE, Stage.STARTED, started_on=D(2012, 6, 1))
    assert steps(plan) == [("approved", D(2012, 6, 1), False), ("started", D(2012, 6, 1), False)]


def test_a_registered_project_is_never_moved_back():
    assert "cannot move it back" in update(INTAKE, Stage.SIGNED).errors["stage"]


def test_a_suspended_project_is_resumed_and_moved_on():
    plan = update(SUSPENDED, Stage.APPROVED, approved_on=D(2012, 7, 1))
    assert steps(plan) == [("intake", D(2012, 7, 1), True), ("approved", D(2012, 7, 1), False)]


def test_a_suspended_project_may_be_terminated_directly():
    plan = update(SUSPENDED, Stage.TERMINATED, "企业退出", terminated_on=D(2012, 8, 1))
    assert steps(plan) == [("terminated", D(2012, 8, 1), False)]


def test_a_project_in_a_final_stage_stays_there():
    producing = Current(stage="producing", stage_before_suspension="", dates={"produced_on": D(2012, 9, 1)})
    assert (
        "final stage" in update(producing, Stage.SUSPENDED, "x", suspended_on=D(2012, 10, 1)).errors["stage"]
    )


def test_a_registered_date_that_differs_is_a_warning_and_is_kept():
    plan = update(INTAKE, Stage.INTAKE, signed_on=D(2012, 3, 2))
    assert plan.steps == []
    assert plan.warnings[0][0] == "signed_on"
