"""Every write to the county assessment: the year's indicators and the reward and penalty notes.
Only the city writes here (an administrator or a leader of the root region)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.assessment.models import AssessmentNote, Indicator, IndicatorSet, Metric, Verdict
from onewindow.assessment.selectors import may_edit
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.regions.models import Region

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_CAP = Decimal("3")
NOTE_LIMIT = 2000


CENT = Decimal("0.01")


def _too_precise(value: Decimal) -> bool:
    # A number too large to be counted in cents (1e30, say) is refused like one with too many places,
    # rather than raising ``InvalidOperation`` out of ``quantize``.
    try:
        return value != value.quantize(CENT)
    except InvalidOperation:
        return True


def _require_city(actor: User) -> None:
    if not may_edit(actor):
        raise PermissionDenied(_("Only the city centre sets the assessment."))


def _snapshot(chosen: IndicatorSet) -> dict:
    values = {"cap": str(chosen.cap)}
    for indicator in chosen.indicators.all():
        values[f"weight_{indicator.metric}"] = str(indicator.weight)
        values[f"target_{indicator.metric}"] = str(indicator.target)
    return values


@transaction.atomic
def save_indicator_set(
    *,
    actor: User,
    year: int,
    cap: Decimal | None,
    indicators: dict[str, tuple[Decimal | None, Decimal | None]],
    source_ip: str | None = None,
) -> IndicatorSet:
    """Set a year's weights and targets. Every indicator is given; the weights add up to 100 and every
    target is above 0. Errors name ``weight_<metric>``, ``target_<metric>``, ``weights``, ``cap``."""
    _require_city(actor)
    errors: dict[str, str] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = _("Choose a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if cap is None or cap < 1 or cap > MAX_CAP or _too_precise(cap):
        errors["cap"] = _("The cap is between 1.00 and %(most)s, with at most two decimal places.") % {
            "most": MAX_CAP
        }
    unknown = set(indicators) - set(Metric.values)
    for name in sorted(unknown):
        errors[name] = _("Unknown indicator.")
    total = Decimal(0)
    for metric in Metric.values:
        weight, target = indicators.get(metric, (None, None))
        if weight is None or weight < 0:
            errors[f"weight_{metric}"] = _("Give a weight of 0 or more.")
        elif _too_precise(weight) or weight > 100:
            errors[f"weight_{metric}"] = _("Give a weight up to 100 with at most two decimal places.")
        else:
            total += weight
        if target is None or target <= 0:
            errors[f"target_{metric}"] = _("Give a target above 0.")
        elif _too_precise(target) or target >= Decimal("1e12"):
            errors[f"target_{metric}"] = _("Give a target below 10¹² with at most two decimal places.")
    if not any(name.startswith("weight_") for name in errors) and total != 100:
        errors["weights"] = _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
    if errors:
        raise ValidationError(errors)
    cap = cap.quantize(CENT)
    chosen, created = IndicatorSet.objects.get_or_create(year=year, defaults={"cap": cap})
    before = {} if created else _snapshot(chosen)
    chosen.cap = cap
    chosen.full_clean()
    chosen.save()
    for metric in Metric.values:
        weight, target = indicators[metric]
        Indicator.objects.update_or_create(
            indicator_set=chosen, metric=metric, defaults={"weight": weight, "target": target}
        )
    changes = audit.diff(before, _snapshot(chosen))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            obj=chosen,
            changes=changes,
            source_ip=source_ip,
        )
    return chosen


@transaction.atomic
def save_note(
    *,
    actor: User,
    year: int,
    region: Region,
    verdict: str,
    text: str,
    source_ip: str | None = None,
) -> AssessmentNote:
    """Record the city's reward or penalty decision for one unit in one year."""
    _require_city(actor)
    errors = {}
    chosen = IndicatorSet.objects.filter(year=year).first()
    if chosen is None:
        errors["year"] = _("Set this year's indicators first.")
    if region.parent_id is None or region.parent.parent_id is not None:
        errors["region"] = _("Only a county-level unit or zone is assessed.")
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose reward, penalty or no decision.")
    if verdict and not text.strip():
        errors["text"] = _("Give the grounds for the decision.")
    elif len(text) > NOTE_LIMIT:
        errors["text"] = _("Keep the note under 2,000 characters.")
    if errors:
        raise ValidationError(errors)
    note = AssessmentNote.objects.filter(indicator_set=chosen, region=region).first()
    before = audit.snapshot(note, ["verdict", "text"]) if note else {}
    if note is None:
        note = AssessmentNote(indicator_set=chosen, region=region)
    note.verdict, note.text, note.updated_by = verdict, text.strip(), actor
    note.save()
    changes = audit.diff(before, audit.snapshot(note, ["verdict", "text"]))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            obj=note,
            changes=changes,
            source_ip=source_ip,
            region_path=region.path,
        )
    return note
