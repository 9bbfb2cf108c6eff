"""Forms of the staff pages. They parse and type the input; the rules live in the services, whose
``ValidationError`` keys are mapped back onto these fields by ``apply_service_errors``."""

from django import forms
from django.conf import settings
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.permissions import region_path
from onewindow.accounts.selectors import agents
from onewindow.projects import selectors
from onewindow.projects.models import (
    ApprovalType,
    ConstructionNature,
    Industry,
    Investor,
    Level,
    Phase,
    Project,
    ProjectType,
)
from onewindow.projects.selectors import RegisterFilters
from onewindow.projects.services import EDITABLE_PROJECT_FIELDS, PHASE_FIELDS, NewInvestor, ProjectIntake
from onewindow.projects.stages import INITIAL_STAGES, Stage
from onewindow.regions.models import Department, Region

ALL = [("", _("All"))]
MAX_YEAR = 2100
MIN_YEAR = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def regions_in_scope(user: User) -> QuerySet[Region]:
    scope = region_path(user)
    regions = Region.objects.order_by("sort_order", "path")
    return regions.filter(path__startswith=scope) if scope else regions


# ---------------------------------------------------------------------------------------------------
# The register


SORT_CHOICES = [
    ("-intake", _("Intake date, newest first")),
    ("intake", _("Intake date, oldest first")),
    ("-signed", _("Signing date, newest first")),
    ("signed", _("Signing date, oldest first")),
    ("-investment", _("Investment, largest first")),
    ("investment", _("Investment, smallest first")),
    ("name", _("Name, A to Z")),
    ("-name", _("Name, Z to A")),
    ("code", _("Project code, ascending")),
    ("-code", _("Project code, descending")),
]

FAST_TRACK_CHOICES = [("", _("All")), ("yes", _("Fast track only")), ("no", _("Normal track only"))]
STARTED_CHOICES = [("", _("All")), ("yes", _("Started")), ("no", _("Not started"))]


def page_size_choices() -> list[tuple[int, str]]:
    sizes = sorted({10, 25, 50, 100, settings.ONEWINDOW_REGISTER_PAGE_SIZE})
    return [(size, str(size)) for size in sizes]


