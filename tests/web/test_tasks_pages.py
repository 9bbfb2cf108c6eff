"""The approval task pages (办件): the queue, a project's tasks, one task with its clock, history,
materials and actions, the scoped download, and joint events; every role against them."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.approvals import services, task_services
from onewindow.approvals.models import (
    ApprovalTask,
    ClockPause,
    JointEvent,
    Material,
    MaterialFile,
    Plan,
    TaskState,
)
from onewindow.core.models import AuditEntry
from tests.approvals import conftest as approval_fixtures
from tests.approvals.conftest import plan_with_tasks
from tests.factories import ProjectFactory

D = datetime.date
PREPARED_ON, ACCEPTED_ON = D(2026, 2, 9), D(2026, 2, 10)

# The approval tests' fixtures: the test catalog, its clerks and the planned city project.
clerks = approval_fixtures.clerks
english = approval_fixtures.english
planned = approval_fixtures.planned
private_media = approval_fixtures.private_media
task_catalog = approval_fixtures.task_catalog
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)


@pytest.fixture
def as_user(people, clerks):
    """A client signed in as a demo role or one of the test clerks, reading the pages in English."""
    users = {**people, "clerk_zjj": clerks["zjj"], "clerk_fgw_gh": clerks["fgw_gh"]}

    def client_for(name: str | None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if name is not None:
            client.force_login(users[name])
        return client

    return client_for


def text_of(response) -> str:
    """The page's visible words, tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_errors(response, field_id: str) -> str:
    """The errors shown in the field block (``includes/field.html``) of the field with this id."""
    blocks = response.content.decode().split('<div class="field ')
    (block,) = [block for block in blocks[1:] if re.search(rf'id="{field_id}(_0)?"', block)]
    match = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', block, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else ""


def task_url(task, action: str | None = None) -> str:
    if action is None:
        return reverse("task-detail", args=[task.pk])
    return reverse("task-action", args=[task.pk, action])


def prepared(people, task, on=PREPARED_ON):
    return task_services.start_preparing(actor=people["agent1"], task=task, on=on)


def accepted(people, clerk, task, on=ACCEPTED_ON):
    return task_services.accept_task(actor=clerk, task=prepared(people, task), on=on)


# -- who sees what -----------------------------------------------------------------------------------

# The city project involves 发改 and 住建; its FGW-BA task is 发改's, ZJJ-XF 住建's.
TASK_PAGE = {
    None: 302,
    "admin": 200,
    "leader": 200,
    "agent1": 200,
    "agent2": 200,  # a city agent reads the register; only the project's own agent acts
    "clerk_fgw": 200,
    "clerk_zjj": 404,  # another department's task
    "clerk_fgw_gh": 404,  # the same department code in another region, whose projects differ
    "county_gh": 404,
    "county_leader_gh": 404,
    "investor_yulong": 200,
}


@pytest.mark.parametrize(("role", "status"), TASK_PAGE.items())
def test_every_role_against_a_task_page(as_user, planned, role, status):
    response = as_user(role).get(task_url(planned.tasks["FGW-BA"]))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith("/login/")


QUEUE_PAGE = {
    None: 302,
    "admin": 200,
    "leader": 200,
    "agent1": 200,
    "agent2": 200,
    "clerk_fgw": 200,
    "county_gh": 200,
    "county_leader_gh": 200,
    "investor_yulong": 403,  # investors follow their tasks on their project instead
}


@pytest.mark.parametrize(("role", "status"), QUEUE_PAGE.items())
def test_every_role_against_the_queue(as_user, planned, role, status):
    assert as_user(role).get(reverse("task-queue")).status_code == status


PROJECT_PAGES = {
    None: 302,
    "admin": 200,
    "leader": 200,
    "agent1": 200,
    "agent2": 200,
    "clerk_fgw": 200,
    "clerk_zjj": 200,
    "clerk_fgw_gh": 404,
    "county_gh": 404,
    "county_leader_gh": 404,
    "investor_yulong": 200,
}


