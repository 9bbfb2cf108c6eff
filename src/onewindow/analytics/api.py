"""Statistics endpoints: the public yearly summary, and the dashboard's figures for staff."""

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


@router.get("/dashboard", response=DashboardOut, auth=API_AUTH, summary="The dashboard's figures for a year")
def dashboard_figures(request, year: int, region: str = ""):
    """What the dashboard's charts draw, for the caller's scope (a region outside it answers 404)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Give the year as a whole number from %(first)d to %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
        raise ValidationError([{"loc": ["query", "year"], "msg": message}])
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
