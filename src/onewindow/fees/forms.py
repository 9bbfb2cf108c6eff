"""Forms of the bill page (一窗缴费). They parse and type the input; the rules (amounts, dates, who may
waive, no overpayment) live in ``fees.services``, whose ``ValidationError`` keys are mapped back onto
these fields by ``apply_service_errors``."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.fees.models import FeeLine
from onewindow.projects.forms import date_field


def _money_field(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class FeeLineField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FeeLine) -> str:
        amount = "—" if obj.amount is None else f"{obj.amount:,.2f}"
        return f"{obj.task.item.code} · {obj.name} · {amount}"


class WaiverForm(forms.Form):
    line = FeeLineField(label=_("Fee"), queryset=FeeLine.objects.none(), empty_label="—")
    amount = _money_field(
        _("Amount waived (yuan)"), required=False, help_text=_("Leave empty to waive the whole fee.")
    )
    policy_reference = forms.CharField(
        label=_("Policy reference"),
        max_length=200,
        help_text=_("The document that allows the waiver, e.g. its title and number."),
    )
    granted_on = date_field(_("Granted on"), required=True)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lines: QuerySet[FeeLine], **kwargs):
        kwargs.setdefault("auto_id", "id_waiver_%s")
        kwargs.setdefault("initial", {"granted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines


class PaymentForm(forms.Form):
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=64)
    paid_on = date_field(_("Paid on"), required=True)
    amount = _money_field(_("Amount (yuan)"))
    payer = forms.CharField(label=_("Payer"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, payer: str = "", **kwargs):
        kwargs.setdefault("auto_id", "id_payment_%s")
        kwargs.setdefault("initial", {"paid_on": timezone.localdate(), "payer": payer})
        super().__init__(*args, **kwargs)
