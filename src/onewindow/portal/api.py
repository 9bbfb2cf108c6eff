"""The public data over the API (公开监督): the portal's public projects, one public project and the
year's headline figures, for anyone and without a token (the API's rate limit applies per address).

Every answer comes from ``portal.selectors``, the one place that decides what the public may see, and
a project's facts are exactly the open data's fields (``portal.opendata.FIELDS``): a confidential
project, or one not yet taken into agency, answers 404 like a code never issued.
"""

import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.analytics.selectors import FIRST_YEAR, LAST_YEAR
from onewindow.portal import opendata, selectors
from onewindow.portal.selectors import PUBLIC_STAGES, SEARCH_MAX_LENGTH, PublicFilters
from onewindow.projects.models import Industry, Level
from onewindow.regions.models import Region

router = Router(tags=["public"], auth=None)

MAX_LIMIT = 200


class PublicProjectOut(Schema):
    code: str
    code_is_provisional: bool
    name: str
    investor: str
    total_investment_wan: str
    industry: str
    industry_name: str
    region_code: str
    region: str
    level: str
    stage: str
    stage_name: str
    fast_track: bool
    signed_on: datetime.date | None
    intake_on: datetime.date | None
    approved_on: datetime.date | None
    started_on: datetime.date | None
    completed_on: datetime.date | None
    produced_on: datetime.date | None
    suspended_on: datetime.date | None
    terminated_on: datetime.date | None
    url: str


class PublicProjectPage(Schema):
    items: list[PublicProjectOut]
    next_cursor: str | None


class PublicEntryOut(Schema):
    happened_on: datetime.date
    kind: str
    to_stage: str
    phase: str | None
    text: str


class ProgressOut(Schema):
    planned: int
    decided: int
    approved: int
    expected_start: datetime.date | None
    expected_start_estimated: bool


class PublicProjectDetailOut(PublicProjectOut):
    timeline: list[PublicEntryOut]
    approvals: ProgressOut | None


class PublicQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    q: str = Field("", max_length=SEARCH_MAX_LENGTH, description="Project, investor or code")
    region: str = Field("", description="A region's code: the projects in it and in the zones below it")
    industry: str = Field("", description="GB/T 4754-2017 section letter")
    stage: str = ""
    level: str = Field("", description="city or county")
    year: int | None = Field(None, description="Under agency service in this year")
    fast_track: bool = False


def _query_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["query", field], "msg": message}])


def _filters(query: PublicQuery) -> PublicFilters:
    """The portal's filters; unlike the page, which drops a value it does not understand, the API
    answers 422 naming it."""
    choices = {
        "industry": Industry.values,
        "stage": [stage.value for stage in PUBLIC_STAGES],
        "level": Level.values,
    }
    for name, allowed in choices.items():
        value = getattr(query, name)
        if value and value not in allowed:
            raise _query_error(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    if query.region and not Region.objects.filter(code=query.region).exists():
        raise _query_error("region", _("No region has this code."))
    if query.year is not None and not FIRST_YEAR <= query.year <= LAST_YEAR:
        raise _query_error(
            "year",
            _("Give the year as a whole number from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return PublicFilters(
        q=query.q,
        region=query.region,
        industry=query.industry,
        stage=query.stage,
        level=query.level,
        year=query.year,
        fast_track=query.fast_track,
    )


def _url(request: HttpRequest):
    def url(project) -> str:
        return request.build_absolute_uri(reverse("portal:project", args=[project.pk]))

    return url


@router.get("/projects", response=PublicProjectPage, summary="The public projects")
def public_project_list(request: HttpRequest, query: Query[PublicQuery]):
    """Every project under agency service that is not confidential, with the portal's filters; the
    fields are the open data's. Newest first by registration; pass ``next_cursor`` as ``cursor``."""
    projects = selectors.project_list(_filters(query)).order_by("-pk")
    if query.cursor:
        if not query.cursor.isdigit():
            raise _query_error("cursor", _("This cursor is not valid."))
        projects = projects.filter(pk__lt=int(query.cursor))
    rows = list(projects[: query.limit + 1])
    next_cursor = str(rows[query.limit - 1].pk) if len(rows) > query.limit else None
    return {"items": list(opendata.rows(rows[: query.limit], _url(request))), "next_cursor": next_cursor}


@router.get("/projects/{code}", response=PublicProjectDetailOut, summary="One public project")
def public_project_detail(request: HttpRequest, code: str):
    """A public project's facts, its public timeline and how far its approvals are. 404 for a code
    that is not a public project's."""
    found = selectors.public_project_by_code(code)
    if found is None:
        raise Http404
    project = selectors.public_project(found.pk)
    (facts,) = opendata.rows([project], _url(request))
    progress = selectors.approval_progress(project)
    return {
        **facts,
        "timeline": [
            {
                "happened_on": entry.happened_on,
                "kind": entry.kind,
                "to_stage": entry.to_stage,
                "phase": entry.phase.name if entry.phase_id else None,
                "text": entry.text,
            }
            for entry in selectors.public_timeline(project)
        ],
        "approvals": None
        if progress is None
        else {
            "planned": progress.planned,
            "decided": progress.decided,
            "approved": progress.approved,
            "expected_start": progress.expected_start,
            "expected_start_estimated": progress.expected_start_estimated,
        },
    }


class HeadlineOut(Schema):
    year: int
    projects: int
    investment_wan: str
    started_projects: int
    started_investment_wan: str
    producing_projects: int
    approvals_decided: int
    approvals_on_time: int
    on_time_percent: int | None


@router.get("/summary", response=HeadlineOut, summary="The public headline figures of a year")
def public_summary(request: HttpRequest, year: int | None = None):
    """The portal's figures: projects under agency service in the year and their investment (万元, decimal
    strings), how many have started and are producing, approvals decided and how many on time. They
    count confidential projects too, as the statistics always have, and name none. Without ``year``, the
    year the portal's home page shows."""
    if year is None:
        year = selectors.default_year(selectors.available_years())
    elif not FIRST_YEAR <= year <= LAST_YEAR:
        raise _query_error(
            "year",
            _("Give the year as a whole number from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    figures = selectors.headline(year)
    return {
        "year": figures.year,
        "projects": figures.projects,
        "investment_wan": f"{figures.investment_wan:.2f}",
        "started_projects": figures.started_projects,
        "started_investment_wan": f"{figures.started_investment_wan:.2f}",
        "producing_projects": figures.producing_projects,
        "approvals_decided": figures.approvals_decided,
        "approvals_on_time": figures.approvals_on_time,
        "on_time_percent": figures.on_time_percent,
    }
