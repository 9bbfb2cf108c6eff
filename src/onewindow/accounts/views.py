"""Signing in and out (with django-axes counting failures), the audit log browser, API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from onewindow.accounts import selectors, tokens
from onewindow.accounts.audit_display import describe
from onewindow.accounts.forms import ApiTokenForm, AuditFilterForm, LoginForm
from onewindow.accounts.permissions import AUDIT_ROLES, require_role
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """Django's login; axes' backend and middleware lock an account or address out after failures."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
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


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: make one (its secret is shown on this response only) or revoke one."""
    secret = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and "revoke" in request.POST:
        token = tokens.tokens_of(request.user).filter(pk=request.POST.get("revoke") or 0).first()
        if token is None:
            raise Http404
        tokens.revoke_api_token(actor=request.user, token=token, source_ip=client_ip(request))
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
        return redirect("api-tokens")
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.create_api_token(
                actor=request.user,
                owner=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "secret": secret, "tokens": tokens.tokens_of(request.user)},
    )
    # The secret appears once: never keep this page in a cache.
    add_never_cache_headers(response)
    return response
