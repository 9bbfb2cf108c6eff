"""From what a ledger row says about a project's stage and dates to the stage machine's steps.

Pure: no database. A ledger gives a stage word (or none) and some dates; the register needs a path
through the stage machine (洽谈 → 已签约 → 已受理代办 → 已立项 → 已开工 → 已竣工 → 已投产, with 暂缓
and 终止), one step at a time, each with its date. The rules:

* The row's stage is its stage word; without one, the latest stage that has a date (终止时间 and
  暂缓时间 included). A row with neither, for a new project, is an error.
* The stage a row ends at needs its own date. A stage passed on the way that has no date takes the date
  of the next stage that has one (it was reached no later than that), with a warning naming both.
* A date given for a stage after the row's stage is an error (the row contradicts itself).
* Dates keep the stage order and are never in the future, as ``projects.services`` demands; a
  month-only date (2012年8月) that falls before an exact date of the same month is read as that date.
* For a project already in the register, its own dates of stages it has reached stay as they are (a
  different date in the ledger is a warning); a ledger never moves a project backwards, out of 终止 or
  out of 已投产; a suspended project is resumed when the ledger shows it at or past the stage it left.

The checks of each step mirror ``projects.services.change_stage``; the import also runs the services'
own intake validation, and updates go through the services themselves.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from onewindow.ledger.normalisers import LedgerDate
from onewindow.projects import stages
from onewindow.projects.stages import DATE_FIELD, FORWARD, Stage

FORWARD_DATES = [DATE_FIELD[stage] for stage in FORWARD]


@dataclass(frozen=True)
class Step:
    target: Stage
    on: datetime.date
    reason: str = ""

    def __reduce__(self):
        # Pickled as its values, as ``LedgerRow`` is: plans travel from the reading process.
        return self.__class__, (self.target, self.on, self.reason)

    @property
    def resumes(self) -> bool:
        return False


@dataclass(frozen=True)
class Resume(Step):
    @property
    def resumes(self) -> bool:
        return True


@dataclass(frozen=True)
class Current:
    """The register's side: a project's stage and its dates (``None`` for a new project)."""

    stage: str
    stage_before_suspension: str
    dates: dict[str, datetime.date | None]


@dataclass
class StagePlan:
    initial_stage: Stage | None = None
    initial_dates: dict[str, datetime.date | None] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def __reduce__(self):
        return StagePlan, (self.initial_stage, self.initial_dates, self.steps, self.errors, self.warnings)


def _position(stage: str | None) -> int:
    return FORWARD.index(stage) if stage in FORWARD else -1


def _row_stage(stage: Stage | None, dates: dict[str, LedgerDate]) -> Stage | None:
    if stage is not None:
        return stage
    if "terminated_on" in dates:
        return Stage.TERMINATED
    if "suspended_on" in dates:
        return Stage.SUSPENDED
    dated = [forward for forward in FORWARD if DATE_FIELD[forward] in dates]
    return dated[-1] if dated else None


def _reached(final: Stage, dates: dict[str, LedgerDate]) -> Stage:
    """The forward stage a row's project got to: its stage, or for 暂缓/终止 its latest dated stage."""
    if final in FORWARD:
        return final
    dated = [forward for forward in FORWARD if DATE_FIELD[forward] in dates]
    return dated[-1] if dated else Stage.NEGOTIATING


