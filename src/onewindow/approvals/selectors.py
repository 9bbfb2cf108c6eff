"""Reads of the catalog, the calendar and plans. Who may see a project's plan is the register's
answer (``projects.selectors.visible_projects``): outside the scope a plan does not exist (404)."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.http import Http404

from onewindow.accounts.models import User
from onewindow.approvals import catalog_format, planner
from onewindow.approvals.catalog_format import (
    CatalogDiff,
    CatalogSpec,
    DepartmentSpec,
    ItemMaterialSpec,
    ItemSpec,
    MaterialSpec,
)
from onewindow.approvals.formulas import FeeSpec
from onewindow.approvals.models import (
    ApprovalItem,
    CalendarNotice,
    CalendarNoticeDay,
    CatalogVersion,
    Fee,
    ItemMaterial,
    Material,
    Plan,
    Prerequisite,
    ProjectFacts,
)
from onewindow.approvals.rules import applies
from onewindow.core.workdays import WorkdayCalendar, YearNotice
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects

# -- the calendar --------------------------------------------------------------------------------

_calendar_lock = threading.Lock()
_calendar_cache: dict[tuple, WorkdayCalendar] = {}


def workday_calendar() -> WorkdayCalendar:
    """The statutory calendar with every notice entered by administrators.

    Building one classifies thousands of days, so it is kept per process and rebuilt only when a
    notice changes: one small query tells which notices exist and when they last changed.
    """
    key = tuple(CalendarNotice.objects.order_by("year").values_list("year", "updated_at"))
    calendar = _calendar_cache.get(key)
    if calendar is None:
        with _calendar_lock:
            calendar = _calendar_cache.get(key)
            if calendar is None:
                calendar = WorkdayCalendar(_notices())
                _calendar_cache.clear()
                _calendar_cache[key] = calendar
    return calendar


def _notices() -> list[YearNotice]:
    days: dict[int, tuple[set, set]] = {}
    documents = dict(CalendarNotice.objects.values_list("year", "document"))
    for year in documents:
        days[year] = (set(), set())
    for year, day, kind in CalendarNoticeDay.objects.values_list("notice__year", "day", "kind"):
        days[year][0 if kind == CalendarNoticeDay.Kind.HOLIDAY else 1].add(day)
    return [
        YearNotice(year, frozenset(holidays), frozenset(workdays), documents[year])
        for year, (holidays, workdays) in days.items()
    ]


# -- catalog versions ----------------------------------------------------------------------------


def version_in_force(on: datetime.date) -> CatalogVersion | None:
    """The version with the latest effective date on or before ``on``; the later import breaks a tie."""
    return CatalogVersion.objects.filter(effective_on__lte=on).order_by("-effective_on", "-id").first()


def find_version(reference: str) -> CatalogVersion:
    """A version by its name, or by its number; raises ``CatalogVersion.DoesNotExist``."""
    by_name = CatalogVersion.objects.filter(name=reference).first()
    if by_name is not None:
        return by_name
    if reference.isdigit():
        return CatalogVersion.objects.get(pk=int(reference))
    raise CatalogVersion.DoesNotExist(reference)


def catalog_spec(version: CatalogVersion) -> CatalogSpec:
    """A stored version as the catalog file's data, for export and for comparing versions."""
    items = list(version.items.select_related("department").order_by("position"))
    codes = {item.pk: item.code for item in items}
    requires: dict[int, list[str]] = {item.pk: [] for item in items}
    for item_id, required_id in Prerequisite.objects.filter(item__version=version).values_list(
        "item_id", "requires_id"
    ):
        requires[item_id].append(codes[required_id])
    materials: dict[int, list[ItemMaterialSpec]] = {item.pk: [] for item in items}
    for link in ItemMaterial.objects.filter(item__version=version).select_related("material"):
        materials[link.item_id].append(ItemMaterialSpec(link.material.code, link.form, link.count, link.key))
    fees: dict[int, list[FeeSpec]] = {item.pk: [] for item in items}
    for fee in Fee.objects.filter(item__version=version):
        fees[fee.item_id].append(_fee_spec(fee))
    departments = {
        item.department.code: DepartmentSpec(item.department.code, item.department.name) for item in items
    }
    return CatalogSpec(
        departments=tuple(departments.values()),
        items=tuple(_item_spec(item, requires[item.pk], materials[item.pk], fees[item.pk]) for item in items),
        materials=tuple(
            MaterialSpec(material.code, material.name, material.template, material.note)
            for material in Material.objects.filter(version=version).order_by("position")
        ),
        name=version.name,
        effective=version.effective_on,
        description=version.description,
    )


def _item_spec(item: ApprovalItem, requires, materials, fees) -> ItemSpec:
    return ItemSpec(
        code=item.code,
        name=item.name,
        department=item.department.code,
        stage=item.stage,
        limit_workdays=item.limit_workdays,
        requires=tuple(requires),
        statutory_limit=item.statutory_limit,
        statutory_unit=item.statutory_unit,
        legal_basis=item.legal_basis,
        limit_note=item.limit_note,
        applies_when=item.applies_when,
        zone_exempt=item.zone_exempt,
        commitment_allowed=item.commitment_allowed,
        deficiency_acceptance_allowed=item.deficiency_acceptance_allowed,
        clock_excludes=tuple(item.clock_excludes),
        materials=tuple(materials),
        fees=tuple(fees),
    )


