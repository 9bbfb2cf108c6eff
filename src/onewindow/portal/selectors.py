"""Every read of the public portal, and the staff's reads of public feedback.

What the public may see of a project is decided here and only here (``public_projects``): a project
that is confidential, or not yet taken into agency (still negotiating or signed: investment promotion
keeps those to itself), does not exist for the public; it answers 404 like a number never used. Of a
public project the public sees its published facts and its public timeline entries, never the
investor's contacts, internal entries, the agent or the audit trail.

Headline figures and charts count every project under agency service, confidential ones included, as
the statistics always have (``analytics.selectors.public_summary``): they are counts and sums, and they
name no project.

Staff reads of feedback take the user, like every other selector: a message outside the user's scope
does not exist for them (404), an action outside their role is refused (403).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import INTAKE_ROLES, STAFF_ROLES, has_role, region_path, sees_everything
from onewindow.analytics.selectors import served_in_year
from onewindow.approvals import planner, task_selectors
from onewindow.approvals import selectors as approval_selectors
from onewindow.approvals.models import DECIDED_STATES, ApprovalTask, Plan, TaskState
from onewindow.core.models import AuditEntry
from onewindow.portal.models import MessageStatus, PublicMessage
from onewindow.projects.models import Industry, Project, TimelineEntry
from onewindow.projects.stages import Stage
from onewindow.regions.models import Department, Region

# Stages a public project can be in: from its intake into agency onwards.
PUBLIC_STAGES = [
    Stage.INTAKE,
    Stage.APPROVED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCING,
    Stage.SUSPENDED,
    Stage.TERMINATED,
]
# The approval stages whose items come before construction may start (施工许可 and what precedes it).
BEFORE_CONSTRUCTION = ("enterprise", "project_land", "engineering", "construction")
SEARCH_MAX_LENGTH = 50


# -- projects ----------------------------------------------------------------------------------------


def public_projects() -> QuerySet[Project]:
    """The projects the public may see: taken into agency and not confidential."""
    return Project.objects.filter(confidential=False, intake_on__isnull=False)


def _listed(projects: QuerySet[Project]) -> QuerySet[Project]:
    """What a list shows of each project: its own public fields, its region and the investor's name.
    The investor row itself is never loaded, so no contact detail reaches a template."""
    return projects.select_related("region").annotate(investor_name=F("investor__name"))


SORTS = {
    "-intake": ("-intake_on", "-id"),
    "intake": ("intake_on", "id"),
    "-investment": ("-total_investment_wan", "-id"),
    "investment": ("total_investment_wan", "id"),
    "name": ("name", "id"),
    "-started": (F("started_on").desc(nulls_last=True), "-id"),
}


@dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    region: str = ""
    industry: str = ""
    stage: str = ""
    level: str = ""
    year: int | None = None
    fast_track: bool = False
    sort: str = "-intake"


def project_list(filters: PublicFilters) -> QuerySet[Project]:
    """The public projects, filtered and sorted; one query per page whatever its length."""
    projects = _listed(public_projects())
    if filters.region:
        projects = projects.filter(region__path__contains=f"{filters.region}/")
    if filters.industry:
        projects = projects.filter(industry=filters.industry)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.level:
        projects = projects.filter(level=filters.level)
    if filters.year:
        projects = projects.filter(served_in_year(filters.year))
    if filters.fast_track:
        projects = projects.filter(fast_track=True)
    term = filters.q.strip()[:SEARCH_MAX_LENGTH]
    if term:
        projects = projects.filter(
            Q(name__icontains=term) | Q(investor__name__icontains=term) | Q(code__icontains=term.upper())
        )
    return projects.order_by(*SORTS.get(filters.sort, SORTS["-intake"]))


def public_project(project_id) -> Project:
    """One public project, or 404 exactly as for a number that was never used."""
    try:
        return _listed(public_projects()).get(pk=int(project_id))
    except (Project.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def public_timeline(project: Project) -> QuerySet[TimelineEntry]:
    return (
        TimelineEntry.objects.filter(project=project, is_public=True)
        .select_related("phase")
        .only("happened_on", "kind", "to_stage", "text", "created_at", "project_id", "phase__name")
        .order_by("-happened_on", "-id")
    )


def public_entries(*, limit: int | None = 50) -> QuerySet[TimelineEntry]:
    """The newest public progress entries of all public projects, newest first."""
    entries = (
        TimelineEntry.objects.filter(is_public=True, project__in=public_projects())
        .select_related("project", "phase")
        .only(
            "happened_on",
            "kind",
            "to_stage",
            "text",
            "created_at",
            "project__id",
            "project__name",
            "project__code",
            "phase__name",
        )
        .order_by("-happened_on", "-id")
    )
    return entries[:limit] if limit else entries


def fast_tracked(*, limit: int = 6) -> QuerySet[Project]:
    return project_list(PublicFilters(fast_track=True))[:limit]


def sitemap_projects() -> QuerySet[Project]:
    return public_projects().only("id", "updated_at").order_by("id")


def available_years() -> list[int]:
    """The years with projects under agency service, newest first, this year always included."""
    this_year = timezone.localdate().year
    first = (
        Project.objects.filter(intake_on__isnull=False)
        .order_by("intake_on")
        .values_list("intake_on", flat=True)[:1]
    )
    start = first[0].year if first else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))


def default_year(years: list[int]) -> int:
    """The year the home page shows beside this one: the last one before it with projects served."""
    this_year = timezone.localdate().year
    rows = (
        Project.objects.filter(intake_on__isnull=False)
        .annotate(year=ExtractYear("intake_on"))
        .filter(year__lt=this_year)
        .order_by("-year")
        .values_list("year", flat=True)[:1]
    )
    return rows[0] if rows else (years[1] if len(years) > 1 else this_year)


# -- headline figures and charts ---------------------------------------------------------------------


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@dataclass(frozen=True)
class Headline:
    """A year's figures, as defined by the statistics (README, Statistics)."""

    year: int
    projects: int
    investment_wan: Decimal
    started_projects: int
    started_investment_wan: Decimal
    producing_projects: int
    approvals_decided: int
    approvals_on_time: int

    @property
    def investment_yi(self) -> Decimal:
        return self.investment_wan / 10000

    @property
    def started_investment_yi(self) -> Decimal:
        return self.started_investment_wan / 10000

    @property
    def on_time_percent(self) -> int | None:
        if not self.approvals_decided:
            return None
        return round(100 * self.approvals_on_time / self.approvals_decided)


