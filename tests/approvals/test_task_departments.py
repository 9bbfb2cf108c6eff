"""Generating a project's tasks involves the departments whose windows handle them, so that their
clerks find the project and its tasks (``projects.selectors.visible_projects`` shows a clerk only the
projects whose departments include theirs)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from onewindow.approvals import services, task_selectors, task_services
from onewindow.core.models import AuditEntry
from onewindow.projects.selectors import visible_projects
from onewindow.regions.models import Department
from onewindow.regions.services import ensure_county_departments
from tests.approvals.conftest import plan_with_tasks

D = datetime.date


def involved(project):
    return sorted((d.region.code, d.code) for d in project.departments.select_related("region"))


def test_generating_tasks_involves_each_tasks_department_so_its_clerks_see_the_project(
    people, world, task_catalog, clerks
):
    project = world["city"]
    assert involved(project) == [("510600", "fgw")]
    assert not visible_projects(clerks["zjj"]).filter(pk=project.pk).exists()

    plan_with_tasks(project, task_catalog, people["agent1"])

    assert involved(project) == [("510600", "fgw"), ("510600", "zjj")]
    assert visible_projects(clerks["zjj"]).filter(pk=project.pk).exists()
    queue = task_selectors.task_queue(clerks["zjj"])
    assert sorted(task.item.code for task in queue) == ["ZJJ-SG", "ZJJ-XF"]
    entry = AuditEntry.objects.get(object_type="projects.project", object_id=str(project.pk), action="update")
    assert entry.actor == people["agent1"] and "住房和城乡建设局" in entry.changes["departments"][1]


def test_a_county_project_involves_the_countys_own_window_and_the_citys_where_the_county_has_none(
    people, world, task_catalog, clerks, guanghan
):
    project = world["guanghan"]
    assert involved(project) == []
    plan = plan_with_tasks(project, task_catalog, people["county_gh"])

    # 广汉 has its own 发改 window; it has no 住建 window, so the city's handles its 住建 items.
    assert involved(project) == [("510600", "zjj"), ("510681", "fgw")]
    assert [task.item.code for task in task_selectors.task_queue(clerks["fgw_gh"])] == ["FGW-BA"]
    assert not task_selectors.task_queue(clerks["fgw"]).filter(project=project).exists()
    assert task_selectors.task_queue(clerks["zjj"]).filter(project=project).count() == 2

    # Once 广汉 opens its own 住建 window, generating again involves it too, and adds nothing else.
    ensure_county_departments(guanghan, ["zjj"])
    again = task_services.generate_tasks(actor=people["county_gh"], plan=plan.plan)
    assert again.created == ()
    assert ("510681", "zjj") in involved(project)
    assert Department.objects.filter(projects=project).count() == 3


def test_generating_again_without_new_departments_writes_no_audit_row(people, world, task_catalog):
    project = world["city"]
    plan = plan_with_tasks(project, task_catalog, people["agent1"])
    rows = AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk)).count()
    task_services.generate_tasks(actor=people["agent1"], plan=plan.plan)
    assert (
        AuditEntry.objects.filter(object_type="projects.project", object_id=str(project.pk)).count() == rows
    )


def test_another_agent_may_not_generate_the_tasks_and_nothing_is_involved(people, world, task_catalog):
    project = world["city"]
    plan = services.create_plan(
        actor=people["agent1"], project=project, start_on=D(2026, 2, 2), catalog_version=task_catalog
    )
    with pytest.raises(PermissionDenied):
        task_services.generate_tasks(actor=people["agent2"], plan=plan)
    assert involved(project) == [("510600", "fgw")]
    assert not project.approval_tasks.exists()