class _Planner:
    def __init__(self, *, labels: dict[str, str], today: datetime.date) -> None:
        self.labels = labels
        self.today = today
        self.plan = StagePlan()

    def error(self, key: str, message: str) -> None:
        self.plan.errors.setdefault(key, message)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def dates_for(self, through: Stage, given: dict[str, LedgerDate], fixed: dict[str, datetime.date]):
        """A date for every forward stage from 已签约 up to ``through`` (洽谈 only when given): the
        register's (``fixed``) or the row's, a missing one filled from the next later date."""
        result: dict[str, datetime.date] = {}
        top = _position(through)
        for position in range(top, -1, -1):
            key = FORWARD_DATES[position]
            if key in fixed and fixed[key] is not None:
                result[key] = fixed[key]
            elif key in given:
                result[key] = given[key].value
            elif position == 0:
                continue
            elif position == top:
                self.error(
                    key,
                    _("%(stage)s needs its date (%(column)s).")
                    % {"stage": Stage(FORWARD[position]).label, "column": self.label(key)},
                )
            else:
                later_key = FORWARD_DATES[position + 1]
                if later_key in result:
                    result[key] = result[later_key]
                    self.plan.warnings.append(
                        (
                            key,
                            _("%(column)s is empty: taken as %(date)s, the date of %(later)s.")
                            % {
                                "column": self.label(key),
                                "date": result[key].isoformat(),
                                "later": self.label(later_key),
                            },
                        )
                    )
        return result

    def check_order(self, values: dict[str, datetime.date], given: dict[str, LedgerDate]) -> None:
        previous_key, previous = None, None
        for key in [*FORWARD_DATES, "suspended_on", "terminated_on"]:
            value = values.get(key)
            if value is None:
                continue
            if value > self.today:
                self.error(key, _("%(date)s is in the future.") % {"date": value.isoformat()})
            if previous is not None and value < previous:
                ledger_date = given.get(key)
                same_month = (value.year, value.month) == (previous.year, previous.month)
                if ledger_date is not None and ledger_date.month_only and same_month:
                    values[key] = value = previous
                else:
                    self.error(
                        key,
                        _("%(date)s is before %(previous_column)s (%(previous)s).")
                        % {
                            "date": value.isoformat(),
                            "previous_column": self.label(previous_key),
                            "previous": previous.isoformat(),
                        },
                    )
            if key in FORWARD_DATES or key == "suspended_on":
                previous_key, previous = key, value

    def later_dates_given(self, reached: Stage, given: dict[str, LedgerDate]) -> None:
        for position in range(_position(reached) + 1, len(FORWARD)):
            key = FORWARD_DATES[position]
            if key in given:
                self.error(
                    key,
                    _("A date is given for %(later)s, but the row's stage is %(stage)s.")
                    % {"later": Stage(FORWARD[position]).label, "stage": Stage(reached).label},
                )

    def step_checks(self, state: dict[str, datetime.date | None], step: Step, reason_key: str) -> None:
        """What ``change_stage`` refuses, checked before anything is written."""
        key = DATE_FIELD[step.target] if not step.resumes else "stage"
        known = [value for name, value in state.items() if value is not None and name != "terminated_on"]
        if known and step.on < max(known) and key not in self.plan.errors:
            latest = max(known)
            self.error(
                key,
                _("%(date)s is before the project's previous stage date (%(previous)s).")
                % {"date": step.on.isoformat(), "previous": latest.isoformat()},
            )
        if step.on > self.today:
            self.error(key, _("%(date)s is in the future.") % {"date": step.on.isoformat()})
        if step.target == Stage.STARTED and not step.resumes:
            intake_on = state.get("intake_on")
            if intake_on is None or step.on < intake_on:
                self.error(key, _("Construction cannot start before the project was taken into agency."))
        if step.target in (Stage.SUSPENDED, Stage.TERMINATED) and not step.reason.strip():
            self.error(
                reason_key,
                _("%(stage)s needs a reason (%(column)s).")
                % {"stage": step.target.label, "column": self.label(reason_key)},
            )


def plan_new(
    *,
    stage: Stage | None,
    dates: dict[str, LedgerDate],
    reason: str,
    today: datetime.date,
    labels: dict[str, str],
) -> StagePlan:
    """The intake and the steps that register a new project at the row's stage."""
    planner = _Planner(labels=labels, today=today)
    plan = planner.plan
    final = _row_stage(stage, dates)
    if final is None:
        planner.error("stage", _("Give the project's stage, or the date of the stage it has reached."))
        return plan
    reached = _reached(final, dates)
    planner.later_dates_given(reached, dates)
    values = planner.dates_for(reached, dates, {})
    if final in (Stage.SUSPENDED, Stage.TERMINATED):
        key = DATE_FIELD[final]
        if key in dates:
            values[key] = dates[key].value
        else:
            planner.error(
                key,
                _("%(stage)s needs its date (%(column)s).")
                % {"stage": final.label, "column": planner.label(key)},
            )
    planner.check_order(values, dates)
    if plan.errors:
        return plan
    initial = reached if reached in stages.INITIAL_STAGES else Stage.INTAKE
    plan.initial_stage = Stage(initial)
    plan.initial_dates = {
        key: values.get(key) for key in FORWARD_DATES[: _position(initial) + 1] if key in FORWARD_DATES[:3]
    }
    state = dict(plan.initial_dates)
    for position in range(_position(initial) + 1, _position(reached) + 1):
        step = Step(FORWARD[position], values[FORWARD_DATES[position]])
        planner.step_checks(state, step, "reason")
        state[FORWARD_DATES[position]] = step.on
        plan.steps.append(step)
    if final in (Stage.SUSPENDED, Stage.TERMINATED):
        step = Step(final, values[DATE_FIELD[final]], reason)
        planner.step_checks(state, step, "reason")
        plan.steps.append(step)
    return plan


