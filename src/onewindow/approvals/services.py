"""Every write of the approvals room: catalog imports, plan inputs, plans and holiday notices.

Each function is atomic and writes its audit row in the same transaction. Catalog imports and
holiday notices belong to administrators; a command-line run passes ``actor=None`` (whoever has
the server's shell is trusted) and is audited as the system.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import PROJECT_EDIT_ROLES, require_role
from onewindow.approvals import catalog_format, selectors, task_services
from onewindow.approvals.catalog_format import CatalogSpec
from onewindow.approvals.models import (
    ApprovalItem,
    CalendarNotice,
    CalendarNoticeDay,
    CatalogVersion,
    Fee,
    ItemMaterial,
    Material,
    Plan,
    PlanItem,
    Prerequisite,
    ProjectFacts,
)
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects
from onewindow.regions.models import Department, Region

# Catalogs and the calendar change what every plan says: administrators only.
ADMIN_ROLES = frozenset({Role.ADMIN})
DEFAULT_CATALOG = "default.yaml"
MAX_REASON = 1000


def _require_admin(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, ADMIN_ROLES)


def _require_plan_editor(actor: User, project: Project) -> None:
    """Editors of the register may plan, the agent only their own projects, and only in scope."""
    require_role(actor, PROJECT_EDIT_ROLES)
    if actor.role == Role.AGENT and project.agent_id not in (None, actor.pk):
        raise PermissionDenied(_("Only the project's own agent may change its plan."))
    if not visible_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied


# -- the catalog ---------------------------------------------------------------------------------


@transaction.atomic
def import_catalog(
    *,
    actor: User | None,
    text: str,
    source: str = "",
    name: str = "",
    effective_on: datetime.date | None = None,
) -> CatalogVersion:
    """Read a catalog file and store it as a new version; all of it, or nothing.

    Raises ``CatalogError`` for a file with problems and ``ValidationError`` for a name already used
    or a missing city; nothing is written in either case.
    """
    _require_admin(actor)
    spec = catalog_format.parse(text)
    name = (name or spec.name or Path(source).stem or "").strip()
    effective_on = effective_on or spec.effective or timezone.localdate()
    if not name:
        raise ValidationError({"name": _("Give the catalog version a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    if CatalogVersion.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A catalog version named %(name)s exists already.") % {"name": name}}
        )
    version = CatalogVersion.objects.create(
        name=name,
        effective_on=effective_on,
        description=spec.description,
        source=Path(source).name[:255],
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        imported_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _store_items(version, spec, _departments(spec))
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=version,
        changes={
            "name": name,
            "effective_on": effective_on.isoformat(),
            "items": len(spec.items),
            "source": version.source,
            "sha256": version.sha256,
        },
    )
    return version


def _departments(spec: CatalogSpec) -> dict[str, Department]:
    """The catalog's departments at the city, created when missing; existing names are kept."""
    city = Region.objects.filter(parent__isnull=True).first()
    if city is None:
        raise ValidationError(_("Create the city's region tree before importing a catalog."))
    existing = {department.code: department for department in Department.objects.filter(region=city)}
    for department in spec.departments:
        if department.code not in existing:
            existing[department.code] = Department.objects.create(
                region=city, code=department.code, name=department.name
            )
    return existing


def _store_items(version: CatalogVersion, spec: CatalogSpec, departments: Mapping[str, Department]) -> None:
    materials = {
        material.code: material
        for material in Material.objects.bulk_create(
            Material(version=version, code=m.code, name=m.name, template=m.template, note=m.note, position=n)
            for n, m in enumerate(spec.materials)
        )
    }
    items = {
        item.code: item
        for item in ApprovalItem.objects.bulk_create(
            _item_row(version, item, departments[item.department], position)
            for position, item in enumerate(spec.items)
        )
    }
    Prerequisite.objects.bulk_create(
        Prerequisite(item=items[item.code], requires=items[code], position=n)
        for item in spec.items
        for n, code in enumerate(item.requires)
    )
    ItemMaterial.objects.bulk_create(
        ItemMaterial(
            item=items[item.code],
            material=materials[link.material],
            form=link.form,
            count=link.count,
            key=link.key,
            position=n,
        )
        for item in spec.items
        for n, link in enumerate(item.materials)
    )
    Fee.objects.bulk_create(
        Fee(
            item=items[item.code],
            name=fee.name,
            legal_basis=fee.legal_basis,
            amount=fee.amount,
            rate=fee.rate,
            per=fee.per,
            minimum=fee.minimum,
            maximum=fee.maximum,
            waivable=fee.waivable,
            applies_when=catalog_format.plain_data(fee.applies_when),
            position=n,
        )
        for item in spec.items
        for n, fee in enumerate(item.fees)
    )


