"""The role workbenches at the site's root (工作台): each role sees what it has to act on first.

Agents and county staff get their projects with the next due items and their own open items; window
clerks their department's queue, problems, action items and the urges received; leaders the problems
waiting at their level, the red items of their region and the decisions taken. Investors keep the
page of their projects (``projects.views.workbench``). Every list reads its rows through
``workbench_selectors`` and pages on its own ``*_page`` parameter, so the lists of one page page
independently and the filters apply to them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onewindow.accounts.permissions import INTAKE_ROLES, has_role
from onewindow.approvals.task_views import task_rows
from onewindow.coordination import selectors as coordination
from onewindow.coordination import warnings
from onewindow.coordination import workbench_selectors as wb
from onewindow.coordination.workbench_forms import WorkbenchFilterForm
from onewindow.projects import selectors as project_selectors
from onewindow.projects import views as project_views
from onewindow.projects.selectors import RegisterFilters

PAGE_SIZE = 10
RECENT_PROJECTS = 10


@dataclass(frozen=True)
class Listing:
    """One paged list of the workbench: its page, the rows to show, and the links to its pages."""

    page: Page
    rows: list
    first: str = ""
    previous: str = ""
    next: str = ""
    last: str = ""


def _link(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"


def _listing(request: HttpRequest, queryset, param: str, rows=list) -> Listing:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))
    links = {}
    if page.has_previous():
        links["first"] = _link(request, param, 1)
        links["previous"] = _link(request, param, page.previous_page_number())
    if page.has_next():
        links["next"] = _link(request, param, page.next_page_number())
        links["last"] = _link(request, param, page.paginator.num_pages)
    return Listing(page=page, rows=rows(page.object_list), **links)


@dataclass(frozen=True)
class QueueRow:
    """A row of the department's queue: the queue page's clock, and the warning of the workbench."""

    task: object
    clock: object
    mark: str
    warning: str


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = wb.workbench_kind(user)
    if kind == "investor":
        return project_views.workbench(request)
    form = WorkbenchFilterForm(request.GET, workbench=kind)
    filters = form.filters()
    today = timezone.localdate()
    context = {
        "form": form,
        "filters": filters,
        "workbench": kind,
        "today": today,
        "yellow_workdays": settings.ONEWINDOW_WARNING_YELLOW_WORKDAYS,
        "may_intake": has_role(user, INTAKE_ROLES),
    }
    if kind == "agent":
        context |= _agent(request, filters)
    elif kind == "clerk":
        context |= _clerk(request, filters)
    else:
        context |= _leader(request, filters)
    return render(request, f"coordination/workbench_{kind}.html", context)


def _due_listing(request: HttpRequest, rows, param: str, filters: wb.WorkbenchFilters) -> Listing:
    return _listing(request, rows, param, rows=lambda page: wb.hydrate_due_items(page, filters))


def _agent(request: HttpRequest, filters: wb.WorkbenchFilters) -> dict:
    user = request.user
    projects = _listing(
        request,
        wb.workbench_projects(user, filters),
        "projects_page",
        rows=lambda page: wb.project_rows(user, page, filters),
    )
    return {
        "projects": projects,
        "due": _due_listing(request, wb.due_items(wb.agent_parts(user), filters), "items_page", filters),
        "recent_entries": project_selectors.recent_timeline_by(user),
        "is_agent": user.role == "agent",
    }


def _recent_projects(user) -> dict:
    projects = project_selectors.register(user, RegisterFilters()).order_by("-updated_at", "-id")
    return {"recent_projects": projects[:RECENT_PROJECTS], "project_count": projects.count()}


def _clerk(request: HttpRequest, filters: wb.WorkbenchFilters) -> dict:
    user = request.user
    context = _recent_projects(user)
    if filters.wants(wb.TASK):
        cut = warnings.cutoffs(timezone.localdate())

        def queue_rows(tasks):
            return [
                QueueRow(row.task, row.clock, row.mark, warnings.task_level(row.task, cut))
                for row in task_rows(tasks)
            ]

        context["queue"] = _listing(request, wb.clerk_queue(user, filters), "queue_page", rows=queue_rows)
        urges = wb.urges_received(user, filters)
        if urges is not None:
            context["urges"] = _listing(request, urges, "urges_page")
    if filters.wants(wb.PROBLEM) or filters.wants(wb.ACTION):
        context["due"] = _due_listing(
            request, wb.due_items(wb.clerk_parts(user), filters), "items_page", filters
        )
    return context


def _leader(request: HttpRequest, filters: wb.WorkbenchFilters) -> dict:
    user = request.user
    context = _recent_projects(user)
    if filters.wants(wb.PROBLEM):
        context["waiting"] = _listing(
            request,
            wb.waiting_escalations(user, filters),
            "waiting_page",
            rows=coordination.with_warnings,
        )
    if filters.kind != wb.MEETING and filters.warning != warnings.YELLOW:
        context["red"] = _due_listing(request, wb.red_items(user, filters), "red_page", filters)
    if filters.kind != wb.ACTION and not filters.warning:
        context["decisions"] = _listing(
            request,
            wb.decisions(user, filters),
            "decisions_page",
            rows=lambda page: wb.hydrate_decisions(page, filters),
        )
    return context
