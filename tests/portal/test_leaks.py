"""Leak tests on the demo city: every public page, feed and download is read, and none may hold a
contact detail of the demo's investors, a staff member's name, an internal timeline entry or anything of
a confidential project or one not yet taken into agency. The private values are the demo's own."""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.portal import selectors
from onewindow.projects.models import Investor, Project, TimelineEntry


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city, loaded once for this module through ``onewindow demo --no-serve`` and emptied
    again afterwards for the other modules."""
    with django_db_blocker.unblock():
        try:
            with override_settings(DEMO=True):
                call_command("demo", "--no-serve", stdout=io.StringIO())
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def private_values(demo_city, django_db_blocker) -> dict[str, set[str]]:
    """What must never be public, less anything that is public in its own right (a person's name can
    also be a brand in an enterprise's name)."""
    with django_db_blocker.unblock():
        hidden_projects = Project.objects.filter(Q(confidential=True) | Q(intake_on__isnull=True))
        public_text = " ".join(
            [
                *selectors.public_projects().values_list("name", flat=True),
                *selectors.public_projects().values_list("investor__name", flat=True),
                *TimelineEntry.objects.filter(is_public=True).values_list("text", flat=True),
            ]
        )
        values = {
            "contacts": {
                value
                for row in Investor.objects.values_list(
                    "contact_name", "contact_phone", "contact_email", "legal_representative"
                )
                for value in row
                if value
            },
            "staff": {
                value
                for row in User.objects.values_list("username", "full_name", "email", "phone")
                for value in row
                if value and len(value) >= 2
            },
            "internal entries": set(
                TimelineEntry.objects.filter(is_public=False).values_list("text", flat=True)
            ),
            "hidden projects": {
                value for row in hidden_projects.values_list("name", "code") for value in row
            },
            "hidden investors": set(
                hidden_projects.exclude(investor__projects__in=selectors.public_projects()).values_list(
                    "investor__name", flat=True
                )
            ),
        }
        assert all(values.values()), "the demo city lost its private values"
        assert Project.objects.filter(confidential=True, intake_on__isnull=False).exists()
        return {
            kind: {value for value in found if value not in public_text} for kind, found in values.items()
        }


def _public_addresses() -> list[str]:
    projects = list(selectors.public_projects().values_list("pk", flat=True))
    pages = (len(projects) + 23) // 24
    addresses = [
        reverse("portal:home"),
        reverse("portal:home") + "?year=2012",
        reverse("portal:home") + "?year=2013",
        reverse("portal:open-data"),
        reverse("portal:feedback"),
        reverse("portal:feedback-new"),
        reverse("portal:feed"),
        reverse("portal:projects-csv"),
        reverse("portal:projects-json"),
        reverse("portal:projects-json") + "?year=2012&level=county",
        "/sitemap.xml",
        "/robots.txt",
    ]
    addresses += [reverse("portal:projects") + f"?page={page}" for page in range(1, pages + 1)]
    addresses += [reverse("portal:project", args=[pk]) for pk in projects]
    addresses += [reverse("portal:project-feed", args=[pk]) for pk in projects[::7]]
    return addresses


def test_no_public_page_feed_or_download_of_the_demo_city_leaks_anything_private(db, private_values):
    client = Client()
    addresses = _public_addresses()
    assert len(addresses) > 700
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        text = response.content.decode("utf-8")
        for kind, values in private_values.items():
            leaked = [value for value in values if value in text]
            assert not leaked, (address, kind, leaked[:3])


def test_every_hidden_project_of_the_demo_city_answers_404(db, private_values):
    client = Client()
    hidden = Project.objects.filter(Q(confidential=True) | Q(intake_on__isnull=True))
    assert hidden.count() > 10
    for project in hidden:
        for name in ("portal:project", "portal:project-feed"):
            assert client.get(reverse(name, args=[project.pk])).status_code == 404


def test_the_demo_city_search_finds_yulong_by_steel_pipe(db, demo_city):
    response = Client().get(reverse("portal:projects"), {"q": "钢管"})
    names = [project.name for project in response.context["page"].object_list]
    assert "江苏玉龙钢管德阳生产基地项目" in names
    assert re.search(r"2012", Client().get(reverse("portal:home") + "?year=2012").text)
