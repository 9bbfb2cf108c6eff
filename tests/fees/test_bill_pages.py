"""The bill page of a project (一窗缴费): one consolidated bill, its waivers and payments through the
page, the print layout's parts, and every role against it."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.approvals import services as approval_services
from onewindow.core.models import AuditEntry
from onewindow.fees import selectors, services
from onewindow.fees.models import Bill, FeeLine, Payment, Waiver

M = Decimal


@pytest.fixture
def as_user(people, clerks):
    users = {**people, "clerk_zjj": clerks["zjj"], "clerk_fgw_gh": clerks["fgw_gh"]}

    def client_for(name: str | None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if name is not None:
            client.force_login(users[name])
        return client

    return client_for


@pytest.fixture
def bill(people, planned):
    """The city project's bill, its 住建 infrastructure fee assessed on 8,000 m² (20,000 yuan)."""
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"floor_area_m2": M("8000")}
    )
    return services.prepare_bill(actor=people["agent1"], project=planned.project).bill


def bill_url(project, name="project-bill") -> str:
    return reverse(name, args=[project.pk])


def text_of(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def element_text(response, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', response.content.decode())
    assert match, element_id
    return unescape(match.group(1)).strip()


def field_errors(response, field_id: str) -> str:
    """The errors shown in the field block (``includes/field.html``) of the field with this id."""
    blocks = response.content.decode().split('<div class="field ')
    (block,) = [block for block in blocks[1:] if re.search(rf'id="{field_id}(_0)?"', block)]
    match = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', block, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else ""


def line(bill, code) -> FeeLine:
    return FeeLine.objects.get(bill=bill, task__item__code=code)


BILL_PAGE = {
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


@pytest.mark.parametrize(("role", "status"), BILL_PAGE.items())
def test_every_role_against_the_bill_page(as_user, planned, bill, role, status):
    assert as_user(role).get(bill_url(planned.project)).status_code == status


@pytest.mark.parametrize(
    ("role", "forms"),
    [
        ("agent1", {"prepare", "payment"}),
        ("leader", {"prepare", "payment", "waiver"}),
        ("clerk_zjj", {"waiver"}),
        ("clerk_fgw", set()),  # 发改's fee may not be waived
        ("agent2", set()),
        ("investor_yulong", set()),
    ],
)
def test_each_role_is_offered_only_its_forms(as_user, planned, bill, role, forms):
    html = as_user(role).get(bill_url(planned.project)).content.decode()
    shown = {
        name
        for name, marker in (
            ("prepare", f'action="{bill_url(planned.project, "bill-prepare")}"'),
            ("payment", 'id="payment-form"'),
            ("waiver", 'id="waiver-form"'),
        )
        if marker in html
    }
    assert shown == forms


def test_the_bill_shows_every_line_with_its_amounts_and_the_totals(as_user, planned, bill):
    response = as_user("investor_yulong").get(bill_url(planned.project))
    rows = {
        (row.line.task.item.code, row.line.name): (row.line.amount, row.waived, row.to_pay)
        for row in response.context["rows"]
    }
    assert rows == {
        ("FGW-BA", "备案工本费"): (M("100.00"), None, M("100.00")),
        ("ZJJ-SG", "城市基础设施配套费"): (M("20000.00"), None, M("20000.00")),
        ("ZJJ-XF", "消防审查服务费"): (M("550.00"), None, M("550.00")),
    }
    assert element_text(response, "bill-assessed") == "20,650.00"
    assert element_text(response, "bill-due") == "20,650.00"
    text = text_of(response)
    assert "floor area (m²): 8000.00 × 2.5000 yuan" in text and "at least 1000.00" in text
    assert planned.project.code in text and planned.project.investor.name in text
    assert "Consolidated bill" in text and timezone.localdate().isoformat() in text


def test_an_agent_prepares_the_bill_from_the_page(as_user, people, planned):
    client = as_user("agent1")
    assert "Prepare the bill" in text_of(client.get(bill_url(planned.project)))
    response = client.post(bill_url(planned.project, "bill-prepare"), follow=True)
    bill = Bill.objects.get(project=planned.project)
    assert selectors.totals_of(bill).assessed == M("650.00")
    assert "3 new" in text_of(response) and "1 fee is still to be assessed" in text_of(response)
    assert AuditEntry.objects.filter(object_type="fees.bill", actor_name="agent1", action="create").exists()
    again = client.post(bill_url(planned.project, "bill-prepare"), follow=True)
    assert "The bill is up to date" in text_of(again)


@pytest.mark.parametrize(
    ("role", "status"), [("clerk_fgw", 403), ("agent2", 403), ("investor_yulong", 403), ("county_gh", 404)]
)
def test_only_the_one_window_prepares_the_bill(as_user, planned, role, status):
    assert as_user(role).post(bill_url(planned.project, "bill-prepare")).status_code == status
    assert not Bill.objects.exists()


def test_a_payment_is_recorded_with_its_receipt_and_audited(as_user, planned, bill):
    response = as_user("agent1").post(
        bill_url(planned.project, "bill-payment"),
        {
            "receipt_number": "川财票 0001",
            "paid_on": "2026-03-02",
            "amount": "650.00",
            "payer": "江苏玉龙钢管股份有限公司",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#payments")
    payment = Payment.objects.get()
    assert (payment.amount, payment.receipt_number, payment.recorded_by.username) == (
        M("650.00"),
        "川财票 0001",
        "agent1",
    )
    assert AuditEntry.objects.filter(object_type="fees.payment", actor_name="agent1").count() == 1
    page = as_user("agent1").get(bill_url(planned.project))
    assert element_text(page, "bill-paid") == "650.00" and element_text(page, "bill-due") == "20,000.00"
    assert "川财票 0001" in text_of(page)


def test_an_overpayment_is_refused_on_the_amount_and_nothing_is_recorded(as_user, planned, bill):
    response = as_user("agent1").post(
        bill_url(planned.project, "bill-payment"),
        {"receipt_number": "R-1", "paid_on": "2026-03-02", "amount": "30000.00", "payer": "玉龙"},
    )
    assert response.status_code == 400
    assert (
        field_errors(response, "id_payment_amount")
        == "The payment of 30000.00 yuan exceeds the 20650.00 yuan due."
    )
    assert not Payment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="fees.payment").exists()


def test_a_used_receipt_number_and_a_future_date_are_refused_on_their_fields(as_user, planned, bill):
    client = as_user("agent1")
    url = bill_url(planned.project, "bill-payment")
    client.post(url, {"receipt_number": "R-1", "paid_on": "2026-03-02", "amount": "100.00", "payer": "玉龙"})
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client.post(
        url, {"receipt_number": "R-1", "paid_on": tomorrow, "amount": "100.00", "payer": "玉龙"}
    )
    assert response.status_code == 400
    assert (
        field_errors(response, "id_payment_receipt_number")
        == "This receipt number has been recorded already."
    )
    assert field_errors(response, "id_payment_paid_on") == "The date is in the future."
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("clerk_zjj", 403), ("leader", 302), ("agent2", 403), ("investor_yulong", 403), ("county_gh", 404)],
)
def test_only_the_one_window_records_payments(as_user, planned, bill, role, status):
    response = as_user(role).post(
        bill_url(planned.project, "bill-payment"),
        {"receipt_number": "R-9", "paid_on": "2026-03-02", "amount": "10.00", "payer": "玉龙"},
    )
    assert response.status_code == status
    assert Payment.objects.count() == (1 if status == 302 else 0)


def test_the_departments_clerk_waives_its_fee_citing_the_policy(as_user, planned, bill):
    fee = line(bill, "ZJJ-SG")
    client = as_user("clerk_zjj")
    assert list(client.get(bill_url(planned.project)).context["waiver_form"].fields["line"].queryset) == [fee]
    missing = client.post(
        bill_url(planned.project, "bill-waiver"),
        {"line": fee.pk, "amount": "5000.00", "granted_on": "2026-03-02"},
    )
    assert (
        missing.status_code == 400
        and field_errors(missing, "id_waiver_policy_reference") == "This field is required."
    )
    response = client.post(
        bill_url(planned.project, "bill-waiver"),
        {
            "line": fee.pk,
            "amount": "5000.00",
            "policy_reference": "德府发〔2012〕20号",
            "granted_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    waiver = Waiver.objects.get()
    assert (waiver.amount, waiver.policy_reference, waiver.granted_by.username) == (
        M("5000.00"),
        "德府发〔2012〕20号",
        "clerk_zjj",
    )
    assert AuditEntry.objects.filter(object_type="fees.waiver", actor_name="clerk_zjj").exists()
    page = as_user("agent1").get(bill_url(planned.project))
    row = next(row for row in page.context["rows"] if row.line.pk == fee.pk)
    assert (row.waived, row.to_pay) == (M("5000.00"), M("15000.00"))
    assert element_text(page, "bill-waived") == "5,000.00" and element_text(page, "bill-due") == "15,650.00"
    assert "德府发〔2012〕20号" in text_of(page)


def test_a_waiver_beyond_the_fee_is_refused_on_the_amount(as_user, planned, bill):
    fee = line(bill, "ZJJ-SG")
    response = as_user("leader").post(
        bill_url(planned.project, "bill-waiver"),
        {"line": fee.pk, "amount": "20000.01", "policy_reference": "政策", "granted_on": "2026-03-02"},
    )
    assert response.status_code == 400
    assert field_errors(response, "id_waiver_amount") == "A waiver cannot exceed the fee of 20000.00 yuan."
    assert not Waiver.objects.exists()


def test_a_waiver_outside_the_clerks_department_or_role_is_refused(as_user, planned, bill):
    fee = line(bill, "ZJJ-SG")
    data = {"line": fee.pk, "policy_reference": "政策", "granted_on": "2026-03-02"}
    refused = as_user("clerk_fgw").post(bill_url(planned.project, "bill-waiver"), data)
    assert refused.status_code == 400 and "Select a valid choice" in field_errors(refused, "id_waiver_line")
    assert as_user("agent1").post(bill_url(planned.project, "bill-waiver"), data).status_code == 403
    assert as_user("investor_yulong").post(bill_url(planned.project, "bill-waiver"), data).status_code == 403
    assert as_user("county_gh").post(bill_url(planned.project, "bill-waiver"), data).status_code == 404
    assert not Waiver.objects.exists()


def test_the_bill_page_costs_the_same_queries_whatever_its_lines_and_payments(as_user, people, planned, bill):
    client = as_user("agent1")
    with CaptureQueriesContext(connection) as before:
        client.get(bill_url(planned.project))
    approval_services.save_project_facts(
        actor=people["agent1"], project=planned.project, values={"public_venue": True}
    )
    services.prepare_bill(actor=people["agent1"], project=planned.project)
    for number in range(3):
        services.record_payment(
            actor=people["agent1"],
            bill=bill,
            receipt_number=f"R{number}",
            paid_on=timezone.localdate(),
            amount=M("10.00"),
            payer="玉龙",
        )
    with CaptureQueriesContext(connection) as after:
        page = client.get(bill_url(planned.project))
    assert len(page.context["rows"]) == 4 and len(page.context["payments"]) == 3
    assert len(after) == len(before)


def test_the_printed_bill_keeps_the_bill_and_drops_the_forms(as_user, planned, bill):
    html = as_user("agent1").get(bill_url(planned.project)).content.decode()
    assert 'href="/static/onewindow/tasks.css"' in html
    assert '<p class="print-only bill-issuer">' in html and 'class="print-only bill-footer"' in html
    assert 'class="columns screen-only"' in html  # the forms
    assert "data-print-page" in html and "onclick" not in html and "<style" not in html


def test_the_printed_bill_names_the_centre_that_handles_the_project(as_user, bill, guanghan):
    project = bill.project
    assert project.level == "city"
    assert "德阳市 government service centre" in text_of(as_user("agent1").get(bill_url(project)))

    project.level = "county"
    project.region = guanghan
    project.save(update_fields=["level", "region"])
    assert "广汉市 government service centre" in text_of(as_user("admin").get(bill_url(project)))
