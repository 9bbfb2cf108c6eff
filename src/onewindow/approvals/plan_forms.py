"""Forms of the plan page. They parse and type the input; the rules live in ``services``, whose
``ValidationError`` keys are mapped back onto these fields by ``apply_service_errors``."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.approvals.models import CatalogVersion, ProjectFacts
from onewindow.approvals.plan_selectors import WhatIfChoice
from onewindow.approvals.services import MAX_REASON
from onewindow.projects.forms import DateInput, date_field


class PlanFactsForm(forms.ModelForm):
    """The facts the catalog's rules read beyond the register (new land, EIA category, floor area …)."""

    class Meta:
        model = ProjectFacts
        fields = ProjectFacts.FIELDS

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_facts_%s")
        super().__init__(*args, **kwargs)
        for name in ("land_area_m2", "floor_area_m2", "energy_tce"):
            self.fields[name].validators.append(MinValueValidator(0))
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ProjectFacts.FIELDS}


class CatalogVersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CatalogVersion) -> str:
        return _("%(name)s (effective %(date)s)") % {"name": obj.name, "date": obj.effective_on.isoformat()}


class CreatePlanForm(forms.Form):
    start_on = date_field(
        _("Plan start"),
        required=True,
        help_text=_(
            "Usually the signing or the intake date. Working day 1 is the first working day from it."
        ),
    )
    catalog_version = CatalogVersionField(
        label=_("Catalog version"),
        required=False,
        queryset=CatalogVersion.objects.order_by("-effective_on", "-id"),
        empty_label=_("The version in force on the start date"),
        help_text=_("The plan keeps this version for good, whatever is imported later."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_plan_%s")
        kwargs.setdefault("initial", {"start_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["start_on"].widget = DateInput()


class PlanItemChangeForm(forms.Form):
    """Add an item to the plan, or take one out: always with the reason."""

    code = forms.ChoiceField(label=_("Item"))
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea({"rows": 2}), strip=True
    )

    def __init__(self, *args, choices: list[tuple[str, str]], prefix_id: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "—"), *choices]


class WhatIfForm(forms.Form):
    """The what-if options, read from the query string; an invalid value is dropped, never stored."""

    commitment = forms.BooleanField(
        label=_("Notification and commitment (告知承诺制) on every item that allows it: 1 working day each"),
        required=False,
    )
    zone = forms.BooleanField(
        label=_("A completed regional evaluation (区域评估) exempts the items it covers"), required=False
    )
    add = forms.MultipleChoiceField(label=_("Add items"), required=False, widget=forms.CheckboxSelectMultiple)
    remove = forms.MultipleChoiceField(
        label=_("Leave items out"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, addable: list[tuple[str, str]], removable: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("auto_id", "id_whatif_%s")
        super().__init__(*args, **kwargs)
        self.fields["add"].choices = addable
        self.fields["remove"].choices = removable

    def choice(self) -> WhatIfChoice:
        if not self.is_bound:
            return WhatIfChoice()
        if not self.is_valid():
            # Keep what is valid: an unknown code in the address drops out, the rest still compares.
            addable = {code for code, _label in self.fields["add"].choices}
            removable = {code for code, _label in self.fields["remove"].choices}
            return WhatIfChoice(
                commitment=self.data.get("commitment") in ("on", "true", "1", "yes"),
                zone_evaluated=self.data.get("zone") in ("on", "true", "1", "yes"),
                add=tuple(code for code in self.data.getlist("add") if code in addable),
                remove=tuple(code for code in self.data.getlist("remove") if code in removable),
            )
        data = self.cleaned_data
        return WhatIfChoice(
            commitment=data["commitment"],
            zone_evaluated=data["zone"],
            add=tuple(data["add"]),
            remove=tuple(data["remove"]),
        )
