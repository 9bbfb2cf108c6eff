"""Every write to the investment-promotion pipeline. Each function is atomic and writes its audit rows."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import PROMOTION_ROLES, has_role, region_path, require_role
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.projects import services as project_services
from onewindow.projects.models import Industry, Investor, Level, Project
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.projects.stages import Stage
from onewindow.promotion.models import FORWARD, Lead, LeadStage, LeadStageChange, Source
from onewindow.regions.models import Region

LEAD_FIELDS = [
    "title",
    "source",
    "industry",
    "investor_name",
    "investor",
    "expected_investment_wan",
    "owner",
    "region",
    "notes",
]
EDITABLE_LEAD_FIELDS = LEAD_FIELDS
OWNER_ROLES = frozenset({Role.LEADER, Role.AGENT, Role.COUNTY_STAFF})
# The project's timeline limits an entry to 2,000 characters; a copied note is cut to fit.
_TIMELINE_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class LeadData:
    title: str
    source: str
    industry: str
    investor_name: str
    expected_investment_wan: Decimal | None
    owner: User | None
    region: Region | None
    found_on: datetime.date | None
    investor: Investor | None = None
    notes: str = ""


def may_edit_lead(actor: User, lead: Lead) -> bool:
    """An agent works only their own leads; leaders and county staff every lead they may see (the
    selectors decide which those are)."""
    if not has_role(actor, PROMOTION_ROLES):
        return False
    return actor.role != Role.AGENT or lead.owner_id == actor.pk


def _require_editor(actor: User, lead: Lead) -> None:
    require_role(actor, PROMOTION_ROLES)
    if not may_edit_lead(actor, lead):
        raise PermissionDenied(_("Only the lead's owner may change it."))


def _in_scope(actor: User, region: Region) -> bool:
    scope = region_path(actor)
    return not scope or region.path.startswith(scope)


def _fact_errors(actor: User, values: dict) -> dict:
    """Checks shared by creation and later edits, keyed by the field they concern."""
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Enter a name for the lead.")
    if values.get("source") not in Source.values:
        errors["source"] = _("Choose where the lead came from.")
    if values.get("industry") not in Industry.values:
        errors["industry"] = _("Choose the industry.")
    if not (values.get("investor_name") or "").strip():
        errors["investor_name"] = _("Enter the investor's name.")
    investment = values.get("expected_investment_wan")
    if investment is None or investment <= 0:
        errors["expected_investment_wan"] = _("The expected investment must be more than 0 万元.")
    elif investment >= Decimal("1e12"):
        errors["expected_investment_wan"] = _("The expected investment is too large.")
    region = values.get("region")
    if region is None:
        errors["region"] = _("Choose the region.")
    elif not _in_scope(actor, region):
        errors["region"] = _("This region is outside the area you work in.")
    owner = values.get("owner")
    if owner is None:
        errors["owner"] = _("Choose the lead's owner.")
    elif not owner.is_active or owner.role not in OWNER_ROLES:
        errors["owner"] = _("The owner must be an agent, a leader or county centre staff.")
    elif actor.role == Role.AGENT and owner.pk != actor.pk:
        errors["owner"] = _("An agent records leads for themselves.")
    elif owner.region is None or not _in_scope(actor, owner.region):
        errors["owner"] = _("This person works outside your area.")
    return errors


def _record(actor: User, action: str, lead: Lead, changes: dict, source_ip: str | None) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=lead,
        changes=changes,
        source_ip=source_ip,
        region_path=lead.region.path,
    )


def _history(*, actor: User, lead: Lead, from_stage: str, to_stage: str, on: datetime.date, note: str):
    return LeadStageChange.objects.create(
        lead=lead,
        from_stage=from_stage,
        to_stage=to_stage,
        happened_on=on,
        note=note.strip(),
        author=actor if actor.is_authenticated else None,
    )


@transaction.atomic
def create_lead(*, actor: User, data: LeadData, source_ip: str | None = None) -> Lead:
    require_role(actor, PROMOTION_ROLES)
    values = {name: getattr(data, name) for name in LEAD_FIELDS}
    errors = _fact_errors(actor, values)
    if data.found_on is None:
        errors["found_on"] = _("Enter the date the lead was recorded.")
    elif data.found_on > timezone.localdate():
        errors["found_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    lead = Lead(
        title=data.title.strip(),
        source=data.source,
        industry=data.industry,
        investor_name=data.investor_name.strip(),
        investor=data.investor,
        expected_investment_wan=data.expected_investment_wan,
        owner=data.owner,
        region=data.region,
        notes=data.notes.strip(),
        stage=LeadStage.LEAD,
        found_on=data.found_on,
        stage_on=data.found_on,
    )
    lead.full_clean(exclude=["investor", "owner", "region", "project"])
    lead.save()
    _history(actor=actor, lead=lead, from_stage="", to_stage=LeadStage.LEAD, on=data.found_on, note="")
    _record(
        actor,
        AuditEntry.Action.CREATE,
        lead,
        audit.diff({}, audit.snapshot(lead, [*LEAD_FIELDS, "stage", "found_on"])),
        source_ip,
    )
    return lead


@transaction.atomic
def update_lead(*, actor: User, lead: Lead, changes: dict, source_ip: str | None = None) -> Lead:
    """Change a lead's facts (not its stage: that moves only forward through ``advance_lead``)."""
    _require_editor(actor, lead)
    unknown = set(changes) - set(EDITABLE_LEAD_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    if lead.stage == LeadStage.CONVERTED and set(changes) - {"notes"}:
        raise ValidationError(
            {"stage": _("The lead became a project: change the project instead, only notes stay open.")}
        )
    before = audit.snapshot(lead, LEAD_FIELDS)
    values = {name: getattr(lead, name) for name in LEAD_FIELDS} | changes
    errors = _fact_errors(actor, values)
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(lead, name, value.strip() if isinstance(value, str) else value)
    lead.full_clean(exclude=["investor", "owner", "region", "project"])
    lead.save()
    changed = audit.diff(before, audit.snapshot(lead, LEAD_FIELDS))
    if changed:
        _record(actor, AuditEntry.Action.UPDATE, lead, changed, source_ip)
    return lead


def _date_errors(lead: Lead, on: datetime.date | None, field: str = "on") -> dict:
    if on is None:
        return {field: _("Enter the date.")}
    if on > timezone.localdate():
        return {field: _("The date is in the future.")}
    if on < lead.stage_on:
        return {
            field: _("The date is before the current stage's date (%(date)s).")
            % {"date": lead.stage_on.isoformat()}
        }
    return {}


def next_stages(lead: Lead) -> list[LeadStage]:
    """Stages a lead may move forward to by hand; the last step, into agency, is the conversion."""
    if lead.stage not in FORWARD:
        return []
    later = FORWARD[FORWARD.index(lead.stage) + 1 :]
    return [stage for stage in later if stage != LeadStage.CONVERTED]


@transaction.atomic
def advance_lead(
    *,
    actor: User,
    lead: Lead,
    target: str,
    on: datetime.date | None,
    note: str = "",
    source_ip: str | None = None,
) -> Lead:
    """Move a lead forward along the pipeline (it may skip steps), never back in stage or in time."""
    _require_editor(actor, lead)
    if target not in next_stages(lead):
        if target == LeadStage.CONVERTED:
            message = _("A lead goes into agency by converting it into a project.")
        else:
            message = _("A lead cannot go from %(current)s to %(target)s.") % {
                "current": LeadStage(lead.stage).label,
                "target": LeadStage(target).label if target in LeadStage.values else target,
            }
        raise ValidationError({"target": message})
    errors = _date_errors(lead, on)
    if len(note) > 2000:
        errors["note"] = _("Keep the note under 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(lead, ["stage", "stage_on"])
    current = lead.stage
    lead.stage, lead.stage_on = target, on
    lead.save(update_fields=["stage", "stage_on", "updated_at"])
    _history(actor=actor, lead=lead, from_stage=current, to_stage=target, on=on, note=note)
    _record(
        actor, AuditEntry.Action.TRANSITION, lead, audit.diff(before, audit.snapshot(lead, before)), source_ip
    )
    return lead


@transaction.atomic
def drop_lead(
    *, actor: User, lead: Lead, on: datetime.date | None, reason: str, source_ip: str | None = None
) -> Lead:
    _require_editor(actor, lead)
    if lead.stage in (LeadStage.CONVERTED, LeadStage.DROPPED):
        raise ValidationError({"stage": _("This lead is already closed.")})
    errors = _date_errors(lead, on)
    if not reason.strip():
        errors["reason"] = _("Give the reason.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(lead, ["stage", "stage_on", "dropped_from", "drop_reason"])
    current = lead.stage
    lead.stage, lead.stage_on, lead.dropped_from, lead.drop_reason = (
        LeadStage.DROPPED,
        on,
        current,
        reason.strip(),
    )
    lead.save(update_fields=["stage", "stage_on", "dropped_from", "drop_reason", "updated_at"])
    _history(actor=actor, lead=lead, from_stage=current, to_stage=LeadStage.DROPPED, on=on, note=reason)
    _record(
        actor, AuditEntry.Action.TRANSITION, lead, audit.diff(before, audit.snapshot(lead, before)), source_ip
    )
    return lead


# The intake's field names, as the conversion's caller knows them.
_INTAKE_RENAMES = {
    "name": "project_name",
    "intake_on": "on",
    "signed_on": "on",
    "investor": "uscc",
    "investor_uscc": "uscc",
    "investor_name": "investor_name",
    "total_investment_wan": "expected_investment_wan",
    "level": "level",
    "region": "region",
    "agent": "owner",
}


def _timeline_text(change: LeadStageChange) -> str:
    text = _("Investment promotion: %(stage)s.") % {"stage": LeadStage(change.to_stage).label}
    if change.note:
        text = f"{text} {change.note}"
    return text[:_TIMELINE_TEXT_LIMIT]


@transaction.atomic
def convert_lead(
    *,
    actor: User,
    lead: Lead,
    project_name: str,
    on: datetime.date | None,
    level: str = "",
    uscc: str = "",
    source_ip: str | None = None,
    code_rng: random.Random | None = None,
) -> Project:
    """Take a signed lead into agency: one-window intake of its project, linked to the lead, with the
    lead's history copied onto the project's timeline as internal entries (never public).

    The project gets its own name: the lead's is an internal working name and stays confidential.
    A lead without a registered investor needs the investor's unified social credit code.
    ``code_rng`` is passed on to the intake: only the reproducible demo gives a seeded one.
    """
    _require_editor(actor, lead)
    if lead.stage != LeadStage.SIGNED:
        raise ValidationError({"stage": _("Only a signed lead can be taken into agency.")})
    errors = _date_errors(lead, on)
    if not project_name.strip():
        errors["project_name"] = _("Enter the project's name.")
    elif project_name.strip() == lead.title:
        errors["project_name"] = _(
            "The project's name is public: choose one other than the lead's confidential name."
        )
    level = level or (
        Level.CITY if lead.region.is_city or lead.region.kind == Region.Kind.ZONE else Level.COUNTY
    )
    if level not in Level.values:
        errors["level"] = _("Choose the handling level.")
    if lead.investor is None and not uscc.strip():
        errors["uscc"] = _("Enter the investor's unified social credit code to register it.")
    if errors:
        raise ValidationError(errors)
    history = list(lead.history.order_by("happened_on", "id"))
    negotiation_on = next(
        (change.happened_on for change in history if change.to_stage == LeadStage.NEGOTIATION), None
    )
    data = ProjectIntake(
        name=project_name.strip(),
        total_investment_wan=lead.expected_investment_wan,
        industry=lead.industry,
        region=lead.region,
        level=level,
        stage=Stage.INTAKE,
        negotiation_on=negotiation_on,
        signed_on=lead.stage_on,
        intake_on=on,
        agent=lead.owner if lead.owner.role == Role.AGENT else None,
    )
    existing = lead.investor
    # An investor already registered under the code is the same enterprise: it is linked, not doubled.
    if existing is None:
        existing = Investor.objects.filter(uscc=uscc.strip().upper()).first()
    new_investor = None if existing else NewInvestor(name=lead.investor_name, uscc=uscc)
    try:
        project = project_services.intake_project(
            actor=actor,
            data=data,
            investor=existing,
            new_investor=new_investor,
            source_ip=source_ip,
            code_rng=code_rng,
        )
    except ValidationError as error:
        renamed: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            name = _INTAKE_RENAMES.get(key, "uscc" if key.startswith("investor_") else key)
            renamed.setdefault(name, []).extend(messages)
        raise ValidationError(renamed) from None
    for change in history:
        project_services.add_timeline_note(
            actor=actor,
            project=project,
            text=_timeline_text(change),
            happened_on=change.happened_on,
            is_public=False,
            source_ip=source_ip,
        )
    if lead.notes:
        notes = _("Notes from investment promotion: %(notes)s") % {"notes": lead.notes}
        project_services.add_timeline_note(
            actor=actor,
            project=project,
            text=notes[:_TIMELINE_TEXT_LIMIT],
            happened_on=on,
            is_public=False,
            source_ip=source_ip,
        )
    before = audit.snapshot(lead, ["stage", "stage_on", "project", "investor"])
    lead.stage, lead.stage_on, lead.project, lead.investor = (
        LeadStage.CONVERTED,
        on,
        project,
        project.investor,
    )
    lead.save(update_fields=["stage", "stage_on", "project", "investor", "updated_at"])
    _history(
        actor=actor,
        lead=lead,
        from_stage=LeadStage.SIGNED,
        to_stage=LeadStage.CONVERTED,
        on=on,
        note=_("Project %(code)s.") % {"code": project.code},
    )
    _record(
        actor, AuditEntry.Action.TRANSITION, lead, audit.diff(before, audit.snapshot(lead, before)), source_ip
    )
    return project
