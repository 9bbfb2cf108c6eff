"""One-window payment (一窗缴费): every department's fees of a project on one bill.

A bill's lines come from the catalog's fees of the project's approval tasks, fixed or computed from the
project's facts (``approvals.formulas``). A waivable fee may be waived, in part or in whole, citing the
policy. Payments are recorded against the whole bill. Money is ``Decimal`` yuan with two places; the
totals (待缴 due, 已缴 paid, 减免 waived) are computed in SQL (``selectors.with_totals``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class Bill(models.Model):
    """The project's one consolidated bill."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="fee_bill"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.project)


class FeeLine(models.Model):
    """One catalog fee of one approval task. ``amount`` is None while a fact the formula needs is
    unknown ("to be assessed"); ``basis`` keeps how it was computed."""

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.CASCADE, related_name="lines")
    task = models.ForeignKey(
        "approvals.ApprovalTask",
        verbose_name=_("approval task"),
        on_delete=models.PROTECT,
        related_name="fee_lines",
    )
    fee = models.ForeignKey(
        "approvals.Fee", verbose_name=_("catalog fee"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    basis = models.JSONField(_("how it was computed"), default=dict, blank=True)
    waivable = models.BooleanField(_("may be waived"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        ordering = ["bill", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "fee"], name="fee_line_one_per_task_fee"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=Decimal("0")), name="fee_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Waiver(models.Model):
    """A waiver (减免) of a waivable fee line, in part or in whole, under a named policy."""

    line = models.OneToOneField(
        FeeLine, verbose_name=_("fee line"), on_delete=models.CASCADE, related_name="waiver"
    )
    amount = models.DecimalField(_("amount waived (yuan)"), **MONEY)
    policy_reference = models.CharField(_("policy reference"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    granted_on = models.DateField(_("granted on"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiver")
        verbose_name_plural = _("waivers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="waiver_amount_positive"),
            models.CheckConstraint(condition=~Q(policy_reference=""), name="waiver_has_policy_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.line} −{self.amount}"


class Payment(models.Model):
    """A payment at the one window against the project's bill, with its receipt (票据号)."""

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="payments")
    receipt_number = models.CharField(_("receipt number"), max_length=64, unique=True)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payer = models.CharField(_("payer"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["bill", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(payer=""), name="payment_has_payer"),
        ]

    def __str__(self) -> str:
        return self.receipt_number
