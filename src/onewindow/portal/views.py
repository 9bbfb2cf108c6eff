"""The public portal's pages (公开监督): no login, the same page for every visitor.

Each view parses its input, calls the portal's selectors (or, for a message, its service) and renders.
The public pages never touch the session: no user, no CSRF token, no flash messages, so a page is cached
once per language (``caching.cached_public_page``) and can never show another person's data. The only
pages with a form that needs a CSRF token, the feedback form and the receipt, are never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.i18n import set_language

from onewindow.core.http import client_ip
from onewindow.portal import feeds, opendata, selectors, services
from onewindow.portal.caching import cached_public_page
from onewindow.portal.forms import FeedbackForm, ProjectFilterForm, YearForm
from onewindow.portal.models import MessageKind
from onewindow.projects.models import Project

PROJECTS_PER_PAGE = 24
MESSAGES_PER_PAGE = 20
HOME_ENTRIES = 8
PROJECT_PAGE_MESSAGES = 20


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A cached public GET page whose 404 is the portal's own (never cached), sent gzipped to browsers
    that take it. Compressing is safe here (no BREACH): a public page holds no secret, no CSRF token."""

    @wraps(view)
    def answer_404(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return render(request, "portal/404.html", status=404)

    return require_safe(gzip_page(cached_public_page(answer_404)))


def _project_url(request: HttpRequest) -> Callable[[Project], str]:
    base = request.build_absolute_uri("/")[:-1]
    return lambda project: base + reverse("portal:project", args=[project.pk])


# -- home ----------------------------------------------------------------------------------------------


def _chart_text() -> dict:
    return {
        "projects": _("Projects"),
        "investment": _("Investment (亿元)"),
        "intakes": _("Taken into agency"),
        "starts": _("Construction started"),
        "month": _("Month"),
        "monthSuffix": _("month"),
        "empty": _("No projects in this year."),
    }


@public_page
def home(request: HttpRequest) -> HttpResponse:
    years = selectors.available_years()
    this_year = years[0]
    data = request.GET if "year" in request.GET else {"year": str(selectors.default_year(years))}
    form = YearForm(data, years=years)
    status = 200
    if form.is_valid():
        year = form.cleaned_data["year"]
    else:
        year, status = selectors.default_year(years), 400
    charts = selectors.charts(year, city_itself_label=_("Registered at the city itself (市本级)"))
    context = {
        "form": form,
        "this_year": selectors.headline(this_year),
        "chosen": selectors.headline(year) if year != this_year else None,
        "year": year,
        "charts": charts,
        "chart_data": {**charts.as_json(), "text": _chart_text()},
        "entries": selectors.public_entries(limit=HOME_ENTRIES),
        "fast_tracked": selectors.fast_tracked(),
    }
    return render(request, "portal/home.html", context, status=status)


# -- projects ------------------------------------------------------------------------------------------


@public_page
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET)
    filters = form.filters()
    projects = selectors.project_list(filters)
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "filters": filters, "page": page, "filtered": any(vars(filters).values())}
    return render(request, "portal/project_list.html", context)


@public_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.public_project(pk)
    context = {
        "project": project,
        "timeline": selectors.public_timeline(project),
        "progress": selectors.approval_progress(project),
        "messages_about": selectors.published_messages(project=project)[:PROJECT_PAGE_MESSAGES],
    }
    return render(request, "portal/project_detail.html", context)


def _download(request: HttpRequest):
    filters = ProjectFilterForm(request.GET).filters()
    return filters, selectors.project_list(filters).iterator(chunk_size=500)


@public_page
def projects_csv(request: HttpRequest) -> HttpResponse:
    _filters, projects = _download(request)
    response = HttpResponse(
        opendata.as_csv(projects, _project_url(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="projects-{timezone.localdate():%Y%m%d}.csv"'
    return response


@public_page
def projects_json(request: HttpRequest) -> HttpResponse:
    filters, projects = _download(request)
    page_url = request.build_absolute_uri(reverse("portal:open-data"))
    text = opendata.as_json(projects, _project_url(request), filters, page_url)
    return HttpResponse(text, content_type="application/json; charset=utf-8")


progress_feed = public_page(feeds.ProgressFeed())
project_feed = public_page(feeds.ProjectProgressFeed())


@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "fields": opendata.FIELDS,
        "licence_name": opendata.LICENCE_NAME,
        "licence_url": opendata.LICENCE_URL,
    }
    return render(request, "portal/open_data.html", context)


# -- feedback ------------------------------------------------------------------------------------------


@public_page
def feedback_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.published_messages(), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "answer_workdays": settings.ONEWINDOW_FEEDBACK_ANSWER_WORKDAYS}
    return render(request, "portal/feedback_list.html", context)


def _about(request: HttpRequest) -> Project | None:
    try:
        return selectors.public_project(request.GET["project"]) if request.GET.get("project") else None
    except Http404:
        return None


@never_cache
def feedback_new(request: HttpRequest) -> HttpResponse:
    """The message form: not cached, since it carries the visitor's CSRF token."""
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        try:
            submitted = services.submit_message(
                kind=data.get("kind", ""),
                text=data.get("text", ""),
                contact=data.get("contact", ""),
                project_code=data.get("project", ""),
                honeypot=data.get("website", ""),
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            return redirect("portal:feedback-receipt", token=submitted.token)
        status = 429 if any(e.code == "rate_limited" for e in form.non_field_errors().as_data()) else 400
        about = selectors.public_project_by_code(form.data.get("project", ""))
    else:
        about = _about(request)
        initial = {"kind": MessageKind.MESSAGE, "project": about.code if about else ""}
        form, status = FeedbackForm(initial=initial), 200
    context = {"form": form, "about": about, "answer_workdays": settings.ONEWINDOW_FEEDBACK_ANSWER_WORKDAYS}
    return render(request, "portal/feedback_form.html", context, status=status)


def _show_errors(form: FeedbackForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for item in error.error_list:
            form.add_error(None, item)
        return
    for name, errors in error.error_dict.items():
        for item in errors:
            form.add_error(name if name in form.fields else None, item)


@never_cache
@require_GET
def feedback_receipt(request: HttpRequest, token: str) -> HttpResponse:
    """The visitor's own view of their message, by the secret link the receipt gave them."""
    try:
        message = selectors.message_by_token(token)
    except Http404:
        return render(request, "portal/404.html", status=404)
    warning = selectors.answer_warning(message)
    response = render(request, "portal/feedback_receipt.html", {"message": message, "warning": warning})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# -- language, robots and sitemap ----------------------------------------------------------------------


@csrf_exempt
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The public pages' language switch. Exempt from CSRF because the cached pages carry no token, and
    a forged request could do no more than choose a language; only portal addresses are followed."""
    next_url = request.POST.get("next", "")
    if not next_url.startswith(reverse("portal:home")):
        request.POST = request.POST.copy()
        request.POST["next"] = reverse("portal:home")
    return set_language(request)


@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {"sitemap": request.build_absolute_uri(reverse("sitemap"))}
    return render(request, "portal/robots.txt", context, content_type="text/plain; charset=utf-8")


@public_page
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/")[:-1]
    pages = [
        reverse("portal:home"),
        reverse("portal:projects"),
        reverse("portal:feedback"),
        reverse("portal:open-data"),
    ]
    context = {
        "base": base,
        "pages": pages,
        "projects": [
            (reverse("portal:project", args=[project.pk]), project.updated_at.date())
            for project in selectors.sitemap_projects()
        ],
    }
    return render(request, "portal/sitemap.xml", context, content_type="application/xml; charset=utf-8")
