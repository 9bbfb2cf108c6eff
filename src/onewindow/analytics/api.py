"""Statistics endpoints: the public yearly summary, and the dashboard's figures (counts, efficiency and
bottlenecks) for staff."""

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.analytics import dashboard
from onewindow.analytics.selectors import FIRST_YEAR, LAST_YEAR, Figures, public_summary

router = Router(tags=["statistics"])


class FiguresOut(Schema):
    projects: int
    investment_wan: str
    started_projects: int
    started_investment_wan: str


class SummaryOut(Schema):
    year: int
    all: FiguresOut
    city_level: FiguresOut
    county_level: FiguresOut


def _figures_out(figures: Figures) -> dict:
    return {
        "projects": figures.projects,
        "investment_wan": f"{figures.investment_wan:.2f}",
        "started_projects": figures.started_projects,
        "started_investment_wan": f"{figures.started_investment_wan:.2f}",
    }


@router.get("/summary", response=SummaryOut, auth=None, summary="Projects under agency service in a year")
def summary(request, year: str):
    """Public figures for one year: counts and investment in 万元 as decimal strings. No personal data."""
    try:
        number = int(year)
    except ValueError:
        number = None
    if number is None or not FIRST_YEAR <= number <= LAST_YEAR:
        message = _("Give the year as a whole number from %(first)d to %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        raise ValidationError([{"loc": ["query", "year"], "msg": message}])
    result = public_summary(number)
    return {
        "year": result.year,
        "all": _figures_out(result.all),
        "city_level": _figures_out(result.city_level),
        "county_level": _figures_out(result.county_level),
    }


class BucketOut(Schema):
    key: str
    label: str
    projects: int
    investment_wan: str
    started_projects: int
    started_investment_wan: str
    produced_projects: int


class MonthOut(Schema):
    month: int
    taken_in: int
    started: int
    produced: int


class DashboardOut(Schema):
    year: int
    region: str
    total: BucketOut
    by_level: list[BucketOut]
    by_region: list[BucketOut]
    by_industry: list[BucketOut]
    by_stage: list[BucketOut]
    by_month: list[MonthOut]


def _bucket_out(bucket: dashboard.Bucket) -> dict:
    return {
        "key": bucket.key,
        "label": bucket.label,
        "projects": bucket.projects,
        "investment_wan": f"{bucket.investment_wan:.2f}",
        "started_projects": bucket.started_projects,
        "started_investment_wan": f"{bucket.started_investment_wan:.2f}",
        "produced_projects": bucket.produced_projects,
    }


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Give the year as a whole number from %(first)d to %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        raise ValidationError([{"loc": ["query", "year"], "msg": message}])


@router.get("/dashboard", response=DashboardOut, auth=API_AUTH, summary="The dashboard's figures for a year")
def dashboard_figures(request, year: int, region: str = ""):
    """What the dashboard's charts draw, for the caller's scope (a region outside it answers 404)."""
    _check_year(year)
    overview = dashboard.overview(request.user, year, region)
    return {
        "year": year,
        "region": region,
        "total": _bucket_out(overview.total),
        "by_level": [_bucket_out(bucket) for bucket in overview.by_level],
        "by_region": [_bucket_out(bucket) for bucket in overview.by_region],
        "by_industry": [_bucket_out(bucket) for bucket in overview.by_industry],
        "by_stage": [_bucket_out(bucket) for bucket in overview.by_stage],
        "by_month": [vars(point) for point in overview.by_month],
    }


def _decimal(value) -> str | None:
    return None if value is None else str(value)


class DurationsOut(Schema):
    median_days: str | None
    count: int


class CountOut(Schema):
    label: str
    count: int


class ApprovalFiguresOut(Schema):
    decided: int
    median_workdays: str | None
    median_promised: str | None
    within_promised: int
    within_promised_rate: str | None
    with_statutory: int
    within_statutory: int
    within_statutory_rate: str | None
    mean_correction_rounds: str | None
    correction_distribution: list[CountOut]


class SpeedupOut(Schema):
    projects: int
    median: str | None
    distribution: list[CountOut]


class BottleneckOut(Schema):
    name: str
    tasks: int
    late: int
    late_rate: str | None
    decided: int
    correction_rounds: int
    mean_correction_rounds: str | None
    median_workdays: str | None


class EfficiencyOut(Schema):
    year: int
    region: str
    signing_to_intake: DurationsOut
    intake_to_start: DurationsOut
    start_to_production: DurationsOut
    approvals: ApprovalFiguresOut
    speedup: SpeedupOut
    departments: list[BottleneckOut]
    items: list[BottleneckOut]


def _durations_out(durations: dashboard.Durations) -> dict:
    return {"median_days": _decimal(durations.median_days), "count": durations.count}


def _counts_out(pairs) -> list[dict]:
    return [{"label": label, "count": count} for label, count in pairs]


def _bottleneck_out(bottleneck: dashboard.Bottleneck) -> dict:
    return {
        "name": bottleneck.name,
        "tasks": bottleneck.tasks,
        "late": bottleneck.late,
        "late_rate": _decimal(bottleneck.late_rate),
        "decided": bottleneck.decided,
        "correction_rounds": bottleneck.correction_rounds,
        "mean_correction_rounds": _decimal(bottleneck.mean_correction_rounds),
        "median_workdays": _decimal(bottleneck.median_workdays),
    }


@router.get(
    "/efficiency",
    response=EfficiencyOut,
    auth=API_AUTH,
    summary="How fast and where it is stuck: the dashboard's efficiency and bottleneck figures",
)
def efficiency_figures(request, year: int, region: str = ""):
    """Medians of the project path, the approvals against their limits, the realised parallel speed-up,
    and the departments and items ranked as bottlenecks, for the caller's scope (404 outside it)."""
    _check_year(year)
    efficiency, bottlenecks = dashboard.efficiency_and_bottlenecks(request.user, year, region)
    approvals = efficiency.approvals
    return {
        "year": year,
        "region": region,
        "signing_to_intake": _durations_out(efficiency.signing_to_intake),
        "intake_to_start": _durations_out(efficiency.intake_to_start),
        "start_to_production": _durations_out(efficiency.start_to_production),
        "approvals": {
            "decided": approvals.decided,
            "median_workdays": _decimal(approvals.median_workdays),
            "median_promised": _decimal(approvals.median_promised),
            "within_promised": approvals.within_promised,
            "within_promised_rate": _decimal(approvals.within_promised_rate),
            "with_statutory": approvals.with_statutory,
            "within_statutory": approvals.within_statutory,
            "within_statutory_rate": _decimal(approvals.within_statutory_rate),
            "mean_correction_rounds": _decimal(approvals.mean_correction_rounds),
            "correction_distribution": _counts_out(approvals.correction_distribution),
        },
        "speedup": {
            "projects": efficiency.speedup.projects,
            "median": _decimal(efficiency.speedup.median),
            "distribution": _counts_out(efficiency.speedup.distribution),
        },
        "departments": [_bottleneck_out(bottleneck) for bottleneck in bottlenecks.departments],
        "items": [_bottleneck_out(bottleneck) for bottleneck in bottlenecks.items],
    }
