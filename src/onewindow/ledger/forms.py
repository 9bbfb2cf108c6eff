"""Forms of the ledger pages: they parse the upload and the confirmation; the rules are the services'."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.permissions import region_path
from onewindow.projects.forms import regions_in_scope

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "ONEWINDOW_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    region = forms.ModelChoiceField(
        label=_("The ledger's region"),
        required=False,
        to_field_name="code",
        queryset=None,
        help_text=_("Rows without a region take this one; rows outside it are refused."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_in_scope(user)
        self.fields["region"].empty_label = (
            _("The region of each row") if not region_path(user) else _("Your own region")
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if Path(uploaded.name or "").suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                _("Upload the ledger as an Excel workbook (.xlsx); save an .xls or .csv file as .xlsx first.")
            )
        limit = max_upload_bytes()
        if uploaded.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return uploaded


class LedgerConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{32}$", widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(required=False, widget=forms.HiddenInput)
