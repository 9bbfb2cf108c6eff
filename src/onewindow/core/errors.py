"""Exceptions raised by service functions, beyond Django's ValidationError and PermissionDenied."""

from django.utils.translation import gettext_lazy as _


class StaleObjectError(Exception):
    """The object changed since the caller read it; the later save is refused, never merged."""

    message = _(
        "Someone else saved this record after you opened it. Reload the page to see their changes, "
        "then make yours again."
    )

    def __str__(self) -> str:
        return str(self.message)
