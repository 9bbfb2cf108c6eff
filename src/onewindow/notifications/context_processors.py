"""The number on the bell in the staff header."""

from functools import cached_property

from django.http import HttpRequest

from onewindow.accounts.permissions import STAFF_ROLES, has_role
from onewindow.notifications.selectors import unread_count


class Bell:
    """Asks nothing until a template draws the bell: public pages (cached for everyone) never read who
    is signed in, and only a staff page's header pays the count's one query."""

    def __init__(self, request: HttpRequest):
        self._request = request

    @cached_property
    def shown(self) -> bool:
        user = getattr(self._request, "user", None)
        return user is not None and has_role(user, STAFF_ROLES)

    def __bool__(self) -> bool:
        return self.shown

    @cached_property
    def unread(self) -> int:
        return unread_count(self._request.user) if self.shown else 0


def unread_notifications(request: HttpRequest) -> dict:
    return {"notification_bell": Bell(request)}
