"""Statistics endpoints."""

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError

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
