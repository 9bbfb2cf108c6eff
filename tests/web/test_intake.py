"""The one-window intake form: a valid submission registers everything; an invalid one shows the error on
its field and writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.core.models import AuditEntry
from onewindow.projects.models import Investor, Project, TimelineEntry
from tests.factories import InvestorFactory, make_uscc

URL = reverse("project-intake")
TABLES = (Project, Investor, AuditEntry, TimelineEntry)


def row_counts() -> dict:
    """Rows of the register's tables; the security entries (signing in, the refusal itself) are left out."""
    return {model.__name__: _rows(model).count() for model in TABLES}


def _rows(model):
    if model is AuditEntry:
        return model.objects.exclude(action__in=["login", "permission_denied"])
    return model.objects.all()


@pytest.fixture
def submission(city, fgw, people):
    today = timezone.localdate()
    return {
        "investor_mode": "new",
        "investor_name": "德阳东汽配套装备有限公司",
        "investor_uscc": make_uscc(9001),
        "investor_legal_representative": "李明",
        "investor_contact_name": "赵敏",
        "investor_contact_phone": "13800001234",
        "investor_contact_email": "zhao@example.com",
        "name": "东汽配套装备产业化项目",
        "total_investment_wan": "35000.50",
        "industry": "C",
        "region": str(city.pk),
        "level": "city",
        "construction_nature": "new",
        "approval_type": "ratification",
        "project_type": "01",
        "description": "年产重型装备配套件 2 万吨",
        "fast_track": "on",
        "stage": "intake",
        "signed_on": (today - datetime.timedelta(days=30)).isoformat(),
        "intake_on": today.isoformat(),
        "national_code": "",
        "agent": str(people["agent1"].pk),
        "departments": [str(fgw.pk)],
    }


def test_the_intake_form_is_offered_in_chinese_with_an_agent_assigned_to_themselves(login, people, world):
    response = login("agent1").get(URL)
    assert response.status_code == 200
    for text in ("一窗受理", "投资方", "统一社会信用代码", "全国投资项目代码", "涉及部门", "登记项目"):
        assert text in response.text
    assert response.context["form"]["agent"].value() == people["agent1"].pk


def test_a_valid_submission_registers_project_investor_audit_rows_and_a_timeline_entry(
    login, people, submission, fgw
):
    before = row_counts()
    response = login("agent1").post(URL, submission)

    project = Project.objects.get(name="东汽配套装备产业化项目")
    assert response.status_code == 302
    assert response.url == reverse("project-detail", args=[project.pk])
    assert project.investor.uscc == submission["investor_uscc"]
    assert project.investor.contact_name == "赵敏"
    assert project.code_is_provisional and len(project.code) == 24
    assert str(project.total_investment_wan) == "35000.50"
    assert project.fast_track and project.agent == people["agent1"]
    assert list(project.departments.all()) == [fgw]
    after = row_counts()
    assert after["Project"] == before["Project"] + 1
    assert after["Investor"] == before["Investor"] + 1
    assert after["TimelineEntry"] == before["TimelineEntry"] + 1
    # The investor, the project and the timeline entry each have their audit row.
    assert after["AuditEntry"] == before["AuditEntry"] + 3
    audited = set(AuditEntry.objects.exclude(action="login").values_list("object_type", flat=True))
    assert {"projects.investor", "projects.project", "projects.timelineentry"} <= audited
    assert (
        AuditEntry.objects.filter(actor=people["agent1"], source_ip="127.0.0.1")
        .exclude(action="login")
        .count()
        == 3
    )

    page = login("agent1").get(response.url)
    assert "东汽配套装备产业化项目" in page.text
    assert project.code in page.text


def test_a_project_can_be_registered_for_an_already_registered_investor(login, submission):
    investor = InvestorFactory(name="四川宏华石油设备有限公司")
    submission.update(investor_mode="existing", investor=str(investor.pk), investor_uscc="", investor_name="")
    before = row_counts()
    response = login("leader").post(URL, submission)
    assert response.status_code == 302
    assert Project.objects.get(name=submission["name"]).investor == investor
    assert Investor.objects.count() == before["Investor"]


def test_an_official_national_code_is_kept(login, submission):
    submission["national_code"] = "2012-510600-03-01-123456"
    assert login("agent1").post(URL, submission).status_code == 302
    project = Project.objects.get(name=submission["name"])
    assert project.code == "2012-510600-03-01-123456"
    assert not project.code_is_provisional


def _wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _future() -> str:
    return (timezone.localdate() + datetime.timedelta(days=3)).isoformat()


