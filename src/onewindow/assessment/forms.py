"""Forms of the assessment pages. The rules (weights add up to 100, targets above 0) live in the
services, whose errors come back onto these fields by name."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.assessment.models import IndicatorSet, Metric, Verdict
from onewindow.assessment.scoring import DEFAULT_INDICATORS


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, data, *, default_year: int | None = None):
        if "year" not in data:
            data = {"year": default_year or timezone.localdate().year}
        super().__init__(data)


class IndicatorSetForm(forms.Form):
    """One weight and one target per indicator, and the cap."""

    cap = forms.DecimalField(label=_("Score cap"), max_digits=4, decimal_places=2)

    def __init__(self, data=None, *, existing: IndicatorSet | None, template: IndicatorSet | None = None):
        source = existing or template
        initial: dict = {"cap": source.cap if source else Decimal("1.20")}
        values = (
            {item.metric: (item.weight, item.target) for item in source.indicators.all()}
            if source
            else DEFAULT_INDICATORS
        )
        for metric in Metric.values:
            weight, target = values.get(metric, DEFAULT_INDICATORS[metric])
            initial[f"weight_{metric}"] = weight
            initial[f"target_{metric}"] = target
        super().__init__(data, initial=initial)
        for metric, label in Metric.choices:
            # Required is left to the service, so that a missing value is reported under its own name.
            self.fields[f"weight_{metric}"] = forms.DecimalField(
                label=_("Weight: %(indicator)s") % {"indicator": label},
                max_digits=5,
                decimal_places=2,
                required=False,
            )
            self.fields[f"target_{metric}"] = forms.DecimalField(
                label=_("Target: %(indicator)s") % {"indicator": label},
                max_digits=14,
                decimal_places=2,
                required=False,
            )

    def rows(self):
        return [
            (label, self[f"weight_{metric}"], self[f"target_{metric}"]) for metric, label in Metric.choices
        ]

    def indicators(self) -> dict:
        data = self.cleaned_data
        return {
            metric: (data.get(f"weight_{metric}"), data.get(f"target_{metric}")) for metric in Metric.values
        }


class NoteForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Decision"), choices=Verdict.choices, required=False)
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
