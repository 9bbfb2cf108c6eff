"""The project's one-window bill (一窗缴费). Money is given as decimal strings of yuan ("550.00").

Writes are what the bill page does, through the same services: the one-window staff (the project's
agent, or centre staff who may edit it) prepare the bill and record payments; a window clerk of the
fee's department or a centre leader grants waivers (403 for anyone else).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.core.http import client_ip
from onewindow.fees import selectors, services
from onewindow.fees.models import FeeLine
from onewindow.projects import selectors as project_selectors

router = Router(tags=["fees"], auth=API_AUTH)


class WaiverOut(Schema):
    amount: str
    policy_reference: str
    granted_on: datetime.date


class FeeLineOut(Schema):
    id: int
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
    return _bill_out(selectors.bill_for(request.user, code))


def _bill_out(bill) -> dict:
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
                "id": line.pk,
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


# -- writes ----------------------------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str


@router.post("/{code}/bill", response={200: BillOut, 409: ConflictOut}, summary="Prepare or update the bill")
def prepare_bill(request: HttpRequest, code: str):
    """Creates the project's bill, or brings it up to date with the catalog and the project's facts:
    one line per fee of each task that applies. Running it again changes only what changed. It takes
    no input, so a refusal is a conflict with the bill's state (409): e.g. the bill would fall below
    what was paid and waived."""
    project = project_selectors.project_by_code(request.user, code)
    try:
        services.prepare_bill(actor=request.user, project=project, source_ip=client_ip(request))
    except DjangoValidationError as error:
        return Status(409, {"detail": " ".join(error.messages)})
    return Status(200, _bill_out(selectors.bill_for(request.user, code)))


class WaiverIn(Schema):
    line: int = Field(..., description="The id of a waivable line of the bill")
    amount: Decimal | None = Field(None, description="Yuan; empty to waive the whole fee")
    policy_reference: str = Field(..., description="The document that allows the waiver")
    granted_on: datetime.date
    reason: str = ""


def _field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["body", field], "msg": message}])


@router.post("/{code}/bill/waivers", response={201: BillOut}, summary="Waive (减免) a fee of the bill")
def grant_waiver(request: HttpRequest, code: str, payload: WaiverIn):
    """All of a waivable fee, or part of it, under a named policy; never beyond what is still due."""
    bill = selectors.bill_for(request.user, code)
    line = FeeLine.objects.filter(bill=bill, pk=payload.line).first()
    if line is None:
        raise _field_error("line", _("The bill has no such line."))
    services.grant_waiver(
        actor=request.user,
        line=line,
        policy_reference=payload.policy_reference,
        granted_on=payload.granted_on,
        amount=payload.amount,
        reason=payload.reason,
        source_ip=client_ip(request),
    )
    return Status(201, _bill_out(selectors.bill_for(request.user, code)))


class PaymentIn(Schema):
    receipt_number: str
    paid_on: datetime.date
    amount: Decimal = Field(..., description="Yuan, at most two decimal places, e.g. 550.00")
    payer: str
    note: str = ""


@router.post("/{code}/bill/payments", response={201: BillOut}, summary="Record a payment at the one window")
def record_payment(request: HttpRequest, code: str, payload: PaymentIn):
    """Never more than is still due (待缴); a receipt number is recorded once."""
    bill = selectors.bill_for(request.user, code)
    services.record_payment(
        actor=request.user,
        bill=bill,
        receipt_number=payload.receipt_number,
        paid_on=payload.paid_on,
        amount=payload.amount,
        payer=payload.payer,
        note=payload.note,
        source_ip=client_ip(request),
    )
    return Status(201, _bill_out(selectors.bill_for(request.user, code)))
