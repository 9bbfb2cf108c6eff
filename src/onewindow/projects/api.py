"""Projects and investors over the API: the register's reads and the intake and stage writes.

Writes go through the same services as the pages (validation, audit); reads through the same
selectors (scope). Lists are keyset-paginated on the id, newest first: ``next_cursor`` is the value
to send as ``cursor`` for the next page, and is null on the last page.
"""

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.accounts.selectors import agents as agents_for
from onewindow.core.errors import StaleObjectError
from onewindow.core.http import client_ip
from onewindow.projects import selectors, services
from onewindow.projects.models import Project
from onewindow.projects.selectors import RegisterFilters
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.regions.models import Department, Region

router = Router(tags=["projects"], auth=API_AUTH)
investors_router = Router(tags=["investors"], auth=API_AUTH)

MAX_LIMIT = 200


class RegionOut(Schema):
    code: str
    name: str


class InvestorRef(Schema):
    name: str
    uscc: str


class ProjectOut(Schema):
    code: str
    code_is_provisional: bool
    name: str
    investor: InvestorRef
    total_investment_wan: str
    industry: str
    region: RegionOut
    level: str
    construction_nature: str
    approval_type: str
    project_type: str
    fast_track: bool
    confidential: bool
    stage: str
    negotiation_on: datetime.date | None
    signed_on: datetime.date | None
    intake_on: datetime.date | None
    approved_on: datetime.date | None
    started_on: datetime.date | None
    completed_on: datetime.date | None
    produced_on: datetime.date | None
    suspended_on: datetime.date | None
    terminated_on: datetime.date | None
    agent: str | None
    version: int

    @staticmethod
    def resolve_total_investment_wan(project: Project) -> str:
        return f"{project.total_investment_wan:.2f}"

    @staticmethod
    def resolve_agent(project: Project) -> str | None:
        return project.agent.username if project.agent_id else None


class PhaseOut(Schema):
    sequence: int
    name: str
    scale: str
    investment_wan: str | None
    planned_start_on: datetime.date | None
    started_on: datetime.date | None
    completed_on: datetime.date | None
    produced_on: datetime.date | None

    @staticmethod
    def resolve_investment_wan(phase) -> str | None:
        return None if phase.investment_wan is None else f"{phase.investment_wan:.2f}"


class TimelineOut(Schema):
    happened_on: datetime.date
    kind: str
    from_stage: str
    to_stage: str
    text: str
    is_public: bool


class InvestorOut(Schema):
    name: str
    uscc: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    contact_email: str


class ProjectDetailOut(ProjectOut):
    investor: InvestorOut
    description: str
    termination_reason: str
    departments: list[str]
    phases: list[PhaseOut]
    timeline: list[TimelineOut]

    @staticmethod
    def resolve_departments(project: Project) -> list[str]:
        return [department.name for department in project.departments.all()]

    @staticmethod
    def resolve_phases(project: Project) -> list:
        return list(project.phases.all())

    @staticmethod
    def resolve_timeline(project: Project, context) -> list:
        # An investor sees only the public entries: the selector decides, as on the pages.
        return list(selectors.timeline_for(context["request"].user, project))


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


