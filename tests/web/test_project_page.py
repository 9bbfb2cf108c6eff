"""The project page: facts, stage buttons and their forms, timeline, phases, code and audit history."""

import datetime

import pytest
from django.urls import reverse

from onewindow.core.models import AuditEntry
from onewindow.projects import services
from onewindow.projects.models import Phase, Project, TimelineEntry

D = datetime.date


def page_url(project) -> str:
    return reverse("project-detail", args=[project.pk])


def stage_url(project) -> str:
    return reverse("project-stage", args=[project.pk])


def fresh(project) -> Project:
    return Project.objects.get(pk=project.pk)


def test_the_page_shows_the_facts_and_the_investors_contacts_to_staff_in_scope(login, world):
    project = world["city"]
    html = login("clerk_fgw").get(page_url(project)).text
    for text in (
        project.name,
        project.code,
        "江苏玉龙钢管股份有限公司",
        "张联系",
        "13800000000",
        "发展和改革委员会",
    ):
        assert text in html


def test_an_investor_sees_their_own_contacts_but_only_public_timeline_entries_and_no_audit(
    login, people, world
):
    project = world["city"]
    for text, public in (("已完成用地预审公示", True), ("业主资金尚未到位，需督促", False)):
        services.add_timeline_note(
            actor=people["agent1"], project=project, text=text, happened_on=D(2012, 5, 2), is_public=public
        )
    investor_page = login("investor_yulong").get(page_url(project)).text
    assert "张联系" in investor_page
    assert "已完成用地预审公示" in investor_page
    assert "业主资金尚未到位" not in investor_page
    assert "修改历史" not in investor_page
    staff_page = login("agent1").get(page_url(project)).text
    assert "业主资金尚未到位" in staff_page
    assert "修改历史" in staff_page


def test_the_allowed_stage_transitions_are_offered_as_buttons(login, world):
    html = login("agent1").get(page_url(world["city"])).text
    assert "推进至：已立项" in html
    assert ">暂缓<" in html and ">终止<" in html
    assert "推进至：已开工" not in html


@pytest.mark.parametrize(
    ("role", "project", "offered"),
    [
        ("agent1", "city", True),
        ("agent2", "city", False),
        ("agent2", "guanghan", True),
        ("clerk_fgw", "city", False),
        ("investor_yulong", "city", False),
        ("county_gh", "guanghan", True),
        ("leader", "mianzhu", True),
    ],
)
def test_buttons_appear_only_for_those_who_may_act(login, world, role, project, offered):
    html = login(role).get(page_url(world[project])).text
    assert ("推进至：已立项" in html) == offered
    assert (reverse("project-edit", args=[world[project].pk]) in html) == offered
    assert ('action="' + reverse("project-note", args=[world[project].pk]) in html) == offered


def _stage_post(project, target, on="2012-06-01", **extra):
    return {"target": target, "on": on, "version": project.version, "note": "", **extra}


def test_an_allowed_transition_moves_the_project_and_writes_the_timeline(login, world):
    project = world["city"]
    client = login("agent1")
    response = client.post(stage_url(project), _stage_post(project, "approved", note="发改委出具核准批复"))
    assert response.status_code == 302
    moved = fresh(project)
    assert moved.stage == "approved"
    assert moved.approved_on == D(2012, 6, 1)
    assert moved.version == project.version + 1
    entry = TimelineEntry.objects.get(project=project, to_stage="approved")
    assert "发改委出具核准批复" in entry.text
    page = client.get(response.url).text
    assert "阶段已变更为“已立项”。" in page


def test_a_forbidden_transition_gives_an_error_and_changes_nothing(login, world):
    project = world["city"]
    response = login("agent1").post(stage_url(project), _stage_post(project, "producing"))
    assert response.status_code == 400
    assert "项目不能从“已受理代办”变更为“已投产”。" in response.text
    assert fresh(project).stage == "intake"
    assert not TimelineEntry.objects.filter(project=project).exists()


