"""Every write to the project register. Each function is atomic and writes its audit rows."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import (
    INTAKE_ROLES,
    PROJECT_EDIT_ROLES,
    has_role,
    region_path,
    require_role,
)
from onewindow.core import audit
from onewindow.core.codes import (
    make_provisional_code,
    normalise_uscc,
    validate_official_project_code,
    validate_uscc,
)
from onewindow.core.errors import StaleObjectError
from onewindow.core.models import AuditEntry
from onewindow.projects import stages, tally
from onewindow.projects.models import Investor, Level, Phase, Project, TimelineEntry
from onewindow.projects.stages import Stage
from onewindow.regions.models import Department, Region

INVESTOR_FIELDS = ["name", "uscc", "legal_representative", "contact_name", "contact_phone", "contact_email"]
PROJECT_FIELDS = [
    "code",
    "code_is_provisional",
    "name",
    "description",
    "investor",
    "total_investment_wan",
    "industry",
    "region",
    "level",
    "construction_nature",
    "approval_type",
    "project_type",
    "fast_track",
    "confidential",
    "agent",
    "stage",
    "negotiation_on",
    "signed_on",
    "intake_on",
]
EDITABLE_PROJECT_FIELDS = [
    "name",
    "description",
    "total_investment_wan",
    "industry",
    "region",
    "level",
    "construction_nature",
    "approval_type",
    "project_type",
    "fast_track",
    "confidential",
    "agent",
]
PHASE_FIELDS = [
    "sequence",
    "name",
    "scale",
    "investment_wan",
    "planned_start_on",
    "started_on",
    "completed_on",
    "produced_on",
]

_code_rng = random.SystemRandom()


@dataclass(frozen=True)
class NewInvestor:
    name: str
    uscc: str
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class ProjectIntake:
    name: str
    total_investment_wan: Decimal
    industry: str
    region: Region
    level: str
    construction_nature: str = "new"
    approval_type: str = "filing"
    project_type: str = "01"
    stage: str = Stage.INTAKE
    negotiation_on: datetime.date | None = None
    signed_on: datetime.date | None = None
    intake_on: datetime.date | None = None
    national_code: str = ""
    agent: User | None = None
    fast_track: bool = False
    confidential: bool = False
    description: str = ""
    departments: list[Department] = field(default_factory=list)


def _region_path(project: Project) -> str:
    return project.region.path


@transaction.atomic
def register_investor(*, actor: User, data: NewInvestor, source_ip: str | None = None) -> Investor:
    require_role(actor, INTAKE_ROLES)
    code = normalise_uscc(data.uscc)
    errors = {}
    if not data.name.strip():
        errors["name"] = _("Enter the enterprise name.")
    try:
        validate_uscc(code)
    except ValidationError as error:
        errors["uscc"] = error.messages
    if "uscc" not in errors and Investor.objects.filter(uscc=code).exists():
        errors["uscc"] = _("An investor with this unified social credit code is already registered.")
    if errors:
        raise ValidationError(errors)
    investor = Investor(
        name=data.name.strip(),
        uscc=code,
        legal_representative=data.legal_representative.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(),
    )
    investor.full_clean()
    investor.save()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=investor,
        changes=audit.diff({}, audit.snapshot(investor, INVESTOR_FIELDS)),
        source_ip=source_ip,
    )
    return investor


def _scope_errors(actor: User, region: Region) -> dict:
    """A county's staff register and move projects only inside their own region."""
    scope = region_path(actor)
    if scope and not region.path.startswith(scope):
        return {"region": _("This region is outside the area you work in.")}
    return {}


