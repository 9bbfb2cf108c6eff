"""What each role may do. The single answer to "may this person do that?"; scoping by region and
ownership lives in each app's selectors, which call into here."""

from django.core.exceptions import PermissionDenied

from onewindow.accounts.models import Role, User

STAFF_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.CLERK, Role.COUNTY_STAFF})
INTAKE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.COUNTY_STAFF})
PROJECT_EDIT_ROLES = INTAKE_ROLES
AUDIT_ROLES = frozenset({Role.ADMIN, Role.LEADER})
STATISTICS_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.COUNTY_STAFF, Role.CLERK})
# Investment-promotion leads are confidential: no window clerk or investor ever sees one.
PROMOTION_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.COUNTY_STAFF})
# The county assessment: read by the centres' staff; its method is edited at the city (see assessment).
ASSESSMENT_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.AGENT, Role.COUNTY_STAFF})


def has_role(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.role in roles or user.is_superuser))


def require_role(user: User, roles: frozenset[str]) -> None:
    """Raise ``PermissionDenied`` (403) unless the user holds one of the roles."""
    if not has_role(user, roles):
        raise PermissionDenied


def sees_everything(user: User) -> bool:
    """An administrator, or anyone whose home region is the root of the tree."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.region is not None and user.region.parent_id is None and user.role != Role.CLERK


def region_path(user: User) -> str:
    """The region subtree the user works in ('' means the whole tree)."""
    if sees_everything(user) or user.region is None:
        return ""
    return user.region.path