def headline(year: int) -> Headline:
    """Two queries: the projects served in the year, and the approvals decided in it (on time: within
    the promised limit, extensions and paused time counted as the clock counts them)."""
    first, last = _year_range(year)
    started = Q(started_on__isnull=False, started_on__lte=last)
    producing = Q(produced_on__isnull=False, produced_on__gte=first, produced_on__lte=last)
    row = Project.objects.filter(served_in_year(year)).aggregate(
        projects=Count("id"),
        investment=Sum("total_investment_wan"),
        started_projects=Count("id", filter=started),
        started_investment=Sum("total_investment_wan", filter=started),
        producing=Count("id", filter=producing),
    )
    tasks = ApprovalTask.objects.filter(
        state__in=DECIDED_STATES, decided_on__gte=first, decided_on__lte=last
    ).aggregate(decided=Count("id"), on_time=Count("id", filter=Q(overdue_since__isnull=True)))
    return Headline(
        year=year,
        projects=row["projects"] or 0,
        investment_wan=row["investment"] or Decimal("0.00"),
        started_projects=row["started_projects"] or 0,
        started_investment_wan=row["started_investment"] or Decimal("0.00"),
        producing_projects=row["producing"] or 0,
        approvals_decided=tasks["decided"] or 0,
        approvals_on_time=tasks["on_time"] or 0,
    )


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    projects: int
    investment_wan: Decimal = Decimal("0.00")

    @property
    def investment_yi(self) -> Decimal:
        return self.investment_wan / 10000