@pytest.mark.parametrize("name", ["project-tasks", "project-joint-events"])
@pytest.mark.parametrize(("role", "status"), PROJECT_PAGES.items())
def test_every_role_against_a_projects_tasks_and_joint_events(as_user, planned, name, role, status):
    assert as_user(role).get(reverse(name, args=[planned.project.pk])).status_code == status


def test_the_menu_offers_the_queue_to_staff_and_the_project_page_links_its_tasks_and_bill(as_user, planned):
    project = reverse("project-detail", args=[planned.project.pk])
    staff = as_user("clerk_fgw").get(project).content.decode()
    assert 'href="/tasks/"' in staff
    assert f'href="/projects/{planned.project.pk}/tasks/"' in staff
    assert f'href="/projects/{planned.project.pk}/bill/"' in staff
    investor = as_user("investor_yulong").get(project).content.decode()
    assert 'href="/tasks/"' not in investor
    assert f'href="/projects/{planned.project.pk}/tasks/"' in investor


def test_a_clerks_queue_is_their_departments_and_others_see_their_scope(
    as_user, people, planned, task_catalog
):
    county = plan_with_tasks(
        ProjectFactory(name="广汉项目", region=people["county_gh"].region), task_catalog, people["county_gh"]
    )
    names = {}
    for role in ("clerk_fgw", "clerk_zjj", "clerk_fgw_gh", "county_gh", "leader"):
        page = as_user(role).get(reverse("task-queue"))
        names[role] = sorted(re.findall(r'href="/tasks/(\d+)/"', page.content.decode()))
    city, gh = planned.tasks, county.tasks
    assert names["clerk_fgw"] == [str(city["FGW-BA"].pk)]
    assert names["clerk_zjj"] == sorted(
        str(t.pk) for t in (city["ZJJ-SG"], city["ZJJ-XF"], gh["ZJJ-SG"], gh["ZJJ-XF"])
    )
    assert names["clerk_fgw_gh"] == [str(gh["FGW-BA"].pk)]
    assert names["county_gh"] == sorted(str(t.pk) for t in gh.values())
    assert len(names["leader"]) == 6
    assert "department" not in as_user("clerk_fgw").get(reverse("task-queue")).context["form"].fields


def test_the_queue_filters_by_state_overdue_department_and_project_and_marks_the_clocks(
    as_user, people, clerks, planned
):
    zjj = clerks["zjj"]
    overdue = accepted(people, zjj, planned.tasks["ZJJ-SG"])  # 10 working days from 02-10: long overdue
    client = as_user("leader")

    def listed(**query):
        response = client.get(reverse("task-queue"), query)
        assert response.status_code == 200
        return [row.task.item.code for row in response.context["rows"]]

    assert listed(state="accepted") == ["ZJJ-SG"]
    assert listed(state="active") == ["ZJJ-SG"]
    assert listed(state="not_started") == ["FGW-BA", "ZJJ-XF"]
    assert listed(overdue="yes") == ["ZJJ-SG"]
    assert listed(overdue="no") == ["FGW-BA", "ZJJ-XF"]
    assert listed(department="fgw") == ["FGW-BA"]
    assert listed(project=planned.project.code.lower()) == ["ZJJ-SG", "FGW-BA", "ZJJ-XF"]
    assert listed(state="nonsense") == ["ZJJ-SG", "FGW-BA", "ZJJ-XF"]  # an unknown value is left out

    page = client.get(reverse("task-queue"))
    html = page.content.decode()
    assert 'class="task-row-overdue"' in html
    row = page.context["rows"][0]
    assert row.task.pk == overdue.pk and row.mark == "overdue" and row.clock.overdue
    assert f"Overdue by {row.clock.overdue_workdays} working days" in text_of(page)


def test_a_task_due_within_three_working_days_is_marked_near(as_user, people, clerks, planned):
    today = timezone.localdate()
    task = accepted(people, clerks["fgw"], planned.tasks["FGW-BA"], on=today)  # five working days
    task_services.extend_task(actor=clerks["fgw"], task=task, workdays=1, reason="x")
    response = as_user("clerk_fgw").get(reverse("task-queue"))
    (row,) = response.context["rows"]
    assert row.clock.remaining_workdays == 6 and row.mark == ""
    ApprovalTask.objects.filter(pk=task.pk).update(accepted_on=task.accepted_on - datetime.timedelta(days=7))
    (row,) = as_user("clerk_fgw").get(reverse("task-queue")).context["rows"]
    assert 0 <= row.clock.remaining_workdays <= 3 and row.mark == "near"


