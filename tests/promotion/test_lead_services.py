import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onewindow.core.models import AuditEntry
from onewindow.projects.models import Investor, Project, TimelineEntry
from onewindow.promotion import services
from onewindow.promotion.models import Lead, LeadStage, LeadStageChange
from onewindow.promotion.services import LeadData
from tests.factories import InvestorFactory, make_uscc

D = datetime.date


def test_a_new_lead_starts_its_history_at_the_lead_stage(make_lead):
    lead = make_lead()
    assert lead.stage == LeadStage.LEAD
    assert [(c.to_stage, c.happened_on) for c in lead.history.all()] == [("lead", D(2024, 3, 1))]
    assert AuditEntry.objects.filter(object_type="promotion.lead", object_id=str(lead.pk)).count() == 1


def test_a_lead_moves_forward_and_may_skip_a_step(make_lead, people):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="contact", on=D(2024, 3, 5))
    services.advance_lead(
        actor=people["agent1"], lead=lead, target="negotiation", on=D(2024, 4, 1), note="第二轮洽谈"
    )
    lead.refresh_from_db()
    assert lead.stage == LeadStage.NEGOTIATION
    assert lead.stage_on == D(2024, 4, 1)
    assert list(lead.history.values_list("to_stage", flat=True)) == ["lead", "contact", "negotiation"]
    assert lead.history.last().note == "第二轮洽谈"


def test_a_lead_never_moves_back_in_stage(make_lead, people):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="visit", on=D(2024, 3, 5))
    with pytest.raises(ValidationError) as caught:
        services.advance_lead(actor=people["agent1"], lead=lead, target="contact", on=D(2024, 3, 6))
    assert set(caught.value.message_dict) == {"target"}


def test_a_stage_date_before_the_current_stage_is_refused_naming_the_date_and_nothing_is_written(
    make_lead, people
):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="contact", on=D(2024, 5, 1))
    changes, audits = LeadStageChange.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.advance_lead(actor=people["agent1"], lead=lead, target="visit", on=D(2024, 4, 30))
    assert set(caught.value.message_dict) == {"on"}
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONTACT
    assert (LeadStageChange.objects.count(), AuditEntry.objects.count()) == (changes, audits)


def test_a_stage_date_in_the_future_is_refused(make_lead, people):
    lead = make_lead()
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        services.advance_lead(actor=people["agent1"], lead=lead, target="contact", on=tomorrow)
    assert set(caught.value.message_dict) == {"on"}


def test_going_into_agency_is_a_conversion_not_an_advance(make_lead, people):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="signed", on=D(2024, 5, 1))
    with pytest.raises(ValidationError) as caught:
        services.advance_lead(actor=people["agent1"], lead=lead, target="converted", on=D(2024, 5, 2))
    assert set(caught.value.message_dict) == {"target"}


def test_dropping_needs_a_reason_and_remembers_where_the_lead_stopped(make_lead, people):
    lead = make_lead()
    services.advance_lead(actor=people["agent1"], lead=lead, target="visit", on=D(2024, 3, 5))
    with pytest.raises(ValidationError) as caught:
        services.drop_lead(actor=people["agent1"], lead=lead, on=D(2024, 3, 9), reason="  ")
    assert set(caught.value.message_dict) == {"reason"}
    services.drop_lead(actor=people["agent1"], lead=lead, on=D(2024, 3, 9), reason="用地指标不足")
    lead.refresh_from_db()
    assert (lead.stage, lead.dropped_from, lead.drop_reason) == ("dropped", "visit", "用地指标不足")
    with pytest.raises(ValidationError):
        services.advance_lead(actor=people["agent1"], lead=lead, target="negotiation", on=D(2024, 3, 10))


