import pytest

from tests.analytics.test_summary import projects_around_2012  # noqa: F401  (fixture)


def test_summary_api_answers_the_public_figures_as_decimal_strings(client, projects_around_2012):  # noqa: F811
    response = client.get("/api/v1/stats/summary", {"year": 2012})
    assert response.status_code == 200
    assert response.json() == {
        "year": 2012,
        "all": {
            "projects": 4,
            "investment_wan": "123700.50",
            "started_projects": 2,
            "started_investment_wan": "103000.00",
        },
        "city_level": {
            "projects": 2,
            "investment_wan": "120000.50",
            "started_projects": 1,
            "started_investment_wan": "100000.00",
        },
        "county_level": {
            "projects": 2,
            "investment_wan": "3700.00",
            "started_projects": 1,
            "started_investment_wan": "3000.00",
        },
    }


@pytest.mark.parametrize("year", ["abc", "1899", "3000", "2012.5", ""])
def test_summary_api_refuses_a_bad_year_with_422_and_a_message(client, db, year):
    response = client.get("/api/v1/stats/summary", {"year": year})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "year"
    assert "2000" in error["message"]


def test_summary_api_without_a_year_names_the_missing_field(client, db):
    response = client.get("/api/v1/stats/summary")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "year"


def test_summary_api_carries_no_personal_data(client, world):
    body = client.get("/api/v1/stats/summary", {"year": 2012}).content.decode()
    for private in ("13800000000", "contact@example.com", "张联系", "玉龙"):
        assert private not in body