def test_the_queue_answers_htmx_with_the_results_only(as_user, planned):
    response = as_user("leader").get(reverse("task-queue"), {"state": "not_started"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="task-results"')
    assert "<html" not in html and "3 tasks found" in text_of(response)
    assert "HX-Request" in response["Vary"]


def test_the_queue_lists_commitment_verifications_and_owed_materials_due(as_user, people, clerks, planned):
    fgw, zjj = clerks["fgw"], clerks["zjj"]
    ba = prepared(people, planned.tasks["FGW-BA"])
    ba = task_services.choose_commitment(actor=people["agent1"], task=ba, chosen=True)
    task_services.decide_by_commitment(
        actor=fgw, task=ba, on=D(2026, 2, 10), document_number="德发改备〔2026〕1号"
    )
    drawings = Material.objects.get(version=planned.plan.catalog_version, code="drawings")
    sg = prepared(people, planned.tasks["ZJJ-SG"])
    task_services.accept_task(
        actor=zjj, task=sg, on=D(2026, 2, 10), owed=[task_services.Owed(drawings, D(2026, 3, 2))]
    )
    fgw_page = as_user("clerk_fgw").get(reverse("task-queue"))
    assert [task.item.code for task in fgw_page.context["verifications"]] == ["FGW-BA"]
    assert fgw_page.context["owed"] == []
    zjj_page = as_user("clerk_zjj").get(reverse("task-queue"))
    assert zjj_page.context["verifications"] == []
    assert [entry.material.code for entry in zjj_page.context["owed"]] == ["drawings"]
    assert "施工图设计文件" in text_of(zjj_page) and "due 2026-03-02" in text_of(zjj_page)


def test_the_queue_costs_the_same_queries_for_5_rows_as_for_30(
    as_user, people, clerks, task_catalog, city, django_assert_num_queries
):
    agent = people["agent1"]
    for number in range(10):
        project = ProjectFactory(name=f"项目{number}", region=city, agent=agent)
        tasks = plan_with_tasks(project, task_catalog, agent).tasks
        if number % 2:
            accepted(people, clerks["zjj"], tasks["ZJJ-SG"])
            task_services.request_correction(
                actor=clerks["zjj"],
                task=ApprovalTask.objects.get(pk=tasks["ZJJ-SG"].pk),
                on=D(2026, 2, 12),
                requested="补图",
            )
    client = as_user("leader")
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("task-queue"), {"page_size": 25, "page": 2})
    assert len(response.context["rows"]) == 5
    with django_assert_num_queries(len(five)):
        response = client.get(reverse("task-queue"), {"page_size": 50})
    assert len(response.context["rows"]) == 30


def test_a_projects_tasks_page_shows_each_task_with_its_clock_and_rounds(as_user, people, clerks, planned):
    task = accepted(people, clerks["zjj"], planned.tasks["ZJJ-SG"])
    task_services.request_correction(actor=clerks["zjj"], task=task, on=D(2026, 2, 12), requested="补充图纸")
    response = as_user("agent1").get(reverse("project-tasks", args=[planned.project.pk]))
    rows = {row.task.item.code: row for row in response.context["rows"]}
    assert list(rows) == ["FGW-BA", "ZJJ-SG", "ZJJ-XF"]
    assert rows["ZJJ-SG"].clock.paused and rows["ZJJ-SG"].mark == "paused"
    assert rows["ZJJ-SG"].task.correction_rounds == 1
    assert rows["FGW-BA"].clock is None
    text = text_of(response)
    assert "Paused since 2026-02-12" in text and "Not accepted yet" in text
    # A clerk sees their department's tasks of the project only.
    clerk = as_user("clerk_fgw").get(reverse("project-tasks", args=[planned.project.pk]))
    assert [row.task.item.code for row in clerk.context["rows"]] == ["FGW-BA"]


def test_an_agent_generates_the_tasks_from_the_plan_and_the_clerk_then_finds_the_project(
    as_user, people, world, task_catalog, clerks
):
    project = world["city"]
    services.create_plan(
        actor=people["agent1"], project=project, start_on=D(2026, 2, 2), catalog_version=task_catalog
    )
    url = reverse("project-tasks", args=[project.pk])
    assert as_user("clerk_zjj").get(url).status_code == 404  # not involved yet
    client = as_user("agent1")
    assert "Generate tasks from the plan" in text_of(client.get(url))

    response = client.post(reverse("project-tasks-generate", args=[project.pk]), follow=True)

    assert "3 tasks were generated from the plan." in text_of(response)
    assert ApprovalTask.objects.filter(project=project).count() == 3
    assert AuditEntry.objects.filter(object_type="approvals.approvaltask", action="create").count() == 3
    zjj = as_user("clerk_zjj").get(url)
    assert [row.task.item.code for row in zjj.context["rows"]] == ["ZJJ-SG", "ZJJ-XF"]
    again = client.post(reverse("project-tasks-generate", args=[project.pk]), follow=True)
    assert "Every item of the plan has its task already." in text_of(again)


@pytest.mark.parametrize(
    ("role", "status"), [("clerk_fgw", 403), ("agent2", 403), ("investor_yulong", 403), ("county_gh", 404)]
)
def test_only_the_projects_editors_may_generate_its_tasks(as_user, planned, role, status):
    response = as_user(role).post(reverse("project-tasks-generate", args=[planned.project.pk]))
    assert response.status_code == status
    assert "Generate tasks from the plan" not in text_of(
        as_user(role).get(reverse("project-tasks", args=[planned.project.pk]))
    )


def test_generating_without_a_plan_says_so(as_user, world):
    response = as_user("agent1").post(reverse("project-tasks-generate", args=[world["city"].pk]), follow=True)
    assert "Generate the approval plan first" in text_of(response)
    assert not Plan.objects.filter(project=world["city"]).exists()


# -- one task: actions through the page ----------------------------------------------------------------


def offered(response) -> list[str]:
    return [offer.key for offer in response.context["offers"]]


def test_each_side_is_offered_only_its_actions(as_user, people, planned):
    task = planned.tasks["FGW-BA"]
    assert offered(as_user("agent1").get(task_url(task))) == ["prepare", "withdraw", "commitment"]
    assert offered(as_user("clerk_fgw").get(task_url(task))) == []
    assert offered(as_user("agent2").get(task_url(task))) == []
    assert offered(as_user("investor_yulong").get(task_url(task))) == []
    prepared(people, task)
    assert offered(as_user("clerk_fgw").get(task_url(task))) == ["accept"]
    investor = as_user("investor_yulong").get(task_url(task))
    assert "<form" not in investor.content.decode().split('id="actions"')[1].split("</section>")[0]
    assert "History" not in text_of(investor)


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("investor_yulong", "accept"),
        ("agent1", "accept"),
        ("agent2", "prepare"),
        ("clerk_fgw", "prepare"),
        ("clerk_fgw", "withdraw"),
        ("investor_yulong", "upload"),
        ("leader", "approve"),
    ],
)
def test_an_action_outside_the_role_is_403_and_changes_nothing(as_user, people, planned, role, action):
    task = prepared(people, planned.tasks["FGW-BA"])
    response = as_user(role).post(task_url(task, action), {"on": "2026-02-10", "document_number": "x"})
    assert response.status_code == 403
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.PREPARING


