"""Open data: the public list as CSV and JSON with the list's filters, the Atom feeds, and the page that
documents the fields and the licence."""

import csv
import io
import json
import xml.etree.ElementTree as ET

from django.urls import reverse

from onewindow.portal import opendata
from tests.portal.conftest import INTERNAL_NOTE, PUBLIC_NOTE, SECRET_NAME

ATOM = "{http://www.w3.org/2005/Atom}"
PRIVATE = ("张联系", "13800000000", "contact@example.com", "李保密", "13999999999", "secret@example.com")


def _csv(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_csv_download_holds_the_documented_fields_of_every_public_project(anonymous, public_world):
    response = anonymous.get(reverse("portal:projects-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    rows = _csv(response)
    assert list(rows[0]) == [field.name for field in opendata.FIELDS]
    assert {row["name"] for row in rows} == {"江苏玉龙钢管项目", "广汉食品加工项目", "绵竹新材料项目"}
    yulong = next(row for row in rows if row["name"] == "江苏玉龙钢管项目")
    assert yulong["investor"] == "江苏玉龙钢管股份有限公司"
    assert yulong["total_investment_wan"] == "5000.00"
    assert yulong["started_on"] == "2012-08-16"
    assert yulong["fast_track"] == "true"
    assert yulong["url"] == f"http://testserver{reverse('portal:project', args=[public_world.city.pk])}"


def test_the_downloads_take_the_same_filters_as_the_list(anonymous, public_world):
    query = {"level": "county", "q": "广汉"}
    assert [row["name"] for row in _csv(anonymous.get(reverse("portal:projects-csv"), query))] == [
        "广汉食品加工项目"
    ]
    data = json.loads(anonymous.get(reverse("portal:projects-json"), query).content)
    assert [project["name"] for project in data["projects"]] == ["广汉食品加工项目"]
    assert data["filters"] == {"q": "广汉", "level": "county", "sort": "-intake"}


def test_the_json_download_states_its_licence_fields_and_count(anonymous, public_world):
    response = anonymous.get(reverse("portal:projects-json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["licence"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert data["fields"] == [field.name for field in opendata.FIELDS]
    assert data["count"] == len(data["projects"]) == 3
    assert all(list(project) == data["fields"] for project in data["projects"])
    assert data["documentation"] == "http://testserver" + reverse("portal:open-data")


def test_no_download_holds_personal_data_or_a_confidential_project(anonymous, public_world):
    for name in ("portal:projects-csv", "portal:projects-json"):
        text = anonymous.get(reverse(name)).content.decode("utf-8")
        assert SECRET_NAME not in text and public_world.secret.code not in text
        for private in PRIVATE:
            assert private not in text, (name, private)


def test_a_name_that_looks_like_a_formula_cannot_run_in_a_spreadsheet(anonymous, public_world):
    public_world.city.name = '=HYPERLINK("http://evil.example")'
    public_world.city.save()
    rows = _csv(anonymous.get(reverse("portal:projects-csv")))
    assert any(row["name"].startswith("'=") for row in rows)


def _entries(response) -> list[ET.Element]:
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 (our own feed)


def test_the_atom_feed_holds_the_public_entries_of_public_projects_only(anonymous, public_world):
    entries = _entries(anonymous.get(reverse("portal:feed")))
    texts = [entry.findtext(f"{ATOM}summary") for entry in entries]
    assert PUBLIC_NOTE in texts
    assert INTERNAL_NOTE not in texts
    assert "保密项目的公开进展" not in texts
    link = entries[texts.index(PUBLIC_NOTE)].find(f"{ATOM}link").get("href")
    assert link.startswith(
        f"http://testserver{reverse('portal:project', args=[public_world.city.pk])}#entry-"
    )


def test_each_public_project_has_its_own_feed(anonymous, public_world):
    response = anonymous.get(reverse("portal:project-feed", args=[public_world.city.pk]))
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert "江苏玉龙钢管项目" in feed.findtext(f"{ATOM}title")
    assert [entry.findtext(f"{ATOM}summary") for entry in feed.findall(f"{ATOM}entry")] == [PUBLIC_NOTE]
    assert anonymous.get(reverse("portal:project-feed", args=[public_world.secret.pk])).status_code == 404


def test_the_open_data_page_documents_every_field_and_the_licence(anonymous, public_world):
    html = anonymous.get(reverse("portal:open-data")).text
    for field in opendata.FIELDS:
        assert f"<code>{field.name}</code>" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    assert reverse("portal:projects-csv") in html and reverse("portal:projects-json") in html
