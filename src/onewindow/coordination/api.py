"""Problems and coordination meetings over the API, through the same selectors (scope) and services
(validation, audit) as the pages. Lists are keyset-paginated on the id, newest first: send the
``next_cursor`` of one page as ``cursor`` for the next. Each problem carries its warning (``yellow``,
``red`` or empty) as of today on the working-day calendar."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.approvals.models import ApprovalTask
from onewindow.coordination import selectors, services, warnings
from onewindow.coordination.models import Meeting, Problem
from onewindow.core.http import client_ip
from onewindow.projects.selectors import project_by_code
from onewindow.regions.models import Department

problems_router = Router(tags=["problems"], auth=API_AUTH)
meetings_router = Router(tags=["meetings"], auth=API_AUTH)

MAX_LIMIT = 200


class EscalationOut(Schema):
    from_level: int
    to_level: int
    on: datetime.date
    reason: str
    automatic: bool


class ProblemOut(Schema):
    id: int
    project: str
    project_name: str
    title: str
    category: str
    level: int
    status: str
    raised_on: datetime.date
    level_started_on: datetime.date
    due_on: datetime.date
    resolved_on: datetime.date | None
    warning: str
    departments: list[str]

    @staticmethod
    def resolve_project(problem: Problem) -> str:
        return problem.project.code

    @staticmethod
    def resolve_project_name(problem: Problem) -> str:
        return problem.project.name

    @staticmethod
    def resolve_warning(problem: Problem) -> str:
        return getattr(problem, "warning", "")

    @staticmethod
    def resolve_departments(problem: Problem) -> list[str]:
        return [f"{department.region.code}:{department.code}" for department in problem.departments.all()]


class ProblemDetailOut(ProblemOut):
    description: str
    resolution: str
    beyond_city: bool
    beyond_city_on: datetime.date | None
    beyond_city_body: str
    tasks: list[int]
    escalations: list[EscalationOut]

    @staticmethod
    def resolve_tasks(problem: Problem) -> list[int]:
        return [task.pk for task in problem.tasks.all()]

    @staticmethod
    def resolve_escalations(problem: Problem) -> list:
        return list(problem.escalations.all())


class ProblemPage(Schema):
    items: list[ProblemOut]
    next_cursor: str | None


class ProblemQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    status: str = ""
    level: int | None = Field(None, ge=1, le=3)
    category: str = ""
    region: str = ""
    warning: str = Field("", description="yellow or red")
    project: str = Field("", description="A project code")
    mine: bool = False


def _field_error(location: str, field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": [location, field], "msg": message}])


def _keyset(queryset, cursor: str | None, limit: int):
    if cursor:
        if not cursor.isdigit():
            raise _field_error("query", "cursor", _("This cursor is not valid."))
        queryset = queryset.filter(pk__lt=int(cursor))
    rows = list(queryset.order_by("-pk")[: limit + 1])
    next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _detail(request: HttpRequest, problem_id: int) -> Problem:
    problem = selectors.problem_for(request.user, problem_id)
    cut = warnings.cutoffs(timezone.localdate())
    problem.warning = warnings.level_for(problem.due_on, cut) if problem.is_active else ""
    return problem


@problems_router.get("", response=ProblemPage, summary="Problems, as the caller may see them")
def list_problems(request: HttpRequest, filters: Query[ProblemQuery]):
    if filters.warning and filters.warning not in warnings.LEVELS:
        raise _field_error("query", "warning", _("Use yellow or red."))
    problems = selectors.problem_list(
        request.user,
        selectors.ProblemFilters(
            status=filters.status,
            level=filters.level,
            category=filters.category,
            region=filters.region,
            warning=filters.warning,
            project=filters.project,
            mine=filters.mine,
        ),
    ).prefetch_related("departments__region")
    rows, next_cursor = _keyset(problems, filters.cursor, filters.limit)
    return {"items": selectors.with_warnings(rows), "next_cursor": next_cursor}


@problems_router.get("/{problem_id}", response=ProblemDetailOut, summary="One problem with its escalations")
def get_problem(request: HttpRequest, problem_id: int):
    return _detail(request, problem_id)


class ProblemIn(Schema):
    project: str = Field(..., description="The project code")
    title: str
    description: str
    category: str
    departments: list[str] = Field(
        default_factory=list, description="Responsible departments as REGION_CODE:DEPARTMENT_CODE"
    )
    tasks: list[int] = Field(default_factory=list, description="Approval task ids of the same project")
    raised_on: datetime.date | None = None


@problems_router.post("", response={201: ProblemDetailOut}, summary="Raise a problem")
def create_problem(request: HttpRequest, payload: ProblemIn):
    selectors.require_coordination_access(request.user)
    project = project_by_code(request.user, payload.project)
    departments = []
    for name in payload.departments:
        region_code, _sep, code = name.partition(":")
        department = Department.objects.filter(region__code=region_code, code=code).first()
        if department is None:
            raise _field_error("body", "departments", _("No department %(name)s.") % {"name": name})
        departments.append(department)
    tasks = list(ApprovalTask.objects.filter(pk__in=payload.tasks))
    if len(tasks) != len(set(payload.tasks)):
        raise _field_error("body", "tasks", _("An approval task id is unknown."))
    problem = services.raise_problem(
        actor=request.user,
        project=project,
        title=payload.title,
        description=payload.description,
        category=payload.category,
        departments=departments,
        tasks=tasks,
        raised_on=payload.raised_on,
        source_ip=client_ip(request),
    )
    return Status(201, _detail(request, problem.pk))


class EscalateIn(Schema):
    reason: str
    on: datetime.date | None = None


@problems_router.post("/{problem_id}/escalate", response=ProblemDetailOut, summary="Escalate one level")
def escalate(request: HttpRequest, problem_id: int, payload: EscalateIn):
    problem = selectors.problem_for(request.user, problem_id)
    services.escalate_problem(
        actor=request.user,
        problem=problem,
        reason=payload.reason,
        on=payload.on,
        source_ip=client_ip(request),
    )
    return _detail(request, problem_id)


class ResolveIn(Schema):
    resolution: str
    on: datetime.date | None = None


@problems_router.post("/{problem_id}/resolve", response=ProblemDetailOut, summary="Resolve")
def resolve(request: HttpRequest, problem_id: int, payload: ResolveIn):
    problem = selectors.problem_for(request.user, problem_id)
    services.resolve_problem(
        actor=request.user,
        problem=problem,
        resolution=payload.resolution,
        on=payload.on,
        source_ip=client_ip(request),
    )
    return _detail(request, problem_id)


# -- meetings ------------------------------------------------------------------------------------


class ActionItemOut(Schema):
    id: int
    description: str
    owner: str | None
    department: str | None
    due_on: datetime.date
    status: str
    done_on: datetime.date | None
    problem: int | None

    @staticmethod
    def resolve_owner(item) -> str | None:
        return item.owner.username if item.owner_id else None

    @staticmethod
    def resolve_department(item) -> str | None:
        return item.department.name if item.department_id else None

    @staticmethod
    def resolve_problem(item) -> int | None:
        return item.problem_id


class MeetingOut(Schema):
    id: int
    title: str
    held_at: datetime.datetime
    location: str
    level: int
    region: str
    chair: str
    problems: list[int]

    @staticmethod
    def resolve_region(meeting: Meeting) -> str:
        return meeting.region.code

    @staticmethod
    def resolve_chair(meeting: Meeting) -> str:
        return meeting.chair_display

    @staticmethod
    def resolve_problems(meeting: Meeting) -> list[int]:
        return [problem.pk for problem in meeting.problems.all()]


class MeetingDetailOut(MeetingOut):
    departments: list[str]
    attendees: list[str]
    other_attendees: str
    minutes: str
    decisions: list[str]
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_departments(meeting: Meeting) -> list[str]:
        return [department.name for department in meeting.departments.all()]

    @staticmethod
    def resolve_attendees(meeting: Meeting) -> list[str]:
        return [person.username for person in meeting.attendees.all()]

    @staticmethod
    def resolve_action_items(meeting: Meeting) -> list:
        return list(meeting.action_items.all())


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


@meetings_router.get("", response=MeetingPage, summary="Coordination meetings, as the caller may see them")
def list_meetings(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    level: int | None = Query(None, ge=1, le=3),
):
    rows, next_cursor = _keyset(selectors.meeting_list(request.user, level=level), cursor, limit)
    return {"items": rows, "next_cursor": next_cursor}


@meetings_router.get("/{meeting_id}", response=MeetingDetailOut, summary="One meeting with its minutes")
def get_meeting(request: HttpRequest, meeting_id: int):
    return selectors.meeting_for(request.user, meeting_id)
