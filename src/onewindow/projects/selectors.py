"""Every read of the register, scoped by the user. The one place that decides which projects a
person may see: outside the scope a project does not exist for them (404)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import STAFF_ROLES, has_role, region_path, sees_everything
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Investor, Project, TimelineEntry

SORTS = {
    "intake": "intake_on",
    "-intake": "-intake_on",
    "signed": "signed_on",
    "-signed": "-signed_on",
    "investment": "total_investment_wan",
    "-investment": "-total_investment_wan",
    "name": "name",
    "-name": "-name",
    "code": "code",
    "-code": "-code",
}


def visible_projects(user: User) -> QuerySet[Project]:
    """Projects the user may see; none for the anonymous public here (the portal has its own reads)."""
    projects = Project.objects.all()
    if not (user.is_authenticated and user.is_active):
        return projects.none()
    if sees_everything(user):
        return projects
    if user.role == Role.INVESTOR:
        return projects.filter(investor__accounts=user)
    if user.role == Role.CLERK:
        return projects.filter(departments=user.department_id)
    if user.role in STAFF_ROLES and user.region_id:
        return projects.filter(region__path__startswith=region_path(user))
    return projects.none()


def project_for(user: User, project_id: int) -> Project:
    """One visible project with what its page shows, or 404."""
    try:
        return (
            visible_projects(user)
            .select_related("investor", "region", "agent")
            .prefetch_related("departments")
            .get(pk=project_id)
        )
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class RegisterFilters:
    region: str = ""
    level: str = ""
    stage: str = ""
    industry: str = ""
    signing_year: int | None = None
    fast_track: bool | None = None
    q: str = ""
    sort: str = "-intake"
    mine: bool = False
    # The statistics' drill-down: served in a year (``analytics.selectors.served_in_year``), started
    # by that year's end (or ever, without a year), taken in, started or in production from a month.
    served_year: int | None = None
    started: bool | None = None
    intake_month: datetime.date | None = None
    started_month: datetime.date | None = None
    produced_month: datetime.date | None = None


def register(user: User, filters: RegisterFilters) -> QuerySet[Project]:
    """The register as the user may see it, filtered and sorted; the related rows are joined so that a
    page of any size costs the same number of queries."""
    projects = visible_projects(user).select_related("investor", "region", "agent")
    if filters.region:
        projects = projects.filter(region__path__contains=f"{filters.region}/")
    if filters.level:
        projects = projects.filter(level=filters.level)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.industry:
        projects = projects.filter(industry=filters.industry)
    if filters.signing_year:
        projects = projects.filter(signed_on__year=filters.signing_year)
    if filters.fast_track is not None:
        projects = projects.filter(fast_track=filters.fast_track)
    if filters.mine:
        projects = projects.filter(agent=user)
    if filters.served_year:
        first, last = datetime.date(filters.served_year, 1, 1), datetime.date(filters.served_year, 12, 31)
        projects = projects.filter(
            Q(intake_on__isnull=False, intake_on__lte=last)
            & (Q(produced_on__isnull=True) | Q(produced_on__gte=first))
            & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
        )
    if filters.started is not None:
        started = Q(started_on__isnull=False)
        if filters.served_year:
            started &= Q(started_on__lte=datetime.date(filters.served_year, 12, 31))
        projects = projects.filter(started if filters.started else ~started)
    for name, month in (
        ("intake_on", filters.intake_month),
        ("started_on", filters.started_month),
        ("produced_on", filters.produced_month),
    ):
        if month:
            projects = projects.filter(**{f"{name}__year": month.year, f"{name}__month": month.month})
    if filters.q:
        term = filters.q.strip()
        projects = projects.filter(
            Q(name__icontains=term) | Q(investor__name__icontains=term) | Q(code__icontains=term.upper())
        )
    order = SORTS.get(filters.sort, SORTS["-intake"])
    return projects.order_by(order, "-id")


def timeline_for(user: User, project: Project) -> QuerySet[TimelineEntry]:
    """A project's timeline; an investor sees only the public entries."""
    entries = project.timeline.select_related("author", "phase")
    if user.role == Role.INVESTOR:
        entries = entries.filter(is_public=True)
    return entries


def recent_timeline_by(user: User, *, limit: int = 10) -> QuerySet[TimelineEntry]:
    return (
        TimelineEntry.objects.filter(author=user, project__in=visible_projects(user))
        .select_related("project")
        .order_by("-created_at", "-id")[:limit]
    )


def audit_for_project(user: User, project: Project) -> QuerySet[AuditEntry]:
    """A project's own audit rows, for staff who may see the project (never for investors)."""
    if not has_role(user, STAFF_ROLES):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk)).order_by(
        "-created_at", "-id"
    )


def investors_for_intake(user: User) -> QuerySet[Investor]:
    if not has_role(user, STAFF_ROLES):
        return Investor.objects.none()
    return Investor.objects.order_by("name")


def project_by_code(user: User, code: str) -> Project:
    """One visible project by its project code, or 404; the API's way to name a project."""
    try:
        return (
            visible_projects(user)
            .select_related("investor", "region", "agent")
            .prefetch_related("departments")
            .get(code=(code or "").strip().upper())
        )
    except Project.DoesNotExist:
        raise Http404 from None


def visible_investors(user: User) -> QuerySet[Investor]:
    """Investors with a project the user may see (staff who see everything see every investor)."""
    if not (user.is_authenticated and user.is_active):
        return Investor.objects.none()
    if sees_everything(user):
        return Investor.objects.all()
    return Investor.objects.filter(pk__in=visible_projects(user).values("investor_id"))
