"""The leak test of the portal (tests/portal/test_leaks.py), run on the public API over the demo city:
every public answer is read, and none may hold a contact, a staff member, an internal timeline entry or
anything of a confidential project or one not yet taken into agency."""

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.test import Client, override_settings

from onewindow.portal import selectors
from onewindow.projects.models import Project
from tests.portal.test_leaks import demo_city, private_values  # noqa: F401  (module-scoped fixtures)


@pytest.fixture(autouse=True)
def unlimited():
    cache.clear()
    with override_settings(ONEWINDOW_API_RATE="100000/m"):
        yield
    cache.clear()


def _public_answers(client: Client):
    cursor = None
    while True:
        response = client.get(
            "/api/v1/public/projects", {"limit": 200, **({"cursor": cursor} if cursor else {})}
        )
        yield response
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    for code in selectors.public_projects().values_list("code", flat=True):
        yield client.get(f"/api/v1/public/projects/{code}")
    for year in (2012, 2013):
        yield client.get("/api/v1/public/summary", {"year": year})


def test_no_public_answer_of_the_api_over_the_demo_city_leaks_anything_private(db, private_values):  # noqa: F811
    client = Client()
    answers = 0
    for response in _public_answers(client):
        assert response.status_code == 200, response.request["PATH_INFO"]
        text = response.content.decode("utf-8")
        for kind, values in private_values.items():
            leaked = [value for value in values if value in text]
            assert not leaked, (response.request["PATH_INFO"], kind, leaked[:3])
        answers += 1
    assert answers > 300


def test_every_hidden_project_of_the_demo_city_answers_404_on_the_api(db, private_values):  # noqa: F811
    client = Client()
    hidden = Project.objects.filter(Q(confidential=True) | Q(intake_on__isnull=True))
    assert hidden.count() > 10
    for code in hidden.values_list("code", flat=True):
        assert client.get(f"/api/v1/public/projects/{code}").status_code == 404
