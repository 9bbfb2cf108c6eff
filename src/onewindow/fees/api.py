"""The project's one-window bill (一窗缴费). Money is given as decimal strings of yuan ("550.00")."""

import datetime

from ninja import Router, Schema

from onewindow.accounts.api_auth import API_AUTH
from onewindow.fees import selectors

router = Router(tags=["fees"], auth=API_AUTH)


class WaiverOut(Schema):
    amount: str
    policy_reference: str
    granted_on: datetime.date


class FeeLineOut(Schema):
    task_id: int
    item_code: str
    department: str
    name: str
    legal_basis: str
    amount: str | None
    waivable: bool
    waiver: WaiverOut | None


class PaymentOut(Schema):
    receipt_number: str
    paid_on: datetime.date
    amount: str
    payer: str


class BillOut(Schema):
    project_code: str
    assessed: str
    waived: str
    paid: str
    due: str
    to_assess: int
    lines: list[FeeLineOut]
    payments: list[PaymentOut]


def _money(value) -> str:
    return f"{value:.2f}"


@router.get("/{code}/bill", response=BillOut, summary="A project's one-window bill")
def project_bill(request, code: str):
    """Every department's fees of the project on one bill: assessed, waived (减免), paid (已缴) and due
    (待缴) totals; lines still to be assessed (a fact their formula needs is unknown) have no amount and
    are counted in ``to_assess``. 404 for a project outside the caller's scope or without a bill."""
    bill = selectors.bill_for(request.user, code)
    totals = selectors.annotated_totals(bill)
    return {
        "project_code": bill.project.code,
        "assessed": _money(totals.assessed),
        "waived": _money(totals.waived),
        "paid": _money(totals.paid),
        "due": _money(totals.due),
        "to_assess": totals.to_assess,
        "lines": [
            {
                "task_id": line.task_id,
                "item_code": line.task.item.code,
                "department": line.task.department.code,
                "name": line.name,
                "legal_basis": line.legal_basis,
                "amount": None if line.amount is None else _money(line.amount),
                "waivable": line.waivable,
                "waiver": _waiver_out(line),
            }
            for line in selectors.bill_lines(bill)
        ],
        "payments": [
            {
                "receipt_number": payment.receipt_number,
                "paid_on": payment.paid_on,
                "amount": _money(payment.amount),
                "payer": payment.payer,
            }
            for payment in selectors.bill_payments(bill)
        ],
    }


def _waiver_out(line) -> dict | None:
    waiver = getattr(line, "waiver", None)
    if waiver is None:
        return None
    return {
        "amount": _money(waiver.amount),
        "policy_reference": waiver.policy_reference,
        "granted_on": waiver.granted_on,
    }
