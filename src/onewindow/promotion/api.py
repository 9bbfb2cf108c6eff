"""Investment-promotion leads over the API: list, one lead with its history, record, move forward.

Same selectors (scope: 403 for clerks and investors, 404 outside the scope) and services
(validation, audit) as the pages. The list is keyset-paginated on the id, newest first.
"""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.core.http import client_ip
from onewindow.projects.api import MAX_LIMIT, _keyset
from onewindow.projects.models import Investor
from onewindow.promotion import selectors, services
from onewindow.promotion.forms import possible_owners
from onewindow.promotion.models import Lead
from onewindow.promotion.selectors import LeadFilters
from onewindow.promotion.services import LeadData
from onewindow.regions.models import Region

router = Router(tags=["leads"], auth=API_AUTH)


class LeadOut(Schema):
    id: int
    title: str
    source: str
    industry: str
    investor_name: str
    investor_uscc: str | None
    expected_investment_wan: str
    owner: str
    region: str
    stage: str
    dropped_from: str
    drop_reason: str
    found_on: datetime.date
    stage_on: datetime.date
    project_code: str | None

    @staticmethod
    def resolve_investor_uscc(lead: Lead) -> str | None:
        return lead.investor.uscc if lead.investor_id else None

    @staticmethod
    def resolve_expected_investment_wan(lead: Lead) -> str:
        return f"{lead.expected_investment_wan:.2f}"

    @staticmethod
    def resolve_owner(lead: Lead) -> str:
        return lead.owner.username

    @staticmethod
    def resolve_region(lead: Lead) -> str:
        return lead.region.code

    @staticmethod
    def resolve_project_code(lead: Lead) -> str | None:
        return lead.project.code if lead.project_id else None


class HistoryOut(Schema):
    from_stage: str
    to_stage: str
    happened_on: datetime.date
    note: str


class LeadDetailOut(LeadOut):
    notes: str
    history: list[HistoryOut]

    @staticmethod
    def resolve_history(lead: Lead) -> list:
        return list(lead.history.order_by("happened_on", "id"))


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    q: str = ""
    stage: str = ""
    source: str = ""
    industry: str = ""
    region: str = ""
    year: int | None = Field(None, ge=1, le=9999)


@router.get("", response=LeadPage, summary="Leads the caller may see")
def list_leads(request: HttpRequest, filters: Query[LeadQuery]):
    leads = selectors.lead_list(
        request.user,
        LeadFilters(
            q=filters.q,
            stage=filters.stage,
            source=filters.source,
            industry=filters.industry,
            region=filters.region,
            year=filters.year,
        ),
    ).select_related("investor")
    rows, next_cursor = _keyset(leads, filters.cursor, filters.limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/{lead_id}", response=LeadDetailOut, summary="One lead with its history")
def get_lead(request: HttpRequest, lead_id: int):
    return selectors.lead_for(request.user, lead_id)


class LeadIn(Schema):
    title: str
    source: str
    industry: str
    investor_name: str
    investor_uscc: str | None = Field(None, description="An investor already registered")
    expected_investment_wan: Decimal
    owner: str | None = Field(None, description="Username of the owner; the caller if left out")
    region: str = Field(..., description="Region code, e.g. 510681")
    found_on: datetime.date
    notes: str = ""


def _field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


@router.post("", response={201: LeadDetailOut}, summary="Record a lead")
def create_lead(request: HttpRequest, payload: LeadIn):
    selectors.visible_leads(request.user)  # 403 before anything is looked up for a role without leads
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise _field_error("region", _("No region has this code."))
    owner = request.user
    if payload.owner:
        owner = possible_owners(request.user).filter(username=payload.owner).first()
        if owner is None:
            raise _field_error("owner", _("No one of this username may own leads in your area."))
    investor = None
    if payload.investor_uscc:
        investor = Investor.objects.filter(uscc=payload.investor_uscc.strip().upper()).first()
        if investor is None:
            raise _field_error("investor_uscc", _("No investor with this code is registered."))
    lead = services.create_lead(
        actor=request.user,
        data=LeadData(
            title=payload.title,
            source=payload.source,
            industry=payload.industry,
            investor_name=payload.investor_name,
            investor=investor,
            expected_investment_wan=payload.expected_investment_wan,
            owner=owner,
            region=region,
            found_on=payload.found_on,
            notes=payload.notes,
        ),
        source_ip=client_ip(request),
    )
    return Status(201, selectors.lead_for(request.user, lead.pk))


class AdvanceIn(Schema):
    target: str
    on: datetime.date
    note: str = ""


@router.post("/{lead_id}/advance", response=LeadDetailOut, summary="Move a lead forward")
def advance_lead(request: HttpRequest, lead_id: int, payload: AdvanceIn):
    lead = selectors.lead_for(request.user, lead_id)
    services.advance_lead(
        actor=request.user,
        lead=lead,
        target=payload.target,
        on=payload.on,
        note=payload.note,
        source_ip=client_ip(request),
    )
    return selectors.lead_for(request.user, lead_id)
