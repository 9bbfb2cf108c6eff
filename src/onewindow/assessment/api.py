"""The county assessment (考核奖惩) over the API: the ranking with its published method, one unit's
detail, the city's indicator set and its reward and penalty notes.

Same selectors as the pages (clerks and investors 403; a county opens only its own detail, another's is
404) and same services (validation, audit). Decimals are strings with two places, as shown on the pages,
so that a county can recompute its score from exactly the published figures.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.accounts.permissions import ASSESSMENT_ROLES, require_role
from onewindow.assessment import scoring, selectors, services
from onewindow.assessment.models import LOWER_IS_BETTER, Indicator, IndicatorSet, Metric
from onewindow.assessment.selectors import IndicatorScore, Ranking, UnitResult
from onewindow.core.http import client_ip

router = Router(tags=["assessment"], auth=API_AUTH)

YEAR = Path(..., ge=services.FIRST_YEAR, le=services.LAST_YEAR, description="The assessed calendar year")
# The form's digit bounds: the service's precision check cannot quantize a number like 1e30 (it raises
# InvalidOperation), and the page never hands it one. Signs and sums are left to the service's messages.
WEIGHT = Field(..., max_digits=5, decimal_places=2)
TARGET = Field(..., max_digits=14, decimal_places=2)
CAP = Field(..., max_digits=4, decimal_places=2, description="At least 1.00, at most 3.00")
NO_NUL = r"^[^\x00]*$"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class IndicatorOut(Schema):
    metric: str
    label: str
    weight: str
    target: str
    lower_is_better: bool
    attainment_when_empty: str = Field(..., description="The attainment when there is nothing to count")


class IndicatorSetOut(Schema):
    year: int
    cap: str
    method: str
    indicators: list[IndicatorOut]


class ValueOut(Schema):
    metric: str
    value: str | None
    score: str


class UnitOut(Schema):
    code: str
    name: str
    rank: int
    total: str
    previous_rank: int | None
    previous_total: str | None
    verdict: str
    verdict_label: str
    may_open: bool = Field(..., description="Whether the caller may open this unit's detail")
    values: list[ValueOut]


class RankingOut(Schema):
    year: int
    indicator_set: IndicatorSetOut
    previous_year: int
    previous_by_current_method: bool = Field(
        ..., description="The previous year has no indicators of its own and is scored by this year's"
    )
    previous_indicator_set: IndicatorSetOut
    units: list[UnitOut]


class IndicatorDetailOut(Schema):
    metric: str
    label: str
    lower_is_better: bool
    weight: str
    target: str
    value: str | None
    part: int | None = Field(..., description="What a rate counted as in time, started or produced")
    whole: int | None = Field(..., description="What a rate or the median counted")
    score: str
    previous_value: str | None
    previous_score: str | None


class UnitDetailOut(Schema):
    year: int
    code: str
    name: str
    rank: int
    total: str
    previous_year: int
    previous_rank: int | None
    previous_total: str | None
    previous_by_current_method: bool
    verdict: str
    verdict_label: str
    note: str
    cap: str
    method: str
    indicators: list[IndicatorDetailOut]


def _method(cap: Decimal) -> str:
    # The same words as the method under the pages' tables, so one translation serves both.
    return _(
        "Each indicator earns its weight times its attainment: attainment is the value divided by the "
        "target, or for median days the target divided by the value, and never more than %(cap)s. Scores "
        "are rounded half up to 0.01 and added up. Rates are percentages rounded to 0.01 first, and scores "
        "use the value as shown. A rate on time with nothing to count earns its full weight; a start or "
        "production rate with no projects, or a median with no construction starts, earns nothing. Equal "
        "totals share a rank."
    ) % {"cap": cap}


def _indicator_set_out(chosen: IndicatorSet, indicators: list[Indicator]) -> dict:
    return {
        "year": chosen.year,
        "cap": _text(chosen.cap),
        "method": _method(chosen.cap),
        "indicators": [
            {
                "metric": indicator.metric,
                "label": str(Metric(indicator.metric).label),
                "weight": _text(indicator.weight),
                "target": _text(indicator.target),
                "lower_is_better": indicator.metric in LOWER_IS_BETTER,
                "attainment_when_empty": "1" if indicator.metric in scoring.MET_WHEN_EMPTY else "0",
            }
            for indicator in indicators
        ],
    }


def _unit_out(request: HttpRequest, result: Ranking, unit: UnitResult) -> dict:
    previous = result.previous_of(unit.region.pk)
    return {
        "code": unit.region.code,
        "name": unit.region.name,
        "rank": unit.rank,
        "total": _text(unit.total),
        "previous_rank": previous.rank if previous else None,
        "previous_total": _text(previous.total) if previous else None,
        "verdict": unit.verdict,
        "verdict_label": unit.verdict_label,
        "may_open": selectors.may_open(request.user, unit.region),
        "values": [
            {"metric": item.metric, "value": _text(item.raw.value), "score": _text(item.score)}
            for item in unit.scores
        ],
    }


def _ranking(request: HttpRequest, year: int) -> Ranking:
    result = selectors.ranking(request.user, year)
    if result is None:
        raise Http404
    return result


@router.get("/{year}", response=RankingOut, summary="The ranking of a year with its method")
def get_ranking(request: HttpRequest, year: int = YEAR):
    """Every unit's rank, total and raw values, last year's beside them, and the indicator set scored
    by. Published to the staff of every centre; 404 when the city has set no indicators for the year."""
    result = _ranking(request, year)
    return {
        "year": year,
        "indicator_set": _indicator_set_out(result.current.indicator_set, result.current.indicators),
        "previous_year": result.previous.year,
        "previous_by_current_method": result.previous_by_current_method,
        "previous_indicator_set": _indicator_set_out(
            result.previous.indicator_set, result.previous.indicators
        ),
        "units": [_unit_out(request, result, unit) for unit in result.current.units],
    }


def _indicator_detail(item: IndicatorScore, before: IndicatorScore | None) -> dict:
    return {
        "metric": item.metric,
        "label": item.label,
        "lower_is_better": item.lower_is_better,
        "weight": _text(item.weight),
        "target": _text(item.target),
        "value": _text(item.raw.value),
        "part": item.raw.part,
        "whole": item.raw.whole,
        "score": _text(item.score),
        "previous_value": _text(before.raw.value) if before else None,
        "previous_score": _text(before.score) if before else None,
    }


class IndicatorIn(Schema):
    weight: Decimal = WEIGHT
    target: Decimal = TARGET


class IndicatorSetIn(Schema):
    cap: Decimal = CAP
    indicators: dict[str, IndicatorIn] = Field(
        ...,
        description="One weight and one target per indicator, keyed by metric: "
        + ", ".join(Metric.values)
        + ". The weights add up to 100.",
    )


def _field_errors(errors: list[tuple[list[str], str]]) -> NinjaValidationError:
    return NinjaValidationError(
        [{"loc": ["body", "payload", *loc], "msg": message} for loc, message in errors]
    )


def _located(name: str) -> list[str]:
    """The service names ``weight_<metric>``, ``target_<metric>`` and ``weights`` (their sum): the
    caller sent ``indicators.<metric>.weight`` and so on."""
    if name.startswith(("weight_", "target_")):
        kind, metric = name.split("_", 1)
        return ["indicators", metric, kind]
    return ["indicators"] if name == "weights" else [name]


def _unknown_metrics(payload: IndicatorSetIn) -> None:
    unknown = sorted(set(payload.indicators) - set(Metric.values))
    if unknown:
        raise _field_errors([(["indicators", name], _("Unknown indicator.")) for name in unknown])


# Registered before ``/{year}/{code}``, which would otherwise take the path and answer 405.
@router.get("/{year}/indicators", response=IndicatorSetOut, summary="The indicator set of a year")
def get_indicators(request: HttpRequest, year: int = YEAR):
    """The weights, targets, cap and method the year is scored by (what the ranking carries)."""
    require_role(request.user, ASSESSMENT_ROLES)
    chosen = selectors.indicator_set(year)
    if chosen is None:
        raise Http404
    return _indicator_set_out(chosen, selectors.ordered_indicators(chosen))


@router.put("/{year}/indicators", response=IndicatorSetOut, summary="Set a year's indicators (the city)")
def put_indicators(request: HttpRequest, payload: IndicatorSetIn, year: int = YEAR):
    """Every indicator is given; errors name ``cap``, ``indicators`` (the sum of the weights),
    ``indicators.<metric>`` (unknown) or ``indicators.<metric>.weight`` / ``.target``."""
    require_role(request.user, ASSESSMENT_ROLES)
    if not selectors.may_edit(request.user):
        raise PermissionDenied
    _unknown_metrics(payload)
    try:
        chosen = services.save_indicator_set(
            actor=request.user,
            year=year,
            cap=payload.cap,
            indicators={metric: (item.weight, item.target) for metric, item in payload.indicators.items()},
            source_ip=client_ip(request),
        )
    except ValidationError as error:
        located = [(_located(name), text) for name, texts in error.message_dict.items() for text in texts]
        raise _field_errors(located) from error
    return _indicator_set_out(chosen, selectors.ordered_indicators(chosen))


@router.get("/{year}/{code}", response=UnitDetailOut, summary="One unit's detail")
def get_unit(request: HttpRequest, code: str, year: int = YEAR):
    """Each indicator's raw value, target, weight and score, with last year's. For the city and the
    unit's own staff; another unit's detail is 404."""
    region = selectors.unit_for(request.user, code)
    result = _ranking(request, year)
    unit = result.current.for_region(region.pk)
    previous = result.previous_of(region.pk)
    before = {item.metric: item for item in previous.scores} if previous else {}
    return {
        "year": year,
        "code": region.code,
        "name": region.name,
        "rank": unit.rank,
        "total": _text(unit.total),
        "previous_year": result.previous.year,
        "previous_rank": previous.rank if previous else None,
        "previous_total": _text(previous.total) if previous else None,
        "previous_by_current_method": result.previous_by_current_method,
        "verdict": unit.verdict,
        "verdict_label": unit.verdict_label,
        "note": unit.note,
        "cap": _text(result.current.indicator_set.cap),
        "method": _method(result.current.indicator_set.cap),
        "indicators": [_indicator_detail(item, before.get(item.metric)) for item in unit.scores],
    }


class NoteIn(Schema):
    verdict: str = Field("", description="reward, penalty, or empty for no decision")
    text: str = Field("", pattern=NO_NUL, description="The grounds; required with a decision")


class NoteOut(Schema):
    year: int
    code: str
    verdict: str
    verdict_label: str
    text: str


@router.post("/{year}/{code}/note", response=NoteOut, summary="Record the city's reward or penalty decision")
def post_note(request: HttpRequest, code: str, payload: NoteIn, year: int = YEAR):
    region = selectors.unit_for(request.user, code)
    if not selectors.may_edit(request.user):
        raise PermissionDenied
    note = services.save_note(
        actor=request.user,
        year=year,
        region=region,
        verdict=payload.verdict,
        text=payload.text,
        source_ip=client_ip(request),
    )
    return {
        "year": year,
        "code": region.code,
        "verdict": note.verdict,
        "verdict_label": note.get_verdict_display() if note.verdict else "",
        "text": note.text,
    }
