"""The statistics page's year choice."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.analytics.selectors import FIRST_YEAR, LAST_YEAR


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, data):
        # No year asked for means this year; a bad one is an error on the field, not a silent default.
        if "year" not in data:
            data = {"year": timezone.localdate().year}
        super().__init__(data)