def _item_row(version: CatalogVersion, item, department: Department, position: int) -> ApprovalItem:
    return ApprovalItem(
        version=version,
        code=item.code,
        name=item.name,
        department=department,
        stage=item.stage,
        limit_workdays=item.limit_workdays,
        statutory_limit=item.statutory_limit,
        statutory_unit=item.statutory_unit,
        legal_basis=item.legal_basis,
        limit_note=item.limit_note,
        applies_when=catalog_format.plain_data(item.applies_when),
        zone_exempt=item.zone_exempt,
        commitment_allowed=item.commitment_allowed,
        deficiency_acceptance_allowed=item.deficiency_acceptance_allowed,
        clock_excludes=list(item.clock_excludes),
        position=position,
    )


def default_catalog_text() -> str:
    return resources.files("onewindow.approvals").joinpath("catalogs", DEFAULT_CATALOG).read_text("utf-8")


@transaction.atomic
def load_default_catalog(*, actor: User | None = None) -> CatalogVersion:
    """The catalog shipped with the package, imported once: the same file again returns the same
    version (matched by its SHA-256), so the demo can call this on every load."""
    text = default_catalog_text()
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = CatalogVersion.objects.filter(sha256=digest).order_by("id").first()
    if existing is not None:
        return existing
    spec = catalog_format.parse(text)
    name = spec.name
    if CatalogVersion.objects.filter(name=name).exists():
        # An older shipped catalog took the name: keep both, told apart by the file's digest.
        name = f"{spec.name} ({digest[:8]})"
    return import_catalog(actor=actor, text=text, source=DEFAULT_CATALOG, name=name)


# -- plan inputs and plans -----------------------------------------------------------------------


@transaction.atomic
def save_project_facts(
    *, actor: User, project: Project, values: Mapping[str, Any], source_ip: str | None = None
) -> ProjectFacts:
    """Record the facts the catalog's rules read (new land, EIA category, floor area, …)."""
    _require_plan_editor(actor, project)
    unknown = set(values) - set(ProjectFacts.FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    facts = ProjectFacts.objects.select_for_update().filter(project=project).first()
    created = facts is None
    if created:
        facts = ProjectFacts(project=project)
    before = {} if created else audit.snapshot(facts, ProjectFacts.FIELDS)
    for name, value in values.items():
        setattr(facts, name, value)
    facts.full_clean(exclude=["project"], validate_unique=False)
    facts.save()
    changes = audit.diff(before, audit.snapshot(facts, ProjectFacts.FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            obj=facts,
            changes=changes,
            source_ip=source_ip,
            region_path=project.region.path,
        )
    return facts


@transaction.atomic
def create_plan(
    *,
    actor: User,
    project: Project,
    start_on: datetime.date,
    catalog_version: CatalogVersion | None = None,
    source_ip: str | None = None,
) -> Plan:
    """Make a project's plan: the catalog items its facts call for, from ``start_on``.

    Without a version, the one in force on the start date is used; the plan keeps it for good.
    """
    _require_plan_editor(actor, project)
    if Plan.objects.filter(project=project).exists():
        raise ValidationError(_("This project has a plan already; change its items instead."))
    version = catalog_version or selectors.version_in_force(start_on)
    if version is None:
        raise ValidationError(
            {"start_on": _("No catalog version is in force on %(date)s.") % {"date": start_on.isoformat()}}
        )
    chosen = selectors.applicable_items(version, selectors.rule_facts(project))
    chosen_codes = {item.code for item in chosen}
    first = selectors.prepared_catalog(version).schedule(
        selectors.workday_calendar(), start_on, only=chosen_codes
    )
    plan = Plan.objects.create(
        project=project,
        catalog_version=version,
        start_on=start_on,
        baseline_finish_on=first.finish,
        baseline_workdays=first.parallel_workdays,
        baseline_estimated=first.estimated,
        created_by=actor,
    )
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, item=item, source=PlanItem.Source.RULE, changed_by=actor) for item in chosen
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=plan,
        changes={
            "catalog_version": version.name,
            "start_on": start_on.isoformat(),
            "items": sorted(chosen_codes),
            "finish": first.finish.isoformat(),
            "parallel_workdays": first.parallel_workdays,
            "estimated": first.estimated,
        },
        source_ip=source_ip,
        region_path=project.region.path,
    )
    return plan


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason under 1,000 characters.")})
    return reason


def _catalog_item(plan: Plan, code: str) -> ApprovalItem:
    item = ApprovalItem.objects.filter(version=plan.catalog_version_id, code=code.strip()).first()
    if item is None:
        raise ValidationError(
            {
                "item": _("Catalog %(version)s has no item %(code)s.")
                % {"version": plan.catalog_version, "code": code}
            }
        )
    return item


