"""Every write of the one-window bill (一窗缴费): its lines from the catalog, waivers, payments.

Each function is atomic, takes keyword-only arguments, refuses bad input with a ``ValidationError``
keyed by field and a wrong person with ``PermissionDenied``, and writes its audit row (with the
project's region path) in the same transaction. Money is ``Decimal`` only: a float is refused.

Who does what: the one-window staff (the project's agent, or centre staff who may edit the project)
prepare the bill and record payments; a waiver is granted by a window clerk of the fee's department
or a centre leader (or an administrator).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import has_role
from onewindow.approvals import selectors as approval_selectors
from onewindow.approvals import task_selectors
from onewindow.approvals.formulas import FeeSpec, compute_fee
from onewindow.approvals.models import ApprovalTask, Fee, TaskState
from onewindow.approvals.rules import applies
from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.fees import selectors
from onewindow.fees.models import Bill, FeeLine, Payment, Waiver
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
WAIVER_LEADER_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def _visible(actor: User, project: Project) -> bool:
    return visible_projects(actor).filter(pk=project.pk).exists()


def _require_cashier(actor: User, project: Project) -> None:
    """The one window: the project's agent (own or unassigned projects) or centre staff in scope."""
    if not task_selectors.may_act_for_project(actor, project):
        raise PermissionDenied(_("Only the project's agent or centre staff may do this."))
    if not _visible(actor, project):
        raise PermissionDenied


def _require_waiver_authority(actor: User, line: FeeLine) -> None:
    allowed = has_role(actor, WAIVER_LEADER_ROLES) or task_selectors.is_window_clerk_for(actor, line.task)
    if not allowed:
        raise PermissionDenied(_("Only the fee's department or a centre leader may waive it."))
    if not _visible(actor, line.task.project):
        raise PermissionDenied


def _money(value: Any, name: str, errors: dict) -> Decimal | None:
    """A positive ``Decimal`` amount of yuan with at most two decimal places. Anything else (a float
    above all) is refused, never converted or rounded silently."""
    if not isinstance(value, Decimal):
        errors[name] = _("Give the amount as a decimal number of yuan, e.g. 550.00.")
        return None
    if not value.is_finite() or value <= 0:
        errors[name] = _("The amount must be more than zero.")
        return None
    if value != value.quantize(CENT):
        errors[name] = _("The amount has at most two decimal places (fen).")
        return None
    if value > MAX_AMOUNT:
        errors[name] = _("The amount is too large.")
        return None
    return value.quantize(CENT)


def _fee_spec(fee: Fee) -> FeeSpec:
    return FeeSpec(
        name=fee.name,
        legal_basis=fee.legal_basis,
        amount=fee.amount,
        rate=fee.rate,
        per=fee.per,
        minimum=fee.minimum,
        maximum=fee.maximum,
        waivable=fee.waivable,
        applies_when=fee.applies_when,
    )


def _basis(fee: Fee, facts: dict) -> dict[str, Any]:
    basis: dict[str, Any] = {}
    if fee.amount is not None:
        basis["fixed"] = str(fee.amount)
    if fee.rate is not None:
        quantity = facts.get(fee.per)
        basis.update(rate=str(fee.rate), per=fee.per, quantity=None if quantity is None else str(quantity))
    if fee.minimum is not None:
        basis["minimum"] = str(fee.minimum)
    if fee.maximum is not None:
        basis["maximum"] = str(fee.maximum)
    return basis


