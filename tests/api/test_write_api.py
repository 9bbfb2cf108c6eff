"""What staff do on the plan, task and bill pages, done through the API: the same services, so the
same rules. Every role against each write: allowed, 403 outside the role, 404 outside the scope, 422
naming the field or 409 against the task's state, and nothing half-written when refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts import tokens
from onewindow.approvals import services as approval_services
from onewindow.approvals.models import (
    ApprovalTask,
    ClockPause,
    MaterialCheck,
    MaterialFile,
    OwedMaterial,
    Plan,
    PlanItem,
    ProjectFacts,
    TaskState,
)
from onewindow.core.models import AuditEntry
from onewindow.fees import services as fee_services
from onewindow.fees.models import Bill, FeeLine, Payment, Waiver

D = datetime.date
M = Decimal
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def api(client, people, clerks):
    """``api(user).post(path, body)``: JSON calls with the user's personal token."""
    users = {**people, "clerk_zjj": clerks["zjj"], "clerk_fgw_gh": clerks["fgw_gh"]}

    class Caller:
        def __init__(self, name):
            _token, secret = tokens.create_api_token(actor=users[name], owner=users[name], name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}

        def get(self, path, params=None):
            return client.get(f"/api/v1{path}", params or {}, **self.headers)

        def post(self, path, body=None):
            return client.post(f"/api/v1{path}", body or {}, content_type="application/json", **self.headers)

        def put(self, path, body):
            return client.put(f"/api/v1{path}", body, content_type="application/json", **self.headers)

        def upload(self, path, data):
            return client.post(f"/api/v1{path}", data, **self.headers)

    return Caller


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def audited(obj) -> int:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).count()


# -- plans -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("agent1", 201), ("leader", 201), ("agent2", 403), ("clerk_fgw", 403), ("county_gh", 404)],
)
def test_generating_a_plan_through_the_api_for_every_role(api, world, task_catalog, who, status):
    project = world["city"]
    response = api(who).post(f"/projects/{project.code}/plan", {"start_on": "2026-02-02"})
    assert response.status_code == status, response.content
    assert Plan.objects.filter(project=project).exists() == (status == 201)
    if status == 201:
        assert response.json()["start"] == "2026-02-02"
        assert {item["code"] for item in response.json()["items"]} == {"FGW-BA", "ZJJ-SG", "ZJJ-XF"}
        assert audited(Plan.objects.get(project=project)) == 1


def test_a_plan_with_an_unknown_catalog_version_is_422_on_that_field_and_not_made(api, world, task_catalog):
    project = world["city"]
    response = api("agent1").post(
        f"/projects/{project.code}/plan", {"start_on": "2026-02-02", "catalog_version": "没有的目录"}
    )
    assert fields(response) == {"catalog_version"}
    assert fields(api("agent1").post(f"/projects/{project.code}/plan", {"start_on": "2-2-2026"})) == {
        "start_on"
    }
    assert not Plan.objects.exists()


def test_a_second_plan_is_refused_and_the_first_is_kept(api, planned):
    response = api("agent1").post(f"/projects/{planned.project.code}/plan", {"start_on": "2026-03-02"})
    assert response.status_code == 409
    assert "has a plan already" in response.json()["detail"]
    assert Plan.objects.get(project=planned.project).start_on == D(2026, 2, 2)


def test_facts_are_saved_field_by_field_and_a_bad_one_changes_nothing(api, planned):
    path = f"/projects/{planned.project.code}/plan/facts"
    saved = api("agent1").put(path, {"floor_area_m2": "8000", "public_venue": True})
    assert saved.status_code == 200, saved.content
    assert (saved.json()["floor_area_m2"], saved.json()["public_venue"]) == ("8000.00", True)
    assert fields(api("agent1").put(path, {"eia_category": "nonsense", "hazardous": True})) == {
        "eia_category"
    }
    assert fields(api("agent1").put(path, {"floor_area_m2": "-5"})) == {"floor_area_m2"}
    assert fields(api("agent1").put(path, {"hazardous": None})) == {"hazardous"}
    facts = ProjectFacts.objects.get(project=planned.project)
    assert (facts.floor_area_m2, facts.hazardous, facts.eia_category) == (M("8000.00"), False, "report_table")
    assert api("clerk_fgw").put(path, {"hazardous": True}).status_code == 403
    assert api("county_gh").put(path, {"hazardous": True}).status_code == 404


