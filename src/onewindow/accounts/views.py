"""Signing in and out (with django-axes counting failures) and the audit log browser."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.accounts import selectors
from onewindow.accounts.audit_display import describe
from onewindow.accounts.forms import AuditFilterForm
from onewindow.accounts.permissions import AUDIT_ROLES, require_role

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """Django's login; axes' backend and middleware lock an account or address out after failures."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logs out on POST only, so that a link or an image cannot end somebody's session."""


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require_role(request.user, AUDIT_ROLES)
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_entries(request.user, form.filters())
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "entries": describe(page.object_list)}
    return render(request, "accounts/audit_log.html", context)
