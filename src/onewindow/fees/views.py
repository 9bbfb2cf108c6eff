"""The bill page of a project (一窗缴费): one consolidated bill of every department's fees, its
waivers and payments, printable on A4. The one-window staff (the project's agent, or centre staff who
may edit it) prepare the bill and record payments; a window clerk of the fee's department or a centre
leader grants waivers. Each view parses its input, calls one selector or service and renders: the
project outside the scope is 404 (``projects.selectors.project_for``), an action outside the role 403.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.permissions import has_role
from onewindow.approvals import task_selectors
from onewindow.approvals.models import ProjectFacts
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip
from onewindow.fees import selectors, services
from onewindow.fees.forms import PaymentForm, WaiverForm
from onewindow.fees.models import Bill, FeeLine
from onewindow.projects import selectors as project_selectors
from onewindow.projects.models import Project


@dataclass(frozen=True)
class BillRow:
    line: FeeLine
    waived: Decimal | None
    to_pay: Decimal | None  # the amount less the waiver; None while the fee is to be assessed
    per: str  # what a rate is charged per, as the plan facts name it


def _fact_label(name: str) -> str:
    try:
        return str(ProjectFacts._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def bill_rows(lines) -> list[BillRow]:
    rows = []
    for line in lines:
        waiver = line.waiver if hasattr(line, "waiver") else None
        waived = waiver.amount if waiver is not None else None
        to_pay = None if line.amount is None else line.amount - (waived or 0)
        per = line.basis.get("per") or ""
        rows.append(BillRow(line, waived, to_pay, _fact_label(per) if per else ""))
    return rows


def may_take_payments(user, project: Project) -> bool:
    """The one window: the project's agent (own or unassigned projects) or centre staff who edit it."""
    return task_selectors.may_act_for_project(user, project)


def may_waive_some(user) -> bool:
    return has_role(user, services.WAIVER_LEADER_ROLES) or user.role == "clerk"


def waivable_lines(user, bill: Bill | None) -> QuerySet[FeeLine]:
    """The bill's lines this user may waive now: waivable, assessed, not yet waived; a clerk only
    those of their department's tasks."""
    if bill is None or not may_waive_some(user):
        return FeeLine.objects.none()
    lines = (
        FeeLine.objects.filter(bill=bill, waivable=True, amount__gt=0, waiver__isnull=True)
        .select_related("task__item", "task__department")
        .order_by("position", "id")
    )
    if not has_role(user, services.WAIVER_LEADER_ROLES):
        code = user.department.code if user.department_id else None
        lines = lines.filter(task__department__code=code)
    return lines


def _bill_page(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    waiver_form: WaiverForm | None = None,
    payment_form: PaymentForm | None = None,
) -> HttpResponse:
    user = request.user
    bill = selectors.bill_of_project(user, project)
    rows = bill_rows(selectors.bill_lines(bill)) if bill is not None else []
    cashier = may_take_payments(user, project)
    waivable = waivable_lines(user, bill)
    if waiver_form is None and bill is not None and waivable.exists():
        waiver_form = WaiverForm(lines=waivable)
    if payment_form is None and bill is not None and cashier:
        payment_form = PaymentForm(payer=project.investor.name)
    context = {
        "project": project,
        "issuing_centre": selectors.issuing_centre(project),
        "bill": bill,
        "rows": rows,
        "totals": selectors.annotated_totals(bill) if bill is not None else None,
        "payments": list(selectors.bill_payments(bill)) if bill is not None else [],
        "may_prepare": cashier,
        "waiver_form": waiver_form,
        "payment_form": payment_form if cashier else None,
        "today": timezone.localdate(),
    }
    return render(request, "fees/bill.html", context, status=status)


@login_required
def bill_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _bill_page(request, project_selectors.project_for(request.user, pk))


@login_required
@require_POST
def prepare_bill(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_selectors.project_for(request.user, pk)
    if not may_take_payments(request.user, project):
        raise PermissionDenied
    try:
        sync = services.prepare_bill(actor=request.user, project=project, source_ip=client_ip(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if sync.created or sync.changed or sync.removed:
            messages.success(
                request,
                _(
                    "The bill was brought up to date: %(created)d new, %(changed)d changed, "
                    "%(removed)d removed."
                )
                % {"created": len(sync.created), "changed": len(sync.changed), "removed": len(sync.removed)},
            )
        else:
            messages.info(request, _("The bill is up to date with the catalog and the project's facts."))
    return redirect("project-bill", pk=pk)


@login_required
@require_POST
def grant_waiver(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_selectors.project_for(user, pk)
    if not may_waive_some(user):
        raise PermissionDenied
    bill = selectors.bill_of_project(user, project)
    form = WaiverForm(request.POST, lines=waivable_lines(user, bill))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_waiver(
                actor=user,
                line=data["line"],
                policy_reference=data["policy_reference"],
                granted_on=data["granted_on"],
                amount=data["amount"],
                reason=data["reason"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The waiver was recorded."))
            return redirect(reverse("project-bill", args=[pk]) + "#bill-lines")
    return _bill_page(request, project, status=400, waiver_form=form)


@login_required
@require_POST
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = project_selectors.project_for(user, pk)
    if not may_take_payments(user, project):
        raise PermissionDenied
    bill = selectors.bill_of_project(user, project)
    form = PaymentForm(request.POST)
    if bill is None:
        form.is_valid()
        form.add_error(None, _("Prepare the bill first."))
        return _bill_page(request, project, status=400, payment_form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_payment(
                actor=user,
                bill=bill,
                receipt_number=data["receipt_number"],
                paid_on=data["paid_on"],
                amount=data["amount"],
                payer=data["payer"],
                note=data["note"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Payment %(receipt)s of %(amount)s yuan was recorded.")
                % {"receipt": data["receipt_number"], "amount": f"{data['amount']:,.2f}"},
            )
            return redirect(reverse("project-bill", args=[pk]) + "#payments")
    return _bill_page(request, project, status=400, payment_form=form)
