"""Form helpers shared by every room's pages."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.Form, error: ValidationError, *, renames: dict | None = None) -> None:
    """Show a service's ``ValidationError`` on the form: each key on the field of that name (or of the
    name ``renames`` gives it), anything else at the top of the form."""
    renames = renames or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = renames.get(key, key)
        form.add_error(name if name in form.fields else None, messages)
