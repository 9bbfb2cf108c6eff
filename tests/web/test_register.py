"""The project register: filters, search, sorting, pages, the htmx fragment and the CSV export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import InvestorFactory, ProjectFactory

URL = reverse("project-register")
EXPORT = reverse("project-export")
D = datetime.date


@pytest.fixture
def many_projects(world, city, guanghan):
    """Sixty more projects with different agents, so that a page of 50 needs every related row."""
    for number in range(60):
        ProjectFactory(
            name=f"批量项目{number:02d}",
            region=guanghan if number % 2 else city,
            level="county" if number % 2 else "city",
            agent=None,
            total_investment_wan=Decimal(1000 + number),
        )


# The session and the user, the user's home region (scope), the region choices of the filter form, the
# count, the page itself, and the session renewed for the idle timeout (a savepoint, the update and its
# release), and the unread count on the header's bell. Each row's investor, region and agent come in the
# page's query, so the number never grows.
REGISTER_QUERIES = 10


@pytest.mark.parametrize("rows", [5, 50])
def test_the_register_costs_the_same_queries_for_any_page_size(
    login, many_projects, settings, django_assert_num_queries, rows
):
    settings.ONEWINDOW_REGISTER_PAGE_SIZE = 5
    client = login("leader")
    with django_assert_num_queries(REGISTER_QUERIES):
        response = client.get(URL, {"page_size": rows})
    assert len(response.context["page"].object_list) == rows


def test_the_default_page_size_comes_from_the_settings_and_is_the_one_selected(
    login, many_projects, settings
):
    settings.ONEWINDOW_REGISTER_PAGE_SIZE = 7
    response = login("leader").get(URL)
    assert len(response.context["page"].object_list) == 7
    assert response.context["page"].paginator.num_pages == 9
    assert '<option value="7" selected>7</option>' in response.text


def names(response) -> list[str]:
    return [project.name for project in response.context["page"].object_list]


@pytest.fixture
def varied(world, city, guanghan, mianzhu):
    projects = {
        "fast": ProjectFactory(
            name="德阳快速通道项目",
            region=city,
            fast_track=True,
            industry="D",
            signed_on=D(2013, 2, 1),
            intake_on=D(2013, 3, 1),
            stage="approved",
            total_investment_wan=Decimal("90000"),
        ),
        "investor": ProjectFactory(
            name="东方电机扩能项目",
            investor=InvestorFactory(name="东方电气集团东方电机有限公司"),
            region=guanghan,
            level="county",
        ),
    }
    return {**world, **projects}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "510681"}, {"广汉食品加工项目", "东方电机扩能项目"}),
        ({"level": "city"}, {"江苏玉龙钢管项目", "德阳快速通道项目"}),
        ({"stage": "approved"}, {"德阳快速通道项目"}),
        ({"industry": "D"}, {"德阳快速通道项目"}),
        ({"signing_year": "2013"}, {"德阳快速通道项目"}),
        ({"fast_track": "yes"}, {"德阳快速通道项目"}),
        ({"q": "钢管"}, {"江苏玉龙钢管项目"}),
        ({"q": "东方电气"}, {"东方电机扩能项目"}),
        ({"region": "510681", "q": "食品"}, {"广汉食品加工项目"}),
    ],
)
def test_each_filter_narrows_the_register(login, varied, query, expected):
    assert set(names(login("leader").get(URL, query))) == expected


def test_the_fast_track_filter_can_also_exclude_fast_track_projects(login, varied):
    assert "德阳快速通道项目" not in names(login("leader").get(URL, {"fast_track": "no"}))


def test_the_search_finds_a_project_by_a_piece_of_its_code_in_lower_case(login, varied):
    code = varied["mianzhu"].code
    assert names(login("leader").get(URL, {"q": code[-8:].lower()})) == ["绵竹新材料项目"]


def test_an_agent_can_list_only_their_own_projects(login, varied):
    assert names(login("agent1").get(URL, {"mine": "on"})) == ["江苏玉龙钢管项目"]


def test_sorting_by_investment_puts_the_largest_first(login, varied):
    ordered = names(login("leader").get(URL, {"sort": "-investment"}))
    assert ordered[0] == "德阳快速通道项目"
    html = login("leader").get(URL, {"sort": "-investment"}).text
    assert 'aria-sort="descending"' in html


def test_filters_the_register_does_not_understand_are_shown_and_ignored(login, varied):
    response = login("leader").get(URL, {"stage": "flying", "signing_year": "abc", "page": "999"})
    assert response.status_code == 200
    assert len(names(response)) == 5
    assert "以下筛选条件无法识别，已忽略" in response.text


def test_a_region_outside_the_users_scope_is_not_offered_and_widens_nothing(login, varied):
    response = login("county_gh").get(URL, {"region": "510683"})
    assert "region" in response.context["form"].errors
    assert set(names(response)) == {"广汉食品加工项目", "东方电机扩能项目"}


def test_pages_keep_the_filters_in_their_links(login, many_projects):
    response = login("leader").get(URL, {"level": "city", "page_size": "10"})
    assert response.context["page"].paginator.num_pages == 4
    assert "?level=city&amp;page_size=10&amp;page=2" in response.text


def test_an_htmx_request_gets_only_the_results_and_a_full_page_otherwise(login, varied):
    client = login("leader")
    fragment = client.get(URL, {"q": "钢管"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="register-results"')
    assert "<html" not in fragment.text
    assert "江苏玉龙钢管项目" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    history = client.get(
        URL, {"q": "钢管"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in history.text
    full = client.get(URL, {"q": "钢管"})
    assert "<html" in full.text and 'hx-get="/projects/"' in full.text


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_export_is_utf8_with_a_byte_order_mark_for_excel_and_chinese_headers(login, varied):
    response = login("leader").get(EXPORT)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="onewindow-register-')
    rows = read_csv(response)
    assert rows[0][:4] == ["项目代码", "临时代码", "项目名称", "投资方"]
    city = next(row for row in rows if row[2] == "江苏玉龙钢管项目")
    assert city[0] == varied["city"].code
    assert city[3] == "江苏玉龙钢管股份有限公司"
    assert city[5] == "5000.00"
    assert city[6] == "C 制造业"
    assert city[9] == "已受理代办"
    assert city[11:13] == ["2012-03-01", "2012-04-01"]


def test_the_csv_export_holds_every_row_of_the_current_view_not_only_the_page(login, many_projects, settings):
    settings.ONEWINDOW_REGISTER_PAGE_SIZE = 5
    rows = read_csv(login("leader").get(EXPORT, {"level": "county", "page": "2"}))
    assert len(rows) - 1 == 30 + 2


def test_the_csv_export_follows_the_filters_and_the_sort(login, varied):
    rows = read_csv(login("leader").get(EXPORT, {"region": "510681", "sort": "name"}))
    assert [row[2] for row in rows[1:]] == sorted(["广汉食品加工项目", "东方电机扩能项目"])


def test_the_csv_export_defuses_names_a_spreadsheet_would_run_as_formulas(login, world):
    ProjectFactory(name='=HYPERLINK("http://example.com")', region=world["city"].region)
    rows = read_csv(login("leader").get(EXPORT, {"q": "HYPERLINK"}))
    assert rows[1][2] == '\'=HYPERLINK("http://example.com")'


def test_the_export_link_carries_the_current_filters(login, varied):
    html = login("leader").get(URL, {"level": "city", "q": "德阳", "page": "1"}).text
    assert f'href="{EXPORT}?level=city&amp;q=%E5%BE%B7%E9%98%B3"' in html
