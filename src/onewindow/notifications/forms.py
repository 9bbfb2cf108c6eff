from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.notifications.models import Kind
from onewindow.notifications.selectors import Channels
from onewindow.notifications.services import NOTE_MAX


class NotificationFilterForm(forms.Form):
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])


class PreferencesForm(forms.Form):
    """Two check boxes per kind: in the app, by e-mail."""

    def __init__(self, *args, channels: list[Channels], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in channels:
            in_app = f"in_app_{row.kind}"
            email = f"email_{row.kind}"
            self.fields[in_app] = forms.BooleanField(
                label=_("In the app"), required=False, initial=row.in_app
            )
            self.fields[email] = forms.BooleanField(label=_("By e-mail"), required=False, initial=row.email)
            self.rows.append((row, self[in_app], self[email]))

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            row.kind: (
                bool(self.cleaned_data[f"in_app_{row.kind}"]),
                bool(self.cleaned_data[f"email_{row.kind}"]),
            )
            for row, _in_app, _email in self.rows
        }


class UrgeForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the department"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
