"""Template helpers of the staff pages: the site name, the navigation a role gets, amounts."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from onewindow.accounts.permissions import (
    ASSESSMENT_ROLES,
    AUDIT_ROLES,
    INTAKE_ROLES,
    PROMOTION_ROLES,
    STAFF_ROLES,
    STATISTICS_ROLES,
    has_role,
)

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset | None
    also_current_on: tuple[str, ...] = ()


NAVIGATION = [
    NavItem("workbench", gettext_lazy("Workbench"), None),
    NavItem(
        "project-register",
        gettext_lazy("Project register"),
        None,
        (
            "project-detail",
            "project-edit",
            "phase-add",
            "phase-edit",
            "project-stage",
            "project-note",
            "project-plan",
            "project-tasks",
            "project-joint-events",
            "project-bill",
        ),
    ),
    NavItem("task-queue", gettext_lazy("Approval tasks"), STAFF_ROLES, ("task-detail", "task-action")),
    NavItem(
        "problem-list",
        gettext_lazy("Problems"),
        STAFF_ROLES,
        ("problem-detail", "problem-action", "problem-raise"),
    ),
    NavItem(
        "meeting-list",
        gettext_lazy("Meetings"),
        STAFF_ROLES,
        ("meeting-new", "meeting-detail", "meeting-edit", "action-item-list"),
    ),
    NavItem("project-intake", gettext_lazy("New intake"), INTAKE_ROLES),
    NavItem(
        "ledger-import", gettext_lazy("Import ledger"), INTAKE_ROLES, ("ledger-confirm", "ledger-discard")
    ),
    NavItem(
        "dashboard", gettext_lazy("Dashboard"), STATISTICS_ROLES, ("progress-report", "dashboard-details")
    ),
    NavItem("statistics", gettext_lazy("Statistics"), STATISTICS_ROLES),
    NavItem(
        "lead-list",
        gettext_lazy("Investment leads"),
        PROMOTION_ROLES,
        ("lead-new", "lead-detail", "lead-edit", "lead-charts", "lead-advance", "lead-drop", "lead-convert"),
    ),
    NavItem(
        "assessment",
        gettext_lazy("County assessment"),
        ASSESSMENT_ROLES,
        ("assessment-unit", "assessment-indicators", "assessment-note"),
    ),
    NavItem("audit-log", gettext_lazy("Audit log"), AUDIT_ROLES),
    NavItem("feedback-queue", gettext_lazy("Public feedback"), STAFF_ROLES, ("feedback-detail",)),
]


@register.simple_tag
def site_name() -> str:
    return settings.ONEWINDOW_SITE_NAME


@register.simple_tag(takes_context=True)
def navigation(context) -> list[dict]:
    """The pages this user may open, in menu order, marking the one being shown."""
    request = context["request"]
    user = request.user
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    items = []
    for item in NAVIGATION:
        if item.roles is not None and not has_role(user, item.roles):
            continue
        is_current = current == item.url_name or current in item.also_current_on
        items.append({"url": reverse(item.url_name), "label": item.label, "current": is_current})
    return items


@register.filter
def whole_minutes(value: datetime.timedelta | None) -> int:
    if not value:
        return 0
    return max(1, round(value.total_seconds() / 60))


@register.filter
def amount(value, places: int = 2) -> str:
    """An amount with thousands grouped by commas, as ledgers print them, whatever the language."""
    if value is None or value == "":
        return ""
    # Half up (四舍五入), as Chinese ledgers round; Python's own formatting would round half to even.
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{int(places)}f}"
