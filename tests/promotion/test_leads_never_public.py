"""Leads are confidential: no public page, feed, sitemap or open-data download ever holds a lead's
name or notes, not even after the lead became a public project."""

import datetime

import pytest
from django.urls import reverse

from onewindow.portal import selectors as portal_selectors
from onewindow.promotion import services
from tests.factories import make_uscc

D = datetime.date
SECRET_TITLE = "绝密线索ZX7Q9"
SECRET_NOTE = "客商底价ZX7Q9仅限内部"
SECRET_STEP = "考察纪要ZX7Q9"
PUBLIC_NAME = "德阳精密齿轮公开项目"


@pytest.fixture
def converted(make_lead, people, guanghan):
    open_lead = make_lead(
        SECRET_TITLE + "-未转化", notes=SECRET_NOTE, region=guanghan, actor=people["county_gh"]
    )
    services.advance_lead(
        actor=people["county_gh"], lead=open_lead, target="visit", on=D(2024, 3, 9), note=SECRET_STEP
    )
    lead = make_lead(SECRET_TITLE, notes=SECRET_NOTE)
    services.advance_lead(
        actor=people["agent1"], lead=lead, target="visit", on=D(2024, 3, 9), note=SECRET_STEP
    )
    services.advance_lead(actor=people["agent1"], lead=lead, target="signed", on=D(2024, 4, 9))
    return services.convert_lead(
        actor=people["agent1"], lead=lead, project_name=PUBLIC_NAME, on=D(2024, 4, 20), uscc=make_uscc(42)
    )


def _public_addresses(project) -> list[str]:
    return [
        reverse("portal:home"),
        reverse("portal:home") + "?year=2024",
        reverse("portal:projects"),
        reverse("portal:projects") + "?q=绝密线索",
        reverse("portal:project", args=[project.pk]),
        reverse("portal:project-feed", args=[project.pk]),
        reverse("portal:feed"),
        reverse("portal:open-data"),
        reverse("portal:projects-csv"),
        reverse("portal:projects-json"),
        reverse("portal:projects-json") + "?year=2024",
        reverse("portal:feedback"),
        "/sitemap.xml",
        "/robots.txt",
        "/api/v1/stats/summary?year=2024",
    ]


def test_no_public_page_feed_sitemap_or_download_holds_anything_of_a_lead(client, converted):
    assert portal_selectors.public_projects().filter(pk=converted.pk).exists()
    for address in _public_addresses(converted):
        response = client.get(address)
        assert response.status_code == 200, address
        text = b"".join(response.streaming_content) if response.streaming else response.content
        text = text.decode("utf-8")
        for secret in ("ZX7Q9", SECRET_TITLE, SECRET_NOTE, SECRET_STEP):
            assert secret not in text, (address, secret)


def test_the_converted_projects_public_page_shows_its_public_facts_only(client, converted):
    response = client.get(reverse("portal:project", args=[converted.pk]))
    text = response.content.decode()
    assert PUBLIC_NAME in text and converted.code in text
    assert "ZX7Q9" not in text
    # The lead's history is on the project's timeline for the staff, as internal entries only.
    assert converted.timeline.filter(is_public=False, text__contains=SECRET_STEP).exists()
    assert not converted.timeline.filter(is_public=True, text__contains="ZX7Q9").exists()


def test_no_public_address_leads_to_the_lead_pages(client, converted):
    assert client.get("/public/leads/").status_code == 404
    assert client.get("/leads/").status_code == 302  # the staff page asks for a login
    assert client.get("/api/v1/leads").status_code == 401
