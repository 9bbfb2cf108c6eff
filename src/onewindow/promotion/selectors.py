"""Every read of the promotion pipeline, scoped by the user.

Leads are scoped like projects, and tighter: an agent sees the leads they own, leaders and county
centre staff every lead in their region (the city's, every lead). Window clerks and investors never
see a lead (403); a lead outside the scope does not exist for the user (404).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import PROMOTION_ROLES, region_path, require_role, sees_everything
from onewindow.projects.models import Industry
from onewindow.promotion.models import FORWARD, Lead, LeadStage, LeadStageChange, Source

SORTS = {
    "-found": ("-found_on", "-id"),
    "found": ("found_on", "id"),
    "-investment": ("-expected_investment_wan", "-id"),
    "investment": ("expected_investment_wan", "id"),
    "-updated": ("-updated_at", "-id"),
}


def visible_leads(user: User) -> QuerySet[Lead]:
    """Leads the user may see; 403 for a role that never sees leads."""
    require_role(user, PROMOTION_ROLES)
    leads = Lead.objects.all()
    if user.role == Role.AGENT and not user.is_superuser:
        return leads.filter(owner=user)
    if sees_everything(user):
        return leads
    scope = region_path(user)
    return leads.filter(region__path__startswith=scope) if scope else leads.none()


def lead_for(user: User, lead_id: int) -> Lead:
    try:
        return visible_leads(user).select_related("owner", "region", "investor", "project").get(pk=lead_id)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def history_for(user: User, lead: Lead) -> QuerySet[LeadStageChange]:
    # The lead came through ``lead_for``: its history is visible with it.
    return lead.history.select_related("author").order_by("happened_on", "id")


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    stage: str = ""
    source: str = ""
    industry: str = ""
    owner: int | None = None
    region: str = ""
    year: int | None = None
    sort: str = "-found"


def lead_list(user: User, filters: LeadFilters) -> QuerySet[Lead]:
    """The leads as the user may see them, filtered and sorted, with what a list row shows joined in,
    so a page of any size costs the same number of queries."""
    leads = visible_leads(user).select_related("owner", "region", "project")
    return _filtered(leads, filters).order_by(*SORTS.get(filters.sort, SORTS["-found"]))


def _filtered(leads: QuerySet[Lead], filters: LeadFilters) -> QuerySet[Lead]:
    if filters.stage:
        leads = leads.filter(stage=filters.stage)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.industry:
        leads = leads.filter(industry=filters.industry)
    if filters.owner:
        leads = leads.filter(owner_id=filters.owner)
    if filters.region:
        leads = leads.filter(region__path__contains=f"{filters.region}/")
    if filters.year:
        leads = leads.filter(found_on__year=filters.year)
    if filters.q.strip():
        term = filters.q.strip()
        leads = leads.filter(Q(title__icontains=term) | Q(investor_name__icontains=term))
    return leads


def owners_in_view(user: User) -> QuerySet[User]:
    """The people owning a lead the user may see, for the owner filter."""
    return User.objects.filter(pk__in=visible_leads(user).values("owner_id")).order_by("username")


# -- charts ---------------------------------------------------------------------------------------

DIMENSIONS = {"owner": "owner", "source": "source", "industry": "industry"}
PIPELINE = FORWARD  # the funnel's steps, in order


@dataclass
class FunnelRow:
    """How many leads of one group reached each stage of the pipeline (a lead that reached a stage
    passed every stage before it, even one it skipped), and how many were dropped."""

    key: str
    label: str
    reached: list[int] = field(default_factory=lambda: [0] * len(PIPELINE))
    dropped: int = 0

    @property
    def total(self) -> int:
        return self.reached[0]

    @property
    def conversion_percent(self) -> float | None:
        return round(100 * self.reached[-1] / self.total, 1) if self.total else None


def _label(dimension: str, key, owners: dict[int, str]) -> str:
    if dimension == "owner":
        return owners.get(key, str(key))
    if dimension == "source":
        return str(Source(key).label) if key in Source.values else str(key)
    return f"{key} {Industry(key).label}" if key in Industry.values else str(key)


def funnel(
    user: User, dimension: str, filters: LeadFilters | None = None
) -> tuple[FunnelRow, list[FunnelRow]]:
    """The whole funnel and one per group of ``dimension`` (owner, source or industry). Two queries
    whatever the number of leads: one grouped count, one for the owners' names."""
    column = DIMENSIONS.get(dimension, "source")
    leads = _filtered(visible_leads(user), filters or LeadFilters())
    rows = leads.values(column, "stage", "dropped_from").annotate(count=Count("id")).order_by()
    total = FunnelRow(key="", label="")
    groups: dict[object, FunnelRow] = {}
    counted = list(rows)
    owners = {}
    if column == "owner":
        ids = {row["owner"] for row in counted}
        owners = {person.pk: person.display_name for person in User.objects.filter(pk__in=ids)}
    for row in counted:
        key = row[column]
        group = groups.setdefault(key, FunnelRow(key=str(key), label=_label(column, key, owners)))
        furthest = row["dropped_from"] if row["stage"] == LeadStage.DROPPED else row["stage"]
        position = PIPELINE.index(furthest) if furthest in PIPELINE else 0
        for target in (group, total):
            for step in range(position + 1):
                target.reached[step] += row["count"]
            if row["stage"] == LeadStage.DROPPED:
                target.dropped += row["count"]
    ordered = sorted(groups.values(), key=lambda group: (-group.total, group.label))
    return total, ordered


@dataclass(frozen=True)
class ConversionTime:
    key: str
    label: str
    converted: int
    median_days: float | None
    shortest_days: int | None
    longest_days: int | None


def conversion_times(
    user: User, dimension: str, filters: LeadFilters | None = None
) -> tuple[ConversionTime, list[ConversionTime]]:
    """Days from a lead's record to its project's intake, for the converted leads, per group."""
    column = DIMENSIONS.get(dimension, "source")
    leads = _filtered(visible_leads(user), filters or LeadFilters()).filter(stage=LeadStage.CONVERTED)
    rows = list(leads.values_list(column, "found_on", "stage_on"))
    owners = {}
    if column == "owner":
        ids = {row[0] for row in rows}
        owners = {person.pk: person.display_name for person in User.objects.filter(pk__in=ids)}
    days: dict[object, list[int]] = defaultdict(list)
    for key, found_on, converted_on in rows:
        days[key].append((converted_on - found_on).days)

    def summary(key, label, values: list[int]) -> ConversionTime:
        return ConversionTime(
            key=str(key),
            label=label,
            converted=len(values),
            median_days=float(statistics.median(values)) if values else None,
            shortest_days=min(values) if values else None,
            longest_days=max(values) if values else None,
        )

    groups = [summary(key, _label(column, key, owners), values) for key, values in days.items()]
    groups.sort(key=lambda group: (group.median_days, group.label))
    everything = [value for values in days.values() for value in values]
    return summary("", "", everything), groups
