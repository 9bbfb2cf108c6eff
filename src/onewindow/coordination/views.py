"""The coordination pages: problems (list, page, raise from a project, escalate, resolve, beyond the
city), meetings (list, minutes page printable as 会议纪要, create and edit, minutes and action items)
and action items. Each view parses its input, calls one selector or service and renders; objects
outside the scope answer 404 (selectors), actions outside the role 403 (services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.audit_display import describe
from onewindow.coordination import forms, selectors, services, warnings
from onewindow.coordination.models import ActionStatus
from onewindow.core.forms import apply_service_errors
from onewindow.core.http import client_ip

PAGE_SIZE = 25


# -- problems ------------------------------------------------------------------------------------


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    selectors.require_coordination_access(user)
    form = forms.ProblemFilterForm(request.GET, user=user)
    problems = selectors.problem_list(user, form.filters())
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": selectors.with_warnings(page.object_list),
        "yellow_workdays": settings.ONEWINDOW_WARNING_YELLOW_WORKDAYS,
    }
    return render(request, "coordination/problem_list.html", context)


def _problem_page(request: HttpRequest, problem, *, status: int = 200, **bound) -> HttpResponse:
    user = request.user
    cut = warnings.cutoffs(timezone.localdate())
    problem.warning = warnings.level_for(problem.due_on, cut) if problem.is_active else warnings.NONE
    context = {
        "problem": problem,
        "history": describe(selectors.problem_history(user, problem)[:50]),
        "may_work": selectors.may_work_on(user, problem) and problem.is_active,
        "may_escalate": selectors.may_escalate(user, problem),
        "may_beyond": selectors.may_lead(user) and problem.level == 3 and not problem.beyond_city,
        "may_close": selectors.may_raise(user) and problem.status == "resolved",
        "may_organise": selectors.may_organise_meetings(user),
        "may_reopen": selectors.may_raise(user) and problem.status in ("resolved", "closed"),
        "escalate_form": bound.get("escalate") or forms.EscalateForm(auto_id="id_escalate_%s"),
        "resolve_form": bound.get("resolve") or forms.ResolveForm(auto_id="id_resolve_%s"),
        "beyond_form": bound.get("beyond") or forms.BeyondCityForm(auto_id="id_beyond_%s"),
        "reopen_form": bound.get("reopen") or forms.ReasonForm(auto_id="id_reopen_%s"),
    }
    return render(request, "coordination/problem_detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _problem_page(request, selectors.problem_for(request.user, pk))


@login_required
@require_POST
def problem_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    problem = selectors.problem_for(user, pk)
    ip = client_ip(request)
    form = None
    try:
        if action == "start":
            services.start_problem(actor=user, problem=problem, source_ip=ip)
            messages.success(request, _("Work on the problem has started."))
        elif action == "escalate":
            form = forms.EscalateForm(request.POST, auto_id="id_escalate_%s")
            if form.is_valid():
                problem = services.escalate_problem(
                    actor=user,
                    problem=problem,
                    reason=form.cleaned_data["reason"],
                    supervising_office=form.cleaned_data["supervising_office"],
                    supervising_leader=form.cleaned_data["supervising_leader"],
                    source_ip=ip,
                )
                messages.success(
                    request, _("The problem is now at level %(level)d.") % {"level": problem.level}
                )
        elif action == "resolve":
            form = forms.ResolveForm(request.POST, auto_id="id_resolve_%s")
            if form.is_valid():
                services.resolve_problem(
                    actor=user,
                    problem=problem,
                    resolution=form.cleaned_data["resolution"],
                    on=form.cleaned_data["on"],
                    source_ip=ip,
                )
                messages.success(request, _("The problem is resolved."))
        elif action == "beyond":
            form = forms.BeyondCityForm(request.POST, auto_id="id_beyond_%s")
            if form.is_valid():
                services.record_beyond_city_escalation(
                    actor=user,
                    problem=problem,
                    on=form.cleaned_data["on"],
                    body=form.cleaned_data["body"],
                    note=form.cleaned_data["note"],
                    source_ip=ip,
                )
                messages.success(request, _("The escalation beyond the city is recorded."))
        elif action == "close":
            services.close_problem(actor=user, problem=problem, source_ip=ip)
            messages.success(request, _("The problem is closed."))
        elif action == "reopen":
            form = forms.ReasonForm(request.POST, auto_id="id_reopen_%s")
            if form.is_valid():
                services.reopen_problem(
                    actor=user, problem=problem, reason=form.cleaned_data["reason"], source_ip=ip
                )
                messages.success(request, _("The problem is reopened."))
        else:
            raise Http404
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("problem-detail", pk=pk)
        apply_service_errors(form, error)
    if form is not None and form.errors:
        return _problem_page(request, selectors.problem_for(user, pk), status=422, **{action: form})
    return redirect("problem-detail", pk=pk)


@login_required
def problem_raise(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a problem from the project's page."""
    user = request.user
    project = selectors.project_for_problem(user, pk)
    form = forms.ProblemForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.raise_problem(
                actor=user,
                project=project,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                departments=list(form.cleaned_data["departments"]),
                tasks=list(form.cleaned_data["tasks"]),
                raised_on=form.cleaned_data["raised_on"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The problem is raised at level 1."))
            return redirect("problem-detail", pk=problem.pk)
    status = 422 if form.errors else 200
    return render(
        request, "coordination/problem_form.html", {"form": form, "project": project}, status=status
    )


# -- meetings ------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    meetings = selectors.meeting_list(user)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "may_organise": selectors.may_organise_meetings(user)}
    return render(request, "coordination/meeting_list.html", context)


def _meeting_page(request: HttpRequest, meeting, *, status: int = 200, minutes_form=None, action_form=None):
    user = request.user
    organiser = selectors.may_organise_meetings(user)
    cut = warnings.cutoffs(timezone.localdate())
    items = list(meeting.action_items.all())
    for item in items:
        item.warning = (
            warnings.level_for(item.due_on, cut) if item.status == ActionStatus.OPEN else warnings.NONE
        )
        item.may_complete = selectors.may_complete(user, item)
    if minutes_form is None and organiser:
        minutes_form = forms.MinutesForm(
            initial={"minutes": meeting.minutes, "decisions": "\n".join(meeting.decisions)},
            auto_id="id_minutes_%s",
        )
    if action_form is None and organiser:
        action_form = forms.ActionItemForm(meeting=meeting)
    context = {
        "meeting": meeting,
        # Not "items": the navigation in base.html sets that name.
        "action_rows": items,
        "organiser": organiser,
        "minutes_form": minutes_form,
        "action_form": action_form,
    }
    return render(request, "coordination/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, selectors.meeting_for(request.user, pk))


def _meeting_data(form) -> services.MeetingData:
    data = form.cleaned_data
    return services.MeetingData(
        title=data["title"],
        held_at=data["held_at"],
        region=data["region"],
        level=data["level"],
        location=data["location"],
        chair=data["chair"],
        chair_name=data["chair_name"],
        departments=list(data["departments"]),
        attendees=list(data["attendees"]),
        other_attendees=data["other_attendees"],
        problems=list(data["problems"]),
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Schedule a meeting, or change one (``pk``)."""
    user = request.user
    selectors.require_coordination_access(user)
    meeting = selectors.meeting_for(user, pk) if pk is not None else None
    if not selectors.may_organise_meetings(user):
        raise PermissionDenied
    initial = forms.meeting_initial(meeting) if meeting else {"problems": request.GET.getlist("problem")}
    form = forms.MeetingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting = services.schedule_meeting(
                    actor=user, data=_meeting_data(form), source_ip=client_ip(request)
                )
                messages.success(request, _("The meeting is scheduled."))
            else:
                services.update_meeting(
                    actor=user, meeting=meeting, data=_meeting_data(form), source_ip=client_ip(request)
                )
                messages.success(request, _("The meeting is saved."))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("meeting-detail", pk=meeting.pk)
    status = 422 if form.errors else 200
    return render(
        request, "coordination/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_for(user, pk)
    form = forms.MinutesForm(request.POST, auto_id="id_minutes_%s")
    if form.is_valid():
        try:
            services.record_minutes(
                actor=user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                decisions=form.decision_items(),
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The minutes are recorded."))
            return redirect("meeting-detail", pk=pk)
    return _meeting_page(request, selectors.meeting_for(user, pk), status=422, minutes_form=form)


@login_required
@require_POST
def meeting_action_item(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_for(user, pk)
    form = forms.ActionItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.add_action_item(
                actor=user,
                meeting=meeting,
                description=form.cleaned_data["description"],
                due_on=form.cleaned_data["due_on"],
                owner=form.cleaned_data["owner"],
                department=form.cleaned_data["department"],
                problem=form.cleaned_data["problem"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The action item is added."))
            return redirect("meeting-detail", pk=pk)
    return _meeting_page(request, selectors.meeting_for(user, pk), status=422, action_form=form)


# -- action items --------------------------------------------------------------------------------


@login_required
def action_item_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.ActionFilterForm(request.GET)
    items = selectors.action_item_list(user, form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.with_warnings(page.object_list, active=lambda item: item.status == ActionStatus.OPEN)
    return render(request, "coordination/action_item_list.html", {"form": form, "page": page, "rows": rows})


@login_required
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.action_item_for(request.user, pk)
    return redirect(f"{item.meeting.get_absolute_url()}#action-{item.pk}")


@login_required
@require_POST
def action_item_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.action_item_for(user, pk)
    form = forms.CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complete_action_item(
                actor=user,
                item=item,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                source_ip=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The action item is done."))
    else:
        messages.error(request, _("Give the day it was done."))
    return redirect(f"{item.meeting.get_absolute_url()}#action-{item.pk}")
