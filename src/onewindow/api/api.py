"""Assembles each app's router under /api/v1."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from onewindow.analytics.api import router as stats_router
from onewindow.approvals.api import router as plans_router

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    urls_namespace="api-v1",
    docs_url=None,
)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", [])[1:]), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


api.add_router("/stats", stats_router)
api.add_router("/projects", plans_router)
