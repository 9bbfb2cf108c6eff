"""Plan endpoints. The answer is ``Schedule.to_json()``, the same JSON as ``onewindow plan --json``."""

from ninja import Router, Schema
from ninja.security import django_auth

from onewindow.approvals import selectors

router = Router(tags=["plans"], auth=django_auth)


class PlannedItemOut(Schema):
    code: str
    name: str
    department: str
    stage: str
    limit_workdays: int
    start: str
    finish: str
    critical: bool


class StageOut(Schema):
    stage: str
    start: str
    finish: str
    workdays: int


class PlanOut(Schema):
    start: str
    finish: str
    parallel_workdays: int
    serial_workdays: int
    speedup: float
    estimated: bool
    items: list[PlannedItemOut]
    stages: list[StageOut]


@router.get("/{code}/plan", response=PlanOut, summary="A project's parallel approval plan")
def project_plan(request, code: str):
    """The plan on working days: dates are ISO, ``estimated`` is true when a year's holidays are not
    known and weekdays were used instead. 404 for a project outside the caller's scope or without a
    plan."""
    return selectors.schedule_for(request.user, code).to_json()