def test_a_date_before_the_previous_stage_is_shown_on_the_date_field(login, world):
    project = world["city"]
    response = login("agent1").post(stage_url(project), _stage_post(project, "approved", on="2012-01-01"))
    assert response.status_code == 400
    assert 'id="id_stage_approved_on_error"' in response.text
    assert "该日期早于上一阶段的日期（2012-04-01）。" in response.text
    assert fresh(project).stage == "intake"


def test_suspending_needs_a_reason(login, world):
    project = world["city"]
    response = login("agent1").post(stage_url(project), _stage_post(project, "suspended"))
    assert response.status_code == 400
    assert 'id="id_stage_suspended_reason_error"' in response.text
    assert fresh(project).stage == "intake"


def test_a_suspended_project_offers_to_resume_where_it_stopped(login, world):
    project = world["city"]
    client = login("agent1")
    client.post(stage_url(project), _stage_post(project, "suspended", reason="等待规划调整"))
    suspended = fresh(project)
    assert suspended.stage == "suspended"
    html = client.get(page_url(project)).text
    assert "恢复：已受理代办" in html
    client.post(stage_url(project), _stage_post(suspended, "intake", on="2012-07-01"))
    assert fresh(project).stage == "intake"


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(login, people, world):
    project = world["city"]
    stale_version = project.version
    services.update_project(
        actor=people["leader"],
        project=fresh(project),
        expected_version=stale_version,
        changes={"name": "江苏玉龙钢管项目（一期）"},
    )
    response = login("agent1").post(
        stage_url(project), {**_stage_post(project, "approved"), "version": stale_version}
    )
    assert response.status_code == 409
    assert "已有其他人保存了修改" in response.text
    after = fresh(project)
    assert after.stage == "intake"
    assert after.version == stale_version + 1
    assert not TimelineEntry.objects.filter(project=project, kind="stage").exists()
    # The page shown is the current one, so the next try carries the current version.
    assert "江苏玉龙钢管项目（一期）" in response.text
    assert f'name="version" value="{after.version}"' in response.text


def test_the_service_refuses_an_agent_acting_on_another_agents_project(login, world):
    project = world["city"]
    response = login("agent2").post(stage_url(project), _stage_post(project, "approved"))
    assert response.status_code == 403
    assert fresh(project).stage == "intake"


@pytest.mark.parametrize(
    ("role", "status"), [("clerk_fgw", 403), ("investor_yulong", 403), ("county_gh", 404)]
)
def test_roles_that_may_not_act_cannot_change_the_stage(login, world, role, status):
    project = world["city"]
    assert login(role).post(stage_url(project), _stage_post(project, "approved")).status_code == status
    assert fresh(project).stage == "intake"


def test_an_unknown_target_is_refused(login, world):
    project = world["city"]
    response = login("agent1").post(stage_url(project), _stage_post(project, "flying"))
    assert response.status_code == 400
    assert fresh(project).stage == "intake"


def test_the_stage_change_endpoint_accepts_only_post(login, world):
    assert login("agent1").get(stage_url(world["city"])).status_code == 405


def test_a_timeline_note_is_added_internal_by_default(login, world):
    project = world["city"]
    url = reverse("project-note", args=[project.pk])
    response = login("agent1").post(url, {"happened_on": "2012-05-10", "text": "组织联合踏勘"})
    assert response.status_code == 302
    entry = TimelineEntry.objects.get(project=project, text="组织联合踏勘")
    assert not entry.is_public
    assert entry.happened_on == D(2012, 5, 10)
    html = login("agent1").get(page_url(project)).text
    assert "组织联合踏勘" in html and "内部" in html


def test_an_empty_timeline_note_is_refused_on_its_field(login, world):
    project = world["city"]
    response = login("agent1").post(reverse("project-note", args=[project.pk]), {"happened_on": "2012-05-10"})
    assert response.status_code == 400
    assert 'id="id_note_text_error"' in response.text
    assert not TimelineEntry.objects.exists()


def test_a_national_code_replaces_the_provisional_one(login, world):
    project = world["city"]
    url = reverse("project-code", args=[project.pk])
    response = login("agent1").post(url, {"code": "2012-510600-03-01-654321", "version": project.version})
    assert response.status_code == 302
    after = fresh(project)
    assert after.code == "2012-510600-03-01-654321" and not after.code_is_provisional
    assert "录入代码" not in login("agent1").get(page_url(project)).text


