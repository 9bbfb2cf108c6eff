import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from onewindow.analytics import selectors
from tests.factories import ProjectFactory

D = datetime.date


@pytest.fixture
def projects_around_2012(city, guanghan):
    """Projects on every edge of the counting rule for 2012."""
    return {
        "city_started": ProjectFactory(
            region=city, level="city", total_investment_wan=Decimal("100000.00"), started_on=D(2012, 12, 31)
        ),
        "city_not_started": ProjectFactory(
            region=city, level="city", total_investment_wan=Decimal("20000.50"), intake_on=D(2012, 12, 31)
        ),
        "county_from_2011": ProjectFactory(
            region=guanghan,
            level="county",
            total_investment_wan=Decimal("3000.00"),
            signed_on=D(2011, 3, 1),
            intake_on=D(2011, 5, 1),
            started_on=D(2011, 9, 1),
        ),
        "county_starts_2013": ProjectFactory(
            region=guanghan, level="county", total_investment_wan=Decimal("700.00"), started_on=D(2013, 1, 1)
        ),
        # Not counted for 2012:
        "produced_2011": ProjectFactory(
            region=guanghan,
            level="county",
            intake_on=D(2010, 5, 1),
            signed_on=D(2010, 1, 1),
            started_on=D(2010, 9, 1),
            produced_on=D(2011, 12, 31),
        ),
        "terminated_2011": ProjectFactory(
            region=city,
            level="city",
            intake_on=D(2011, 1, 5),
            signed_on=D(2011, 1, 1),
            terminated_on=D(2011, 6, 1),
        ),
        "intake_2013": ProjectFactory(
            region=city, level="city", intake_on=D(2013, 1, 1), signed_on=D(2012, 11, 1)
        ),
        "never_taken_in": ProjectFactory(region=city, level="city", intake_on=None, stage="signed"),
    }


def test_a_year_counts_projects_served_at_any_time_in_it(projects_around_2012):
    summary = selectors.public_summary(2012)
    assert summary.all.projects == 4
    assert summary.all.investment_wan == Decimal("123700.50")
    assert summary.all.started_projects == 2
    assert summary.all.started_investment_wan == Decimal("103000.00")


def test_a_year_splits_by_handling_level(projects_around_2012):
    summary = selectors.public_summary(2012)
    assert (summary.city_level.projects, summary.city_level.started_projects) == (2, 1)
    assert summary.city_level.investment_wan == Decimal("120000.50")
    assert (summary.county_level.projects, summary.county_level.started_projects) == (2, 1)
    assert summary.county_level.investment_wan == Decimal("3700.00")


def test_a_project_produced_in_the_year_still_counts_for_it(city):
    ProjectFactory(region=city, started_on=D(2012, 5, 1), produced_on=D(2012, 1, 1), intake_on=D(2011, 1, 1))
    assert selectors.public_summary(2012).all.projects == 1
    assert selectors.public_summary(2013).all.projects == 0


def test_an_empty_year_is_zero(db):
    summary = selectors.public_summary(1999 + 1)
    assert summary.all.projects == 0
    assert summary.all.investment_wan == Decimal("0.00")


def test_county_staff_get_their_own_county_figures(people, projects_around_2012):
    summary = selectors.summary_for(people["county_gh"], 2012)
    assert summary.all.projects == 2
    assert summary.city_level.projects == 0


def test_investors_get_no_staff_statistics(people):
    with pytest.raises(PermissionDenied):
        selectors.summary_for(people["investor_yulong"], 2012)


def test_region_breakdown_adds_up_below_each_unit(people, projects_around_2012):
    rows = {row.region.code: row.figures for row in selectors.by_region(people["leader"], 2012)}
    assert rows["510681"].projects == 2
    assert rows["510681"].investment_wan == Decimal("3700.00")
    assert rows["510683"].projects == 0
    assert len(rows) == 8
