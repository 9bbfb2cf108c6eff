"""The workbench's filter form: one warning and one kind, applied to every list of the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.coordination import warnings
from onewindow.coordination import workbench_selectors as wb

ALL = [("", _("All"))]
WARNING_CHOICES = [*ALL, (warnings.RED, _("Red: overdue")), (warnings.YELLOW, _("Yellow: due soon"))]
DUE_KIND_CHOICES = [
    *ALL,
    (wb.TASK, _("Approval tasks")),
    (wb.PROBLEM, _("Problems")),
    (wb.ACTION, _("Action items")),
]
# Leaders also follow the decisions of coordination meetings.
LEADER_KIND_CHOICES = [*DUE_KIND_CHOICES, (wb.MEETING, _("Coordination meetings"))]


class WorkbenchFilterForm(forms.Form):
    warning = forms.ChoiceField(label=_("Warning"), required=False, choices=WARNING_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=DUE_KIND_CHOICES)

    def __init__(self, data, *, workbench: str):
        super().__init__(data, auto_id="id_workbench_%s")
        if workbench == "leader":
            self.fields["kind"].choices = LEADER_KIND_CHOICES

    def filters(self) -> wb.WorkbenchFilters:
        """The valid filters; a value that is not a choice is reported on its field and not applied."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return wb.WorkbenchFilters(warning=data.get("warning") or "", kind=data.get("kind") or "")

    @property
    def is_filtered(self) -> bool:
        return bool(self.data.get("warning") or self.data.get("kind"))