def test_bad_input_names_every_field_and_writes_nothing(people, city):
    bad = LeadData(
        title=" ",
        source="rumour",
        industry="Z",
        investor_name="",
        expected_investment_wan=Decimal("0"),
        owner=people["clerk_fgw"],
        region=city,
        found_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as caught:
        services.create_lead(actor=people["leader"], data=bad)
    assert set(caught.value.message_dict) == {
        "title",
        "source",
        "industry",
        "investor_name",
        "expected_investment_wan",
        "owner",
        "found_on",
    }
    assert not Lead.objects.exists()
    assert not AuditEntry.objects.filter(object_type="promotion.lead").exists()


def test_a_county_centre_cannot_record_a_lead_outside_its_county(people, city, make_lead):
    with pytest.raises(ValidationError) as caught:
        make_lead(actor=people["county_gh"], region=city)
    assert set(caught.value.message_dict) == {"region"}


def test_an_agent_cannot_change_another_agents_lead(make_lead, people):
    lead = make_lead()
    with pytest.raises(PermissionDenied):
        services.advance_lead(actor=people["agent2"], lead=lead, target="contact", on=D(2024, 3, 5))


def test_clerks_and_investors_may_not_record_leads(people, city, make_lead):
    for role in ("clerk_fgw", "investor_yulong"):
        with pytest.raises(PermissionDenied):
            make_lead(actor=people[role], owner=people["agent1"])


def _signed(make_lead, people, **values):
    lead = make_lead(notes="客商关注用电保障", **values)
    actor = people["agent1"]
    services.advance_lead(actor=actor, lead=lead, target="contact", on=D(2024, 3, 10), note="首次接洽")
    services.advance_lead(actor=actor, lead=lead, target="visit", on=D(2024, 4, 2), note="实地考察园区")
    services.advance_lead(actor=actor, lead=lead, target="negotiation", on=D(2024, 5, 6))
    services.advance_lead(actor=actor, lead=lead, target="signed", on=D(2024, 6, 18), note="签订投资协议")
    return lead


def test_conversion_creates_the_project_and_keeps_the_history_as_internal_entries(make_lead, people):
    lead = _signed(make_lead, people)
    project = services.convert_lead(
        actor=people["agent1"],
        lead=lead,
        project_name="测试精密铸造项目",
        on=D(2024, 7, 1),
        uscc=make_uscc(901),
    )
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONVERTED and lead.project == project
    assert project.lead == lead
    assert (project.name, project.stage, project.total_investment_wan) == (
        "测试精密铸造项目",
        "intake",
        Decimal("12000.00"),
    )
    assert (project.negotiation_on, project.signed_on, project.intake_on) == (
        D(2024, 5, 6),
        D(2024, 6, 18),
        D(2024, 7, 1),
    )
    assert project.agent == people["agent1"]
    assert project.investor.name == "四川测试投资有限公司"
    assert lead.investor == project.investor
    internal = project.timeline.filter(is_public=False)
    texts = sorted(internal.values_list("happened_on", "text"))
    assert [day for day, _text in texts] == [
        D(2024, 3, 1),
        D(2024, 3, 10),
        D(2024, 4, 2),
        D(2024, 5, 6),
        D(2024, 6, 18),
        D(2024, 7, 1),
    ]
    assert any("实地考察园区" in text for _day, text in texts)
    assert any("客商关注用电保障" in text for _day, text in texts)
    # Nothing of the lead reaches the public timeline: only the intake's own public entry is there.
    public = list(project.timeline.filter(is_public=True).values_list("text", flat=True))
    assert len(public) == 1 and "线索甲" not in public[0]
    assert list(lead.history.values_list("to_stage", flat=True))[-1] == "converted"


def test_conversion_with_a_registered_investor_links_it_without_a_credit_code(make_lead, people):
    investor = InvestorFactory(name="德阳已登记投资公司")
    lead = _signed(make_lead, people, investor=investor)
    project = services.convert_lead(
        actor=people["leader"], lead=lead, project_name="已登记企业项目", on=D(2024, 7, 1)
    )
    assert project.investor == investor
    assert project.agent == people["agent1"]


def test_a_bad_credit_code_at_conversion_names_the_field_and_writes_nothing(make_lead, people):
    lead = _signed(make_lead, people)
    before = (Project.objects.count(), Investor.objects.count(), TimelineEntry.objects.count())
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.convert_lead(
            actor=people["agent1"],
            lead=lead,
            project_name="测试项目乙",
            on=D(2024, 7, 1),
            uscc="91510600XXXX",
        )
    assert set(caught.value.message_dict) == {"uscc"}
    lead.refresh_from_db()
    assert lead.stage == LeadStage.SIGNED and lead.project is None
    assert (Project.objects.count(), Investor.objects.count(), TimelineEntry.objects.count()) == before
    assert AuditEntry.objects.count() == audits


def test_conversion_needs_a_signed_lead_a_name_of_its_own_and_a_date_after_signing(make_lead, people):
    lead = make_lead()
    with pytest.raises(ValidationError) as caught:
        services.convert_lead(actor=people["agent1"], lead=lead, project_name="某项目", on=D(2024, 7, 1))
    assert set(caught.value.message_dict) == {"stage"}
    lead = _signed(make_lead, people, title="线索乙")
    with pytest.raises(ValidationError) as caught:
        services.convert_lead(
            actor=people["agent1"], lead=lead, project_name="线索乙", on=D(2024, 6, 1), uscc=make_uscc(3)
        )
    assert set(caught.value.message_dict) == {"project_name", "on"}
    assert not Project.objects.exists()