@transaction.atomic
def add_plan_item(
    *, actor: User, plan: Plan, code: str, reason: str, source_ip: str | None = None
) -> PlanItem:
    """Put a catalog item into the plan that the rules left out, or that staff removed before."""
    _require_plan_editor(actor, plan.project)
    reason = _clean_reason(reason)
    item = _catalog_item(plan, code)
    entry = PlanItem.objects.select_for_update().filter(plan=plan, item=item).first()
    if entry is not None and entry.included:
        raise ValidationError({"item": _("%(code)s is in the plan already.") % {"code": item.code}})
    if entry is None:
        entry = PlanItem(plan=plan, item=item, source=PlanItem.Source.STAFF)
    entry.included, entry.reason, entry.changed_by = True, reason, actor
    entry.save()
    _record_item_change(actor, plan, item, included=True, reason=reason, source_ip=source_ip)
    return entry


@transaction.atomic
def remove_plan_item(
    *, actor: User, plan: Plan, code: str, reason: str, source_ip: str | None = None
) -> PlanItem:
    """Take an item out of the plan; whatever required it then follows what it required."""
    _require_plan_editor(actor, plan.project)
    reason = _clean_reason(reason)
    item = _catalog_item(plan, code)
    entry = PlanItem.objects.select_for_update().filter(plan=plan, item=item, included=True).first()
    if entry is None:
        raise ValidationError({"item": _("%(code)s is not in the plan.") % {"code": item.code}})
    entry.included, entry.reason, entry.changed_by = False, reason, actor
    entry.save()
    _record_item_change(actor, plan, item, included=False, reason=reason, source_ip=source_ip)
    return entry


def _record_item_change(
    actor: User, plan: Plan, item: ApprovalItem, *, included: bool, reason: str, source_ip: str | None
) -> None:
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=plan,
        changes={"item": item.code, "included": [not included, included], "reason": reason},
        source_ip=source_ip,
        region_path=plan.project.region.path,
    )


# -- holiday notices -----------------------------------------------------------------------------


@transaction.atomic
def save_calendar_notice(
    *,
    actor: User | None,
    year: int,
    document: str,
    holidays: Iterable[datetime.date],
    workdays: Iterable[datetime.date],
    source_ip: str | None = None,
) -> CalendarNotice:
    """Enter (or replace) a year's official holidays and make-up working days."""
    _require_admin(actor)
    holidays, workdays = sorted(set(holidays)), sorted(set(workdays))
    errors = _notice_errors(year, document, holidays, workdays)
    if errors:
        raise ValidationError(errors)
    notice = CalendarNotice.objects.select_for_update().filter(year=year).first()
    before = {} if notice is None else _notice_snapshot(notice)
    if notice is None:
        notice = CalendarNotice(year=year)
    notice.document = document.strip()
    notice.updated_by = actor if actor is not None and actor.is_authenticated else None
    notice.save()
    notice.days.all().delete()
    CalendarNoticeDay.objects.bulk_create(
        [CalendarNoticeDay(notice=notice, day=day, kind=CalendarNoticeDay.Kind.HOLIDAY) for day in holidays]
        + [CalendarNoticeDay(notice=notice, day=day, kind=CalendarNoticeDay.Kind.WORKDAY) for day in workdays]
    )
    # The approval tasks' stored due dates follow the calendar: recompute those the year touches.
    refreshed = task_services.refresh_stored_clocks(year=year)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
        obj=notice,
        changes=audit.diff(before, _notice_snapshot(notice))
        | ({"task_clocks_updated": refreshed} if refreshed else {}),
        source_ip=source_ip,
    )
    return notice


def _notice_snapshot(notice: CalendarNotice) -> dict[str, Any]:
    days = list(notice.days.order_by("day").values_list("day", "kind"))
    return {
        "document": notice.document,
        "holidays": [day.isoformat() for day, kind in days if kind == CalendarNoticeDay.Kind.HOLIDAY],
        "workdays": [day.isoformat() for day, kind in days if kind == CalendarNoticeDay.Kind.WORKDAY],
    }


def _notice_errors(
    year: int, document: str, holidays: list[datetime.date], workdays: list[datetime.date]
) -> dict[str, str]:
    errors = {}
    if not 1949 <= year <= 2200:
        errors["year"] = _("Enter a year from 1949 to 2200.")
    if not document.strip():
        errors["document"] = _("Name the notice, e.g. 国办发明电〔2025〕7号.")
    outside = [day for day in [*holidays, *workdays] if day.year != year]
    if outside:
        errors["days"] = _("These dates are not in %(year)d: %(days)s.") % {
            "year": year,
            "days": ", ".join(day.isoformat() for day in outside),
        }
    both = set(holidays) & set(workdays)
    if both:
        errors["workdays"] = _("A day cannot be both a holiday and a working day: %(days)s.") % {
            "days": ", ".join(day.isoformat() for day in sorted(both))
        }
    weekdays = [day for day in workdays if day.weekday() < 5]
    if weekdays and "workdays" not in errors:
        errors["workdays"] = _("Make-up working days fall on weekends; these do not: %(days)s.") % {
            "days": ", ".join(day.isoformat() for day in weekdays)
        }
    return errors