def test_items_are_taken_out_and_put_back_with_their_reason(api, planned):
    base = f"/projects/{planned.project.code}/plan/items"
    removed = api("agent1").post(f"{base}/ZJJ-XF/removal", {"reason": "不涉及消防"})
    assert removed.status_code == 200, removed.content
    assert "ZJJ-XF" not in {item["code"] for item in removed.json()["items"]}
    assert PlanItem.objects.get(plan=planned.plan, item__code="ZJJ-XF").reason == "不涉及消防"
    assert fields(api("agent1").post(base, {"code": "ZJJ-XF", "reason": "  "})) == {"reason"}
    assert fields(api("agent1").post(base, {"code": "NOPE", "reason": "试试"})) == {"code"}
    assert not PlanItem.objects.get(plan=planned.plan, item__code="ZJJ-XF").included
    added = api("agent1").post(base, {"code": "ZJJ-XF", "reason": "设计变更"})
    assert "ZJJ-XF" in {item["code"] for item in added.json()["items"]}
    assert api("clerk_zjj").post(base, {"code": "ZJJ-XF", "reason": "x"}).status_code == 403


def test_what_if_compares_without_storing_anything(api, planned):
    path = f"/projects/{planned.project.code}/plan/what-if"
    answer = api("clerk_fgw").get(path, {"remove": ["ZJJ-XF"]})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["removed"] == ["ZJJ-XF"]
    assert data["alternative"]["item_count"] == data["current"]["item_count"] - 1
    assert fields(api("agent1").get(path, {"add": ["NOPE"]})) == {"add"}
    assert PlanItem.objects.filter(plan=planned.plan, included=True).count() == 3
    assert api("county_gh").get(path).status_code == 404


def test_tasks_are_generated_from_the_plan_and_not_without_one(api, people, world, task_catalog, zjj):
    project = world["city"]
    assert api("agent1").post(f"/projects/{project.code}/tasks").status_code == 409
    approval_services.create_plan(
        actor=people["agent1"], project=project, start_on=D(2026, 2, 2), catalog_version=task_catalog
    )
    assert api("clerk_fgw").post(f"/projects/{project.code}/tasks").status_code == 403
    assert api("county_gh").post(f"/projects/{project.code}/tasks").status_code == 404
    assert not ApprovalTask.objects.exists()
    made = api("agent1").post(f"/projects/{project.code}/tasks")
    assert made.status_code == 200, made.content
    assert sorted(made.json()["created"]) == ["FGW-BA", "ZJJ-SG", "ZJJ-XF"]
    assert len(made.json()["tasks"]) == 3
    assert api("agent1").post(f"/projects/{project.code}/tasks").json()["created"] == []


# -- task actions ------------------------------------------------------------------------------------


def test_a_task_goes_from_preparation_through_a_correction_to_approval_over_the_api(api, planned):
    task = planned.tasks["FGW-BA"]
    base = f"/tasks/{task.pk}"
    agent, clerk = api("agent1"), api("clerk_fgw")
    assert agent.get(base).json()["actions"] == ["prepare", "withdraw"]
    assert (
        agent.post(f"{base}/prepare", {"on": "2026-02-09", "note": "材料齐"}).json()["state"] == "preparing"
    )
    assert clerk.get(base).json()["actions"] == ["accept"]
    assert clerk.post(f"{base}/accept", {"on": "2026-02-10"}).json()["state"] == "accepted"
    asked = clerk.post(f"{base}/request-correction", {"on": "2026-02-11", "requested": "补充营业执照"})
    assert asked.json()["state"] == "correcting"
    assert asked.json()["pauses"][0]["reason"] == "补充营业执照"
    assert agent.post(f"{base}/resubmit", {"on": "2026-02-12"}).json()["state"] == "accepted"
    decided = clerk.post(f"{base}/approve", {"on": "2026-02-13", "document_number": "德发改备〔2026〕1号"})
    assert decided.status_code == 200, decided.content
    assert (decided.json()["state"], decided.json()["decision_document"]) == (
        "approved",
        "德发改备〔2026〕1号",
    )
    assert audited(task) == 6  # created with the plan's tasks, then five steps


