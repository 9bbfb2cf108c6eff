"""The statistics pages' choices: year, region, period and unit."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.analytics import dashboard
from onewindow.analytics.selectors import FIRST_YEAR, LAST_YEAR


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, data):
        # No year asked for means this year; a bad one is an error on the field, not a silent default.
        if "year" not in data:
            data = {"year": timezone.localdate().year}
        super().__init__(data)


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, data, *, user):
        if "year" not in data:
            data = data.copy()
            data["year"] = timezone.localdate().year
        super().__init__(data)
        self.fields["region"].choices = [("", _("All in my scope"))] + [
            (region.code, region.name) for region in dashboard.regions_for(user)
        ]


class ReportForm(DashboardForm):
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year"))] + [(str(q), _("Quarter %(q)d") % {"q": q}) for q in range(1, 5)],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year or quarter"))] + [(str(m), str(m)) for m in range(1, 13)],
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("亿元", "亿元"), ("万元", "万元")], required=False)

    def clean_unit(self):
        return self.cleaned_data.get("unit") or "亿元"