def _plain(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


# -- the bill and its lines ----------------------------------------------------------------------


@dataclass(frozen=True)
class BillSync:
    bill: Bill
    created: tuple[FeeLine, ...]
    changed: tuple[FeeLine, ...]
    removed: tuple[str, ...]


@transaction.atomic
def prepare_bill(*, actor: User, project: Project, source_ip: str | None = None) -> BillSync:
    """Create the project's bill, or bring it up to date: one line per catalog fee of each task that
    applies to the project, with its amount computed from the project's facts now. Running it again
    changes only what changed. A line already waived keeps its amount; a bill never falls below what
    has been paid."""
    project = Project.objects.select_related("region").get(pk=project.pk)
    _require_cashier(actor, project)
    bill, created_bill = Bill.objects.get_or_create(project=project, defaults={"created_by": actor})
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    facts = approval_selectors.rule_facts(project)
    tasks = list(
        ApprovalTask.objects.filter(project=project)
        .exclude(state=TaskState.WITHDRAWN)
        .select_related("item")
        .order_by("item__position", "id")
    )
    fees: dict[int, list[Fee]] = {task.item_id: [] for task in tasks}
    for fee in Fee.objects.filter(item__in=list(fees)).order_by("item", "position", "id"):
        fees[fee.item_id].append(fee)
    existing = {
        (line.task_id, line.fee_id): line
        for line in FeeLine.objects.filter(bill=bill).select_related("waiver", "task__item")
    }
    wanted: set[tuple[int, int]] = set()
    created, changed = [], []
    position = 0
    for task in tasks:
        for fee in fees[task.item_id]:
            if not applies(fee.applies_when, facts):
                continue
            key = (task.pk, fee.pk)
            wanted.add(key)
            position += 1
            amount = compute_fee(_fee_spec(fee), facts)
            line = existing.get(key)
            if line is None:
                created.append(
                    FeeLine(
                        bill=bill,
                        task=task,
                        fee=fee,
                        name=fee.name,
                        legal_basis=fee.legal_basis,
                        amount=amount,
                        basis=_basis(fee, facts),
                        waivable=fee.waivable,
                        position=position,
                    )
                )
            elif line.amount != amount and not hasattr(line, "waiver"):
                changed.append((line, line.amount, amount, _basis(fee, facts), position))
            elif line.position != position:
                line.position = position
                line.save(update_fields=["position"])
    stale = [line for key, line in existing.items() if key not in wanted]
    kept_waived = [line for line in stale if hasattr(line, "waiver")]
    removed = [line for line in stale if not hasattr(line, "waiver")]

    FeeLine.objects.bulk_create(created)
    for line, _before, amount, basis, line_position in changed:
        line.amount, line.basis, line.position = amount, basis, line_position
        line.save(update_fields=["amount", "basis", "position", "updated_at"])
    removed_names = tuple(f"{line.task.item.code}: {line.name}" for line in removed)
    FeeLine.objects.filter(pk__in=[line.pk for line in removed]).delete()

    totals = selectors.totals_of(bill)
    if totals.due < 0:
        raise ValidationError(
            {
                "amount": _(
                    "The bill would fall to %(assessed)s yuan, below the %(paid)s yuan already paid and "
                    "waived. Record the refund first."
                )
                % {"assessed": totals.assessed, "paid": totals.paid + totals.waived}
            }
        )
    changes: dict[str, Any] = {}
    if created:
        changes["lines_created"] = [
            {"item": line.task.item.code, "fee": line.name, "amount": _plain(line.amount)} for line in created
        ]
    if changed:
        changes["lines_changed"] = [
            {"item": line.task.item.code, "fee": line.name, "amount": [_plain(before), _plain(line.amount)]}
            for line, before, *_rest in changed
        ]
    if removed_names:
        changes["lines_removed"] = list(removed_names)
    if kept_waived:
        changes["waived_lines_kept"] = [f"{line.task.item.code}: {line.name}" for line in kept_waived]
    if created_bill or changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE if created_bill else AuditEntry.Action.UPDATE,
            obj=bill,
            changes=changes | {"assessed": str(totals.assessed), "to_assess": totals.to_assess},
            source_ip=source_ip,
            region_path=project.region.path,
        )
    return BillSync(
        bill=bill,
        created=tuple(created),
        changed=tuple(line for line, *_rest in changed),
        removed=removed_names,
    )


# -- waivers -------------------------------------------------------------------------------------