def plan_update(
    *,
    current: Current,
    stage: Stage | None,
    dates: dict[str, LedgerDate],
    reason: str,
    today: datetime.date,
    labels: dict[str, str],
) -> StagePlan:
    """The steps that bring a registered project to the row's stage (none when it is there)."""
    planner = _Planner(labels=labels, today=today)
    plan = planner.plan
    final = _row_stage(stage, dates)
    state = dict(current.dates)
    here = Stage(current.stage)
    reached_here = Stage(current.stage_before_suspension) if here == Stage.SUSPENDED else here
    # The register's own dates of stages it has reached win; a different one in the ledger is noted.
    for key, ledger_date in dates.items():
        held = state.get(key)
        if held is None or held == ledger_date.value:
            continue
        if ledger_date.month_only and (held.year, held.month) == (
            ledger_date.value.year,
            ledger_date.value.month,
        ):
            continue
        plan.warnings.append(
            (
                key,
                _(
                    "The register has %(held)s for %(column)s; "
                    "an import does not change the dates of stages already reached."
                )
                % {"held": held.isoformat(), "column": planner.label(key)},
            )
        )
    if final is None or final == here:
        return plan
    if here in stages.FINAL:
        planner.error(
            "stage",
            _("The register has this project at %(here)s, a final stage; the ledger says %(there)s.")
            % {"here": here.label, "there": final.label},
        )
        return plan
    reached = _reached(final, dates)
    planner.later_dates_given(reached, dates)
    if final in FORWARD and _position(final) < _position(reached_here):
        planner.error(
            "stage",
            _("The register has this project at %(here)s; a ledger cannot move it back to %(there)s.")
            % {"here": here.label, "there": final.label},
        )
        return plan
    if final == Stage.TERMINATED and here == Stage.SUSPENDED:
        reached = reached_here
    target = reached if _position(reached) > _position(reached_here) else reached_here
    fixed = {key: value for key, value in current.dates.items() if key in FORWARD_DATES and value is not None}
    values = planner.dates_for(target, dates, fixed) if target != reached_here else dict(fixed)
    if final in (Stage.SUSPENDED, Stage.TERMINATED):
        key = DATE_FIELD[final]
        if key in dates:
            values[key] = dates[key].value
        else:
            planner.error(
                key,
                _("%(stage)s needs its date (%(column)s).")
                % {"stage": final.label, "column": planner.label(key)},
            )
    planner.check_order(values, dates)
    if plan.errors:
        return plan
    steps: list[Step] = []
    if here == Stage.SUSPENDED and final != Stage.TERMINATED:
        later = [values[FORWARD_DATES[p]] for p in range(_position(reached_here) + 1, _position(target) + 1)]
        steps.append(Resume(reached_here, later[0] if later else today))
    for position in range(_position(reached_here) + 1, _position(target) + 1):
        steps.append(Step(FORWARD[position], values[FORWARD_DATES[position]]))
    if final in (Stage.SUSPENDED, Stage.TERMINATED):
        steps.append(Step(final, values[DATE_FIELD[final]], reason))
    for step in steps:
        planner.step_checks(state, step, "reason")
        if not step.resumes:
            state[DATE_FIELD[step.target]] = step.on
    plan.steps = steps
    return plan
