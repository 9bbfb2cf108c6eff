import datetime

import pytest
from django.test import override_settings

from onewindow.accounts import tokens
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project
from tests.factories import ProjectFactory, make_uscc

D = datetime.date


def bearer(user) -> dict:
    _token, secret = tokens.create_api_token(actor=user, owner=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def codes(response) -> set[str]:
    return {item["code"] for item in response.json()["items"]}


def test_without_credentials_the_register_answers_401(client, world):
    assert client.get("/api/v1/projects").status_code == 401


def test_a_bad_token_answers_401(client, world):
    assert client.get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer ow_nope").status_code == 401


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("leader", {"city", "guanghan", "mianzhu"}),
        ("clerk_fgw", {"city"}),
        ("county_gh", {"guanghan"}),
        ("investor_yulong", {"city"}),
    ],
)
def test_the_api_scope_is_exactly_the_pages_scope(client, people, world, role, expected):
    response = client.get("/api/v1/projects", **bearer(people[role]))
    assert response.status_code == 200
    assert codes(response) == {world[key].code for key in expected}


def test_the_session_works_as_well_as_a_token(client, people, world):
    client.force_login(people["county_gh"])
    assert codes(client.get("/api/v1/projects")) == {world["guanghan"].code}


def test_a_project_outside_the_scope_is_404(client, people, world):
    response = client.get(f"/api/v1/projects/{world['mianzhu'].code}", **bearer(people["county_gh"]))
    assert response.status_code == 404


def test_project_detail_carries_phases_and_the_timeline_an_investor_may_see(client, people, world):
    from onewindow.projects.services import add_timeline_note, save_phase

    project = world["city"]
    save_phase(actor=people["agent1"], project=project, values={"name": "一期"})
    add_timeline_note(
        actor=people["agent1"], project=project, text="内部", happened_on=D(2012, 5, 1), is_public=False
    )
    add_timeline_note(
        actor=people["agent1"], project=project, text="公开", happened_on=D(2012, 5, 2), is_public=True
    )
    staff = client.get(f"/api/v1/projects/{project.code}", **bearer(people["agent1"])).json()
    investor = client.get(f"/api/v1/projects/{project.code}", **bearer(people["investor_yulong"])).json()
    assert [phase["name"] for phase in staff["phases"]] == ["一期"]
    assert {entry["text"] for entry in staff["timeline"]} == {"内部", "公开"}
    assert [entry["text"] for entry in investor["timeline"]] == ["公开"]
    assert staff["total_investment_wan"] == "5000.00"
    assert staff["departments"] == ["发展和改革委员会"]


