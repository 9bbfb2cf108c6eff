"""Forms of the public portal and of the staff's feedback pages. They parse and type the input; the
rules (lengths, the honeypot, the rate limit, who may do what) live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.analytics.selectors import FIRST_YEAR
from onewindow.portal import selectors
from onewindow.portal.models import MessageKind, MessageStatus
from onewindow.portal.selectors import PUBLIC_STAGES, SEARCH_MAX_LENGTH, PublicFilters, QueueFilters
from onewindow.portal.services import CONTACT_MAX_LENGTH, TEXT_MAX_LENGTH, TEXT_MIN_LENGTH
from onewindow.projects.models import Industry, Level
from onewindow.regions.models import Region

ALL = [("", _("All"))]

SORT_CHOICES = [
    ("-intake", _("Newest intake first")),
    ("intake", _("Oldest intake first")),
    ("-investment", _("Largest investment first")),
    ("investment", _("Smallest investment first")),
    ("-started", _("Latest construction start first")),
    ("name", _("Name")),
]


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class ProjectFilterForm(forms.Form):
    """The public list's filters from the query string. A value it does not understand is left out
    (and said so), so a hand-edited or old address still lists something sensible."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Project, investor or code")}),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=ALL + Industry.choices)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=ALL + [(stage.value, stage.label) for stage in PUBLIC_STAGES],
    )
    level = forms.ChoiceField(label=_("Handling level"), required=False, choices=ALL + Level.choices)
    year = forms.TypedChoiceField(
        label=_("Under agency service in"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data):
        super().__init__(data)
        self.fields["region"].choices = ALL + [
            (region.code, region.name) for region in Region.objects.order_by("sort_order", "path")
        ]
        self.fields["year"].choices = ALL + _year_choices()

    def filters(self) -> PublicFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return PublicFilters(
            q=data.get("q", ""),
            region=data.get("region", ""),
            industry=data.get("industry", ""),
            stage=data.get("stage", ""),
            level=data.get("level", ""),
            year=data.get("year"),
            sort=data.get("sort", "-intake"),
        )


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, data, *, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(str(year), str(year)) for year in years]


class FeedbackForm(forms.Form):
    """A visitor's message. Every field takes any text: the service checks the values and words the
    errors, so that the form and the service cannot disagree. The field named ``website`` is a trap
    for robots: it is hidden from people, from screen readers and from the keyboard, so only a robot
    fills it in."""

    kind = forms.CharField(
        label=_("Kind"), required=False, widget=forms.RadioSelect(choices=MessageKind.choices)
    )
    project = forms.CharField(
        label=_("Project code"),
        required=False,
        help_text=_(
            "The 24-character code of the project the message is about; leave it empty for a message "
            "about the service."
        ),
    )
    text = forms.CharField(
        label=_("Your message"),
        required=False,
        strip=False,
        # The browser is told the limits so that it can help; the service enforces them.
        widget=forms.Textarea(attrs={"rows": 7, "maxlength": TEXT_MAX_LENGTH}),
        help_text=_("%(min)d to %(max)d characters. It is published only after a moderator has read it.")
        % {"min": TEXT_MIN_LENGTH, "max": TEXT_MAX_LENGTH},
    )
    contact = forms.CharField(
        label=_("Contact (optional)"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "email", "maxlength": CONTACT_MAX_LENGTH}),
        help_text=_(
            "A phone number or e-mail address if you want a reply in person. It is never published: "
            "only the staff who answer see it."
        ),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class _VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PublishForm(_VersionForm):
    public_text = forms.CharField(
        label=_("Text to publish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Remove names, phone numbers and other personal data before publishing; the original is kept."
        ),
        strip=False,
    )


class HideForm(_VersionForm):
    reason = forms.CharField(
        label=_("Reason for not publishing"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AssignForm(_VersionForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = selectors.departments_for_assignment(user)
        field.label_from_instance = lambda department: f"{department.region.name} · {department.name}"


class AnswerForm(_VersionForm):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 7}), required=False, strip=False
    )


ANSWERED_CHOICES = [("", _("All")), ("open", _("Waiting for an answer")), ("answered", _("Answered"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ALL + MessageStatus.choices)
    answered = forms.ChoiceField(label=_("Answer"), required=False, choices=ANSWERED_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ALL + MessageKind.choices)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def filters(self) -> QueueFilters:
        self.is_valid()
        data = self.cleaned_data
        return QueueFilters(
            status=data.get("status") or "",
            answered=data.get("answered") or "",
            kind=data.get("kind") or "",
            overdue=bool(data.get("overdue")),
        )