@pytest.mark.parametrize(
    ("who", "action", "body", "status"),
    [
        ("clerk_fgw", "prepare", {"on": "2026-02-09"}, 403),
        ("agent2", "prepare", {"on": "2026-02-09"}, 403),
        ("investor_yulong", "prepare", {"on": "2026-02-09"}, 403),
        ("clerk_zjj", "prepare", {"on": "2026-02-09"}, 404),
        ("county_gh", "prepare", {"on": "2026-02-09"}, 404),
        ("agent1", "accept", {"on": "2026-02-09"}, 403),
        ("leader", "approve", {"on": "2026-02-09", "document_number": "1"}, 403),
    ],
)
def test_an_action_outside_the_role_is_403_and_outside_the_scope_404(api, planned, who, action, body, status):
    task = planned.tasks["FGW-BA"]
    response = api(who).post(f"/tasks/{task.pk}/{action}", body)
    assert response.status_code == status, response.content
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.NOT_STARTED
    assert audited(task) == 1


def test_an_action_the_state_does_not_allow_is_409_and_changes_nothing(api, planned):
    task = planned.tasks["FGW-BA"]
    response = api("clerk_fgw").post(
        f"/tasks/{task.pk}/approve", {"on": "2026-02-09", "document_number": "1"}
    )
    assert response.status_code == 409
    assert "cannot become" in response.json()["detail"]
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.NOT_STARTED


def test_bad_input_to_an_action_is_422_naming_the_field_and_changes_nothing(api, planned):
    task = planned.tasks["FGW-BA"]
    agent, clerk = api("agent1"), api("clerk_fgw")
    assert fields(agent.post(f"/tasks/{task.pk}/prepare", {"on": "2099-01-01"})) == {"on"}
    assert fields(agent.post(f"/tasks/{task.pk}/prepare", {})) == {"on"}
    assert fields(agent.post(f"/tasks/{task.pk}/withdraw", {"on": "2026-02-09", "reason": " "})) == {"reason"}
    agent.post(f"/tasks/{task.pk}/prepare", {"on": "2026-02-09"})
    clerk.post(f"/tasks/{task.pk}/accept", {"on": "2026-02-10"})
    refused = clerk.post(f"/tasks/{task.pk}/refuse", {"on": "2026-02-11", "document_number": "不予1号"})
    assert fields(refused) == {"note"}
    assert fields(clerk.post(f"/tasks/{task.pk}/extend", {"workdays": 0, "reason": "核准延期"})) == {
        "workdays"
    }
    saved = ApprovalTask.objects.get(pk=task.pk)
    assert (saved.state, saved.decided_on, saved.extension_workdays) == (TaskState.ACCEPTED, None, 0)


