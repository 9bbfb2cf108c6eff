"""The approval plans of the article's projects in the demo city: 玉龙's fast track, 秋月's site
selection with one joint survey, and the same-day company registrations of 博力迅 and 信仪."""

import datetime

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.approvals import plan_selectors, selectors, task_selectors
from onewindow.approvals.models import ApprovalTask, CatalogVersion, JointEventKind, Plan, TaskState
from onewindow.demo import approval_stories
from onewindow.demo.scenarios import YULONG_CODE
from onewindow.projects.models import Project

pytestmark = pytest.mark.usefixtures("demo_city")

D = datetime.date


def page_of(code: str) -> plan_selectors.PlanPage:
    return plan_selectors.plan_page(User.objects.get(username="leader"), Project.objects.get(code=code))


def test_the_named_projects_are_planned_on_the_default_catalog_chosen_explicitly():
    plans = Plan.objects.select_related("project", "catalog_version")
    stories = {story.project_code for story in approval_stories.stories()}
    planned = {plan.project.code for plan in plans}
    assert stories <= planned
    # Beside the stories, one project in hand today whose 发改 application is overdue (demo/coordination.py).
    assert len(planned - stories) == 1
    default = CatalogVersion.objects.get(source="default.yaml")
    for plan in plans:
        assert plan.catalog_version == default
        if plan.project.code in stories:
            # The default catalog takes effect in 2025: no version was in force on these 2012 starts.
            assert selectors.version_in_force(plan.start_on) is None


def test_yulong_is_planned_from_the_signing_to_construction_start_in_under_100_calendar_days():
    yulong = Project.objects.get(code=YULONG_CODE)
    page = page_of(YULONG_CODE)
    assert page.plan.start_on == yulong.signed_on
    assert (page.current.construction_start - yulong.signed_on).days < 100
    assert page.current.construction_start <= yulong.started_on
    assert not page.current.schedule.estimated


def test_yulong_permits_the_production_plant_first_and_files_the_auxiliary_facilities_later():
    yulong = Project.objects.get(code=YULONG_CODE)
    page = page_of(YULONG_CODE)
    fast_track = [entry for entry in page.changes if entry.item.code == "ZRZY-FA"]
    assert fast_track and not fast_track[0].included and "特事特办" in fast_track[0].reason
    plant, auxiliary = yulong.phases.order_by("sequence")
    assert page.expected.construction_start <= plant.started_on == yulong.started_on
    assert auxiliary.planned_start_on > plant.started_on
    assert "附属设施" in fast_track[0].reason
    # Every approval before the works was decided before the plant's construction began.
    before = ApprovalTask.objects.filter(project=yulong, item__stage__in=plan_selectors.BEFORE_WORKS)
    assert before.exists() and not before.exclude(state=TaskState.APPROVED).exists()
    assert max(before.values_list("decided_on", flat=True)) <= plant.started_on
    assert page.construction_slip.earlier


def test_qiuyue_chose_its_site_within_100_days_after_one_joint_survey_of_30_plus_bodies():
    qiuyue = Project.objects.get(code=approval_stories.QIUYUE_CODE)
    site = ApprovalTask.objects.get(project=qiuyue, item__code="ZRZY-YDYS")
    assert site.state == TaskState.APPROVED
    assert (site.decided_on - qiuyue.intake_on).days <= 100
    assert site.correction_rounds == 1
    survey = qiuyue.joint_events.get()
    assert survey.kind == JointEventKind.SITE_SURVEY
    assert site.accepted_on < survey.held_on < site.decided_on
    assert list(survey.tasks.all()) == [site]
    participants = survey.participants
    assert len(participants) >= 30
    assert any(name.startswith("四川省") for name in participants)
    assert any(name.startswith("德阳市") for name in participants)
    assert any(name.startswith("旌阳区") for name in participants)
    assert sum("机构" in name or "公司" in name or "院" in name for name in participants) >= 5
    assert {department.region.code for department in survey.departments.all()} == {"510600", "510603"}


@pytest.mark.parametrize("code", [approval_stories.BOLIXUN_CODE, approval_stories.XINYI_CODE])
def test_bolixun_and_xinyi_registered_their_company_on_the_day_of_their_intake(code):
    project = Project.objects.get(code=code)
    registration = ApprovalTask.objects.get(project=project, item__code="SCJG-SL")
    assert registration.state == TaskState.APPROVED
    assert registration.accepted_on == registration.decided_on == project.intake_on
    assert registration.decision_document


def test_recorded_approvals_fit_each_projects_history():
    for story in approval_stories.stories():
        project = Project.objects.get(code=story.project_code)
        tasks = ApprovalTask.objects.filter(project=project, state=TaskState.APPROVED)
        before_works = tasks.filter(item__stage__in=plan_selectors.BEFORE_WORKS)
        assert max(before_works.values_list("decided_on", flat=True)) <= project.started_on
        if project.completed_on:
            assert max(tasks.values_list("decided_on", flat=True)) <= project.completed_on
            assert not ApprovalTask.objects.filter(project=project).exclude(state=TaskState.APPROVED).exists()
        forecast = task_selectors.plan_forecast(project.approval_plan)
        assert page_of(story.project_code).forecast.finish == forecast.finish


def test_the_demo_plan_pages_open_for_the_agent_and_the_investor():
    yulong = Project.objects.get(code=YULONG_CODE)
    for username in ("agent1", "investor_yulong"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(f"/projects/{yulong.pk}/plan/")
        assert response.status_code == 200
        assert "plan-gantt-data" in response.text