def _fee_spec(fee: Fee) -> FeeSpec:
    return FeeSpec(
        name=fee.name,
        legal_basis=fee.legal_basis,
        amount=fee.amount,
        rate=fee.rate,
        per=fee.per,
        minimum=fee.minimum,
        maximum=fee.maximum,
        waivable=fee.waivable,
        applies_when=fee.applies_when,
    )


def diff_versions(before: CatalogVersion, after: CatalogVersion) -> CatalogDiff:
    return catalog_format.diff(catalog_spec(before), catalog_spec(after))


# A version never changes after import, so its planner items can be kept per process. The key holds
# the import time too, because a database may hand a deleted version's number to a new one.
_prepared_cache: OrderedDict[tuple, planner.PreparedPlan] = OrderedDict()
_PREPARED_CACHE_SIZE = 16


def planner_items(version: CatalogVersion) -> list[planner.Item]:
    """Every item of a version, as the planner takes them, in catalog order."""
    return list(prepared_catalog(version).items)


def prepared_catalog(version: CatalogVersion) -> planner.PreparedPlan:
    """A version's whole graph, sorted once; a project's plan schedules the subset it needs."""
    key = (version.pk, version.imported_at)
    cached = _prepared_cache.get(key)
    if cached is not None:
        _prepared_cache.move_to_end(key)
        return cached
    prepared = planner.PreparedPlan(_load_items(version))
    _prepared_cache[key] = prepared
    if len(_prepared_cache) > _PREPARED_CACHE_SIZE:
        _prepared_cache.popitem(last=False)
    return prepared


def _load_items(version: CatalogVersion) -> list[planner.Item]:
    rows = list(
        version.items.order_by("position").values(
            "pk",
            "code",
            "name",
            "department__code",
            "stage",
            "limit_workdays",
            "commitment_allowed",
            "zone_exempt",
        )
    )
    codes = {row["pk"]: row["code"] for row in rows}
    requires: dict[int, list[str]] = {row["pk"]: [] for row in rows}
    for item_id, required_id in Prerequisite.objects.filter(item__version=version).values_list(
        "item_id", "requires_id"
    ):
        requires[item_id].append(codes[required_id])
    return [
        planner.Item(
            code=row["code"],
            limit=row["limit_workdays"],
            requires=tuple(requires[row["pk"]]),
            name=row["name"],
            department=row["department__code"],
            stage=row["stage"],
            commitment_allowed=row["commitment_allowed"],
            zone_exempt=row["zone_exempt"],
        )
        for row in rows
    ]


# -- facts and applicability ---------------------------------------------------------------------


def rule_facts(project: Project, facts: ProjectFacts | None = None) -> dict[str, Any]:
    """The facts the catalog's rules may read, from the register and the plan inputs."""
    if facts is None:
        facts = ProjectFacts.objects.filter(project=project).first() or ProjectFacts(project=project)
    values: dict[str, Any] = {
        "approval_type": project.approval_type,
        "industry": project.industry,
        "construction_nature": project.construction_nature,
        "project_type": project.project_type,
        "level": project.level,
        "total_investment_wan": project.total_investment_wan,
    }
    values.update({name: getattr(facts, name) for name in ProjectFacts.FIELDS})
    return values


def is_applicable(rule: Mapping[str, Any], zone_exempt: bool, facts: Mapping[str, Any]) -> bool:
    """Whether an item belongs in a project's plan: its rule holds and no 区域评估 exempts it."""
    if zone_exempt and facts.get("in_evaluated_zone"):
        return False
    return applies(rule, facts)


def applicable_items(version: CatalogVersion, facts: Mapping[str, Any]) -> list[ApprovalItem]:
    return [
        item
        for item in version.items.order_by("position")
        if is_applicable(item.applies_when, item.zone_exempt, facts)
    ]


# -- plans ---------------------------------------------------------------------------------------


def plan_of(user: User, code: str) -> Plan:
    """The plan of a project the user may see, by project code; 404 otherwise."""
    project = visible_projects(user).filter(code=code.strip().upper()).first()
    if project is None:
        raise Http404
    try:
        return Plan.objects.select_related("catalog_version", "project").get(project=project)
    except Plan.DoesNotExist:
        raise Http404 from None


def included_codes(plan: Plan) -> set[str]:
    return set(plan.entries.filter(included=True).values_list("item__code", flat=True))


def plan_schedule(
    plan: Plan,
    *,
    calendar: WorkdayCalendar | None = None,
    actuals: Mapping[str, planner.Actual] | None = None,
    as_of: datetime.date | None = None,
) -> planner.Schedule:
    """The schedule of a stored plan on the current calendar. Items left out of the plan are
    bypassed, so whatever required them still follows what they required."""
    return prepared_catalog(plan.catalog_version).schedule(
        calendar or workday_calendar(), plan.start_on, actuals=actuals, as_of=as_of, only=included_codes(plan)
    )


def schedule_for(user: User, code: str) -> planner.Schedule:
    return plan_schedule(plan_of(user, code))
