"""The public pages: what a visitor sees, finds and may open, without logging in."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.analytics.selectors import public_summary
from onewindow.approvals import selectors as approval_selectors
from onewindow.portal import selectors
from onewindow.projects.models import Phase, TimelineEntry
from tests.factories import ProjectFactory
from tests.portal.conftest import INTERNAL_NOTE, PIPELINE_NAME, PUBLIC_NOTE, SECRET_NAME

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _public_urls(world) -> list[str]:
    return [
        reverse("portal:home"),
        reverse("portal:home") + "?year=2012",
        reverse("portal:projects"),
        reverse("portal:projects") + "?q=钢管",
        reverse("portal:project", args=[world.city.pk]),
        reverse("portal:open-data"),
        reverse("portal:feedback"),
        reverse("portal:feedback-new"),
        reverse("portal:feedback-new") + f"?project={world.city.pk}",
    ]


def test_every_public_page_opens_without_logging_in(anonymous, public_world):
    for url in _public_urls(public_world):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_every_public_page_has_a_title_a_description_and_its_language(anonymous, english, public_world):
    for url in _public_urls(public_world):
        html = anonymous.get(url).text
        assert re.search(r"<title>[^<]+ · 投资德阳</title>", html), url
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description.group(1)) > 20, url
        assert '<html lang="zh-Hans">' in html
        assert len(re.findall(r"<h1\b", html)) == 1, url
    assert '<html lang="en">' in english.get(reverse("portal:home")).text


def test_no_public_page_carries_inline_script_style_or_event_handlers(anonymous, public_world):
    for url in _public_urls(public_world):
        response = anonymous.get(url)
        html = response.text
        assert not INLINE_SCRIPT.search(html), url
        assert "<style" not in html and " style=" not in html, url
        assert not INLINE_HANDLER.search(html), url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_every_form_control_on_the_public_pages_has_a_label(anonymous, public_world):
    for url in _public_urls(public_world):
        html = anonymous.get(url).text
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
            attributes = match.group(2)
            if 'type="hidden"' in attributes or 'type="radio"' in attributes:
                continue
            control_id = re.search(r'\bid="([^"]+)"', attributes)
            assert control_id and control_id.group(1) in labelled, (url, match.group(0))


def test_the_staff_header_links_to_the_portal(login, public_world):
    assert f'href="{reverse("portal:home")}"' in login("agent1").get(reverse("workbench")).text


# -- home --------------------------------------------------------------------------------------------


def test_the_home_page_figures_agree_with_the_statistics(anonymous, public_world):
    response = anonymous.get(reverse("portal:home") + "?year=2012")
    headline = response.context["chosen"]
    official = public_summary(2012).all
    assert headline.projects == official.projects == 4  # the confidential one and every county included
    assert headline.investment_wan == official.investment_wan
    assert headline.started_projects == official.started_projects == 1
    this_year = response.context["this_year"]
    assert this_year.year == timezone.localdate().year


def test_the_home_page_hands_its_chart_figures_to_the_chart_script_as_data(anonymous, public_world):
    html = anonymous.get(reverse("portal:home") + "?year=2012").text
    block = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    figures = json.loads(block.group(1))
    assert figures["year"] == 2012
    assert sum(figures["regions"]["projects"]) == 4
    assert sum(figures["industries"]["projects"]) == 4
    assert figures["months"]["intakes"][3] == 4  # all four taken in in April
    assert figures["months"]["starts"][7] == 1  # 玉龙 started in August
    assert SECRET_NAME not in block.group(1)


def test_echarts_is_loaded_only_by_the_home_page_chart_script(anonymous, public_world):
    home = anonymous.get(reverse("portal:home")).text
    assert 'src="/static/portal/charts.js"' in home
    assert 'data-echarts="/static/vendor/echarts/echarts.min.js"' in home
    assert 'echarts.min.js"></script>' not in home
    for url in _public_urls(public_world)[2:]:
        assert "echarts" not in anonymous.get(url).text, url


def test_the_home_page_lists_the_newest_public_progress_and_the_fast_tracked_projects(
    anonymous, public_world
):
    response = anonymous.get(reverse("portal:home"))
    html = response.text
    assert PUBLIC_NOTE in html
    assert INTERNAL_NOTE not in html
    assert [project.name for project in response.context["fast_tracked"]] == ["江苏玉龙钢管项目"]


def test_a_year_without_figures_is_refused_with_a_message_and_the_default_year(english, public_world):
    response = english.get(reverse("portal:home") + "?year=1890")
    assert response.status_code == 400
    assert "There are no figures for that year" in response.text


def test_approvals_decided_on_time_are_counted_from_the_approval_tasks(planned):
    figures = selectors.headline(2026)
    assert (figures.approvals_decided, figures.approvals_on_time, figures.on_time_percent) == (2, 1, 50)
    assert selectors.headline(2012).on_time_percent is None


# -- the list ----------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [project.name for project in response.context["page"].object_list]


def test_searching_chinese_characters_finds_the_project_by_a_part_of_its_name(anonymous, public_world):
    assert _names(anonymous.get(reverse("portal:projects"), {"q": "钢管"})) == ["江苏玉龙钢管项目"]
    # the investor's name and the code are searched too
    assert _names(anonymous.get(reverse("portal:projects"), {"q": "玉龙钢管股份"})) == ["江苏玉龙钢管项目"]
    code = public_world.city.code
    assert _names(anonymous.get(reverse("portal:projects"), {"q": code[-8:].lower()})) == ["江苏玉龙钢管项目"]


def test_the_list_never_holds_a_confidential_project_or_one_not_yet_taken_in(anonymous, public_world):
    response = anonymous.get(reverse("portal:projects"))
    assert set(_names(response)) == {"江苏玉龙钢管项目", "广汉食品加工项目", "绵竹新材料项目"}
    assert SECRET_NAME not in response.text and PIPELINE_NAME not in response.text
    assert _names(anonymous.get(reverse("portal:projects"), {"q": "保密"})) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "510681"}, {"广汉食品加工项目"}),
        ({"region": "510600"}, {"江苏玉龙钢管项目", "广汉食品加工项目", "绵竹新材料项目"}),
        ({"level": "county"}, {"广汉食品加工项目", "绵竹新材料项目"}),
        ({"stage": "started"}, {"江苏玉龙钢管项目"}),
        ({"industry": "C"}, {"江苏玉龙钢管项目", "广汉食品加工项目", "绵竹新材料项目"}),
        ({"industry": "K"}, set()),
        ({"year": "2012"}, {"江苏玉龙钢管项目", "广汉食品加工项目", "绵竹新材料项目"}),
        ({"year": "2011"}, set()),
        ({"stage": "started", "level": "county"}, set()),
    ],
)
def test_each_filter_narrows_the_list(anonymous, public_world, query, expected):
    assert set(_names(anonymous.get(reverse("portal:projects"), query))) == expected


def test_a_filter_value_the_list_does_not_know_is_left_out_and_said_so(english, public_world):
    response = english.get(reverse("portal:projects"), {"stage": "negotiating", "year": "abc"})
    assert response.status_code == 200
    assert len(_names(response)) == 3
    assert "Some filters were not understood" in response.text


def test_the_list_sorts_by_investment_and_by_name(anonymous, public_world):
    public_world.mianzhu.total_investment_wan = Decimal("90000")
    public_world.mianzhu.save()
    names = _names(anonymous.get(reverse("portal:projects"), {"sort": "-investment"}))
    assert names[0] == "绵竹新材料项目"
    assert _names(anonymous.get(reverse("portal:projects"), {"sort": "investment"}))[-1] == "绵竹新材料项目"


def test_the_list_pages_with_24_projects_a_page(anonymous, public_world, city):
    ProjectFactory.create_batch(30, region=city)
    first = anonymous.get(reverse("portal:projects"))
    assert first.context["page"].paginator.count == 33
    assert len(first.context["page"].object_list) == 24
    second = anonymous.get(reverse("portal:projects"), {"page": "2"})
    assert len(second.context["page"].object_list) == 9
    assert not set(_names(first)) & set(_names(second))


def test_a_list_page_costs_the_same_queries_for_three_projects_or_twenty_four(
    anonymous, public_world, city, settings, django_assert_num_queries
):
    settings.ONEWINDOW_PORTAL_CACHE_SECONDS = 0
    # the region choices, the count and the page
    with django_assert_num_queries(3):
        anonymous.get(reverse("portal:projects"), {"q": "项目", "sort": "-investment"})
    ProjectFactory.create_batch(21, region=city)
    with django_assert_num_queries(3):
        response = anonymous.get(reverse("portal:projects"), {"q": "项目", "sort": "-investment"})
    assert len(response.context["page"].object_list) == 24


def test_the_home_page_costs_a_fixed_number_of_queries(
    anonymous, public_world, city, settings, django_assert_num_queries
):
    settings.ONEWINDOW_PORTAL_CACHE_SECONDS = 0
    with django_assert_num_queries(13):
        anonymous.get(reverse("portal:home") + "?year=2012")
    for project in ProjectFactory.create_batch(20, region=city, fast_track=True):
        phase = Phase.objects.create(project=project, sequence=1, name="一期")
        TimelineEntry.objects.create(project=project, phase=phase, happened_on=project.intake_on, text="进展")
    with django_assert_num_queries(13):
        anonymous.get(reverse("portal:home") + "?year=2012")


# -- the project page ---------------------------------------------------------------------------------


def test_the_project_page_shows_the_public_facts_and_only_the_public_timeline(anonymous, public_world):
    project = public_world.city
    html = anonymous.get(reverse("portal:project", args=[project.pk])).text
    for fact in (
        project.code,
        project.name,
        "江苏玉龙钢管股份有限公司",
        "5,000.00",
        "2012-08-16",
        "2012-04-01",
    ):
        assert fact in html, fact
    assert PUBLIC_NOTE in html
    assert INTERNAL_NOTE not in html
    for private in ("张联系", "13800000000", "contact@example.com", "agent1", project.agent.full_name):
        assert private not in html, private


@pytest.mark.parametrize("which", ["secret", "pipeline"])
def test_a_confidential_or_not_yet_taken_in_project_answers_404_like_a_number_never_used(
    anonymous, public_world, which
):
    hidden = getattr(public_world, which)
    unknown = 10**9
    for name in ("portal:project", "portal:project-feed"):
        response = anonymous.get(reverse(name, args=[hidden.pk]))
        never = anonymous.get(reverse(name, args=[unknown]))
        assert response.status_code == never.status_code == 404
        # The same page but for its own address (in the language switch's return field).
        same = never.text.replace(reverse(name, args=[unknown]), reverse(name, args=[hidden.pk]))
        assert response.text == same
        assert hidden.name not in response.text


def test_the_project_page_shows_approvals_decided_of_planned_and_the_expected_construction_start(
    anonymous, planned
):
    response = anonymous.get(reverse("portal:project", args=[planned.project.pk]))
    progress = response.context["progress"]
    assert (progress.planned, progress.decided, progress.approved) == (3, 2, 2)
    html = response.text
    assert '<progress id="approval-progress" class="approval-progress" max="3" value="2">' in html
    today = timezone.localdate()
    # 施工许可 is not yet accepted: it is planned from today, and construction may start the working day
    # after its 7 working days.
    calendar = approval_selectors.workday_calendar()
    assert progress.expected_start > today
    assert calendar.is_workday(progress.expected_start)
    assert progress.expected_start.isoformat() in html


def test_a_project_that_started_shows_its_start_not_a_forecast(planned):
    project = planned.project
    project.started_on = project.intake_on
    project.save()
    progress = selectors.approval_progress(project)
    assert progress.expected_start is None


def test_a_project_without_a_plan_says_so(english, public_world):
    html = english.get(reverse("portal:project", args=[public_world.mianzhu.pk])).text
    assert "No approval plan has been published for this project." in html


# -- language, robots and the sitemap ----------------------------------------------------------------


def test_the_language_switch_turns_the_portal_into_english_and_back(anonymous, public_world):
    page = reverse("portal:projects")
    response = anonymous.post(reverse("portal:language"), {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert '<html lang="en">' in anonymous.get(page).text
    anonymous.post(reverse("portal:language"), {"language": "zh-hans", "next": page})
    assert '<html lang="zh-Hans">' in anonymous.get(page).text


def test_the_language_switch_only_returns_to_the_portal(anonymous, public_world):
    for target in ("https://evil.example/", reverse("audit-log")):
        response = anonymous.post(reverse("portal:language"), {"language": "en", "next": target})
        assert response["Location"] == reverse("portal:home")


def test_robots_txt_opens_the_portal_to_crawlers_and_names_the_sitemap(anonymous, public_world):
    response = anonymous.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Allow: /public/" in lines and "Disallow: /" in lines
    assert "Disallow: /public/feedback/receipt/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_sitemap_lists_the_public_pages_and_every_public_project_only(anonymous, public_world):
    response = anonymous.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locations = set(re.findall(r"<loc>([^<]+)</loc>", response.text))
    projects = {
        f"http://testserver{reverse('portal:project', args=[p.pk])}" for p in selectors.public_projects()
    }
    assert projects <= locations
    assert f"http://testserver{reverse('portal:project', args=[public_world.secret.pk])}" not in locations
    assert f"http://testserver{reverse('portal:home')}" in locations


def test_a_link_checker_may_ask_for_the_headers_only(anonymous, public_world):
    response = anonymous.head(reverse("portal:projects"))
    assert response.status_code == 200 and response.content == b""
    assert anonymous.post(reverse("portal:projects")).status_code == 405