def test_acceptance_with_an_owed_material_and_its_receipt(api, planned):
    task = planned.tasks["ZJJ-SG"]
    api("agent1").post(f"/tasks/{task.pk}/prepare", {"on": "2026-02-09"})
    clerk = api("clerk_zjj")
    missing_date = clerk.post(f"/tasks/{task.pk}/accept", {"on": "2026-02-10", "owed": ["drawings"]})
    assert fields(missing_date) == {"owed_until"}
    key = clerk.post(
        f"/tasks/{task.pk}/accept", {"on": "2026-02-10", "owed": ["form"], "owed_until": "2026-03-10"}
    )
    assert fields(key) == {"owed"}
    assert ApprovalTask.objects.get(pk=task.pk).state == TaskState.PREPARING
    accepted = clerk.post(
        f"/tasks/{task.pk}/accept", {"on": "2026-02-10", "owed": ["drawings"], "owed_until": "2026-03-10"}
    )
    assert accepted.status_code == 200, accepted.content
    (material,) = [entry for entry in accepted.json()["materials"] if entry["code"] == "drawings"]
    assert material["owed"]["due_on"] == "2026-03-10"
    assert fields(
        api("agent1").post(f"/tasks/{task.pk}/receive-owed", {"on": "2026-02-20", "material": "form"})
    ) == {"material"}
    received = api("agent1").post(
        f"/tasks/{task.pk}/receive-owed", {"on": "2026-02-20", "material": "drawings"}
    )
    assert received.status_code == 200, received.content
    assert OwedMaterial.objects.get(task=task).received_on == D(2026, 2, 20)


def test_the_clock_stops_runs_again_and_is_extended_by_the_window(api, planned):
    task = planned.tasks["ZJJ-SG"]
    api("agent1").post(f"/tasks/{task.pk}/prepare", {"on": "2026-02-09"})
    clerk = api("clerk_zjj")
    clerk.post(f"/tasks/{task.pk}/accept", {"on": "2026-02-10"})
    assert fields(
        clerk.post(f"/tasks/{task.pk}/pause", {"on": "2026-02-11", "kind": "hearing", "reason": "听证"})
    ) == {"kind"}
    assert (
        api("agent1")
        .post(f"/tasks/{task.pk}/pause", {"on": "2026-02-11", "kind": "expert_review", "reason": "专家评审"})
        .status_code
        == 403
    )
    paused = clerk.post(
        f"/tasks/{task.pk}/pause", {"on": "2026-02-11", "kind": "expert_review", "reason": "专家评审"}
    )
    assert paused.status_code == 200, paused.content
    assert paused.json()["clock"]["paused"] is True
    assert fields(clerk.post(f"/tasks/{task.pk}/end-pause", {"on": "2026-02-16", "kind": "site_survey"})) == {
        "kind"
    }
    assert ClockPause.objects.get(task=task).ends_on is None
    ended = clerk.post(f"/tasks/{task.pk}/end-pause", {"on": "2026-02-16", "kind": "expert_review"})
    assert ended.json()["clock"]["paused"] is False
    extended = clerk.post(f"/tasks/{task.pk}/extend", {"workdays": 5, "reason": "核准延期"})
    assert extended.json()["clock"]["extension_workdays"] == 5