@transaction.atomic
def grant_waiver(
    *,
    actor: User,
    line: FeeLine,
    policy_reference: str,
    granted_on: datetime.date,
    amount: Decimal | None = None,
    reason: str = "",
    source_ip: str | None = None,
) -> Waiver:
    """Waive (减免) a waivable fee line, all of it (``amount=None``) or part, under a named policy."""
    bill = Bill.objects.select_for_update(of=("self",)).select_related("project__region").get(pk=line.bill_id)
    line = FeeLine.objects.select_related("task__department", "task__project").get(pk=line.pk)
    _require_waiver_authority(actor, line)
    errors: dict[str, str] = {}
    if not line.waivable:
        errors["line"] = _("This fee may not be waived.")
    elif Waiver.objects.filter(line=line).exists():
        errors["line"] = _("This fee has been waived already.")
    elif line.amount is None:
        errors["line"] = _("This fee has not been assessed yet.")
    policy_reference = (policy_reference or "").strip()
    if not policy_reference:
        errors["policy_reference"] = _("Cite the policy that allows the waiver.")
    elif len(policy_reference) > 200:
        errors["policy_reference"] = _("Keep the policy reference under 200 characters.")
    reason = (reason or "").strip()
    if len(reason) > 2000:
        errors["reason"] = _("Keep it under 2,000 characters.")
    if not isinstance(granted_on, datetime.date) or granted_on > timezone.localdate():
        errors["granted_on"] = _("The date is in the future.")
    value = line.amount if amount is None and line.amount is not None else None
    if amount is not None:
        value = _money(amount, "amount", errors)
    if "line" not in errors and value is not None and value > line.amount:
        errors["amount"] = _("A waiver cannot exceed the fee of %(amount)s yuan.") % {"amount": line.amount}
    if not errors and value is not None:
        totals = selectors.totals_of(bill)
        if value > totals.due:
            errors["amount"] = _(
                "Only %(due)s yuan of the bill is still due; it cannot be waived beyond that."
            ) % {"due": totals.due}
    if errors:
        raise ValidationError(errors)
    waiver = Waiver.objects.create(
        line=line,
        amount=value,
        policy_reference=policy_reference,
        reason=reason,
        granted_on=granted_on,
        granted_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=waiver,
        changes={
            "bill": bill.pk,
            "line": line.name,
            "amount": str(value),
            "policy_reference": policy_reference,
            "granted_on": granted_on.isoformat(),
        },
        source_ip=source_ip,
        region_path=bill.project.region.path,
    )
    return waiver


# -- payments ------------------------------------------------------------------------------------


@transaction.atomic
def record_payment(
    *,
    actor: User,
    bill: Bill,
    receipt_number: str,
    paid_on: datetime.date,
    amount: Decimal,
    payer: str,
    note: str = "",
    source_ip: str | None = None,
) -> Payment:
    """Record a payment at the one window against the bill. It may not exceed what is still due (待缴),
    and a receipt number is used once."""
    bill = Bill.objects.select_for_update(of=("self",)).select_related("project__region").get(pk=bill.pk)
    _require_cashier(actor, bill.project)
    errors: dict[str, str] = {}
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        errors["receipt_number"] = _("Enter the receipt number.")
    elif len(receipt_number) > 64:
        errors["receipt_number"] = _("Keep the receipt number under 64 characters.")
    elif Payment.objects.filter(receipt_number=receipt_number).exists():
        errors["receipt_number"] = _("This receipt number has been recorded already.")
    if not isinstance(paid_on, datetime.date) or paid_on > timezone.localdate():
        errors["paid_on"] = _("The date is in the future.")
    payer = (payer or "").strip()
    if not payer:
        errors["payer"] = _("Name the payer.")
    elif len(payer) > 200:
        errors["payer"] = _("Keep the payer's name under 200 characters.")
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = _("Keep it under 2,000 characters.")
    value = _money(amount, "amount", errors)
    if value is not None:
        due = selectors.totals_of(bill).due
        if value > due:
            errors["amount"] = _("The payment of %(amount)s yuan exceeds the %(due)s yuan due.") % {
                "amount": value,
                "due": due,
            }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                bill=bill,
                receipt_number=receipt_number,
                paid_on=paid_on,
                amount=value,
                payer=payer,
                note=note,
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"receipt_number": _("This receipt number has been recorded already.")}
        ) from None
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=payment,
        changes={
            "bill": bill.pk,
            "receipt_number": receipt_number,
            "paid_on": paid_on.isoformat(),
            "amount": str(value),
            "payer": payer,
        },
        source_ip=source_ip,
        region_path=bill.project.region.path,
    )
    return payment
