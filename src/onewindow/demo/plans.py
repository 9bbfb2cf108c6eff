"""Plans: what the demo city's projects went through, as plain data, before anything is written.

A plan is a script for the project services: the intake, then dated stage changes and notes. Keeping it
free of the database lets the generator count a year's figures exactly as ``analytics.selectors`` will,
and size the generated projects so that the article's figures come out by construction.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from onewindow.projects.stages import DATE_FIELD, Stage

# The demo city's story ends here: no plan may hold a later date, whatever today is.
STORY_ENDS = datetime.date(2013, 12, 31)


@dataclass(frozen=True)
class InvestorPlan:
    name: str
    uscc: str
    legal_representative: str = ""
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Step:
    """A stage change. ``resume`` goes back to the stage held before a suspension (no date field)."""

    target: Stage
    on: datetime.date
    reason: str = ""
    note: str = ""
    resume: bool = False


@dataclass(frozen=True)
class Note:
    on: datetime.date
    text: str
    public: bool = True
    phase: int | None = None


@dataclass(frozen=True)
class PhasePlan:
    sequence: int
    name: str
    scale: str = ""
    investment_wan: Decimal | None = None
    planned_start_on: datetime.date | None = None
    started_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    produced_on: datetime.date | None = None


@dataclass(frozen=True)
class ProjectPlan:
    """One project's facts and history. ``code`` is a national code, or empty for a provisional one."""

    key: str
    name: str
    investor: InvestorPlan
    total_investment_wan: Decimal
    industry: str
    region_code: str
    level: str
    actor: str
    initial_stage: Stage = Stage.INTAKE
    negotiation_on: datetime.date | None = None
    signed_on: datetime.date | None = None
    intake_on: datetime.date | None = None
    code: str = ""
    agent: str = ""
    construction_nature: str = "new"
    approval_type: str = "filing"
    project_type: str = "01"
    fast_track: bool = False
    confidential: bool = False
    description: str = ""
    departments: tuple[tuple[str, str], ...] = ()
    steps: tuple[Step, ...] = ()
    notes: tuple[Note, ...] = ()
    phases: tuple[PhasePlan, ...] = ()
    investor_accounts: tuple[str, ...] = ()

    @property
    def first_date(self) -> datetime.date:
        return next(day for day in (self.negotiation_on, self.signed_on, self.intake_on) if day)

    def date_of(self, stage: Stage) -> datetime.date | None:
        """The date the finished project will hold in the field that ``stage`` sets."""
        initial = {Stage.NEGOTIATING: self.negotiation_on, Stage.SIGNED: self.signed_on}
        if stage in initial:
            return initial[stage]
        if stage == Stage.INTAKE:
            return self.intake_on
        dates = [step.on for step in self.steps if step.target == stage and not step.resume]
        return dates[-1] if dates else None

    def dates(self) -> dict[str, datetime.date | None]:
        return {DATE_FIELD[stage]: self.date_of(stage) for stage in Stage}

    def all_dates(self) -> list[datetime.date]:
        """Every date the plan will write, for the "nothing in the future" check."""
        days = [day for day in self.dates().values() if day]
        days += [step.on for step in self.steps] + [note.on for note in self.notes]
        for phase in self.phases:
            days += [
                day
                for day in (phase.planned_start_on, phase.started_on, phase.completed_on, phase.produced_on)
                if day
            ]
        return days


def served_in(plan: ProjectPlan, year: int) -> bool:
    """Mirror of ``analytics.selectors.served_in_year`` for a plan."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    intake, produced, terminated = (
        plan.date_of(Stage.INTAKE),
        plan.date_of(Stage.PRODUCING),
        plan.date_of(Stage.TERMINATED),
    )
    return (
        intake is not None
        and intake <= last
        and (produced is None or produced >= first)
        and (terminated is None or terminated >= first)
    )


def started_by(plan: ProjectPlan, year: int) -> bool:
    started = plan.date_of(Stage.STARTED)
    return started is not None and started <= datetime.date(year, 12, 31)


@dataclass(frozen=True)
class Tally:
    projects: int = 0
    investment_wan: Decimal = Decimal("0")
    started_projects: int = 0
    started_investment_wan: Decimal = Decimal("0")


def tally(plans: list[ProjectPlan], year: int, level: str | None = None) -> Tally:
    """The year's figures for the plans (of one handling level, if given), counted like the selectors."""
    served = [plan for plan in plans if served_in(plan, year) and (level is None or plan.level == level)]
    started = [plan for plan in served if started_by(plan, year)]
    return Tally(
        projects=len(served),
        investment_wan=sum((plan.total_investment_wan for plan in served), Decimal("0")),
        started_projects=len(started),
        started_investment_wan=sum((plan.total_investment_wan for plan in started), Decimal("0")),
    )
