"""Urging (督促): who may urge which task, what it records, whom it tells, and the count per department."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.approvals import task_services
from onewindow.core.models import AuditEntry
from onewindow.notifications import selectors, services
from onewindow.notifications.models import Kind, Notification, Urge
from tests.notifications.conftest import D, local

AT = local(2026, 2, 20, 10, 0)


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_agent_urges_an_accepted_task_and_the_department_window_is_told(accepted, people, clerks):
    urge = services.urge_task(actor=people["agent1"], task=accepted, note="请尽快办结", at=AT)
    assert (urge.task, urge.department, urge.by, urge.on, urge.note) == (
        accepted,
        accepted.department,
        people["agent1"],
        AT,
        "请尽快办结",
    )
    assert AuditEntry.objects.filter(object_type="notifications.urge", object_id=str(urge.pk)).exists()
    told = Notification.objects.filter(kind=Kind.URGE)
    # The city's 发改 window handles it; 广汉's 发改 window (same code, not in the project) is not told.
    assert list(told.values_list("user__username", flat=True)) == ["clerk_fgw"]
    note = told.get()
    assert note.url == reverse("task-detail", args=[accepted.pk])
    assert note.params["note"] == "请尽快办结"
    assert "企业投资项目备案" in note.subject


def test_urging_twice_is_recorded_and_notified_twice(accepted, people):
    services.urge_task(actor=people["agent1"], task=accepted, at=AT)
    services.urge_task(actor=people["leader"], task=accepted, at=local(2026, 2, 23, 9, 0))
    assert Urge.objects.filter(task=accepted).count() == 2
    assert Notification.objects.filter(user=people["clerk_fgw"], kind=Kind.URGE).count() == 2


def test_a_task_in_correction_may_be_urged(accepted, people, clerks):
    task = task_services.request_correction(
        actor=clerks["fgw"], task=accepted, on=D(2026, 2, 13), requested="补正"
    )
    assert services.urge_task(actor=people["agent1"], task=task, at=AT).pk


def test_a_decided_task_is_refused_naming_the_task_and_nothing_is_written(decided, people):
    with pytest.raises(ValidationError) as error:
        services.urge_task(actor=people["agent1"], task=decided, at=AT)
    assert "task" in error.value.message_dict
    assert not Urge.objects.exists()
    assert not Notification.objects.exists()


def test_a_task_not_yet_accepted_cannot_be_urged(planned, people):
    with pytest.raises(ValidationError) as error:
        services.urge_task(actor=people["agent1"], task=planned.tasks["FGW-BA"], at=AT)
    assert "task" in error.value.message_dict


def test_a_note_too_long_is_refused_naming_the_note(accepted, people):
    with pytest.raises(ValidationError) as error:
        services.urge_task(actor=people["agent1"], task=accepted, note="催" * 1001, at=AT)
    assert "note" in error.value.message_dict
    assert not Urge.objects.exists()


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong", "agent2"])
def test_clerks_investors_and_other_agents_may_not_urge(accepted, people, role):
    # agent2 sees the city project but it is agent1's: only its own agent or centre staff urge.
    with pytest.raises(PermissionDenied):
        services.urge_task(actor=people[role], task=accepted, at=AT)
    assert not Urge.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("clerk_fgw", 403), ("investor_yulong", 403), ("county_gh", 404)]
)
def test_the_urge_page_answers_403_outside_the_role_and_404_outside_the_scope(accepted, people, role, status):
    response = signed_in(people[role]).post(reverse("task-urge", args=[accepted.pk]), {"note": "x"})
    assert response.status_code == status
    assert not Urge.objects.exists()


def test_the_leader_urges_through_the_task_page(accepted, people):
    client = signed_in(people["leader"])
    page = client.get(reverse("task-detail", args=[accepted.pk]))
    assert b'id="urge-form"' in page.content
    response = client.post(reverse("task-urge", args=[accepted.pk]), {"note": "协调会前办结"})
    assert response.status_code == 302
    assert Urge.objects.get().note == "协调会前办结"
    page = client.get(reverse("task-detail", args=[accepted.pk]))
    assert "协调会前办结" in page.content.decode()


def test_the_task_page_shows_no_urge_form_to_the_clerk_nor_on_a_decided_task(decided, people):
    assert (
        b"urge-form"
        not in signed_in(people["clerk_fgw"]).get(reverse("task-detail", args=[decided.pk])).content
    )
    assert (
        b"urge-form" not in signed_in(people["agent1"]).get(reverse("task-detail", args=[decided.pk])).content
    )


def test_urging_a_decided_task_through_the_page_says_why(decided, people):
    client = signed_in(people["agent1"])
    response = client.post(reverse("task-urge", args=[decided.pk]), {"note": ""}, follow=True)
    assert "Only a task the department has accepted" in response.content.decode()
    assert not Urge.objects.exists()


def test_urges_are_counted_per_department_in_the_users_scope(accepted, planned, people, clerks):
    services.urge_task(actor=people["agent1"], task=accepted, at=AT)
    services.urge_task(actor=people["agent1"], task=accepted, at=local(2026, 2, 24, 9, 0))
    rows = selectors.urges_by_department(people["leader"])
    assert [(r.department_name, r.urges, r.open_tasks_urged) for r in rows] == [
        (accepted.department.name, 2, 1)
    ]
    assert rows[0].last_urged == local(2026, 2, 24, 9, 0)
    # 广汉's staff do not see the city project: nothing is counted for them.
    assert selectors.urges_by_department(people["county_gh"]) == []
    task_services.decide_task(
        actor=clerks["fgw"],
        task=accepted,
        on=D(2026, 2, 26),
        outcome="approve",
        document_number="1号",
        note="",
    )
    assert selectors.urges_by_department(people["leader"])[0].open_tasks_urged == 0


def test_investors_may_not_see_the_urge_figures(people):
    assert signed_in(people["investor_yulong"]).get(reverse("urges-by-department")).status_code == 403


def test_the_urge_figures_cost_the_same_queries_for_one_or_three_departments(
    accepted, planned, people, clerks, task_catalog
):
    client = signed_in(people["leader"])
    services.urge_task(actor=people["agent1"], task=accepted, at=AT)
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("urges-by-department"))
    assert len(response.context["rows"]) == 1
    other = planned.tasks["ZJJ-XF"]
    other = task_services.start_preparing(actor=people["agent1"], task=other, on=D(2026, 2, 9))
    other = task_services.accept_task(actor=clerks["zjj"], task=other, on=D(2026, 2, 12))
    services.urge_task(actor=people["agent1"], task=other, at=AT)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("urges-by-department"))
    assert len(response.context["rows"]) == 2
    assert "住房和城乡建设局" in response.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