def test_a_national_code_of_another_region_is_refused_on_the_code_field(login, world):
    project = world["city"]
    url = reverse("project-code", args=[project.pk])
    response = login("agent1").post(url, {"code": "2012-510681-03-01-654321", "version": project.version})
    assert response.status_code == 400
    assert 'id="id_code_code_error"' in response.text
    assert "地区段 510681 与项目所在地区 510600 不符。" in response.text
    assert fresh(project).code == project.code


def test_editing_the_facts_saves_only_what_changed_and_audits_it(login, people, world, mianzhu):
    project = world["city"]
    url = reverse("project-edit", args=[project.pk])
    form = login("agent1").get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        name: ("on" if value is True else "" if value in (None, False) else value)
        for name, value in data.items()
    }
    data["total_investment_wan"] = "8000.00"
    response = login("agent1").post(url, data)
    assert response.status_code == 302
    assert str(fresh(project).total_investment_wan) == "8000.00"
    entry = AuditEntry.objects.get(object_type="projects.project", action="update")
    assert entry.changes == {"total_investment_wan": ["5000.00", "8000.00"]}
    html = login("leader").get(page_url(project)).text
    assert "总投资（万元）" in html and "5000.00" in html and "8000.00" in html


def test_editing_from_a_stale_form_is_refused_with_the_conflict_message(login, people, world):
    project = world["city"]
    url = reverse("project-edit", args=[project.pk])
    services.update_project(
        actor=people["leader"],
        project=fresh(project),
        expected_version=project.version,
        changes={"fast_track": True},
    )
    data = {
        "name": "改名",
        "total_investment_wan": "5000.00",
        "industry": "C",
        "region": project.region_id,
        "level": "city",
        "construction_nature": "new",
        "approval_type": "filing",
        "project_type": "01",
        "agent": people["agent1"].pk,
        "version": project.version,
    }
    response = login("agent1").post(url, data)
    assert response.status_code == 409
    assert "已有其他人保存了修改" in response.text
    assert fresh(project).name == project.name


def test_a_phase_is_added_and_then_edited(login, world):
    project = world["city"]
    client = login("agent1")
    response = client.post(
        reverse("phase-add", args=[project.pk]),
        {
            "name": "一期主厂房",
            "scale": "年产钢管 30 万吨",
            "investment_wan": "120000",
            "started_on": "2012-08-20",
        },
    )
    assert response.status_code == 302
    phase = Phase.objects.get(project=project)
    assert phase.sequence == 1
    response = client.post(
        reverse("phase-edit", args=[project.pk, phase.pk]),
        {"sequence": "1", "name": "一期主厂房", "started_on": "2012-08-20", "completed_on": "2012-11-30"},
    )
    assert response.status_code == 302
    assert Phase.objects.get(pk=phase.pk).completed_on == D(2012, 11, 30)
    assert "一期主厂房" in client.get(page_url(project)).text


def test_a_phase_completed_before_it_started_is_refused_on_its_field(login, world):
    project = world["city"]
    response = login("agent1").post(
        reverse("phase-add", args=[project.pk]),
        {"name": "二期", "started_on": "2012-08-20", "completed_on": "2012-08-01"},
    )
    assert response.status_code == 400
    assert "completed_on" in response.context["form"].errors
    assert not Phase.objects.exists()


def test_a_phase_of_another_project_is_not_found(login, world):
    other = Phase.objects.create(project=world["mianzhu"], sequence=1, name="一期")
    url = reverse("phase-edit", args=[world["city"].pk, other.pk])
    assert login("leader").get(url).status_code == 404


def test_the_audit_history_lists_the_projects_changes_as_before_and_after(login, people, world):
    project = world["city"]
    services.change_stage(
        actor=people["agent1"],
        project=fresh(project),
        target="approved",
        on=D(2012, 6, 1),
        expected_version=1,
    )
    html = login("leader").get(page_url(project)).text
    history = html[html.index('id="audit-title"') :]
    assert "阶段变更" in history
    assert "已受理代办" in history and "已立项" in history
    assert "agent1" in history
