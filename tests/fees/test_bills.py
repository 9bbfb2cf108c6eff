"""One-window fees (一窗缴费): a bill per project from the catalog's fees, waivers, payments, totals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.approvals import services as approval_services
from onewindow.approvals import task_services
from onewindow.core.models import AuditEntry
from onewindow.fees import selectors, services
from onewindow.fees.models import Bill, FeeLine, Payment, Waiver
from tests.approvals.conftest import plan_with_tasks
from tests.factories import ProjectFactory

D = datetime.date
M = Decimal


def lines(bill):
    return {(line.task.item.code, line.name): line.amount for line in selectors.bill_lines(bill)}


def totals(bill):
    found = selectors.totals_of(bill)
    return (found.assessed, found.waived, found.paid, found.due, found.to_assess)


@pytest.fixture
def bill(people, planned):
    return services.prepare_bill(actor=people["agent1"], project=planned.project).bill


def line(bill, code):
    return FeeLine.objects.get(bill=bill, task__item__code=code)


def test_a_bill_gathers_every_departments_fees_of_the_projects_tasks(people, planned, bill):
    assert lines(bill) == {
        ("FGW-BA", "备案工本费"): M("100.00"),
        ("ZJJ-SG", "城市基础设施配套费"): None,  # per m² of floor area, not yet recorded
        ("ZJJ-XF", "消防审查服务费"): M("550.00"),
    }
    assert totals(bill) == (M("650.00"), M("0.00"), M("0.00"), M("650.00"), 1)
    entry = AuditEntry.objects.get(object_type="fees.bill")
    assert entry.action == "create" and entry.region_path == planned.project.region.path
    assert len(entry.changes["lines_created"]) == 3


def test_preparing_again_changes_only_what_the_facts_changed(people, planned, bill):
    again = services.prepare_bill(actor=people["agent1"], project=planned.project)
    assert (again.created, again.changed, again.removed) == ((), (), ())
    assert AuditEntry.objects.filter(object_type="fees.bill").count() == 1
    approval_services.save_project_facts(
        actor=people["agent1"],
        project=planned.project,
        values={"floor_area_m2": M("8000"), "public_venue": True},
    )
    sync = services.prepare_bill(actor=people["agent1"], project=planned.project)
    assert [line.name for line in sync.created] == ["公众聚集场所附加费"]
    assert [line.name for line in sync.changed] == ["城市基础设施配套费"]
    assert line(bill, "ZJJ-SG").amount == M("20000.00")
    assert line(bill, "ZJJ-SG").basis == {
        "rate": "2.5000",
        "per": "floor_area_m2",
        "quantity": "8000.00",
        "minimum": "1000.00",
    }
    assert totals(bill) == (M("20950.00"), M("0.00"), M("0.00"), M("20950.00"), 0)
    approval_services.save_project_facts(
        actor=people["agent1"],
        project=planned.project,
        values={"floor_area_m2": M("100"), "public_venue": False},
    )
    sync = services.prepare_bill(actor=people["agent1"], project=planned.project)
    assert sync.removed == ("ZJJ-XF: 公众聚集场所附加费",)
    assert line(bill, "ZJJ-SG").amount == M("1000.00")  # the minimum


def test_a_withdrawn_tasks_fees_leave_the_bill(people, planned, bill):
    task_services.withdraw_task(
        actor=people["agent1"], task=planned.tasks["ZJJ-XF"], on=D(2026, 2, 9), reason="取消"
    )
    services.prepare_bill(actor=people["agent1"], project=planned.project)
    assert ("ZJJ-XF", "消防审查服务费") not in lines(bill)


# -- waivers -------------------------------------------------------------------------------------


@pytest.fixture
def assessed(people, planned, bill):
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"floor_area_m2": M("8000")}
    )
    services.prepare_bill(actor=people["agent1"], project=planned.project)
    return bill


def test_a_waivable_fee_is_waived_in_part_under_a_named_policy(people, clerks, planned, assessed):
    waiver = services.grant_waiver(
        actor=clerks["zjj"],
        line=line(assessed, "ZJJ-SG"),
        amount=M("5000.00"),
        policy_reference="川府发〔2023〕X号 重大项目配套费减免",
        granted_on=D(2026, 3, 2),
        reason="省重点项目",
    )
    assert waiver.amount == M("5000.00")
    assert totals(assessed) == (M("20650.00"), M("5000.00"), M("0.00"), M("15650.00"), 0)
    entry = AuditEntry.objects.get(object_type="fees.waiver")
    assert (
        entry.changes["policy_reference"].startswith("川府发")
        and entry.region_path == planned.project.region.path
    )


def test_a_leader_waives_a_whole_fee(people, assessed):
    services.grant_waiver(
        actor=people["leader"],
        line=line(assessed, "ZJJ-SG"),
        policy_reference="市政府会议纪要",
        granted_on=D(2026, 3, 2),
    )
    assert selectors.totals_of(assessed).waived == M("20000.00")


@pytest.mark.parametrize(
    ("code", "values", "field"),
    [
        ("FGW-BA", {}, "line"),  # not waivable
        ("ZJJ-SG", {"policy_reference": "  "}, "policy_reference"),
        ("ZJJ-SG", {"amount": M("20000.01")}, "amount"),
        ("ZJJ-SG", {"amount": 100.0}, "amount"),  # a float is never money
        ("ZJJ-SG", {"amount": M("0")}, "amount"),
        ("ZJJ-SG", {"granted_on": D(2999, 1, 1)}, "granted_on"),
    ],
)
def test_a_wrong_waiver_is_refused(people, assessed, code, values, field):
    arguments = {"policy_reference": "政策", "granted_on": D(2026, 3, 2)} | values
    with pytest.raises(ValidationError) as caught:
        services.grant_waiver(actor=people["leader"], line=line(assessed, code), **arguments)
    assert field in caught.value.message_dict
    assert not Waiver.objects.exists()


def test_a_fee_is_waived_once_and_only_by_its_department_or_a_leader(people, clerks, assessed):
    target = line(assessed, "ZJJ-SG")
    for who in (people["agent1"], clerks["fgw"], people["investor_yulong"]):
        with pytest.raises(PermissionDenied):
            services.grant_waiver(actor=who, line=target, policy_reference="政策", granted_on=D(2026, 3, 2))
    services.grant_waiver(
        actor=clerks["zjj"], line=target, amount=M("1.00"), policy_reference="政策", granted_on=D(2026, 3, 2)
    )
    with pytest.raises(ValidationError) as caught:
        services.grant_waiver(
            actor=clerks["zjj"],
            line=target,
            amount=M("1.00"),
            policy_reference="政策",
            granted_on=D(2026, 3, 2),
        )
    assert "line" in caught.value.message_dict


# -- payments ------------------------------------------------------------------------------------


def pay(actor, bill, amount, receipt="川财票2026-0001", **values):
    arguments = {"paid_on": D(2026, 3, 3), "payer": "江苏玉龙钢管股份有限公司"} | values
    return services.record_payment(actor=actor, bill=bill, receipt_number=receipt, amount=amount, **arguments)


def test_payments_at_the_one_window_reduce_what_is_due(people, planned, assessed):
    pay(people["agent1"], assessed, M("650.00"))
    pay(people["leader"], assessed, M("20000.00"), receipt="川财票2026-0002")
    assert totals(assessed) == (M("20650.00"), M("0.00"), M("20650.00"), M("0.00"), 0)
    entry = AuditEntry.objects.filter(object_type="fees.payment").first()
    assert (
        entry.changes["amount"] in {"650.00", "20000.00"} and entry.region_path == planned.project.region.path
    )


def test_a_payment_cannot_exceed_what_is_due(people, assessed):
    services.grant_waiver(
        actor=people["leader"],
        line=line(assessed, "ZJJ-SG"),
        policy_reference="政策",
        granted_on=D(2026, 3, 2),
    )
    with pytest.raises(ValidationError) as caught:
        pay(people["agent1"], assessed, M("650.01"))
    assert "650.00" in caught.value.message_dict["amount"][0]
    pay(people["agent1"], assessed, M("650.00"))
    with pytest.raises(ValidationError):
        pay(people["agent1"], assessed, M("0.01"), receipt="R2")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": 100.0}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": M("-5.00")}, "amount"),
        ({"amount": M("10.001")}, "amount"),
        ({"receipt": " "}, "receipt_number"),
        ({"payer": ""}, "payer"),
        # Worked out when the test runs, not when it is collected: a run that crosses midnight would
        # otherwise pay "tomorrow" on the day itself.
        ({"paid_on": lambda: timezone.localdate() + datetime.timedelta(days=1)}, "paid_on"),
    ],
)
def test_a_wrong_payment_is_refused(people, assessed, values, field):
    values = {name: value() if callable(value) else value for name, value in values.items()}
    amount = values.pop("amount", M("100.00"))
    with pytest.raises(ValidationError) as caught:
        pay(people["agent1"], assessed, amount, **values)
    assert field in caught.value.message_dict
    assert not Payment.objects.exists()


def test_a_receipt_number_is_recorded_once_across_bills(people, city, task_catalog, assessed):
    pay(people["agent1"], assessed, M("100.00"), receipt="R-1")
    other = ProjectFactory(region=city)
    plan_with_tasks(other, task_catalog, people["leader"])
    other_bill = services.prepare_bill(actor=people["leader"], project=other).bill
    with pytest.raises(ValidationError) as caught:
        pay(people["leader"], other_bill, M("100.00"), receipt="R-1")
    assert "receipt_number" in caught.value.message_dict


@pytest.mark.parametrize("who", ["investor_yulong", "agent2", "clerk_fgw", "county_gh"])
def test_only_the_one_window_records_payments(people, assessed, who):
    with pytest.raises(PermissionDenied):
        pay(people[who], assessed, M("1.00"))


def test_the_bill_never_falls_below_what_was_paid(people, planned, assessed):
    pay(people["agent1"], assessed, M("20650.00"))
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"floor_area_m2": M("100")}
    )
    with pytest.raises(ValidationError) as caught:
        services.prepare_bill(actor=people["agent1"], project=planned.project)
    assert "amount" in caught.value.message_dict
    assert line(assessed, "ZJJ-SG").amount == M("20000.00")


# -- reads ---------------------------------------------------------------------------------------


def test_totals_are_decimals_computed_in_sql_in_one_query_for_any_number_of_bills(
    people, city, task_catalog, assessed, django_assert_num_queries
):
    pay(people["agent1"], assessed, M("0.10"), receipt="A")
    pay(people["agent1"], assessed, M("0.20"), receipt="B")
    for _ in range(3):
        project = ProjectFactory(region=city)
        plan_with_tasks(project, task_catalog, people["leader"])
        services.prepare_bill(actor=people["leader"], project=project)
    with django_assert_num_queries(1):
        found = list(selectors.with_totals(selectors.visible_bills(people["leader"])))
    assert len(found) == 4
    mine = next(b for b in found if b.pk == assessed.pk)
    assert selectors.annotated_totals(mine).paid == M("0.30")  # not 0.30000000000000004
    assert isinstance(mine.due, Decimal)
    assert selectors.annotated_totals(mine).due == M("20649.70")


def test_bill_lines_cost_one_query(people, assessed, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (entry.task.item.code, entry.task.department.code, getattr(entry, "waiver", None))
            for entry in selectors.bill_lines(assessed)
        ]
    assert len(rows) == 3


def test_the_bill_api_answers_money_as_decimal_strings(client, people, clerks, planned, assessed):
    services.grant_waiver(
        actor=clerks["zjj"],
        line=line(assessed, "ZJJ-SG"),
        amount=M("5000.00"),
        policy_reference="政策",
        granted_on=D(2026, 3, 2),
    )
    pay(people["agent1"], assessed, M("650.00"))
    client.force_login(people["investor_yulong"])
    body = client.get(f"/api/v1/projects/{planned.project.code}/bill").json()
    assert (body["assessed"], body["waived"], body["paid"], body["due"], body["to_assess"]) == (
        "20650.00",
        "5000.00",
        "650.00",
        "15000.00",
        0,
    )
    lines_ = {row["item_code"]: row for row in body["lines"]}
    assert lines_["ZJJ-SG"]["waiver"]["amount"] == "5000.00" and lines_["ZJJ-SG"]["department"] == "zjj"
    assert body["payments"] == [
        {
            "receipt_number": "川财票2026-0001",
            "paid_on": "2026-03-03",
            "amount": "650.00",
            "payer": "江苏玉龙钢管股份有限公司",
        }
    ]


def test_the_bill_api_is_404_outside_the_scope_or_without_a_bill_and_401_logged_out(
    client, people, planned, world, assessed
):
    client.force_login(people["county_gh"])
    assert client.get(f"/api/v1/projects/{planned.project.code}/bill").status_code == 404
    client.force_login(people["leader"])
    assert client.get(f"/api/v1/projects/{world['guanghan'].code}/bill").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/projects/{planned.project.code}/bill").status_code == 401


def test_the_bill_api_costs_the_same_queries_whatever_the_number_of_lines(client, people, planned, bill):
    client.force_login(people["leader"])
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/projects/{planned.project.code}/bill")
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"public_venue": True}
    )
    services.prepare_bill(actor=people["agent1"], project=planned.project)
    pay(people["agent1"], bill, M("1.00"))
    pay(people["agent1"], bill, M("2.00"), receipt="B")
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(f"/api/v1/projects/{planned.project.code}/bill").json()["lines"]) == 4
    assert len(few) == len(more)
    assert Bill.objects.count() == 1
