"""The audit log browser and the statistics page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.projects import services
from tests.factories import ProjectFactory

D = datetime.date
AUDIT = reverse("audit-log")
STATS = reverse("statistics")


@pytest.fixture
def changes(people, world):
    """A stage change in the city and a note in 广汉, both through the services."""
    services.change_stage(
        actor=people["agent1"], project=world["city"], target="approved", on=D(2012, 6, 1), expected_version=1
    )
    services.add_timeline_note(
        actor=people["county_gh"],
        project=world["guanghan"],
        text="协调供电接入",
        happened_on=D(2012, 6, 2),
        is_public=False,
    )


def entries(response):
    return list(response.context["page"].object_list)


def test_the_audit_log_shows_changes_as_field_before_and_after(login, changes):
    response = login("leader").get(AUDIT, {"action": "transition"})
    assert response.status_code == 200
    [entry] = entries(response)
    assert entry.actor_name == "agent1"
    html = response.text
    assert '<span class="change-field">阶段</span>: <span class="change-before">已受理代办</span>' in html
    assert '<span class="change-after">已立项</span>' in html
    assert '<span class="change-field">立项日期</span>: <span class="change-before">—</span>' in html


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"actor": "county"}, 1),
        ({"object_type": "projects.timelineentry"}, 2),
        ({"object_type": "projects.project"}, 1),
        ({"date_from": "2000-01-01", "date_to": "2000-12-31"}, 0),
    ],
)
def test_the_audit_log_can_be_filtered(login, changes, query, count):
    assert len(entries(login("admin").get(AUDIT, query))) == count


def test_a_county_leader_sees_only_the_audit_entries_of_their_county(login, changes):
    seen = entries(login("county_leader_gh").get(AUDIT))
    assert seen and all(entry.region_path.startswith("510600/510681/") for entry in seen)
    assert len(entries(login("leader").get(AUDIT))) > len(seen)


def test_the_audit_log_is_paginated(login, people, world):
    for day in range(1, 60):
        services.add_timeline_note(
            actor=people["agent1"],
            project=world["city"],
            text=f"第{day}次跟踪",
            happened_on=D(2012, 5, 1),
            is_public=True,
        )
    # Filtered to the notes' rows: signing in adds login rows of its own.
    notes = {"object_type": "projects.timelineentry"}
    response = login("leader").get(AUDIT, notes)
    assert len(entries(response)) == 50
    assert response.context["page"].paginator.count == 59
    assert len(entries(login("leader").get(AUDIT, {**notes, "page": 2}))) == 9


@pytest.fixture
def year_2012(world, city, guanghan, mianzhu):
    """Besides the world's three (5,000 万元 each, none started): a started city project and a 2013 one."""
    ProjectFactory(
        region=city, level="city", total_investment_wan=Decimal("1230000.00"), started_on=D(2012, 9, 1)
    )
    ProjectFactory(region=guanghan, level="county", signed_on=D(2013, 1, 5), intake_on=D(2013, 2, 1))


def figures(response, key):
    return dict(response.context["levels"])[key]


def test_the_statistics_page_shows_the_summary_figures_in_yi_and_wan_yuan(login, year_2012):
    response = login("leader").get(STATS, {"year": 2012})
    assert response.status_code == 200
    everything = figures(response, "all")
    assert everything.projects == 4
    assert everything.investment_wan == Decimal("1245000.00")
    assert everything.started_projects == 1
    html = response.text
    assert "2012 年汇总" in html
    assert '<span class="big">124.50</span> 亿元' in html
    assert "1,245,000.00 万元" in html
    assert '<span class="big">123.00</span> 亿元' in html


def test_the_statistics_page_breaks_the_figures_down_by_region_with_the_city_itself(login, year_2012):
    response = login("leader").get(STATS, {"year": 2012})
    rows = {row.label: row.figures for row in response.context["rows"]}
    assert rows["广汉市"].projects == 1
    assert rows["绵竹市"].projects == 1
    assert rows["旌阳区"].projects == 0
    assert rows["市本级"].projects == 2
    assert rows["市本级"].started_investment_wan == Decimal("1230000.00")
    assert sum(figures.projects for figures in rows.values()) == 4


def test_county_staff_see_the_figures_of_their_county_only(login, year_2012):
    response = login("county_gh").get(STATS, {"year": 2012})
    assert figures(response, "all").projects == 1
    assert [row.label for row in response.context["rows"]] == ["广汉市"]
    assert "市本级" not in response.text


def test_the_year_defaults_to_this_year_and_another_year_counts_differently(login, year_2012):
    client = login("leader")
    assert client.get(STATS).context["year"] == timezone.localdate().year
    assert figures(client.get(STATS, {"year": 2013}), "all").projects == 5
    assert figures(client.get(STATS, {"year": 2011}), "all").projects == 0


@pytest.mark.parametrize("year", ["abc", "1900", "", "2012.5"])
def test_a_bad_year_is_an_error_on_the_year_field(login, world, year):
    response = login("leader").get(STATS, {"year": year})
    assert response.status_code == 400
    assert "year" in response.context["form"].errors
    assert "summary" not in response.context


def test_related_records_in_the_audit_log_are_named_not_numbered(login, people, world, guanghan):
    services.update_project(
        actor=people["leader"],
        project=world["guanghan"],
        expected_version=1,
        changes={"agent": people["agent2"]},
    )
    html = login("leader").get(AUDIT, {"action": "update"}).text
    name = people["agent2"].display_name
    assert '<span class="change-field">代办员</span>: <span class="change-before">—</span>' in html
    assert f'<span class="change-after">{name}</span>' in html


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("9301212"), "9,301,212.00"),
        (Decimal("930.125"), "930.13"),
        (Decimal("0.005"), "0.01"),
        (None, ""),
    ],
)
def test_amounts_are_grouped_by_thousands_and_rounded_half_up(value, shown):
    from onewindow.accounts.templatetags.onewindow_web import amount

    assert amount(value) == shown