class ProjectFilters(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    region: str = ""
    level: str = ""
    stage: str = ""
    industry: str = ""
    signing_year: int | None = Field(None, ge=1, le=9999)
    fast_track: bool | None = None
    q: str = ""
    mine: bool = False
    # The statistics' drill-down, as on the register page: under agency service in a year, started
    # (by that year's end), and taken in, started or in production in a month (YYYY-MM).
    served_year: int | None = Field(None, ge=1, le=9999)
    started: bool | None = None
    intake_month: str | None = Field(None, pattern=MONTH_PATTERN)
    started_month: str | None = Field(None, pattern=MONTH_PATTERN)
    produced_month: str | None = Field(None, pattern=MONTH_PATTERN)


def _month(value: str | None) -> datetime.date | None:
    return datetime.datetime.strptime(value, "%Y-%m").date() if value else None


def _keyset(queryset, cursor: str | None, limit: int, field: str = "cursor"):
    """Newest first by id; the cursor is the last id of the previous page."""
    if cursor:
        if not cursor.isdigit():
            raise NinjaValidationError([{"loc": ["query", field], "msg": _("This cursor is not valid.")}])
        queryset = queryset.filter(pk__lt=int(cursor))
    rows = list(queryset.order_by("-pk")[: limit + 1])
    next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor


@router.get("", response=ProjectPage, summary="The register, as the caller may see it")
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]):
    register_filters = RegisterFilters(
        region=filters.region,
        level=filters.level,
        stage=filters.stage,
        industry=filters.industry,
        signing_year=filters.signing_year,
        fast_track=filters.fast_track,
        q=filters.q,
        mine=filters.mine,
        served_year=filters.served_year,
        started=filters.started,
        intake_month=_month(filters.intake_month),
        started_month=_month(filters.started_month),
        produced_month=_month(filters.produced_month),
    )
    rows, next_cursor = _keyset(
        selectors.register(request.user, register_filters), filters.cursor, filters.limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/{code}", response=ProjectDetailOut, summary="One project with its phases and timeline")
def get_project(request: HttpRequest, code: str):
    """An investor sees only the public timeline entries. 404 outside the caller's scope."""
    return selectors.project_by_code(request.user, code)


class NewInvestorIn(Schema):
    name: str
    uscc: str
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


class IntakeIn(Schema):
    name: str
    total_investment_wan: Decimal
    industry: str
    region: str = Field(..., description="Region code, e.g. 510681")
    level: str
    construction_nature: str = "new"
    approval_type: str = "filing"
    project_type: str = "01"
    stage: str = "intake"
    negotiation_on: datetime.date | None = None
    signed_on: datetime.date | None = None
    intake_on: datetime.date | None = None
    national_code: str = ""
    agent: str | None = Field(None, description="The agent's username")
    fast_track: bool = False
    confidential: bool = False
    description: str = ""
    departments: list[str] = Field(
        default_factory=list, description="Department codes at the project's region"
    )
    investor_uscc: str | None = Field(None, description="An investor already registered")
    new_investor: NewInvestorIn | None = None


def _field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _field_error("region", _("No region has this code."))
    return region


@router.post("", response={201: ProjectDetailOut}, summary="One-window intake")
def create_project(request: HttpRequest, payload: IntakeIn):
    """Registers a project, and its investor if new, exactly as the intake form does."""
    region = _region(payload.region)
    agent = None
    if payload.agent:
        agent = agents_for(request.user).filter(username=payload.agent).first()
        if agent is None:
            raise _field_error("agent", _("No agent with this username in your region."))
    departments = list(Department.objects.filter(region=region, code__in=payload.departments))
    if len(departments) != len(set(payload.departments)):
        raise _field_error("departments", _("A department code is unknown at this region."))
    investor = None
    if payload.investor_uscc:
        investor = (
            selectors.investors_for_intake(request.user).filter(uscc=payload.investor_uscc.upper()).first()
        )
        if investor is None:
            raise _field_error("investor_uscc", _("No investor with this code is registered."))
    data = ProjectIntake(
        name=payload.name,
        total_investment_wan=payload.total_investment_wan,
        industry=payload.industry,
        region=region,
        level=payload.level,
        construction_nature=payload.construction_nature,
        approval_type=payload.approval_type,
        project_type=payload.project_type,
        stage=payload.stage,
        negotiation_on=payload.negotiation_on,
        signed_on=payload.signed_on,
        intake_on=payload.intake_on,
        national_code=payload.national_code,
        agent=agent,
        fast_track=payload.fast_track,
        confidential=payload.confidential,
        description=payload.description,
        departments=departments,
    )
    new_investor = NewInvestor(**payload.new_investor.dict()) if payload.new_investor else None
    project = services.intake_project(
        actor=request.user,
        data=data,
        investor=investor,
        new_investor=new_investor,
        source_ip=client_ip(request),
    )
    return Status(201, selectors.project_by_code(request.user, project.code))


class StageIn(Schema):
    target: str
    on: datetime.date
    version: int = Field(..., description="The project's version as last read; a stale one answers 409")
    reason: str = ""
    note: str = ""


class ConflictOut(Schema):
    detail: str


@router.post("/{code}/stage", response={200: ProjectDetailOut, 409: ConflictOut}, summary="Change the stage")
def change_stage(request: HttpRequest, code: str, payload: StageIn):
    project = selectors.project_by_code(request.user, code)
    try:
        services.change_stage(
            actor=request.user,
            project=project,
            target=payload.target,
            on=payload.on,
            expected_version=payload.version,
            reason=payload.reason,
            note=payload.note,
            source_ip=client_ip(request),
        )
    except StaleObjectError as error:
        return Status(409, {"detail": str(error)})
    return Status(200, selectors.project_by_code(request.user, code))


class NoteIn(Schema):
    text: str
    happened_on: datetime.date
    is_public: bool = True


@router.post("/{code}/timeline", response={201: TimelineOut}, summary="Add a progress note")
def add_note(request: HttpRequest, code: str, payload: NoteIn):
    project = selectors.project_by_code(request.user, code)
    entry = services.add_timeline_note(
        actor=request.user,
        project=project,
        text=payload.text,
        happened_on=payload.happened_on,
        is_public=payload.is_public,
        source_ip=client_ip(request),
    )
    return Status(201, entry)


class InvestorPage(Schema):
    items: list[InvestorOut]
    next_cursor: str | None


@investors_router.get("", response=InvestorPage, summary="Investors of the projects the caller may see")
def list_investors(
    request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = Query(50, ge=1, le=MAX_LIMIT)
):
    investors = selectors.visible_investors(request.user)
    if q.strip():
        investors = investors.filter(name__icontains=q.strip())
    rows, next_cursor = _keyset(investors, cursor, limit)
    return {"items": rows, "next_cursor": next_cursor}


@investors_router.get("/{uscc}", response=InvestorOut, summary="One investor")
def get_investor(request: HttpRequest, uscc: str):
    investor = selectors.visible_investors(request.user).filter(uscc=uscc.strip().upper()).first()
    if investor is None:
        raise Http404
    return investor
