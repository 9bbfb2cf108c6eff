"""Reads about people and the audit trail, scoped by the user."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.accounts.models import Role, User
from onewindow.accounts.permissions import AUDIT_ROLES, region_path, require_role
from onewindow.core.models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(user: User, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The audit trail for leaders and admins; a county leader sees their own region's entries."""
    require_role(user, AUDIT_ROLES)
    entries = AuditEntry.objects.all()
    scope = region_path(user)
    if scope:
        entries = entries.filter(region_path__startswith=scope)
    if filters.actor:
        entries = entries.filter(actor_name__icontains=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.date_from:
        entries = entries.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(created_at__date__lte=filters.date_to)
    return entries.order_by("-created_at", "-id")


def agents(user: User) -> QuerySet[User]:
    """Agents a project may be assigned to, within the user's region."""
    people = User.objects.filter(role=Role.AGENT, is_active=True).select_related("region")
    scope = region_path(user)
    if scope:
        people = people.filter(region__path__startswith=scope)
    return people.order_by("username")
