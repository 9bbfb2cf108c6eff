"""Refusals (403) enter the audit log: someone signed in tried a page their role does not allow."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from onewindow.core import audit
from onewindow.core.http import client_ip
from onewindow.core.models import AuditEntry


def record_refusal(request: HttpRequest) -> None:
    """One audit entry for a refused request: who, which address, method and path."""
    audit.record_security(
        action=AuditEntry.Action.PERMISSION_DENIED,
        actor=request.user,
        subject=request.path[:255],
        changes={"method": [None, request.method], "path": [None, request.get_full_path()[:1000]]},
        source_ip=client_ip(request),
    )


class PermissionDeniedAuditMiddleware:
    """Hears a view's ``PermissionDenied`` before Django turns it into the 403 page, and lets it go on."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            record_refusal(request)