INVALID = [
    pytest.param(
        {"investor_uscc": _wrong_check_character(make_uscc(9001))}, "investor_uscc", id="bad-uscc-check"
    ),
    pytest.param({"investor_uscc": "91510600"}, "investor_uscc", id="short-uscc"),
    pytest.param({"investor_name": "  "}, "investor_name", id="no-investor-name"),
    pytest.param({"total_investment_wan": "0"}, "total_investment_wan", id="investment-zero"),
    pytest.param({"total_investment_wan": "-5"}, "total_investment_wan", id="investment-negative"),
    pytest.param({"signed_on": ""}, "signed_on", id="missing-signing-date"),
    pytest.param({"intake_on": ""}, "intake_on", id="missing-intake-date"),
    pytest.param({"intake_on": _future()}, "intake_on", id="future-intake-date"),
    pytest.param(
        {"signed_on": "2012-05-01", "intake_on": "2012-04-01"}, "intake_on", id="intake-before-signing"
    ),
    pytest.param({"national_code": "2012-510681-03-01-123456"}, "national_code", id="code-of-another-region"),
    pytest.param({"national_code": "2012-5106"}, "national_code", id="malformed-code"),
    pytest.param({"level": "city", "region": "GUANGHAN"}, "level", id="city-level-in-a-county"),
    pytest.param(
        {"investor_mode": "existing", "investor": ""}, "investor", id="existing-investor-not-chosen"
    ),
    pytest.param({"name": ""}, "name", id="no-project-name"),
    pytest.param({"industry": "Z"}, "industry", id="unknown-industry"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID)
def test_an_invalid_submission_shows_the_error_on_its_field_and_writes_nothing(
    login, guanghan, submission, changes, field
):
    if changes.get("region") == "GUANGHAN":
        changes = {**changes, "region": str(guanghan.pk)}
    submission.update(changes)
    before = row_counts()

    response = login("agent1").post(URL, submission)

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert f'id="id_{field}_error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert row_counts() == before


def test_a_duplicate_investor_code_is_refused_on_the_code_field(login, submission):
    InvestorFactory(uscc=submission["investor_uscc"])
    before = row_counts()
    response = login("agent1").post(URL, submission)
    assert response.status_code == 400
    assert "该统一社会信用代码的投资方已登记。" in response.context["form"].errors["investor_uscc"]
    assert row_counts() == before


def test_errors_of_the_project_and_of_the_new_investor_are_shown_together(login, submission):
    submission.update(total_investment_wan="0", investor_uscc=_wrong_check_character(make_uscc(9001)))
    response = login("agent1").post(URL, submission)
    errors = response.context["form"].errors
    assert {"total_investment_wan", "investor_uscc"} <= set(errors)
    assert "该统一社会信用代码的校验位不正确。" in errors["investor_uscc"]


def test_what_was_typed_is_kept_after_an_error(login, submission):
    submission["total_investment_wan"] = "0"
    response = login("agent1").post(URL, submission)
    assert 'value="东汽配套装备产业化项目"' in response.text
    assert submission["investor_uscc"] in response.text


def test_county_staff_cannot_register_a_project_outside_their_county(login, people, submission, city):
    submission.update(level="county", region=str(city.pk), agent="")
    before = row_counts()
    response = login("county_gh").post(URL, submission)
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert row_counts() == before


def test_county_staff_register_in_their_county_by_default(login, guanghan, submission):
    form = login("county_gh").get(URL).context["form"]
    assert form["region"].value() == guanghan.pk
    assert form["level"].value() == "county"
    submission.update(level="county", region=str(guanghan.pk), agent="")
    assert login("county_gh").post(URL, submission).status_code == 302


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_roles_without_intake_rights_are_refused_and_nothing_is_written(login, submission, role):
    before = row_counts()
    assert login(role).post(URL, submission).status_code == 403
    assert row_counts() == before
    refusal = AuditEntry.objects.get(action="permission_denied")
    assert refusal.actor_name == role


def test_the_intake_service_itself_refuses_a_region_outside_the_actors_county(people, city, submission):
    from django.core.exceptions import ValidationError

    from onewindow.projects.services import NewInvestor, ProjectIntake, intake_project

    data = ProjectIntake(
        name="越界登记项目",
        total_investment_wan=Decimal("100"),
        industry="C",
        region=city,
        level="county",
        signed_on=datetime.date(2012, 3, 1),
        intake_on=datetime.date(2012, 4, 1),
    )
    with pytest.raises(ValidationError) as refused:
        intake_project(
            actor=people["county_gh"], data=data, new_investor=NewInvestor("某公司", make_uscc(77))
        )
    assert "region" in refused.value.message_dict
    assert not Project.objects.filter(name="越界登记项目").exists()
