"""Forms of the lead pages. They parse and type the input; the rules live in the services."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import region_path
from onewindow.projects.forms import DateInput, regions_in_scope
from onewindow.projects.models import Industry, Investor, Level
from onewindow.promotion import selectors
from onewindow.promotion.models import Lead, LeadStage, Source
from onewindow.promotion.selectors import LeadFilters
from onewindow.promotion.services import OWNER_ROLES, LeadData

ALL = [("", _("All"))]
SORT_CHOICES = [
    ("-found", _("Recorded, newest first")),
    ("found", _("Recorded, oldest first")),
    ("-investment", _("Expected investment, largest first")),
    ("investment", _("Expected investment, smallest first")),
    ("-updated", _("Last changed first")),
]
DIMENSION_CHOICES = [("source", _("Source")), ("owner", _("Owner")), ("industry", _("Industry"))]


def _date(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def possible_owners(user: User) -> QuerySet[User]:
    people = User.objects.filter(is_active=True, role__in=OWNER_ROLES).select_related("region")
    if user.role == Role.AGENT:
        return people.filter(pk=user.pk)
    scope = region_path(user)
    if scope:
        people = people.filter(region__path__startswith=scope)
    return people.order_by("username")


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=ALL + LeadStage.choices)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=ALL + Source.choices)
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=ALL + Industry.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(label=_("Region"), required=False)
    year = forms.IntegerField(label=_("Year recorded"), required=False, min_value=2000, max_value=2100)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.fields["owner"].choices = ALL + [
            (person.pk, person.display_name) for person in selectors.owners_in_view(user)
        ]
        self.fields["region"].choices = ALL + [
            (region.code, region.name) for region in regions_in_scope(user)
        ]

    def filters(self) -> LeadFilters:
        # An invalid value is dropped (and shown on the form), so a hand-edited address still lists.
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return LeadFilters(
            q=data.get("q") or "",
            stage=data.get("stage") or "",
            source=data.get("source") or "",
            industry=data.get("industry") or "",
            owner=data.get("owner"),
            region=data.get("region") or "",
            year=data.get("year"),
            sort=data.get("sort") or "-found",
        )


class LeadForm(forms.Form):
    title = forms.CharField(
        label=_("Lead name"),
        max_length=200,
        help_text=_("An internal working name; it is never published, not even after conversion."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    investor_name = forms.CharField(label=_("Investor"), max_length=128)
    investor = forms.ModelChoiceField(
        label=_("Registered investor"),
        queryset=Investor.objects.none(),
        required=False,
        help_text=_("If the enterprise is already registered with the centre."),
    )
    expected_investment_wan = forms.DecimalField(
        label=_("Expected investment (万元)"), max_digits=14, decimal_places=2
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    found_on = _date(_("Lead recorded on"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data=None, *, user: User, lead: Lead | None = None):
        initial = {}
        if lead is not None:
            initial = {name: getattr(lead, name) for name in ["title", "source", "industry", "investor_name"]}
            initial |= {
                "investor": lead.investor_id,
                "expected_investment_wan": lead.expected_investment_wan,
                "owner": lead.owner_id,
                "region": lead.region_id,
                "found_on": lead.found_on,
                "notes": lead.notes,
            }
        else:
            initial = {"owner": user.pk, "region": user.region_id, "found_on": timezone.localdate()}
        super().__init__(data, initial=initial)
        self.lead = lead
        self.fields["owner"].queryset = possible_owners(user)
        self.fields["region"].queryset = regions_in_scope(user)
        self.fields["investor"].queryset = Investor.objects.order_by("name")
        if lead is not None:
            # The date a lead was recorded starts its history; it is not edited afterwards.
            del self.fields["found_on"]

    def data_for_create(self) -> LeadData:
        data = self.cleaned_data
        return LeadData(
            title=data["title"],
            source=data["source"],
            industry=data["industry"],
            investor_name=data["investor_name"],
            investor=data.get("investor"),
            expected_investment_wan=data["expected_investment_wan"],
            owner=data["owner"],
            region=data["region"],
            found_on=data["found_on"],
            notes=data.get("notes") or "",
        )

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.cleaned_data and name != "found_on"
        }


class AdvanceForm(forms.Form):
    target = forms.ChoiceField(label=_("Move to"), choices=LeadStage.choices)
    on = _date(_("Date"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, targets: list[LeadStage]):
        super().__init__(data, initial={"on": timezone.localdate()}, prefix="advance")
        self.fields["target"].choices = [(stage.value, stage.label) for stage in targets]


class DropForm(forms.Form):
    on = _date(_("Date"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None):
        super().__init__(data, initial={"on": timezone.localdate()}, prefix="drop")


class ConvertForm(forms.Form):
    project_name = forms.CharField(
        label=_("Project name"),
        max_length=200,
        help_text=_("The project's public name; the lead's own name stays confidential."),
    )
    on = _date(_("Intake date"))
    level = forms.ChoiceField(label=_("Handling level"), choices=Level.choices)
    uscc = forms.CharField(
        label=_("Investor's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("Needed when the investor is not registered yet."),
    )

    def __init__(self, data=None, *, lead: Lead):
        region = lead.region
        level = Level.CITY if region.is_city or region.kind == region.Kind.ZONE else Level.COUNTY
        super().__init__(data, initial={"on": timezone.localdate(), "level": level}, prefix="convert")
        if lead.investor_id:
            del self.fields["uscc"]


class ChartForm(forms.Form):
    by = forms.ChoiceField(label=_("Group by"), choices=DIMENSION_CHOICES, required=False)
    year = forms.IntegerField(label=_("Year recorded"), required=False, min_value=2000, max_value=2100)

    def dimension(self) -> str:
        return (self.cleaned_data.get("by") if self.is_valid() else "") or "source"

    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None