def test_cursor_pagination_walks_every_project_once(client, people, world):
    ProjectFactory.create_batch(7)
    headers = bearer(people["leader"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/projects", params, **headers).json()
        seen += [item["code"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == Project.objects.count() == 10


def test_the_list_costs_the_same_queries_whatever_its_length(
    client, people, world, django_assert_max_num_queries
):
    headers = bearer(people["leader"])
    client.get("/api/v1/projects", **headers)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/projects", {"limit": 2}, **headers)
    ProjectFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/projects", {"limit": 30}, **headers)
    assert len(many) == len(few)


def test_a_bad_cursor_and_a_limit_out_of_range_answer_422_with_the_field(client, people, world):
    headers = bearer(people["leader"])
    assert (
        client.get("/api/v1/projects", {"cursor": "abc"}, **headers).json()["detail"][0]["field"] == "cursor"
    )
    response = client.get("/api/v1/projects", {"limit": 1000}, **headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"


def test_the_api_filters_like_the_registers_statistics_drill_down(client, people, world):
    city = world["city"]
    city.intake_on, city.started_on, city.produced_on = D(2012, 3, 5), D(2012, 6, 18), D(2012, 11, 2)
    city.save()
    headers = bearer(people["leader"])
    listed = {
        name: codes(client.get("/api/v1/projects", {name: value}, **headers))
        for name, value in (
            ("intake_month", "2012-03"),
            ("started_month", "2012-06"),
            ("produced_month", "2012-11"),
            ("started_month", "2012-03"),
        )
    }
    assert listed == {
        "intake_month": {city.code},
        "started_month": set(),  # the last asked, March: nothing started then
        "produced_month": {city.code},
    }
    assert codes(client.get("/api/v1/projects", {"started_month": "2012-06"}, **headers)) == {city.code}
    started = codes(client.get("/api/v1/projects", {"served_year": 2012, "started": "true"}, **headers))
    assert city.code in started and world["guanghan"].code not in started
    refused = client.get("/api/v1/projects", {"produced_month": "2012-13"}, **headers)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "produced_month"


def intake_payload(**overrides):
    payload = {
        "name": "德阳氢能装备产业园",
        "total_investment_wan": "88000.00",
        "industry": "C",
        "region": "510600",
        "level": "city",
        "signed_on": "2012-06-01",
        "intake_on": "2012-06-03",
        "departments": ["fgw"],
        "new_investor": {"name": "东方氢能有限公司", "uscc": make_uscc(777)},
    }
    payload.update(overrides)
    return payload


def test_intake_through_the_api_registers_and_audits(client, people, city):
    response = client.post(
        "/api/v1/projects", intake_payload(), content_type="application/json", **bearer(people["agent1"])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code_is_provisional"] is True
    assert body["investor"]["name"] == "东方氢能有限公司"
    assert AuditEntry.objects.filter(object_type="projects.project", action="create").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"total_investment_wan": "0"}, "total_investment_wan"),
        ({"region": "999999"}, "region"),
        ({"departments": ["nope"]}, "departments"),
        ({"new_investor": {"name": "x", "uscc": "91110000802100433C"}}, "investor_uscc"),
        ({"intake_on": "2012-13-01"}, "intake_on"),
    ],
)
def test_bad_intake_answers_422_naming_the_field_and_writes_nothing(client, people, city, overrides, field):
    response = client.post(
        "/api/v1/projects",
        intake_payload(**overrides),
        content_type="application/json",
        **bearer(people["agent1"]),
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert not Project.objects.exists()


def test_a_clerk_may_not_take_a_project_in_403(client, people, city):
    response = client.post(
        "/api/v1/projects", intake_payload(), content_type="application/json", **bearer(people["clerk_fgw"])
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_stage_change_through_the_api_and_a_stale_version_is_409(client, people, world):
    project = world["city"]
    headers = bearer(people["agent1"])
    url = f"/api/v1/projects/{project.code}/stage"
    ok = client.post(
        url,
        {"target": "approved", "on": "2012-05-01", "version": 1},
        content_type="application/json",
        **headers,
    )
    assert ok.status_code == 200
    assert (ok.json()["stage"], ok.json()["version"]) == ("approved", 2)
    stale = client.post(
        url,
        {"target": "started", "on": "2012-08-01", "version": 1},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409
    project.refresh_from_db()
    assert project.stage == "approved"


def test_a_forbidden_stage_change_answers_422_with_the_field(client, people, world):
    project = world["city"]
    response = client.post(
        f"/api/v1/projects/{project.code}/stage",
        {"target": "producing", "on": "2012-05-01", "version": 1},
        content_type="application/json",
        **bearer(people["agent1"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "target"


def test_investors_list_is_scoped(client, people, world):
    body = client.get("/api/v1/investors", **bearer(people["investor_yulong"])).json()
    assert [item["name"] for item in body["items"]] == ["江苏玉龙钢管股份有限公司"]
    other = world["mianzhu"].investor.uscc
    assert client.get(f"/api/v1/investors/{other}", **bearer(people["investor_yulong"])).status_code == 404


@override_settings(ONEWINDOW_API_RATE="3/m")
def test_a_token_over_its_rate_gets_429_with_retry_after(client, people, world):
    headers = bearer(people["leader"])
    statuses = [client.get("/api/v1/projects", **headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client.get("/api/v1/projects", **headers).headers["Retry-After"]) >= 1
    assert client.get("/api/v1/projects", **bearer(people["agent1"])).status_code == 200


def test_the_openapi_schema_and_docs_page_are_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/projects" in schema["paths"]
    assert "/api/v1/stats/summary" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()


def test_a_token_reads_a_projects_plan_tasks_and_bill_like_the_session(client, people, world):
    headers = bearer(people["county_gh"])
    outside = world["mianzhu"].code
    for path in (
        f"/api/v1/projects/{outside}/plan",
        f"/api/v1/projects/{outside}/tasks",
        f"/api/v1/projects/{outside}/bill",
    ):
        assert client.get(path, **headers).status_code == 404
    assert client.get(f"/api/v1/projects/{outside}/plan").status_code == 401
