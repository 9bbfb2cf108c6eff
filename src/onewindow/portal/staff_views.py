"""The staff's pages for public feedback. Who sees a message is the selectors' answer (404 outside the
scope), who may act on it the services' (403); the page offers only the actions that would be accepted."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.audit_display import describe
from onewindow.core.errors import StaleObjectError
from onewindow.core.http import client_ip
from onewindow.portal import selectors, services
from onewindow.portal.forms import AnswerForm, AssignForm, HideForm, PublishForm, QueueFilterForm
from onewindow.portal.models import PublicMessage

QUEUE_ROWS = 25
AUDIT_ROWS = 30


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    selectors.require_feedback_access(request.user)
    form = QueueFilterForm(request.GET)
    page = Paginator(selectors.message_queue(request.user, form.filters()), QUEUE_ROWS).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_warnings(page.object_list)
    context = {"form": form, "page": page, "counts": selectors.queue_counts(request.user)}
    return render(request, "portal/staff/queue.html", context)


def _page(
    request: HttpRequest, message: PublicMessage, *, status: int = 200, bound: forms.Form | None = None
) -> HttpResponse:
    user = request.user
    moderator = selectors.may_moderate(user)
    version = {"version": message.version}

    def form(cls: type[forms.Form], **kwargs) -> forms.Form:
        if bound is not None and isinstance(bound, cls):
            return bound
        return cls(initial=version | kwargs.pop("initial", {}), **kwargs)

    context = {
        "message": message,
        "warning": selectors.answer_warning(message),
        "may_moderate": moderator,
        "may_answer": selectors.may_answer(user, message),
        "publish_form": form(PublishForm, initial={"public_text": message.public_text or message.text})
        if moderator
        else None,
        "hide_form": form(HideForm, initial={"reason": message.hidden_reason}) if moderator else None,
        "assign_form": form(AssignForm, user=user, initial={"department": message.department_id})
        if moderator
        else None,
        "answer_form": form(AnswerForm, initial={"answer": message.answer}),
        "audit_entries": describe(selectors.message_audit(user, message)[:AUDIT_ROWS]),
    }
    return render(request, "portal/staff/message.html", context, status=status)


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.message_for(request.user, pk))


def _act(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    action: Callable[[PublicMessage, dict], PublicMessage],
    done: str,
    renames: dict[str, str] | None = None,
) -> HttpResponse:
    """Parse the form, call the service, and come back to the message page (with the errors, if any)."""
    message = selectors.message_for(request.user, pk)
    kwargs = {"user": request.user} if form_class is AssignForm else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            action(message, form.cleaned_data)
        except StaleObjectError as error:
            messages.error(request, str(error))
            return redirect("feedback-detail", pk=pk)
        except ValidationError as error:
            for name, errors in getattr(error, "message_dict", {"": error.messages}).items():
                name = (renames or {}).get(name, name)
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, done)
            return redirect("feedback-detail", pk=pk)
    return _page(request, message, status=400, bound=form)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    def action(message, data):
        return services.publish_message(
            actor=request.user,
            message=message,
            expected_version=data["version"],
            public_text=data["public_text"],
            source_ip=client_ip(request),
        )

    return _act(request, pk, PublishForm, action, _("The message is published."))


@login_required
@require_POST
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    def action(message, data):
        return services.hide_message(
            actor=request.user,
            message=message,
            expected_version=data["version"],
            reason=data["reason"],
            source_ip=client_ip(request),
        )

    return _act(request, pk, HideForm, action, _("The message is not published."))


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def action(message, data):
        return services.assign_message(
            actor=request.user,
            message=message,
            expected_version=data["version"],
            department=data["department"],
            source_ip=client_ip(request),
        )

    return _act(request, pk, AssignForm, action, _("The assignment is saved."))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    def action(message, data):
        return services.answer_message(
            actor=request.user,
            message=message,
            expected_version=data["version"],
            text=data["answer"],
            source_ip=client_ip(request),
        )

    return _act(request, pk, AnswerForm, action, _("The answer is saved."))
