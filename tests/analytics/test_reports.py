"""The progress report's periods on hand-built data, its scope for a county user, and the download."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from onewindow.analytics import reports
from onewindow.core.models import AuditEntry
from tests.factories import ProjectFactory

D = datetime.date


@pytest.fixture
def around_2012(city, guanghan):
    return {
        "a": ProjectFactory(
            region=city,
            level="city",
            total_investment_wan=Decimal("1000.00"),
            signed_on=D(2012, 2, 1),
            intake_on=D(2012, 2, 10),
        ),
        "b": ProjectFactory(
            region=guanghan,
            level="county",
            total_investment_wan=Decimal("200.50"),
            signed_on=D(2012, 5, 1),
            intake_on=D(2012, 5, 5),
            started_on=D(2012, 6, 1),
            stage="started",
        ),
        "c": ProjectFactory(
            region=guanghan,
            level="county",
            total_investment_wan=Decimal("30.00"),
            signed_on=D(2011, 1, 1),
            intake_on=D(2011, 3, 1),
            started_on=D(2011, 5, 1),
            completed_on=D(2011, 12, 1),
            produced_on=D(2012, 2, 1),
            stage="producing",
        ),
    }


def _lines(report):
    return {(line.kind, line.code): line for line in report.lines}


def test_the_first_quarter_counts_what_was_served_in_it(city, around_2012):
    report = reports.build(scope=city, period=reports.Period.of(2012, quarter=1), unit="万元")
    lines = _lines(report)
    total = lines[("total", "")]
    assert (total.projects, total.investment_wan) == (2, Decimal("1030.00"))
    assert (total.new_projects, total.new_investment_wan) == (1, Decimal("1000.00"))
    assert (total.started_projects, total.produced_projects, total.started_in_period) == (1, 1, 0)
    assert lines[("region", "510681")].projects == 1
    assert lines[("subtotal", "city")].projects == 1


def test_the_second_quarter_no_longer_counts_a_project_in_production_before_it(city, around_2012):
    lines = _lines(reports.build(scope=city, period=reports.Period.of(2012, quarter=2), unit="万元"))
    total = lines[("total", "")]
    assert (total.projects, total.new_projects, total.started_in_period) == (2, 1, 1)
    assert lines[("region", "510681")].started_investment_wan == Decimal("200.50")


def test_a_month_and_the_year_follow_the_same_rule(city, around_2012):
    may = _lines(reports.build(scope=city, period=reports.Period.of(2012, month=5)))[("total", "")]
    assert (may.projects, may.new_projects) == (2, 1)
    year = _lines(reports.build(scope=city, period=reports.Period.of(2012)))[("total", "")]
    assert (year.projects, year.started_projects, year.produced_projects) == (3, 2, 1)


def test_a_county_leader_downloads_their_own_region_and_the_export_is_audited(people, around_2012, login):
    response = login("county_leader_gh").get(reverse("progress-report-xlsx"), {"year": 2012, "unit": "万元"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    listed = [row[2] for row in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert sorted(listed) == sorted([around_2012["b"].name, around_2012["c"].name])
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, actor=people["county_leader_gh"]
    ).exists()
    refused = login("county_leader_gh").get(reverse("progress-report"), {"year": 2012, "region": "510600"})
    assert refused.status_code in (400, 404)


def test_the_printable_page_shows_the_table(people, around_2012, login):
    response = login("leader").get(reverse("progress-report"), {"year": 2012, "quarter": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-table"' in html and 'data-code="510681"' in html
    numbers = [number for _line, _values, number in response.context["rows"] if number]
    assert numbers == list(range(1, len(numbers) + 1))
