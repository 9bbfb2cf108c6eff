"""Every read of the county assessment, scoped by the user.

The ranking (each unit's total, rank and raw values) is published to every centre's staff: a county
sees where it stands and how everyone was scored. A unit's detail page, with the links into its
project lists, is for the city and for that unit's own staff: another county's detail is 404.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import ASSESSMENT_ROLES, has_role, require_role, sees_everything
from onewindow.assessment import scoring
from onewindow.assessment.models import LOWER_IS_BETTER, AssessmentNote, IndicatorSet, Metric, Verdict
from onewindow.regions.models import Region

EDITOR_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def may_edit(user: User) -> bool:
    """The city sets the method and the rewards: an administrator or a leader of the root region."""
    return has_role(user, EDITOR_ROLES) and sees_everything(user)


def own_unit_path(user: User) -> str:
    """The path of the unit the user works in ('' for the city, which sees every unit)."""
    if sees_everything(user) or user.region is None:
        return ""
    parts = user.region.path.split("/")
    return "/".join(parts[:2]) + "/"


@dataclass(frozen=True)
class IndicatorScore:
    metric: str
    label: str
    weight: Decimal
    target: Decimal
    lower_is_better: bool
    raw: scoring.Raw
    score: Decimal


@dataclass(frozen=True)
class UnitResult:
    region: Region
    scores: list[IndicatorScore]
    total: Decimal
    rank: int
    verdict: str = ""
    verdict_label: str = ""
    note: str = ""


@dataclass(frozen=True)
class Assessment:
    year: int
    indicator_set: IndicatorSet
    indicators: list  # Indicator rows in metric order
    units: list[UnitResult]  # in rank order

    def for_region(self, region_id: int) -> UnitResult | None:
        return next((unit for unit in self.units if unit.region.pk == region_id), None)


def indicator_set(year: int) -> IndicatorSet | None:
    return IndicatorSet.objects.filter(year=year).first()


def latest_assessed_year() -> int | None:
    """The newest year the city has set indicators for: what the ranking page opens on."""
    return IndicatorSet.objects.order_by("-year").values_list("year", flat=True).first()


def ordered_indicators(chosen: IndicatorSet) -> list:
    order = {metric: index for index, metric in enumerate(Metric.values)}
    return sorted(chosen.indicators.all(), key=lambda indicator: order.get(indicator.metric, 99))


def compute(year: int, chosen: IndicatorSet, *, with_notes: bool = True) -> Assessment:
    """Score and rank every unit for ``year`` by the weights and targets of ``chosen``."""
    regions = scoring.units()
    indicators = ordered_indicators(chosen)
    raw = scoring.raw_values(year, regions)
    notes = {}
    if with_notes:
        notes = {note.region_id: note for note in AssessmentNote.objects.filter(indicator_set__year=year)}
    rows = []
    for region in regions:
        scores = [
            IndicatorScore(
                metric=indicator.metric,
                label=str(Metric(indicator.metric).label),
                weight=indicator.weight,
                target=indicator.target,
                lower_is_better=indicator.metric in LOWER_IS_BETTER,
                raw=raw[region.path][indicator.metric],
                score=scoring.score(
                    indicator.metric,
                    raw[region.path][indicator.metric].value,
                    indicator.weight,
                    indicator.target,
                    chosen.cap,
                ),
            )
            for indicator in indicators
        ]
        rows.append((region, scores, sum((item.score for item in scores), Decimal("0.00"))))
    ranks = scoring.competition_ranks([total for _region, _scores, total in rows])
    results = []
    for (region, scores, total), rank in zip(rows, ranks, strict=True):
        note = notes.get(region.pk)
        results.append(
            UnitResult(
                region=region,
                scores=scores,
                total=total,
                rank=rank,
                verdict=note.verdict if note else "",
                verdict_label=str(Verdict(note.verdict).label) if note and note.verdict else "",
                note=note.text if note else "",
            )
        )
    results.sort(key=lambda unit: (unit.rank, unit.region.sort_order, unit.region.path))
    return Assessment(year=year, indicator_set=chosen, indicators=indicators, units=results)


@dataclass(frozen=True)
class Ranking:
    current: Assessment
    previous: Assessment | None
    # The previous year has no indicator set of its own: it was scored by this year's.
    previous_by_current_method: bool

    def previous_of(self, region_id: int) -> UnitResult | None:
        return self.previous.for_region(region_id) if self.previous else None


def ranking(user: User, year: int) -> Ranking | None:
    """This year's ranking with last year's beside it; None when the city set no indicators yet."""
    require_role(user, ASSESSMENT_ROLES)
    return published_ranking(year)


def published_ranking(year: int) -> Ranking | None:
    """The ranking as published to every centre (the command line's view, with no user to scope)."""
    chosen = indicator_set(year)
    if chosen is None:
        return None
    current = compute(year, chosen)
    earlier = indicator_set(year - 1)
    previous = compute(year - 1, earlier or chosen, with_notes=earlier is not None)
    return Ranking(current=current, previous=previous, previous_by_current_method=earlier is None)


def unit_for(user: User, code: str) -> Region:
    """A unit the user may open in detail: any for the city, their own for a county; else 404."""
    require_role(user, ASSESSMENT_ROLES)
    region = Region.objects.filter(code=code, parent__isnull=False, parent__parent__isnull=True).first()
    if region is None:
        raise Http404
    scope = own_unit_path(user)
    if scope and region.path != scope:
        raise Http404
    return region


def may_open(user: User, region: Region) -> bool:
    scope = own_unit_path(user)
    return not scope or region.path == scope
