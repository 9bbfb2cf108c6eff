import datetime

import pytest
from django.core.exceptions import ValidationError

from onewindow.accounts import tokens
from onewindow.core.models import AuditEntry
from onewindow.projects.models import Project
from onewindow.promotion import services
from onewindow.promotion.models import Lead
from tests.factories import make_uscc

D = datetime.date


def bearer(user) -> dict:
    _token, secret = tokens.create_api_token(actor=user, owner=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _form(**values) -> dict:
    return {
        "title": "页面线索",
        "source": "fair",
        "industry": "C",
        "investor_name": "页面投资公司",
        "expected_investment_wan": "8000",
        "region": "",
        "owner": "",
        "found_on": "2024-02-01",
        "notes": "",
    } | values


def test_an_agent_records_a_lead_on_the_page_and_lands_on_it(login, people, city):
    browser = login("agent1")
    response = browser.post("/leads/new/", _form(region=city.pk, owner=people["agent1"].pk), follow=True)
    lead = Lead.objects.get()
    assert response.redirect_chain[-1][0] == f"/leads/{lead.pk}/"
    assert "页面线索" in response.content.decode()


def test_the_form_shows_the_service_errors_on_their_fields_and_writes_nothing(login, people, city):
    browser = login("agent1")
    response = browser.post(
        "/leads/new/",
        _form(
            region=city.pk,
            owner=people["agent1"].pk,
            expected_investment_wan="-5",
            found_on=(datetime.date.today() + datetime.timedelta(days=5)).isoformat(),
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"found_on", "expected_investment_wan"}
    assert not Lead.objects.exists()


def test_the_page_moves_a_lead_forward_and_shows_its_history(login, make_lead):
    lead = make_lead()
    browser = login("agent1")
    response = browser.post(
        f"/leads/{lead.pk}/advance/",
        {"advance-target": "visit", "advance-on": "2024-03-20", "advance-note": "赴园区考察"},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "赴园区考察" in text and "2024-03-20" in text
    bad = browser.post(
        f"/leads/{lead.pk}/advance/", {"advance-target": "negotiation", "advance-on": "2024-03-01"}
    )
    assert bad.status_code == 400
    assert "on" in bad.context["advance_form"].errors


def test_a_leader_converts_a_lead_on_the_page_and_lands_on_the_new_project(login, make_lead, people):
    lead = make_lead()
    services.advance_lead(
        actor=people["agent1"], lead=lead, target="signed", on=D(2024, 5, 1), note="签约仪式"
    )
    response = login("leader").post(
        f"/leads/{lead.pk}/convert/",
        {
            "convert-project_name": "转化后的公开项目",
            "convert-on": "2024-05-10",
            "convert-level": "city",
            "convert-uscc": make_uscc(77),
        },
        follow=True,
    )
    project = Project.objects.get()
    assert response.redirect_chain[-1][0] == f"/projects/{project.pk}/"
    text = response.content.decode()
    assert "转化后的公开项目" in text and "签约仪式" in text


def test_the_api_records_a_lead_and_names_bad_fields(client, people, city):
    headers = bearer(people["agent1"])
    payload = {
        "title": "接口线索",
        "source": "online",
        "industry": "I",
        "investor_name": "接口投资公司",
        "expected_investment_wan": "3000.50",
        "region": city.code,
        "found_on": "2024-01-15",
    }
    response = client.post("/api/v1/leads", payload, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["stage"], body["owner"], body["expected_investment_wan"]) == (
        "接口线索",
        "lead",
        "agent1",
        "3000.50",
    )
    assert [entry["to_stage"] for entry in body["history"]] == ["lead"]
    bad = client.post(
        "/api/v1/leads",
        payload | {"source": "gossip", "expected_investment_wan": "0"},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["detail"]} == {"source", "expected_investment_wan"}
    assert Lead.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="promotion.lead").count() == 1


def test_the_api_moves_a_lead_forward_and_refuses_going_back(client, people, make_lead):
    lead = make_lead()
    headers = bearer(people["agent1"])
    response = client.post(
        f"/api/v1/leads/{lead.pk}/advance",
        {"target": "negotiation", "on": "2024-04-01", "note": "洽谈"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "negotiation"
    back = client.post(
        f"/api/v1/leads/{lead.pk}/advance",
        {"target": "contact", "on": "2024-04-02"},
        content_type="application/json",
        **headers,
    )
    assert back.status_code == 422
    assert back.json()["detail"][0]["field"] == "target"


def test_the_api_list_pages_by_keyset(client, people, make_lead):
    made = [make_lead(f"线索{number}") for number in range(5)]
    headers = bearer(people["agent1"])
    first = client.get("/api/v1/leads?limit=2", **headers).json()
    second = client.get(f"/api/v1/leads?limit=2&cursor={first['next_cursor']}", **headers).json()
    third = client.get(f"/api/v1/leads?limit=2&cursor={second['next_cursor']}", **headers).json()
    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert sorted(seen) == sorted(lead.pk for lead in made)
    assert len(set(seen)) == 5 and third["next_cursor"] is None
    assert client.get("/api/v1/leads?cursor=abc", **headers).status_code == 422


def test_the_owner_edits_a_lead_and_the_change_is_audited(login, make_lead, people, city):
    lead = make_lead()
    browser = login("agent1")
    form = browser.get(f"/leads/{lead.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = browser.post(f"/leads/{lead.pk}/edit/", data | {"expected_investment_wan": "15000.00"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.expected_investment_wan == 15000
    entry = AuditEntry.objects.filter(object_type="promotion.lead", action="update").get()
    assert entry.changes == {"expected_investment_wan": ["12000.00", "15000.00"]}
    assert login("agent2").get(f"/leads/{lead.pk}/edit/").status_code == 404
    assert login("county_gh").get(f"/leads/{lead.pk}/edit/").status_code == 404


def test_a_converted_lead_keeps_its_facts_only_its_notes_stay_open(make_lead, people):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="signed", on=D(2024, 5, 1))
    services.convert_lead(
        actor=people["agent1"], lead=lead, project_name="项目丙", on=D(2024, 5, 2), uscc=make_uscc(8)
    )
    with pytest.raises(ValidationError) as caught:
        services.update_lead(actor=people["agent1"], lead=lead, changes={"title": "改名"})
    assert set(caught.value.message_dict) == {"stage"}
    services.update_lead(actor=people["agent1"], lead=lead, changes={"notes": "已转入代办，后续跟踪"})
    lead.refresh_from_db()
    assert (lead.title, lead.notes) == ("线索甲", "已转入代办，后续跟踪")