def test_an_action_on_a_task_outside_the_scope_is_404(as_user, people, planned):
    task = prepared(people, planned.tasks["ZJJ-SG"])
    assert as_user("clerk_fgw").post(task_url(task, "accept"), {"on": "2026-02-10"}).status_code == 404
    assert as_user("agent1").post(task_url(task, "nonsense"), {}).status_code == 404


def test_a_clerk_accepts_asks_for_corrections_and_decides_through_the_page(as_user, people, clerks, planned):
    task = prepared(people, planned.tasks["FGW-BA"])
    clerk = as_user("clerk_fgw")

    response = clerk.post(task_url(task, "accept"), {"on": "2026-02-10"})
    assert response.status_code == 302 and response.url == task_url(task)
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.ACCEPTED

    response = clerk.post(
        task_url(task, "request_correction"), {"on": "2026-02-12", "requested": "营业执照副本不清晰"}
    )
    assert response.status_code == 302
    page = clerk.get(task_url(task))
    assert page.context["task"].state == TaskState.CORRECTING
    assert "营业执照副本不清晰" in text_of(page) and "1 correction round" in text_of(page)
    assert offered(page) == ["resubmit", "extend"]  # the limit may be extended while corrections run

    assert as_user("agent1").post(task_url(task, "resubmit"), {"on": "2026-02-16"}).status_code == 302
    response = clerk.post(
        task_url(task, "approve"), {"on": "2026-02-20", "document_number": "德发改备〔2026〕8号", "note": ""}
    )
    assert response.status_code == 302

    task = ApprovalTask.objects.get(pk=task.pk)
    assert (task.state, task.decided_on, task.decision_document) == (
        TaskState.APPROVED,
        D(2026, 2, 20),
        "德发改备〔2026〕8号",
    )
    pause = ClockPause.objects.get(task=task)
    assert (pause.starts_on, pause.ends_on, pause.reason) == (
        D(2026, 2, 12),
        D(2026, 2, 16),
        "营业执照副本不清晰",
    )
    rows = AuditEntry.objects.filter(
        object_type="approvals.approvaltask", object_id=str(task.pk), action="transition"
    )
    assert [(row.actor_name, row.changes["state"][1]) for row in rows.order_by("id")] == [
        ("agent1", "preparing"),
        ("clerk_fgw", "accepted"),
        ("clerk_fgw", "correcting"),
        ("agent1", "accepted"),
        ("clerk_fgw", "approved"),
    ]
    # The first step was the service's own call; every step through the pages keeps its address.
    assert [row.source_ip for row in rows.order_by("id")] == [None, *["127.0.0.1"] * 4]
    page = clerk.get(task_url(task))
    text = text_of(page)
    assert "Approved (准予)" in text and "德发改备〔2026〕8号" in text and "Decided in time" in text
    assert len(page.context["history"]) == 6  # its creation and five steps


