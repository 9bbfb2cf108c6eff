"""Reads of bills, scoped by who may see the project (``projects.selectors.visible_projects``);
outside the scope a bill does not exist (404). Totals are computed in SQL, one query per bill list."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from onewindow.accounts.models import User
from onewindow.fees.models import Bill, FeeLine, Payment, Waiver
from onewindow.projects.models import Project
from onewindow.projects.selectors import visible_projects

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


def _total(queryset: QuerySet, group: str, field: str) -> Coalesce:
    summed = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def with_totals(bills: QuerySet[Bill]) -> QuerySet[Bill]:
    """Bills with ``assessed`` (sum of the assessed lines), ``waived`` (减免), ``paid`` (已缴),
    ``due`` (待缴 = assessed − waived − paid) and ``to_assess`` (lines still to be assessed), in SQL."""
    to_assess = (
        FeeLine.objects.filter(bill=OuterRef("pk"), amount__isnull=True)
        .order_by()
        .values("bill")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    bills = bills.annotate(
        assessed=_total(FeeLine.objects.filter(bill=OuterRef("pk")), "bill", "amount"),
        waived=_total(Waiver.objects.filter(line__bill=OuterRef("pk")), "line__bill", "amount"),
        paid=_total(Payment.objects.filter(bill=OuterRef("pk")), "bill", "amount"),
        to_assess=Coalesce(Subquery(to_assess), Value(0)),
    )
    return bills.annotate(
        due=ExpressionWrapper(F("assessed") - F("waived") - F("paid"), output_field=MONEY_FIELD)
    )


@dataclass(frozen=True)
class Totals:
    assessed: Decimal
    waived: Decimal
    paid: Decimal
    due: Decimal
    to_assess: int


def totals_of(bill: Bill) -> Totals:
    """The totals of one bill, fresh from the database (one query)."""
    row = (
        with_totals(Bill.objects.filter(pk=bill.pk))
        .values("assessed", "waived", "paid", "due", "to_assess")
        .get()
    )
    return Totals(
        assessed=_money(row["assessed"]),
        waived=_money(row["waived"]),
        paid=_money(row["paid"]),
        due=_money(row["due"]),
        to_assess=int(row["to_assess"] or 0),
    )


def annotated_totals(bill: Bill) -> Totals:
    """The totals of a bill fetched through ``with_totals`` (no query)."""
    return Totals(
        assessed=_money(bill.assessed),
        waived=_money(bill.waived),
        paid=_money(bill.paid),
        due=_money(bill.due),
        to_assess=int(bill.to_assess or 0),
    )


def _money(value) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(Decimal("0.01"))


def visible_bills(user: User) -> QuerySet[Bill]:
    return Bill.objects.filter(project__in=visible_projects(user).values("pk"))


def bill_for(user: User, code: str) -> Bill:
    """A visible project's bill with its totals, by project code; 404 outside the scope or without one."""
    try:
        return (
            with_totals(visible_bills(user))
            .select_related("project")
            .get(project__code=(code or "").strip().upper())
        )
    except Bill.DoesNotExist:
        raise Http404 from None


def bill_of_project(user: User, project: Project) -> Bill | None:
    """A visible project's bill with its totals, or None if it has none yet; 404 outside the scope."""
    if not visible_projects(user).filter(pk=project.pk).exists():
        raise Http404
    return with_totals(Bill.objects.filter(project=project)).select_related("project").first()


def bill_lines(bill: Bill) -> QuerySet[FeeLine]:
    """The bill's lines with their task, item, department and waiver (one query)."""
    return (
        FeeLine.objects.filter(bill=bill)
        .select_related("task__item", "task__department", "waiver")
        .order_by("position", "id")
    )


def bill_payments(bill: Bill) -> QuerySet[Payment]:
    return Payment.objects.filter(bill=bill).select_related("recorded_by").order_by("paid_on", "id")


def issuing_centre(project: Project):
    """The service centre whose one window issues the bill: a county-level project's own county unit,
    a city-level project's city centre (the root of the region tree)."""
    region = project.region
    if project.level == "county":
        return region
    while region.parent_id is not None:
        region = region.parent
    return region
