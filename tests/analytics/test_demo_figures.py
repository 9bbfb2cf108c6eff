"""The article's 2012 figures (domain.md §2) on the dashboard and in the progress report workbook."""

import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.analytics import dashboard

ARTICLE = {
    "all": (501, Decimal("930.12"), 201, Decimal("619.77")),
    "city": (63, Decimal("581.86"), 39, Decimal("437.12")),
    "county": (438, Decimal("348.26"), 162, Decimal("182.64")),
}


def _yi(value: Decimal) -> Decimal:
    return (value / 10000).quantize(Decimal("0.01"))


def test_the_dashboard_figures_for_2012_are_the_articles(demo_city):
    leader = User.objects.get(username="leader")
    overview = dashboard.overview(leader, 2012)
    levels = {bucket.key: bucket for bucket in overview.by_level}
    for key, bucket in (("all", overview.total), ("city", levels["city"]), ("county", levels["county"])):
        figures = (
            bucket.projects,
            _yi(bucket.investment_wan),
            bucket.started_projects,
            _yi(bucket.started_investment_wan),
        )
        assert figures == ARTICLE[key], key
    assert sum(bucket.projects for bucket in overview.by_region) == 501
    assert sum(bucket.projects for bucket in overview.by_industry) == 501
    assert sum(bucket.projects for bucket in overview.by_stage) == 501
    assert overview.by_year[-1].projects == 501


def test_the_dashboard_page_shows_the_articles_figures_to_the_leader(demo_city):
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    response = client.get(reverse("dashboard"), {"year": 2012})
    assert response.status_code == 200
    html = response.content.decode()
    cards = re.findall(
        r'data-level="(\w+)".*?data-figure="projects">(\d+)<.*?data-figure="investment">([\d,.]+)<'
        r'.*?data-figure="started">(\d+)<.*?data-figure="started-investment">([\d,.]+)<',
        html,
        re.S,
    )
    shown = {
        level: (int(n), Decimal(inv.replace(",", "")), int(s), Decimal(sinv.replace(",", "")))
        for level, n, inv, s, sinv in cards
    }
    assert shown == ARTICLE
    assert 'id="dashboard-data"' in html


def test_the_annual_report_workbook_carries_the_articles_figures(demo_city, tmp_path):
    out = tmp_path / "report-2012.xlsx"
    call_command("report", "--year", "2012", "--out", str(out), "--unit", "亿元")
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert "2012" in sheet["A1"].value
    subtotals = [
        row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] is None and row[3] is not None
    ]
    total, city, county = subtotals[:3]

    def figures(row):
        return (
            row[3],
            Decimal(str(row[4])).quantize(Decimal("0.01")),
            row[7],
            Decimal(str(row[8])).quantize(Decimal("0.01")),
        )

    assert figures(total) == ARTICLE["all"]
    assert figures(city) == ARTICLE["city"]
    assert figures(county) == ARTICLE["county"]
    region_rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert sum(row[3] for row in region_rows) == 501
    listing = book.worksheets[1]
    assert listing.max_row - 2 == 501


@pytest.mark.parametrize("quarter", [1, 4])
def test_a_quarterly_report_counts_no_more_than_the_year(demo_city, tmp_path, quarter):
    out = tmp_path / "q.xlsx"
    call_command("report", "--year", "2012", "--quarter", str(quarter), "--out", str(out), "--unit", "万元")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    total = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[3] is not None)
    assert 0 < total[3] <= 501
    assert "万元" in sheet["L2"].value