def test_a_refusal_needs_its_reasons_shown_on_the_field_and_nothing_changes(as_user, people, clerks, planned):
    task = accepted(people, clerks["fgw"], planned.tasks["FGW-BA"])
    response = as_user("clerk_fgw").post(
        task_url(task, "refuse"), {"on": "2026-02-20", "document_number": "不予〔2026〕1号"}
    )
    assert response.status_code == 400
    assert field_errors(response, "id_refuse_note") == "This field is required."
    assert 'id="action-refuse" open' in response.content.decode()
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.ACCEPTED


def test_a_date_the_service_refuses_is_shown_on_the_date_field(as_user, people, clerks, planned):
    task = prepared(people, planned.tasks["FGW-BA"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_user("clerk_fgw").post(task_url(task, "accept"), {"on": tomorrow.isoformat()})
    assert response.status_code == 400
    assert field_errors(response, "id_accept_on") == "The date is in the future."
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.PREPARING


def test_an_action_the_task_has_moved_past_is_explained_at_the_top(as_user, people, clerks, planned):
    task = accepted(people, clerks["fgw"], planned.tasks["FGW-BA"])
    response = as_user("clerk_fgw").post(task_url(task, "accept"), {"on": "2026-02-11"})
    assert response.status_code == 400
    assert "cannot become Accepted" in response.context["alert"]


def test_a_clerk_stops_the_clock_for_expert_review_extends_it_and_restarts_it(
    as_user, people, clerks, planned
):
    task = accepted(people, clerks["zjj"], planned.tasks["ZJJ-SG"])
    clerk = as_user("clerk_zjj")
    page = clerk.get(task_url(task))
    assert offered(page) == ["request_correction", "approve", "refuse", "pause", "extend"]
    assert [value for value, _label in page.context["offers"][3].form.fields["kind"].choices] == [
        "expert_review",
        "site_survey",
    ]
    assert (
        clerk.post(
            task_url(task, "pause"), {"on": "2026-02-13", "kind": "expert_review", "reason": "专家评审"}
        ).status_code
        == 302
    )
    pause = ClockPause.objects.get(task=task, kind="expert_review")
    page = clerk.get(task_url(task))
    assert f"end_pause-{pause.pk}" in offered(page)
    assert clerk.post(task_url(task, "extend"), {"workdays": "3", "reason": "核准延期"}).status_code == 302
    assert (
        clerk.post(task_url(task, "end_pause"), {"on": "2026-02-24", "target": str(pause.pk)}).status_code
        == 302
    )
    task = ApprovalTask.objects.get(pk=task.pk)
    assert task.extension_workdays == 3 and ClockPause.objects.get(pk=pause.pk).ends_on == D(2026, 2, 24)
    # A pause of another task is not this task's to end.
    other = accepted(people, clerks["zjj"], planned.tasks["ZJJ-XF"])
    assert (
        clerk.post(task_url(other, "end_pause"), {"on": "2026-02-24", "target": str(pause.pk)}).status_code
        == 404
    )


def test_the_commitment_is_chosen_by_the_agent_decided_by_the_window_and_verified(as_user, people, planned):
    task = prepared(people, planned.tasks["FGW-BA"])
    agent, clerk = as_user("agent1"), as_user("clerk_fgw")
    assert agent.post(task_url(task, "commitment"), {"chosen": "1"}).status_code == 302
    assert offered(clerk.get(task_url(task))) == ["approve_on_commitment"]
    response = clerk.post(
        task_url(task, "approve_on_commitment"), {"on": "2026-02-10", "document_number": "承诺〔2026〕1号"}
    )
    assert response.status_code == 302
    task = ApprovalTask.objects.get(pk=task.pk)
    assert task.state == TaskState.APPROVED and task.verification_due_on > task.decided_on
    assert offered(clerk.get(task_url(task))) == ["verify"]
    refused = clerk.post(task_url(task, "verify"), {"on": "2026-03-02", "kept": "no"})
    assert (
        refused.status_code == 400
        and field_errors(refused, "id_verify_findings") == "Describe what was found."
    )
    assert clerk.post(task_url(task, "verify"), {"on": "2026-03-02", "kept": "yes"}).status_code == 302
    task = ApprovalTask.objects.get(pk=task.pk)
    assert task.verified_on == D(2026, 3, 2) and task.verification_passed is True


def test_accepting_with_an_owed_material_and_receiving_it_later(as_user, people, planned):
    task = prepared(people, planned.tasks["ZJJ-SG"])
    clerk = as_user("clerk_zjj")
    drawings = Material.objects.get(version=planned.plan.catalog_version, code="drawings")
    form = clerk.get(task_url(task)).context["offers"][0].form
    assert list(form.fields["owed"].queryset) == [drawings]
    missing = clerk.post(task_url(task, "accept"), {"on": "2026-02-10", "owed": [drawings.pk]})
    assert missing.status_code == 400 and field_errors(missing, "id_accept_owed_until")
    assert (
        clerk.post(
            task_url(task, "accept"), {"on": "2026-02-10", "owed": [drawings.pk], "owed_until": "2026-03-02"}
        ).status_code
        == 302
    )
    owed = ApprovalTask.objects.get(pk=task.pk).owed_materials.get()
    assert owed.due_on == D(2026, 3, 2)
    assert (
        clerk.post(task_url(task, "receive_owed"), {"on": "2026-02-27", "target": str(owed.pk)}).status_code
        == 302
    )
    owed.refresh_from_db()
    assert owed.received_on == D(2026, 2, 27)


# -- materials ------------------------------------------------------------------------------------------


def material(planned, code):
    return Material.objects.get(version=planned.plan.catalog_version, code=code)


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_an_agent_uploads_a_material_and_the_clerk_prechecks_it(as_user, people, planned, private_media):
    task = planned.tasks["FGW-BA"]
    licence = material(planned, "licence")
    agent = as_user("agent1")
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    response = agent.post(
        task_url(task, "upload"), {"target": str(licence.pk), "file": upload, "note": "副本"}
    )
    assert response.status_code == 302 and response.url.endswith("#materials")
    record = MaterialFile.objects.get(material=licence)
    assert (record.version, record.kind, record.original_name) == (1, "pdf", "营业执照.pdf")
    assert AuditEntry.objects.filter(object_type="approvals.materialfile", actor_name="agent1").exists()

    page = agent.get(task_url(task))
    html = page.content.decode()
    assert f'href="/materials/{record.pk}/download/"' in html and "/media/" not in html

    prepared(people, task)
    clerk = as_user("clerk_fgw")
    assert f"precheck-{record.pk}" in clerk.get(task_url(task)).context["materials"][1].precheck.key
    response = clerk.post(
        task_url(task, "precheck"), {"target": str(record.pk), "verdict": "revise", "comment": "请加盖公章"}
    )
    assert response.status_code == 302
    assert "请加盖公章" in text_of(agent.get(task_url(task)))


def test_an_upload_named_pdf_with_png_content_is_refused_on_the_field_and_nothing_is_written(
    as_user, planned, private_media
):
    task = planned.tasks["FGW-BA"]
    licence = material(planned, "licence")
    upload = SimpleUploadedFile("执照.pdf", PNG, content_type="application/pdf")
    response = as_user("agent1").post(task_url(task, "upload"), {"target": str(licence.pk), "file": upload})
    assert response.status_code == 400
    assert field_errors(response, f"id_upload_{licence.pk}_file") == (
        "The file 执照.pdf is named as .pdf but its content is PNG."
    )
    assert f'id="action-upload-{licence.pk}" open' in response.content.decode()
    assert not MaterialFile.objects.exists() and stored_files(private_media) == []


def test_an_upload_over_the_limit_or_missing_is_refused_on_the_field(
    as_user, planned, private_media, settings
):
    settings.ONEWINDOW_MAX_UPLOAD_BYTES = 1024 * 1024
    task = planned.tasks["FGW-BA"]
    licence = material(planned, "licence")
    big = SimpleUploadedFile("big.pdf", PDF + bytes(1200 * 1024), content_type="application/pdf")
    response = as_user("agent1").post(task_url(task, "upload"), {"target": str(licence.pk), "file": big})
    assert response.status_code == 400
    assert (
        field_errors(response, f"id_upload_{licence.pk}_file")
        == "The file big.pdf is 1.2 MB; the limit is 1 MB."
    )
    response = as_user("agent1").post(task_url(task, "upload"), {"target": str(licence.pk)})
    assert field_errors(response, f"id_upload_{licence.pk}_file") == "Choose a file to upload."
    assert not MaterialFile.objects.exists() and stored_files(private_media) == []


def test_a_material_the_task_does_not_need_is_404(as_user, planned):
    drawings = material(planned, "drawings")  # required by the 住建 items, not by FGW-BA
    upload = SimpleUploadedFile("a.pdf", PDF)
    response = as_user("agent1").post(
        task_url(planned.tasks["FGW-BA"], "upload"), {"target": str(drawings.pk), "file": upload}
    )
    assert response.status_code == 404


def test_the_download_streams_an_attachment_to_those_who_see_a_task_it_serves(as_user, people, planned):
    licence = material(planned, "licence")  # FGW-BA only
    form = material(planned, "form")  # FGW-BA and ZJJ-SG (一张表单)
    records = {}
    for item in (licence, form):
        records[item.code] = task_services.upload_material(
            actor=people["agent1"],
            project=planned.project,
            material=item,
            upload=SimpleUploadedFile("申请.pdf", PDF),
        )
    url = reverse("material-download", args=[records["licence"].pk])
    for role in ("agent1", "clerk_fgw", "leader", "investor_yulong"):
        response = as_user(role).get(url)
        assert response.status_code == 200, role
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
        assert "no-store" in response["Cache-Control"]
    for role in ("clerk_zjj", "clerk_fgw_gh", "county_gh"):
        assert as_user(role).get(url).status_code == 404, role
    assert as_user(None).get(url).status_code == 302
    # The shared form serves a 住建 task too, so the 住建 clerk may read that one.
    assert (
        as_user("clerk_zjj").get(reverse("material-download", args=[records["form"].pk])).status_code == 200
    )
    assert as_user("agent1").get(reverse("material-download", args=[999999])).status_code == 404


def test_a_task_page_costs_the_same_queries_whatever_its_history(as_user, people, clerks, planned):
    task = accepted(people, clerks["fgw"], planned.tasks["FGW-BA"])
    client = as_user("clerk_fgw")
    with CaptureQueriesContext(connection) as before:
        client.get(task_url(task))
    for day in (11, 13, 17):
        task = task_services.request_correction(
            actor=clerks["fgw"], task=task, on=D(2026, 2, day), requested="补"
        )
        task = task_services.resubmit_corrections(actor=people["agent1"], task=task, on=D(2026, 2, day + 1))
    with CaptureQueriesContext(connection) as after:
        page = client.get(task_url(task))
    assert len(page.context["pauses"]) == 3
    assert len(after) == len(before)


# -- joint events -----------------------------------------------------------------------------------------


def test_an_agent_records_a_joint_site_survey_with_departments_participants_and_tasks(
    as_user, planned, fgw, zjj
):
    url = reverse("project-joint-events", args=[planned.project.pk])
    client = as_user("agent1")
    missing = client.post(url, {"kind": "site_survey", "held_on": "2026-03-05"})
    assert missing.status_code == 400
    assert field_errors(missing, "id_event_departments") == "Choose the departments taking part."
    assert not JointEvent.objects.exists()

    response = client.post(
        url,
        {
            "kind": "site_survey",
            "held_on": "2026-03-05",
            "location": "经开区项目现场",
            "departments": [fgw.pk, zjj.pk],
            "participants": "市发展改革委 张三\n\n市住建局 李四\n",
            "findings": "站址满足要求",
            "tasks": [planned.tasks["ZJJ-SG"].pk],
        },
    )
    assert response.status_code == 302
    event = JointEvent.objects.get()
    assert event.participants == ["市发展改革委 张三", "市住建局 李四"]
    assert set(event.departments.all()) == {fgw, zjj} and list(event.tasks.all()) == [planned.tasks["ZJJ-SG"]]
    assert AuditEntry.objects.filter(object_type="approvals.jointevent", action="create").count() == 1
    page = as_user("clerk_zjj").get(url)
    assert "站址满足要求" in text_of(page) and page.context["form"] is None
    assert "Joint site survey" in text_of(as_user("clerk_zjj").get(task_url(planned.tasks["ZJJ-SG"])))


@pytest.mark.parametrize(
    ("role", "status"), [("investor_yulong", 403), ("clerk_fgw", 403), ("agent2", 403), ("county_gh", 404)]
)
def test_only_the_projects_editors_record_joint_events(as_user, planned, fgw, role, status):
    url = reverse("project-joint-events", args=[planned.project.pk])
    response = as_user(role).post(
        url, {"kind": "site_survey", "held_on": "2026-03-05", "departments": [fgw.pk]}
    )
    assert response.status_code == status
    assert not JointEvent.objects.exists()


def test_the_audit_log_reads_task_rows_whose_details_are_not_plain_fields(as_user, people, clerks, planned):
    """A task's creation names its item by code and a pause is recorded as a mapping; the audit
    browser shows both as written instead of failing on them."""
    task = accepted(people, clerks["zjj"], planned.tasks["ZJJ-SG"])
    task_services.start_pause(
        actor=clerks["zjj"], task=task, kind="expert_review", on=D(2026, 2, 13), reason="评审"
    )
    response = as_user("leader").get(reverse("audit-log"))
    assert response.status_code == 200
    text = text_of(response)
    assert "ZJJ-SG" in text
    # PostgreSQL keeps a JSON object's keys in its own order.
    assert all(
        part in text for part in ("kind: expert_review", "number: 1", "from: 2026-02-13", "reason: 评审")
    )
