"""The bell's pages: the user's notifications, their preferences, urging a department about a task
and the urges counted per department. Each view parses its input and calls one selector or service:
someone else's notification or a task outside the scope is 404, urging outside the role 403."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.permissions import STAFF_ROLES, require_role
from onewindow.approvals import task_selectors
from onewindow.core.http import client_ip
from onewindow.notifications import messages as texts
from onewindow.notifications import selectors, services
from onewindow.notifications.forms import NotificationFilterForm, PreferencesForm, UrgeForm

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    form = NotificationFilterForm(request.GET or None)
    filters = selectors.NotificationFilters()
    if form.is_valid():
        filters = selectors.NotificationFilters(
            unread=form.cleaned_data["unread"], kind=form.cleaned_data["kind"] or ""
        )
    page = Paginator(selectors.notification_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(note, texts.message(note)) for note in page]
    return render(
        request,
        "notifications/list.html",
        {"form": form, "page": page, "rows": rows, "filters": filters},
    )


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.notification_for(request.user, pk)
    services.mark_read(actor=request.user, notification=note, source_ip=client_ip(request))
    if request.POST.get("open") and note.url.startswith("/"):
        return redirect(note.url)
    return redirect(_back(request, "notifications"))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    count = services.mark_all_read(actor=request.user, source_ip=client_ip(request))
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    require_role(request.user, STAFF_ROLES)
    channels = selectors.preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, channels=channels)
        if form.is_valid():
            try:
                services.set_preferences(
                    actor=request.user, choices=form.choices(), source_ip=client_ip(request)
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Your notification choices were saved."))
                return redirect("notification-preferences")
    else:
        form = PreferencesForm(channels=channels)
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "email": request.user.email, "digest_hour": settings.ONEWINDOW_DIGEST_HOUR},
    )


@login_required
@require_POST
def urge(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_selectors.task_for(request.user, task_id)
    if not selectors.may_urge(request.user, task):
        raise PermissionDenied
    form = UrgeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("task-detail", task_id=task.pk)
    try:
        services.urge_task(
            actor=request.user, task=task, note=form.cleaned_data["note"], source_ip=client_ip(request)
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(department)s was urged about this task.") % {"department": task.department.name}
        )
    return redirect("task-detail", task_id=task.pk)


@login_required
def urges_by_department(request: HttpRequest) -> HttpResponse:
    rows = selectors.urges_by_department(request.user)
    return render(request, "notifications/urges.html", {"rows": rows})
