"""Reads for the ledger pages and commands. The register's rows come from ``projects.selectors.register``,
so an export shows exactly what the person may see on the register page with the same filters."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.accounts.permissions import region_path
from onewindow.projects import selectors as project_selectors
from onewindow.projects.models import Project
from onewindow.projects.selectors import RegisterFilters
from onewindow.regions.models import Region


def ledger_projects(user: User, filters: RegisterFilters) -> QuerySet[Project]:
    """The register as the user sees it, filtered and sorted, with investor, region and agent joined
    (one query, however many rows)."""
    return project_selectors.register(user, filters)


def ledger_title(user: User, filters: RegisterFilters) -> str:
    """The title row: the filtered region, else the user's own area, else the city."""
    region = None
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
    if region is None:
        scope = region_path(user)
        region = (
            Region.objects.filter(path=scope).first()
            if scope
            else Region.objects.filter(parent__isnull=True).order_by("path").first()
        )
    return _("%(region)s investment project ledger") % {"region": region.name if region else ""}
