"""The public data under /api/v1/public: anonymous, exactly the portal's public facts (the open data's
fields), never a confidential project, one not yet taken in, an internal note or a contact."""

import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from onewindow.portal import opendata, selectors
from tests.factories import ProjectFactory
from tests.portal.conftest import INTERNAL_NOTE, PIPELINE_NAME, PUBLIC_NOTE, SECRET_NAME


@pytest.fixture(autouse=True)
def fresh_cache():
    """The rate budgets live in the cache: every test starts with a full one."""
    cache.clear()
    yield
    cache.clear()


def listed(client, **params) -> list[str]:
    response = client.get("/api/v1/public/projects", params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_the_public_list_holds_exactly_the_public_projects_with_the_open_data_fields(client, public_world):
    response = client.get("/api/v1/public/projects")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["code"] for item in items} == set(selectors.public_projects().values_list("code", flat=True))
    assert {item["code"] for item in items} == {
        public_world.city.code,
        public_world.guanghan.code,
        public_world.mianzhu.code,
    }
    assert all(list(item) == [field.name for field in opendata.FIELDS] for item in items)
    (yulong,) = [item for item in items if item["code"] == public_world.city.code]
    assert yulong["investor"] == "江苏玉龙钢管股份有限公司"
    assert yulong["url"].endswith(f"/public/projects/{public_world.city.pk}/")


def test_nothing_private_is_in_any_public_answer(client, public_world):
    private = {
        SECRET_NAME,
        PIPELINE_NAME,
        public_world.secret.code,
        public_world.pipeline.code,
        INTERNAL_NOTE,
        "李保密",
        "13999999999",
        "secret@example.com",
        *(person.username for person in public_world.people.values()),
    }
    answers = [
        client.get("/api/v1/public/projects"),
        client.get("/api/v1/public/projects", {"q": "保密"}),
        client.get("/api/v1/public/summary", {"year": 2012}),
        *(
            client.get(f"/api/v1/public/projects/{project.code}")
            for project in (public_world.city, public_world.guanghan, public_world.mianzhu)
        ),
    ]
    for answer in answers:
        assert answer.status_code == 200
        text = json.dumps(answer.json(), ensure_ascii=False)
        assert not [value for value in private if value in text]
        for name in ("contact", "legal_representative", "agent", "confidential", "description"):
            assert f'"{name}' not in text


def test_a_confidential_or_not_yet_taken_in_project_answers_404_like_a_code_never_issued(
    client, public_world
):
    for code in (public_world.secret.code, public_world.pipeline.code, "9999-999999-99-99-999999"):
        response = client.get(f"/api/v1/public/projects/{code}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


def test_a_public_project_shows_its_facts_and_only_its_public_timeline(client, public_world):
    response = client.get(f"/api/v1/public/projects/{public_world.city.code.lower()}")
    assert response.status_code == 200
    data = response.json()
    assert (data["name"], data["stage"], data["started_on"]) == ("江苏玉龙钢管项目", "started", "2012-08-16")
    assert [entry["text"] for entry in data["timeline"]] == [PUBLIC_NOTE]
    assert data["approvals"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "started"}, ["江苏玉龙钢管项目"]),
        ({"region": "510681"}, None),
        ({"q": "玉龙"}, ["江苏玉龙钢管项目"]),
        ({"fast_track": "true"}, ["江苏玉龙钢管项目"]),
    ],
)
def test_each_public_filter_narrows_the_list(client, public_world, params, expected):
    if expected is None:
        expected = [public_world.guanghan.name]
    assert listed(client, **params) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "negotiating"}, "stage"),
        ({"industry": "Z"}, "industry"),
        ({"level": "province"}, "level"),
        ({"region": "000000"}, "region"),
        ({"year": "1500"}, "year"),
        ({"cursor": "abc"}, "cursor"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_a_filter_value_the_list_does_not_know_is_422_naming_it(client, public_world, params, field):
    response = client.get("/api/v1/public/projects", params)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_the_cursor_walks_every_public_project_once(client, public_world):
    ProjectFactory.create_batch(4)
    ProjectFactory(confidential=True)
    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/public/projects", {"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(selectors.public_projects().values_list("code", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_the_public_list_costs_the_same_queries_whatever_its_length(
    client, public_world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        client.get("/api/v1/public/projects", {"limit": 3})
    ProjectFactory.create_batch(10)
    with django_assert_num_queries(1):
        assert len(client.get("/api/v1/public/projects", {"limit": 13}).json()["items"]) == 13


def test_the_summary_gives_the_portals_headline_figures(client, public_world):
    response = client.get("/api/v1/public/summary", {"year": 2012})
    assert response.status_code == 200
    headline = selectors.headline(2012)
    data = response.json()
    assert data["projects"] == headline.projects
    assert data["investment_wan"] == f"{headline.investment_wan:.2f}"
    assert data["started_projects"] == headline.started_projects == 1
    assert client.get("/api/v1/public/summary").json()["year"] == selectors.default_year(
        selectors.available_years()
    )
    assert [
        error["field"] for error in client.get("/api/v1/public/summary", {"year": 3000}).json()["detail"]
    ] == ["year"]


def test_the_public_data_keeps_the_api_rate_per_address(client, public_world):
    with override_settings(ONEWINDOW_API_RATE="3/m"):
        answers = [client.get("/api/v1/public/summary", {"year": 2012}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].has_header("Retry-After")