@dataclass(frozen=True)
class Month:
    month: int
    intakes: int
    starts: int


@dataclass(frozen=True)
class Charts:
    year: int
    regions: list[Bar]
    industries: list[Bar]
    stages: list[Bar]
    months: list[Month]

    def as_json(self) -> dict:
        """What the charts script draws; labels are already translated."""

        def bars(rows: list[Bar]) -> dict:
            return {
                "labels": [row.label for row in rows],
                "projects": [row.projects for row in rows],
                "investment_yi": [float(round(row.investment_yi, 2)) for row in rows],
            }

        return {
            "year": self.year,
            "regions": bars(self.regions),
            "industries": bars(self.industries),
            "stages": bars(self.stages),
            "months": {
                "labels": [row.month for row in self.months],
                "intakes": [row.intakes for row in self.months],
                "starts": [row.starts for row in self.months],
            },
        }


def _region_bars(served: QuerySet[Project], city_itself_label: str) -> list[Bar]:
    """Projects per county-level unit or zone (each with what lies below it), then the city's own."""
    regions = list(
        Region.objects.filter(parent__isnull=False, parent__parent__isnull=True).order_by(
            "sort_order", "path"
        )
    )
    per_path = {
        row["region__path"]: row
        for row in served.values("region__path")
        .annotate(projects=Count("id"), investment=Sum("total_investment_wan"))
        .order_by()
    }
    bars, used = [], set()
    for region in regions:
        rows = [(path, row) for path, row in per_path.items() if path.startswith(region.path)]
        used.update(path for path, _row in rows)
        bars.append(
            Bar(
                key=region.code,
                label=region.name,
                projects=sum(row["projects"] for _path, row in rows),
                investment_wan=sum((row["investment"] or Decimal(0) for _path, row in rows), Decimal("0.00")),
            )
        )
    rest = [row for path, row in per_path.items() if path not in used]
    if rest:
        bars.append(
            Bar(
                key="city",
                label=city_itself_label,
                projects=sum(row["projects"] for row in rest),
                investment_wan=sum((row["investment"] or Decimal(0) for row in rest), Decimal("0.00")),
            )
        )
    return bars


