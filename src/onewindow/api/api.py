"""Assembles each app's router under /api/v1."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from onewindow.accounts.api_auth import ClientRateThrottle
from onewindow.accounts.middleware import record_refusal
from onewindow.analytics.api import router as stats_router
from onewindow.approvals.api import joint_events_router, tasks_router
from onewindow.approvals.api import router as plans_router
from onewindow.assessment.api import router as assessment_router
from onewindow.coordination.api import meetings_router, problems_router
from onewindow.core.errors import StaleObjectError
from onewindow.fees.api import router as fees_router
from onewindow.notifications.api import router as notifications_router
from onewindow.portal.api import router as public_router
from onewindow.projects.api import investors_router
from onewindow.projects.api import router as projects_router
from onewindow.promotion.api import router as leads_router

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "OneWindow's REST API. Authenticate with a personal token (`Authorization: Bearer ow_…`, made on "
        "the API tokens page or with `onewindow token create USERNAME`) or the browser session. Every "
        "caller sees exactly what the pages show them: outside the scope 404, outside the role 403, "
        "invalid input 422 with the field, a stale version 409, too many calls 429 with Retry-After."
    ),
    docs_url="/docs",
    throttle=[ClientRateThrottle()],
)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = [
        {"field": _field_name(error.get("loc", [])), "message": error.get("msg", "")} for error in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


def _field_name(location) -> str:
    """``("body", "payload", "intake_on")`` → ``intake_on``: callers know fields, not our parameter names."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"] and len(parts) > 2:
        parts = parts[1:]
    return ".".join(parts[1:])


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied):
    record_refusal(request)
    return api.create_response(request, {"detail": str(exc) or _("You may not do this.")}, status=403)


@api.exception_handler(StaleObjectError)
def stale_object(request: HttpRequest, exc: StaleObjectError):
    """Someone else changed the object since the caller read it: refused, never merged."""
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(DjangoValidationError)
def service_validation_error(request: HttpRequest, exc: DjangoValidationError):
    """A service refused the input: the same shape as a schema error, one entry per field."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return api.create_response(request, {"detail": errors}, status=422)


api.add_router("/stats", stats_router)
api.add_router("/projects", projects_router)
api.add_router("/investors", investors_router)
api.add_router("/projects", plans_router)
api.add_router("/projects", fees_router)
api.add_router("/tasks", tasks_router)
api.add_router("/joint-events", joint_events_router)
api.add_router("/problems", problems_router)
api.add_router("/meetings", meetings_router)
api.add_router("/leads", leads_router)
api.add_router("/assessment", assessment_router)
api.add_router("/notifications", notifications_router)
api.add_router("/public", public_router)