def _month_field(label) -> forms.DateField:
    """An optional month (YYYY-MM), picked with the browser's month input."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class RegisterFilterForm(forms.Form):
    """The register's filters, read from the query string. An invalid value is ignored (and shown), so a
    hand-edited address still lists something sensible."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, investor or code")}),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Handling level"), required=False, choices=ALL + Level.choices)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=ALL + Stage.choices)
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=ALL + Industry.choices)
    signing_year = forms.IntegerField(
        label=_("Signing year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    fast_track = forms.ChoiceField(label=_("Fast track"), required=False, choices=FAST_TRACK_CHOICES)
    mine = forms.BooleanField(label=_("Only my projects"), required=False)
    served_year = forms.IntegerField(
        label=_("Under agency service in"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    started = forms.ChoiceField(label=_("Construction started"), required=False, choices=STARTED_CHOICES)
    intake_month = _month_field(_("Taken in during (month)"))
    started_month = _month_field(_("Construction started in (month)"))
    produced_month = _month_field(_("Went into production in (month)"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page_size = forms.TypedChoiceField(label=_("Rows per page"), required=False, coerce=int)

    def __init__(self, data, *, user: User):
        if "page_size" not in data:
            # The form is always bound (to the query string); without this the select would show its
            # first size while the page shows the configured one.
            data = data.copy()
            data["page_size"] = str(settings.ONEWINDOW_REGISTER_PAGE_SIZE)
        super().__init__(data)
        self.fields["region"].choices = ALL + [(r.code, r.name) for r in regions_in_scope(user)]
        self.fields["page_size"].choices = page_size_choices()
        if user.role != "agent":
            del self.fields["mine"]

    def _value(self, name: str, default=None):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def filters(self) -> RegisterFilters:
        fast_track = {"yes": True, "no": False}.get(self._value("fast_track", ""))
        return RegisterFilters(
            region=self._value("region", ""),
            level=self._value("level", ""),
            stage=self._value("stage", ""),
            industry=self._value("industry", ""),
            signing_year=self._value("signing_year"),
            fast_track=fast_track,
            q=self._value("q", ""),
            sort=self._value("sort", "-intake"),
            mine=bool(self._value("mine", False)),
            served_year=self._value("served_year"),
            started={"yes": True, "no": False}.get(self._value("started", "")),
            intake_month=self._value("intake_month"),
            started_month=self._value("started_month"),
            produced_month=self._value("produced_month"),
        )

    def rows_per_page(self) -> int:
        return self._value("page_size", settings.ONEWINDOW_REGISTER_PAGE_SIZE)


# ---------------------------------------------------------------------------------------------------
# One-window intake


class InvestorMode:
    EXISTING = "existing"
    NEW = "new"
    CHOICES = [(NEW, _("Register a new investor")), (EXISTING, _("Choose a registered investor"))]


class InvestorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Investor) -> str:
        return f"{obj.name}（{obj.uscc}）"


class DepartmentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.region.name} · {obj.name}"


class AgentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class IntakeForm(forms.Form):
    """The one-window intake form: the project, its investor (new or registered), its code and its
    people. Rules such as the dates' order, the code's region segment and the USCC check character are
    the service's; their errors come back onto these fields."""

    # The project
    name = forms.CharField(label=_("Project name"), max_length=200)
    total_investment_wan = forms.DecimalField(
        label=_("Total investment (万元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    # No preselected section: a wrong default would pass unnoticed into the statistics.
    industry = forms.ChoiceField(
        label=_("Industry (GB/T 4754)"), choices=BLANK_CHOICE_DASH + Industry.choices
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    level = forms.ChoiceField(label=_("Handling level"), choices=Level.choices)
    construction_nature = forms.ChoiceField(
        label=_("Construction nature"), choices=ConstructionNature.choices, initial=ConstructionNature.NEW
    )
    approval_type = forms.ChoiceField(
        label=_("Approval type"), choices=ApprovalType.choices, initial=ApprovalType.FILING
    )
    project_type = forms.ChoiceField(label=_("Project type"), choices=ProjectType.choices, initial="01")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea({"rows": 3}))
    fast_track = forms.BooleanField(label=_("Fast track (特事特办)"), required=False)
    confidential = forms.BooleanField(
        label=_("Confidential"), required=False, help_text=_("Never shown on the public portal.")
    )

    # Stage and dates
    stage = forms.ChoiceField(
        label=_("Stage at intake"),
        choices=[(stage.value, stage.label) for stage in INITIAL_STAGES],
        initial=Stage.INTAKE,
    )
    negotiation_on = date_field(_("Negotiation began"))
    signed_on = date_field(_("Signing date"))
    intake_on = date_field(_("Intake date"))

    # Code and people
    national_code = forms.CharField(
        label=_("National project code"),
        required=False,
        max_length=32,
        help_text=_(
            "Leave empty if the national platform has not issued one yet: a provisional code is issued."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    agent = AgentField(label=_("Agent"), required=False, queryset=User.objects.none())
    departments = DepartmentsField(
        label=_("Departments involved"),
        required=False,
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    # The investor
    investor_mode = forms.ChoiceField(
        label=_("Investor"), choices=InvestorMode.CHOICES, initial=InvestorMode.NEW, widget=forms.RadioSelect
    )
    investor = InvestorChoiceField(
        label=_("Registered investor"), required=False, queryset=Investor.objects.none()
    )
    investor_name = forms.CharField(label=_("Enterprise name"), required=False, max_length=128)
    investor_uscc = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    investor_legal_representative = forms.CharField(
        label=_("Legal representative"), required=False, max_length=64
    )
    investor_contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=64)
    investor_contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    investor_contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    PROJECT_FIELDS = (
        "name",
        "total_investment_wan",
        "industry",
        "region",
        "level",
        "construction_nature",
        "approval_type",
        "project_type",
        "description",
        "fast_track",
        "confidential",
    )
    STAGE_FIELDS = ("stage", "negotiation_on", "signed_on", "intake_on")
    PEOPLE_FIELDS = ("national_code", "agent", "departments")
    NEW_INVESTOR_FIELDS = (
        "investor_name",
        "investor_uscc",
        "investor_legal_representative",
        "investor_contact_name",
        "investor_contact_phone",
        "investor_contact_email",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions_in_scope(user)
        self.fields["region"].queryset = regions
        self.fields["agent"].queryset = agents(user)
        self.fields["investor"].queryset = selectors.investors_for_intake(user)
        self.fields["departments"].queryset = Department.objects.select_related("region").order_by(
            "region__sort_order", "region__path", "code"
        )
        if not self.is_bound:
            self.initial.setdefault("intake_on", timezone.localdate())
            if user.region_id and region_path(user):
                self.initial.setdefault("region", user.region_id)
                self.initial.setdefault("level", Level.COUNTY)
            if user.role == "agent":
                self.initial.setdefault("agent", user.pk)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("investor_mode") == InvestorMode.EXISTING and not cleaned.get("investor"):
            self.add_error("investor", _("Choose the investor, or register a new one."))
        return cleaned

    def intake(self) -> ProjectIntake:
        data = self.cleaned_data
        return ProjectIntake(
            name=data["name"],
            total_investment_wan=data["total_investment_wan"],
            industry=data["industry"],
            region=data["region"],
            level=data["level"],
            construction_nature=data["construction_nature"],
            approval_type=data["approval_type"],
            project_type=data["project_type"],
            stage=data["stage"],
            negotiation_on=data["negotiation_on"],
            signed_on=data["signed_on"],
            intake_on=data["intake_on"],
            national_code=data["national_code"].strip(),
            agent=data["agent"],
            fast_track=data["fast_track"],
            confidential=data["confidential"],
            description=data["description"],
            departments=list(data["departments"]),
        )

    def existing_investor(self) -> Investor | None:
        if self.cleaned_data["investor_mode"] == InvestorMode.EXISTING:
            return self.cleaned_data["investor"]
        return None

    def new_investor(self) -> NewInvestor | None:
        if self.cleaned_data["investor_mode"] != InvestorMode.NEW:
            return None
        data = self.cleaned_data
        return NewInvestor(
            name=data["investor_name"],
            uscc=data["investor_uscc"],
            legal_representative=data["investor_legal_representative"],
            contact_name=data["investor_contact_name"],
            contact_phone=data["investor_contact_phone"],
            contact_email=data["investor_contact_email"],
        )

    def section(self, names):
        return [self[name] for name in names]

    def project_fields(self):
        return self.section(self.PROJECT_FIELDS)

    def stage_fields(self):
        return self.section(self.STAGE_FIELDS)

    def people_fields(self):
        return self.section(self.PEOPLE_FIELDS)

    def new_investor_fields(self):
        return self.section(self.NEW_INVESTOR_FIELDS)


# ---------------------------------------------------------------------------------------------------
# The project page


class VersionedForm(forms.Form):
    """Carries the version the page was rendered with, so that a stale page's save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StageChangeForm(VersionedForm):
    target = forms.ChoiceField(widget=forms.HiddenInput, choices=Stage.choices)
    on = date_field(_("Date"), required=True)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    note = forms.CharField(
        label=_("Note for the timeline"), required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )

    NEEDS_REASON = frozenset({Stage.SUSPENDED, Stage.TERMINATED})

    def __init__(self, *args, project: Project, target: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_stage_{target}_%s")
        kwargs.setdefault(
            "initial", {"target": target, "version": project.version, "on": timezone.localdate()}
        )
        super().__init__(*args, **kwargs)
        self.target = Stage(target)
        if self.target in self.NEEDS_REASON:
            self.fields["reason"].required = True
            self.fields["reason"].widget.attrs["required"] = True
        else:
            del self.fields["reason"]


class TimelineNoteForm(forms.Form):
    happened_on = date_field(_("Date"), required=True)
    text = forms.CharField(label=_("What happened"), max_length=2000, widget=forms.Textarea({"rows": 3}))
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Public entries are shown to the investor and on the public portal."),
    )
    phase = forms.ModelChoiceField(label=_("Phase"), required=False, queryset=Phase.objects.none())

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("auto_id", "id_note_%s")
        kwargs.setdefault("initial", {"happened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        phases = project.phases.all()
        self.fields["phase"].queryset = phases
        if not phases:
            del self.fields["phase"]


class NationalCodeForm(VersionedForm):
    code = forms.CharField(
        label=_("National project code"),
        max_length=32,
        help_text=_("The 24-character code issued by the national investment project platform."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("auto_id", "id_code_%s")
        kwargs.setdefault("initial", {"version": project.version})
        super().__init__(*args, **kwargs)


class ProjectFactsForm(VersionedForm):
    """The facts staff may change after intake; the code, investor and stage have their own paths."""

    def __init__(self, *args, project: Project, user: User, **kwargs):
        initial = {name: getattr(project, name) for name in EDITABLE_PROJECT_FIELDS}
        initial.update(region=project.region_id, agent=project.agent_id, version=project.version)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Project, fields=EDITABLE_PROJECT_FIELDS))
        self.fields["region"].queryset = regions_in_scope(user)
        # The current agent stays selectable even when they work outside the editor's region.
        self.fields["agent"] = AgentField(
            label=_("Agent"),
            required=False,
            queryset=(agents(user) | User.objects.filter(pk=project.agent_id)).distinct(),
        )
        self.fields["description"].widget.attrs["rows"] = 3
        self.project = project

    def changes(self) -> dict:
        """Only the fields that differ, so the audit row names what was really changed."""
        return {
            name: self.cleaned_data[name]
            for name in EDITABLE_PROJECT_FIELDS
            if self.cleaned_data[name] != getattr(self.project, name)
        }


class PhaseForm(forms.Form):
    def __init__(self, *args, phase: Phase | None = None, **kwargs):
        if phase is not None:
            kwargs.setdefault("initial", {name: getattr(phase, name) for name in PHASE_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Phase, fields=PHASE_FIELDS))
        self.fields["sequence"].required = False
        self.fields["sequence"].help_text = _("Leave empty to number the phase after the last one.")
        for name in ("planned_start_on", "started_on", "completed_on", "produced_on"):
            self.fields[name].widget = DateInput()

    def values(self) -> dict:
        values = dict(self.cleaned_data)
        if values.get("sequence") is None:
            values.pop("sequence", None)
        return values