def _fact_errors(
    *, name: str, investment: Decimal | None, level: str, region: Region, agent: User | None
) -> dict:
    """Checks shared by intake and later edits, keyed by the field they concern."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Enter the project name.")
    if investment is None or investment <= 0:
        errors["total_investment_wan"] = _("Total investment must be more than 0 万元.")
    if level == Level.CITY and not region.is_city and region.kind != Region.Kind.ZONE:
        errors["level"] = _("A city-level project is handled at the city or one of its zones.")
    if agent is not None and agent.role != Role.AGENT:
        errors["agent"] = _("The assigned person is not an agent.")
    return errors


def _validate_intake(data: ProjectIntake, today: datetime.date) -> dict[str, list[str] | str]:
    errors: dict[str, list[str] | str] = _fact_errors(
        name=data.name,
        investment=data.total_investment_wan,
        level=data.level,
        region=data.region,
        agent=data.agent,
    )
    if data.stage not in stages.INITIAL_STAGES:
        errors["stage"] = _("A project is taken in while negotiating, signed, or into agency.")
    else:
        for earlier in [*stages.earlier_forward_stages(data.stage), data.stage]:
            name = stages.DATE_FIELD[earlier]
            if earlier != Stage.NEGOTIATING and getattr(data, name) is None:
                errors[name] = _("This date is required for the chosen stage.")
    dates = [(name, getattr(data, name)) for name in ("negotiation_on", "signed_on", "intake_on")]
    previous = None
    for name, value in dates:
        if value is None:
            continue
        if value > today:
            errors[name] = _("This date is in the future.")
        elif previous is not None and value < previous:
            errors[name] = _("This date is before the previous stage's date.")
        previous = value
    if data.national_code:
        try:
            validate_official_project_code(data.national_code, region_code=data.region.division_code)
        except ValidationError as error:
            errors["national_code"] = error.messages
    return errors


def _new_code(data: ProjectIntake, on: datetime.date, rng: random.Random) -> str:
    for _attempt in range(20):
        code = make_provisional_code(
            year=on.year,
            month=on.month,
            region_code=data.region.division_code,
            industry=data.industry,
            project_type=data.project_type,
            rng=rng,
        )
        if not Project.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find a free provisional project code")


@transaction.atomic
def intake_project(
    *,
    actor: User,
    data: ProjectIntake,
    investor: Investor | None = None,
    new_investor: NewInvestor | None = None,
    source_ip: str | None = None,
    code_rng: random.Random | None = None,
) -> Project:
    """One-window intake: register a project (and, if new, its investor) with its project code.

    ``code_rng`` draws the random part of a provisional code; only a reproducible demo passes a seeded
    one, real intakes use the system's entropy.
    """
    require_role(actor, INTAKE_ROLES)
    if (investor is None) == (new_investor is None):
        raise ValidationError({"investor": _("Choose an existing investor or register a new one.")})
    errors = _validate_intake(data, timezone.localdate()) | _scope_errors(actor, data.region)
    if data.national_code and Project.objects.filter(code=data.national_code.strip().upper()).exists():
        errors["national_code"] = _("A project with this code is already registered.")
    if new_investor is not None:
        try:
            with transaction.atomic():
                investor = register_investor(actor=actor, data=new_investor, source_ip=source_ip)
        except ValidationError as error:
            errors.update({f"investor_{name}": messages for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    code_date = data.intake_on or data.signed_on or data.negotiation_on or timezone.localdate()
    project = Project(
        code=data.national_code.strip().upper() or _new_code(data, code_date, code_rng or _code_rng),
        code_is_provisional=not data.national_code,
        name=data.name.strip(),
        description=data.description,
        investor=investor,
        total_investment_wan=data.total_investment_wan,
        industry=data.industry,
        region=data.region,
        level=data.level,
        construction_nature=data.construction_nature,
        approval_type=data.approval_type,
        project_type=data.project_type,
        fast_track=data.fast_track,
        confidential=data.confidential,
        agent=data.agent,
        stage=data.stage,
        negotiation_on=data.negotiation_on,
        signed_on=data.signed_on,
        intake_on=data.intake_on,
    )
    project.full_clean(exclude=["investor"])
    project.save()
    if data.departments:
        project.departments.set(data.departments)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=project,
        changes=audit.diff({}, audit.snapshot(project, PROJECT_FIELDS)),
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    _timeline(
        actor=actor,
        project=project,
        happened_on=code_date,
        kind=TimelineEntry.Kind.STAGE,
        from_stage="",
        to_stage=data.stage,
        text=_("Registered at the one-window desk: %(stage)s.") % {"stage": Stage(data.stage).label},
        is_public=True,
        source_ip=source_ip,
    )
    return project


def _timeline(
    *, actor, project, happened_on, kind, from_stage, to_stage, text, is_public, source_ip, phase=None
):
    entry = TimelineEntry.objects.create(
        project=project,
        phase=phase,
        happened_on=happened_on,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        text=text,
        is_public=is_public,
        author=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=entry,
        changes=audit.diff({}, {"project": project.pk, "text": text, "is_public": is_public}),
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    return entry


def may_edit(actor: User, project: Project) -> bool:
    """Whether ``actor`` may change ``project``: an editing role, and for an agent their own or an
    unassigned project. Pages ask this to offer only the controls whose use would be accepted."""
    if not has_role(actor, PROJECT_EDIT_ROLES):
        return False
    return actor.role != Role.AGENT or project.agent_id in (None, actor.pk)


def _require_editor(actor: User, project: Project) -> None:
    require_role(actor, PROJECT_EDIT_ROLES)
    if not may_edit(actor, project):
        raise PermissionDenied(_("Only the project's own agent may change it."))


def _bump_version(project: Project, expected_version: int, **values) -> None:
    """Save ``values`` only if nobody saved the project since ``expected_version`` was read."""
    current = Project.objects.filter(pk=project.pk, version=expected_version)
    # A queryset update sends no signals, so the statistics' tally is moved here, from the row as
    # locked to the row as saved.
    counted = bool({name if name != "region" else "region_id" for name in values} & set(tally.SOURCE_COLUMNS))
    before = tally.rows(current.select_for_update()) if counted else []
    updated = current.update(version=F("version") + 1, updated_at=timezone.now(), **values)
    if updated != 1:
        raise StaleObjectError
    if counted:
        after = tally.rows(Project.objects.filter(pk=project.pk))
        tally.moved(before, after)
        tally.announce_region_change(project.pk, before[0], after[0])
    project.version = expected_version + 1
    for name, value in values.items():
        setattr(project, name, value)


def _last_forward_date(project: Project) -> datetime.date | None:
    dates = [getattr(project, stages.DATE_FIELD[stage]) for stage in stages.FORWARD]
    dates += [project.suspended_on]
    known = [value for value in dates if value is not None]
    return max(known) if known else None


@transaction.atomic
def change_stage(
    *,
    actor: User,
    project: Project,
    target: str,
    on: datetime.date,
    expected_version: int,
    reason: str = "",
    note: str = "",
    source_ip: str | None = None,
) -> Project:
    """Move a project along the stage machine, setting the stage's date and writing a timeline entry."""
    _require_editor(actor, project)
    current = project.stage
    resume_to = project.stage_before_suspension or None
    if not stages.is_allowed(current, target, resume_to=resume_to):
        raise ValidationError(
            {
                "target": _("A project cannot go from %(current)s to %(target)s.")
                % {
                    "current": Stage(current).label,
                    "target": Stage(target).label if target in Stage.values else target,
                }
            }
        )
    errors = {}
    if on > timezone.localdate():
        errors["on"] = _("The date is in the future.")
    previous = _last_forward_date(project)
    if previous is not None and on < previous:
        errors["on"] = _("The date is before the previous stage's date (%(date)s).") % {
            "date": previous.isoformat()
        }
    if target == Stage.STARTED and (project.intake_on is None or on < project.intake_on):
        errors["on"] = _("Construction cannot start before the project was taken into agency.")
    if target in (Stage.TERMINATED, Stage.SUSPENDED) and not reason.strip():
        errors["reason"] = _("Give the reason.")
    if errors:
        raise ValidationError(errors)

    before = audit.snapshot(project, ["stage", "stage_before_suspension", stages.DATE_FIELD[Stage(target)]])
    values: dict = {"stage": target}
    resuming = current == Stage.SUSPENDED and target != Stage.TERMINATED
    if target == Stage.SUSPENDED:
        values.update(stage_before_suspension=current, suspended_on=on)
    elif resuming:
        values.update(stage_before_suspension="")
    else:
        values[stages.DATE_FIELD[Stage(target)]] = on
        if target == Stage.TERMINATED:
            values.update(termination_reason=reason.strip(), stage_before_suspension="")
    _bump_version(project, expected_version, **values)
    after = audit.snapshot(project, list(before))
    audit.record(
        actor=actor,
        action=AuditEntry.Action.TRANSITION,
        obj=project,
        changes=audit.diff(before, after),
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    label = Stage(target).label
    if resuming:
        text = _("Resumed: %(stage)s.") % {"stage": label}
    elif reason.strip():
        text = _("%(stage)s. Reason: %(reason)s") % {"stage": label, "reason": reason.strip()}
    else:
        text = _("Stage reached: %(stage)s.") % {"stage": label}
    if note.strip():
        text = f"{text} {note.strip()}"
    _timeline(
        actor=actor,
        project=project,
        happened_on=on,
        kind=TimelineEntry.Kind.STAGE,
        from_stage=current,
        to_stage=target,
        text=text,
        is_public=True,
        source_ip=source_ip,
    )
    return project


@transaction.atomic
def update_project(
    *, actor: User, project: Project, expected_version: int, changes: dict, source_ip: str | None = None
) -> Project:
    """Change a project's facts; refused with ``StaleObjectError`` if someone saved in between."""
    _require_editor(actor, project)
    unknown = set(changes) - set(EDITABLE_PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    before = audit.snapshot(project, EDITABLE_PROJECT_FIELDS)
    candidate = Project.objects.get(pk=project.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    errors = _fact_errors(
        name=candidate.name,
        investment=candidate.total_investment_wan,
        level=candidate.level,
        region=candidate.region,
        agent=candidate.agent,
    ) | _scope_errors(actor, candidate.region)
    if errors:
        raise ValidationError(errors)
    candidate.full_clean(exclude=["code", "investor"], validate_unique=False, validate_constraints=True)
    values = {name: getattr(candidate, name) for name in changes}
    _bump_version(project, expected_version, **values)
    changed = audit.diff(before, audit.snapshot(project, EDITABLE_PROJECT_FIELDS))
    if changed:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=project,
            changes=changed,
            source_ip=source_ip,
            region_path=_region_path(project),
        )
    return project


@transaction.atomic
def set_national_code(
    *, actor: User, project: Project, code: str, expected_version: int, source_ip: str | None = None
) -> Project:
    """Replace a provisional code with the one the national platform issued."""
    _require_editor(actor, project)
    try:
        normalised = validate_official_project_code(code, region_code=project.region.division_code)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from None
    if Project.objects.exclude(pk=project.pk).filter(code=normalised).exists():
        raise ValidationError({"code": _("A project with this code is already registered.")})
    before = audit.snapshot(project, ["code", "code_is_provisional"])
    _bump_version(project, expected_version, code=normalised, code_is_provisional=False)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes=audit.diff(before, audit.snapshot(project, ["code", "code_is_provisional"])),
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    return project


@transaction.atomic
def add_timeline_note(
    *,
    actor: User,
    project: Project,
    text: str,
    happened_on: datetime.date,
    is_public: bool,
    phase: Phase | None = None,
    source_ip: str | None = None,
) -> TimelineEntry:
    _require_editor(actor, project)
    errors = {}
    if not text.strip():
        errors["text"] = _("Write what happened.")
    elif len(text) > 2000:
        errors["text"] = _("Keep the entry under 2,000 characters.")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("The date is in the future.")
    if phase is not None and phase.project_id != project.pk:
        errors["phase"] = _("This phase belongs to another project.")
    if errors:
        raise ValidationError(errors)
    return _timeline(
        actor=actor,
        project=project,
        happened_on=happened_on,
        kind=TimelineEntry.Kind.NOTE,
        from_stage="",
        to_stage="",
        text=text.strip(),
        is_public=is_public,
        source_ip=source_ip,
        phase=phase,
    )


@transaction.atomic
def save_phase(
    *, actor: User, project: Project, values: dict, phase: Phase | None = None, source_ip: str | None = None
) -> Phase:
    """Create a phase, or change one, with its own scale and dates."""
    _require_editor(actor, project)
    unknown = set(values) - set(PHASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if phase is not None and phase.project_id != project.pk:
        raise ValidationError({"phase": _("This phase belongs to another project.")})
    before = audit.snapshot(phase, PHASE_FIELDS) if phase else {}
    target = phase or Phase(project=project)
    for name, value in values.items():
        setattr(target, name, value)
    if target.sequence is None:
        target.sequence = (
            project.phases.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        ) + 1
    errors = {}
    today = timezone.localdate()
    for name in ("started_on", "completed_on", "produced_on"):
        value = getattr(target, name)
        if value is not None and value > today:
            errors[name] = _("The date is in the future.")
    if target.completed_on and (not target.started_on or target.completed_on < target.started_on):
        errors["completed_on"] = _("A phase is completed after it started.")
    if target.produced_on and (not target.completed_on or target.produced_on < target.completed_on):
        errors["produced_on"] = _("A phase goes into production after it is completed.")
    if errors:
        raise ValidationError(errors)
    target.full_clean(exclude=["project"], validate_unique=False)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError({"sequence": _("This project already has a phase with this number.")}) from None
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE if phase else AuditEntry.Action.CREATE,
        obj=target,
        changes=audit.diff(before, audit.snapshot(target, PHASE_FIELDS)),
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    return target


@transaction.atomic
def involve_departments(
    *, actor: User, project: Project, departments: list[Department], source_ip: str | None = None
) -> list[Department]:
    """Add ``departments`` to those the project involves (``Project.departments``, which decides what
    window clerks see); departments already involved are left as they are. Returns the ones added,
    recorded in one audit row of the project. The project's version is not bumped: the involved
    departments are not among the facts its edit form saves."""
    _require_editor(actor, project)
    present = set(project.departments.values_list("pk", flat=True))
    added = sorted((d for d in departments if d.pk not in present), key=lambda d: (d.region_id, d.code))
    added = list({department.pk: department for department in added}.values())
    if not added:
        return []
    project.departments.add(*added)
    project = Project.objects.select_related("region").get(pk=project.pk)
    names = "、".join(f"{d.region.name}{d.name}（{d.code}）" for d in added)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes={"departments": [None, names]},
        source_ip=source_ip,
        region_path=_region_path(project),
    )
    return added
