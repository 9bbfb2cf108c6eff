"""Forms of the account pages."""

from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.selectors import AuditFilters
from onewindow.core.models import AuditEntry


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length enforced: Django only sets it on the widget, so an
    overlong name would reach the failed-login records (axes keeps 255 characters) and fail there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def object_type_choices() -> list[tuple[str, str]]:
    """Every OneWindow model, by its name in the reader's language; the audit log names them by label."""
    models = [model for model in apps.get_models() if model.__module__.startswith("onewindow.")]
    choices = sorted(((m._meta.label_lower, str(m._meta.verbose_name)) for m in models), key=lambda c: c[1])
    return [("", _("All")), *choices]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All"))])
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["action"].choices = [("", _("All")), *AuditEntry.Action.choices]
        self.fields["object_type"].choices = object_type_choices()

    def filters(self) -> AuditFilters:
        """The valid filters; an invalid one is shown on its field and left out."""
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What is it for?"), max_length=64)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=730,
        initial=90,
        help_text=_("From 1 to 730 days."),
    )