def charts(year: int, *, city_itself_label: str) -> Charts:
    """The home page's charts for a year: five queries whatever the number of projects."""
    first, last = _year_range(year)
    served = Project.objects.filter(served_in_year(year))
    industries = [
        Bar(
            key=row["industry"],
            label=Industry(row["industry"]).label,
            projects=row["projects"],
            investment_wan=row["investment"] or Decimal("0.00"),
        )
        for row in served.values("industry")
        .annotate(projects=Count("id"), investment=Sum("total_investment_wan"))
        .order_by("-projects", "industry")
    ]
    by_stage = {row["stage"]: row for row in served.values("stage").annotate(projects=Count("id")).order_by()}
    stages = [
        Bar(key=stage.value, label=stage.label, projects=by_stage[stage]["projects"])
        for stage in PUBLIC_STAGES
        if stage in by_stage
    ]
    intakes = dict(
        Project.objects.filter(intake_on__gte=first, intake_on__lte=last)
        .annotate(month=ExtractMonth("intake_on"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("month", "count")
    )
    starts = dict(
        Project.objects.filter(started_on__gte=first, started_on__lte=last)
        .annotate(month=ExtractMonth("started_on"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("month", "count")
    )
    return Charts(
        year=year,
        regions=_region_bars(served, city_itself_label),
        industries=industries,
        stages=stages,
        months=[Month(month, intakes.get(month, 0), starts.get(month, 0)) for month in range(1, 13)],
    )


# -- a project's approvals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalProgress:
    planned: int
    decided: int
    approved: int
    expected_start: datetime.date | None = None
    expected_start_estimated: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.planned) if self.planned else 0


def approval_progress(project: Project, *, today: datetime.date | None = None) -> ApprovalProgress | None:
    """How many of the approvals in the project's plan are decided, and when construction may start
    by the plan's forecast (only while it has not started); None without a plan."""
    plan = Plan.objects.select_related("catalog_version", "project").filter(project=project).first()
    if plan is None:
        return None
    included = plan.entries.filter(included=True).values("item_id")
    planned = plan.entries.filter(included=True).count()
    counts = ApprovalTask.objects.filter(plan=plan, item_id__in=included).aggregate(
        decided=Count("id", filter=Q(state__in=DECIDED_STATES)),
        approved=Count("id", filter=Q(state=TaskState.APPROVED)),
    )
    expected, estimated = None, False
    if project.started_on is None and project.stage not in (Stage.TERMINATED,):
        expected, estimated = _expected_start(plan, today or timezone.localdate())
    return ApprovalProgress(
        planned=planned,
        decided=counts["decided"] or 0,
        approved=counts["approved"] or 0,
        expected_start=expected,
        expected_start_estimated=estimated,
    )


def _expected_start(plan: Plan, today: datetime.date) -> tuple[datetime.date | None, bool]:
    """The working day after the last approval needed before construction is forecast to be decided."""
    try:
        schedule = task_selectors.plan_forecast(plan, as_of=today)
    except planner.PlanError:
        return None, False
    finishes = [entry.finish for entry in schedule.items if entry.item.stage in BEFORE_CONSTRUCTION]
    if not finishes:
        return None, False
    calendar = approval_selectors.workday_calendar()
    day = calendar.date_at(calendar.last_on_or_before(max(finishes)) + 1)
    return day, schedule.estimated or calendar.is_estimated(day)


# -- public feedback ---------------------------------------------------------------------------------


def published_messages(*, project: Project | None = None) -> QuerySet[PublicMessage]:
    """Published messages with their answers, newest first; none about a project that is not public."""
    messages = PublicMessage.objects.filter(status=MessageStatus.PUBLISHED).filter(
        Q(project__isnull=True) | Q(project__in=public_projects())
    )
    if project is not None:
        messages = messages.filter(project=project)
    return (
        messages.select_related("project")
        .only(
            "kind",
            "text",
            "public_text",
            "submitted_on",
            "submitted_at",
            "published_at",
            "answer",
            "answered_at",
            "answered_on",
            "answer_workdays",
            "answer_workdays_estimated",
            "project__id",
            "project__name",
        )
        .order_by("-published_at", "-id")
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_by_token(token: str) -> PublicMessage:
    """The message a visitor's receipt link names, or 404."""
    if not token or len(token) > 100:
        raise Http404
    try:
        return PublicMessage.objects.select_related("project").get(tracking_digest=token_digest(token))
    except PublicMessage.DoesNotExist:
        raise Http404 from None


def public_project_by_code(code: str) -> Project | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return public_projects().filter(code=code).first()


# -- staff: moderation and answers -------------------------------------------------------------------

# Centre staff moderate, assign and answer; a department's window clerks answer what is assigned to it.
MODERATOR_ROLES = INTAKE_ROLES
# Unanswered messages turn yellow when this many working days or fewer are left.
DUE_SOON_WORKDAYS = 2


def visible_messages(user: User) -> QuerySet[PublicMessage]:
    """The messages a staff member may see: everything for the city's staff; in a county, those about
    its projects or assigned to its departments; a clerk, those assigned to their department."""
    messages = PublicMessage.objects.all()
    if not has_role(user, STAFF_ROLES):
        return messages.none()
    if sees_everything(user):
        return messages
    if user.role == Role.CLERK:
        return messages.filter(department=user.department_id) if user.department_id else messages.none()
    scope = region_path(user)
    if not scope:
        return messages.none()
    return messages.filter(
        Q(project__region__path__startswith=scope) | Q(department__region__path__startswith=scope)
    )


def require_feedback_access(user: User) -> None:
    if not has_role(user, STAFF_ROLES):
        raise PermissionDenied


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    answered: str = ""  # "open", "answered" or ""
    kind: str = ""
    overdue: bool = False
    today: datetime.date | None = field(default=None)


def message_queue(user: User, filters: QueueFilters) -> QuerySet[PublicMessage]:
    """The user's messages, the open ones first by due date, then the answered ones, newest first."""
    require_feedback_access(user)
    today = filters.today or timezone.localdate()
    messages = visible_messages(user).select_related("project", "department")
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.answered == "open":
        messages = messages.filter(awaits_answer())
    elif filters.answered == "answered":
        messages = messages.filter(answered_at__isnull=False)
    if filters.kind:
        messages = messages.filter(kind=filters.kind)
    if filters.overdue:
        messages = messages.filter(awaits_answer(), due_on__lt=today)
    waiting = Case(When(awaits_answer(), then=Value(0)), default=Value(1), output_field=IntegerField())
    return messages.annotate(waiting_rank=waiting).order_by("waiting_rank", "due_on", "-submitted_at", "-id")


@dataclass(frozen=True)
class QueueCounts:
    open: int
    due_soon: int
    overdue: int


def queue_counts(user: User, *, today: datetime.date | None = None) -> QueueCounts:
    """Open messages of the user's scope, and how many of them are yellow (due soon) or red (overdue)."""
    today = today or timezone.localdate()
    soon = _due_soon_limit(today)
    row = (
        visible_messages(user)
        .filter(awaits_answer())
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            due_soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
        )
    )
    return QueueCounts(open=row["open"] or 0, due_soon=row["due_soon"] or 0, overdue=row["overdue"] or 0)


def awaits_answer() -> Q:
    """A message waits for an answer until it is answered, unless a moderator decided not to publish
    it (spam, abuse): that closes it."""
    return Q(answered_at__isnull=True) & ~Q(status=MessageStatus.HIDDEN)


def _due_soon_limit(today: datetime.date) -> datetime.date:
    return approval_selectors.workday_calendar().add_workdays(today, DUE_SOON_WORKDAYS).date


def answer_warning(
    message: PublicMessage, *, today: datetime.date | None = None, soon: datetime.date | None = None
) -> str:
    """ "overdue" (red), "due_soon" (yellow) or "" for a message that waits for an answer; "" for
    the others. The follow-up warnings read the same rule."""
    if message.is_answered or message.status == MessageStatus.HIDDEN:
        return ""
    today = today or timezone.localdate()
    if message.due_on < today:
        return "overdue"
    return "due_soon" if message.due_on <= (soon or _due_soon_limit(today)) else ""


def with_warnings(messages, *, today: datetime.date | None = None) -> list[PublicMessage]:
    """The messages, each with its ``warning``; the calendar is read once for all of them."""
    today = today or timezone.localdate()
    soon = _due_soon_limit(today)
    rows = list(messages)
    for message in rows:
        message.warning = answer_warning(message, today=today, soon=soon)
    return rows


def message_for(user: User, message_id) -> PublicMessage:
    require_feedback_access(user)
    try:
        return (
            visible_messages(user)
            .select_related("project__region", "department__region", "moderated_by", "answered_by")
            .get(pk=int(message_id))
        )
    except (PublicMessage.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def may_moderate(user: User) -> bool:
    return has_role(user, MODERATOR_ROLES)


def may_answer(user: User, message: PublicMessage) -> bool:
    if may_moderate(user):
        return True
    return (
        has_role(user, frozenset({Role.CLERK}))
        and message.department_id is not None
        and message.department_id == user.department_id
    )


def departments_for_assignment(user: User) -> QuerySet[Department]:
    """Departments a moderator may hand a message to: those of the regions they work in."""
    if not may_moderate(user):
        return Department.objects.none()
    departments = Department.objects.select_related("region").order_by(
        "region__sort_order", "region__path", "name"
    )
    scope = region_path(user)
    return departments.filter(region__path__startswith=scope) if scope else departments


def message_audit(user: User, message: PublicMessage) -> QuerySet[AuditEntry]:
    if not has_role(user, STAFF_ROLES):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(object_type="portal.publicmessage", object_id=str(message.pk)).order_by(
        "-created_at", "-id"
    )
