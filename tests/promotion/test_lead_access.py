"""Who sees which lead, on the pages and over the API: 403 for a role that never sees leads, 404 for a
lead outside the scope, and lists with a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.accounts import tokens
from onewindow.promotion import selectors

D = datetime.date


def bearer(user) -> dict:
    _token, secret = tokens.create_api_token(actor=user, owner=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def leads(make_lead, people, guanghan, mianzhu):
    return {
        "agent1": make_lead("甲市级线索", actor=people["agent1"]),
        "agent2": make_lead("乙市级线索", actor=people["agent2"]),
        "guanghan": make_lead("丙广汉线索", actor=people["county_gh"], region=guanghan),
        "mianzhu": make_lead("丁绵竹线索", actor=people["leader"], owner=people["agent2"], region=mianzhu),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"agent1", "agent2", "guanghan", "mianzhu"}),
        ("leader", {"agent1", "agent2", "guanghan", "mianzhu"}),
        ("agent1", {"agent1"}),
        ("agent2", {"agent2", "mianzhu"}),
        ("county_gh", {"guanghan"}),
        ("county_leader_gh", {"guanghan"}),
    ],
)
def test_each_role_sees_exactly_its_leads_on_the_page_and_over_the_api(
    login, client, people, leads, role, expected
):
    wanted = {leads[key].title for key in expected}
    assert {lead.title for lead in selectors.visible_leads(people[role])} == wanted
    page = login(role).get("/leads/")
    assert page.status_code == 200
    text = page.content.decode()
    for key, lead in leads.items():
        assert (lead.title in text) == (key in expected), (role, key)
    response = client.get("/api/v1/leads", **bearer(people[role]))
    assert response.status_code == 200
    assert {item["title"] for item in response.json()["items"]} == wanted


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_clerks_and_investors_get_403_on_every_lead_page_and_the_api(login, client, people, leads, role):
    browser = login(role)
    lead = leads["agent1"]
    for address in [
        "/leads/",
        "/leads/new/",
        "/leads/charts/",
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/edit/",
    ]:
        assert browser.get(address).status_code == 403, address
    assert browser.post(f"/leads/{lead.pk}/advance/", {"advance-target": "contact"}).status_code == 403
    headers = bearer(people[role])
    assert client.get("/api/v1/leads", **headers).status_code == 403
    assert client.get(f"/api/v1/leads/{lead.pk}", **headers).status_code == 403


def test_a_lead_outside_the_scope_is_404_on_the_page_and_over_the_api(login, client, people, leads):
    other = leads["agent2"]
    assert login("agent1").get(f"/leads/{other.pk}/").status_code == 404
    assert login("county_gh").get(f"/leads/{leads['mianzhu'].pk}/").status_code == 404
    assert login("agent1").post(f"/leads/{other.pk}/convert/", {}).status_code == 404
    assert client.get(f"/api/v1/leads/{other.pk}", **bearer(people["agent1"])).status_code == 404
    response = client.post(
        f"/api/v1/leads/{other.pk}/advance",
        {"target": "contact", "on": "2024-03-05"},
        content_type="application/json",
        **bearer(people["agent1"]),
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.stage == "lead"


def test_anonymous_visitors_are_sent_to_the_login_page(client, leads):
    response = client.get(f"/leads/{leads['agent1'].pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_the_lead_list_costs_the_same_queries_for_three_or_fifteen_leads(
    login, make_lead, people, guanghan, django_assert_num_queries
):
    browser = login("leader")
    for number in range(3):
        make_lead(f"线索{number}", actor=people["agent1"])
    browser.get("/leads/")
    few = _queries(lambda: browser.get("/leads/"))
    for number in range(3, 15):
        owner = people["agent1"] if number % 2 else people["county_gh"]
        make_lead(f"线索{number}", actor=people["leader"], owner=owner, region=guanghan)
    with django_assert_num_queries(few):
        response = browser.get("/leads/")
    assert response.content.decode().count('href="/leads/') >= 15


def test_the_api_list_costs_the_same_queries_for_three_or_fifteen_leads(
    client, make_lead, people, django_assert_num_queries
):
    client.force_login(people["leader"])
    for number in range(3):
        make_lead(f"线索{number}")
    client.get("/api/v1/leads")
    few = _queries(lambda: client.get("/api/v1/leads"))
    for number in range(3, 15):
        make_lead(f"线索{number}")
    with django_assert_num_queries(few):
        response = client.get("/api/v1/leads")
    assert len(response.json()["items"]) == 15


def test_the_charts_page_costs_the_same_queries_for_three_or_fifteen_leads(
    login, make_lead, people, django_assert_num_queries
):
    browser = login("leader")
    for number in range(3):
        make_lead(f"线索{number}")
    browser.get("/leads/charts/?by=owner")
    few = _queries(lambda: browser.get("/leads/charts/?by=owner"))
    for number in range(3, 15):
        make_lead(f"线索{number}", actor=people["agent2"])
    with django_assert_num_queries(few):
        response = browser.get("/leads/charts/?by=owner")
    assert people["agent2"].display_name in response.content.decode()