def test_notification_and_commitment_through_the_api(api, planned):
    task = planned.tasks["FGW-BA"]
    assert api("agent1").post(f"/tasks/{task.pk}/commitment", {"chosen": True}).json()["commitment"] is True
    api("agent1").post(f"/tasks/{task.pk}/prepare", {"on": "2026-02-09"})
    clerk = api("clerk_fgw")
    assert clerk.get(f"/tasks/{task.pk}").json()["actions"] == ["approve_on_commitment"]
    decided = clerk.post(
        f"/tasks/{task.pk}/approve-on-commitment", {"on": "2026-02-10", "document_number": "承诺1号"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["verification_due_on"] is not None
    assert fields(clerk.post(f"/tasks/{task.pk}/verify", {"on": "2026-03-10", "kept": False})) == {"findings"}
    verified = clerk.post(f"/tasks/{task.pk}/verify", {"on": "2026-03-10", "kept": True})
    assert verified.json()["verification_passed"] is True


def test_a_material_is_uploaded_with_its_content_checked_and_prechecked(api, planned):
    task = planned.tasks["FGW-BA"]
    path = f"/tasks/{task.pk}/materials"
    fake = SimpleUploadedFile("表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert fields(api("agent1").upload(path, {"material": "form", "file": fake})) == {"file"}
    other = SimpleUploadedFile("表.pdf", PDF, content_type="application/pdf")
    assert fields(api("agent1").upload(path, {"material": "drawings", "file": other})) == {"material"}
    assert not MaterialFile.objects.exists()
    good = SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")
    assert api("clerk_fgw").upload(path, {"material": "form", "file": good}).status_code == 403
    good.seek(0)
    uploaded = api("agent1").upload(path, {"material": "form", "file": good, "note": "第一版"})
    assert uploaded.status_code == 200, uploaded.content
    (form,) = [entry for entry in uploaded.json()["materials"] if entry["code"] == "form"]
    assert (form["latest"]["name"], form["latest"]["version"]) == ("申请表.pdf", 1)
    checked = api("clerk_fgw").post(
        f"/tasks/{task.pk}/precheck", {"file": form["latest"]["id"], "verdict": "revise", "comment": "缺盖章"}
    )
    assert checked.status_code == 200, checked.content
    assert MaterialCheck.objects.get().comment == "缺盖章"


# -- the bill ----------------------------------------------------------------------------------------


@pytest.fixture
def bill(people, planned):
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"floor_area_m2": M("8000")}
    )
    return fee_services.prepare_bill(actor=people["agent1"], project=planned.project).bill


@pytest.mark.parametrize(
    ("who", "status"),
    [("agent1", 200), ("leader", 200), ("clerk_fgw", 403), ("agent2", 403), ("county_gh", 404)],
)
def test_preparing_the_bill_for_every_role(api, planned, who, status):
    response = api(who).post(f"/projects/{planned.project.code}/bill")
    assert response.status_code == status, response.content
    assert Bill.objects.filter(project=planned.project).exists() == (status == 200)
    if status == 200:
        assert {line["item_code"] for line in response.json()["lines"]} == {"FGW-BA", "ZJJ-SG", "ZJJ-XF"}


def test_a_payment_is_recorded_and_an_overpayment_refused_on_its_field(api, planned, bill):
    path = f"/projects/{planned.project.code}/bill/payments"
    body = {"receipt_number": "R-001", "paid_on": "2026-03-02", "amount": "650.00", "payer": "江苏玉龙钢管"}
    assert api("clerk_fgw").post(path, body).status_code == 403
    paid = api("agent1").post(path, body)
    assert paid.status_code == 201, paid.content
    assert paid.json()["paid"] == "650.00"
    assert fields(api("agent1").post(path, {**body, "receipt_number": "R-002", "amount": "99999999.00"})) == {
        "amount"
    }
    assert fields(api("agent1").post(path, {**body, "receipt_number": "R-003", "amount": "1.001"})) == {
        "amount"
    }
    assert fields(api("agent1").post(path, body)) == {"receipt_number"}
    assert list(Payment.objects.values_list("receipt_number", flat=True)) == ["R-001"]
    assert api("county_gh").post(path, {**body, "receipt_number": "R-004"}).status_code == 404


def test_the_departments_clerk_waives_its_fee_and_no_one_else(api, planned, bill):
    fee = FeeLine.objects.get(bill=bill, task__item__code="ZJJ-SG")
    path = f"/projects/{planned.project.code}/bill/waivers"
    body = {
        "line": fee.pk,
        "amount": "5000.00",
        "policy_reference": "德府发〔2012〕20号",
        "granted_on": "2026-03-02",
    }
    assert api("clerk_fgw").post(path, body).status_code == 403
    assert api("agent1").post(path, body).status_code == 403
    assert fields(api("clerk_zjj").post(path, {**body, "policy_reference": ""})) == {"policy_reference"}
    assert fields(api("clerk_zjj").post(path, {**body, "line": fee.pk + 999})) == {"line"}
    assert not Waiver.objects.exists()
    granted = api("clerk_zjj").post(path, body)
    assert granted.status_code == 201, granted.content
    assert granted.json()["waived"] == "5000.00"
    (line,) = [line for line in granted.json()["lines"] if line["id"] == fee.pk]
    assert line["waiver"]["policy_reference"] == "德府发〔2012〕20号"
    assert audited(Waiver.objects.get()) == 1
