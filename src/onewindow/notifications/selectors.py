"""Every read of notifications and urges, scoped by the user.

A notification exists only for its own user: anyone else gets a 404. Urges are counted over the tasks
the user may see (``approvals.task_selectors.visible_tasks``), so a county sees its own departments'
figures and the city sees them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import INTAKE_ROLES, STAFF_ROLES, has_role, require_role
from onewindow.approvals import task_selectors
from onewindow.approvals.models import ApprovalTask, TaskState
from onewindow.notifications.models import Kind, Notification, NotificationPreference, Urge

# The department has the file and owes a decision: only then is urging it meaningful.
URGEABLE_STATES = (TaskState.ACCEPTED, TaskState.CORRECTING)
URGE_ROLES = INTAKE_ROLES
URGE_STATISTICS_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.COUNTY_STAFF, Role.CLERK})


def _hidden_in_app(user_field: str = "user") -> Exists:
    return Exists(
        NotificationPreference.objects.filter(user=OuterRef(user_field), kind=OuterRef("kind"), in_app=False)
    )


def visible_notifications(user: User) -> QuerySet[Notification]:
    """The user's own notifications of the kinds they keep in the app, newest first."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).exclude(_hidden_in_app()).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """One query: the number on the bell."""
    return visible_notifications(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class NotificationFilters:
    unread: bool = False
    kind: str = ""


def notification_list(user: User, filters: NotificationFilters) -> QuerySet[Notification]:
    require_role(user, STAFF_ROLES)
    notes = visible_notifications(user)
    if filters.unread:
        notes = notes.filter(read_at__isnull=True)
    if filters.kind in Kind.values:
        notes = notes.filter(kind=filters.kind)
    return notes


def notification_for(user: User, notification_id: int) -> Notification:
    """One of the user's own notifications, or 404 (someone else's does not exist for them)."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        return Notification.objects.get(pk=notification_id, user=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Channels:
    kind: str
    label: str
    in_app: bool
    email: bool


def preferences_for(user: User) -> list[Channels]:
    """Every kind with the user's choice for it (both channels on unless they said otherwise)."""
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in Kind:
        pref = saved.get(kind.value)
        rows.append(
            Channels(
                kind=kind.value,
                label=str(kind.label),
                in_app=pref.in_app if pref else True,
                email=pref.email if pref else True,
            )
        )
    return rows


# -- urging --------------------------------------------------------------------------------------


def may_urge(user: User, task: ApprovalTask) -> bool:
    """The role side of urging: the project's agent (own or unassigned projects) or centre staff.
    Whether the task is in the user's scope is decided by ``task_selectors.task_for``."""
    return has_role(user, URGE_ROLES) and task_selectors.may_act_for_applicant(user, task)


def is_urgeable(task: ApprovalTask) -> bool:
    return task.state in URGEABLE_STATES and task.decided_on is None


def urges_of_task(user: User, task: ApprovalTask) -> QuerySet[Urge]:
    """The urges of a task the caller already fetched through ``task_selectors.task_for``."""
    return Urge.objects.filter(task=task).select_related("by").order_by("-on", "-id")


@dataclass(frozen=True)
class DepartmentUrges:
    department_id: int
    department_name: str
    region_name: str
    urges: int
    last_urged: object
    open_tasks_urged: int


def urges_by_department(user: User) -> list[DepartmentUrges]:
    """Urges per department over the tasks the user may see, most urged first: one query."""
    require_role(user, URGE_STATISTICS_ROLES)
    rows = (
        Urge.objects.filter(task__in=task_selectors.visible_tasks(user).values("pk"))
        .values("department_id", "department__name", "department__region__name")
        .annotate(
            urges=Count("id"),
            last_urged=Max("on"),
            open_tasks_urged=Count("task", distinct=True, filter=Q(task__state__in=URGEABLE_STATES)),
        )
        .order_by("-urges", "department__name", "department_id")
    )
    return [
        DepartmentUrges(
            department_id=row["department_id"],
            department_name=row["department__name"],
            region_name=row["department__region__name"],
            urges=row["urges"],
            last_urged=row["last_urged"],
            open_tasks_urged=row["open_tasks_urged"],
        )
        for row in rows
    ]
