"""The caller's own notifications (the bell) over the API: the list, one notification, and marking
them read, through the same selectors and services as the notifications page.

A notification exists only for its own user: anyone else's answers 404. The list and marking all read
are for staff, as the page is (403 for investors, who get no notifications). The text is rendered in
the request's language from the kind and its parameters, as on the page. The list is keyset-paginated,
newest stored first: send ``next_cursor`` as ``cursor`` for the next page (null on the last page).
"""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.accounts.api_auth import API_AUTH
from onewindow.accounts.permissions import STAFF_ROLES, require_role
from onewindow.core.http import client_ip
from onewindow.notifications import messages, selectors, services
from onewindow.notifications.models import Kind, Notification

router = Router(tags=["notifications"], auth=API_AUTH)

MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    message: str = Field(..., description="What the notification says, in the request's language")
    url: str = Field(..., description="The page it is about, a path on this site (may be empty)")
    params: dict
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int = Field(..., description="The caller's unread notifications, whatever the filters")


class NotificationQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    unread: bool = Field(False, description="Only the unread ones")
    kind: str = Field("", description=", ".join(Kind.values))


class MarkedOut(Schema):
    marked: int = Field(..., description="How many were unread and are now read")


def _query_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["query", field], "msg": message}])


def _out(note: Notification, texts: dict[str, str]) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "kind_label": str(Kind(note.kind).label) if note.kind in Kind.values else note.kind,
        "subject": note.subject,
        "message": messages.render(note.kind, note.subject, note.params, texts),
        "url": note.url,
        "params": note.params if isinstance(note.params, dict) else {},
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@router.get("", response=NotificationPage, summary="The caller's notifications, newest first")
def list_notifications(request: HttpRequest, filters: Query[NotificationQuery]):
    """Only the kinds the caller keeps in the app (notifications page → choices)."""
    if filters.kind and filters.kind not in Kind.values:
        raise _query_error("kind", _("Unknown kind of notification: %(kind)s.") % {"kind": filters.kind})
    notes = selectors.notification_list(
        request.user, selectors.NotificationFilters(unread=filters.unread, kind=filters.kind)
    )
    if filters.cursor:
        if not filters.cursor.isdigit():
            raise _query_error("cursor", _("This cursor is not valid."))
        notes = notes.filter(pk__lt=int(filters.cursor))
    rows = list(notes.order_by("-pk")[: filters.limit + 1])
    next_cursor = str(rows[filters.limit - 1].pk) if len(rows) > filters.limit else None
    texts = messages.templates()
    return {
        "items": [_out(note, texts) for note in rows[: filters.limit]],
        "next_cursor": next_cursor,
        "unread_count": selectors.unread_count(request.user),
    }


@router.post("/read-all", response=MarkedOut, summary="Mark every unread notification read")
def mark_all_read(request: HttpRequest):
    # Declared before the routes by id, which would otherwise take "read-all" for an id.
    require_role(request.user, STAFF_ROLES)
    return {"marked": services.mark_all_read(actor=request.user, source_ip=client_ip(request))}


@router.get("/{notification_id}", response=NotificationOut, summary="One of the caller's notifications")
def get_notification(request: HttpRequest, notification_id: int):
    """404 for someone else's."""
    return _out(selectors.notification_for(request.user, notification_id), messages.templates())


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one notification read")
def mark_read(request: HttpRequest, notification_id: int):
    """Marking it again changes nothing (its first reading time stays). 404 for someone else's."""
    note = selectors.notification_for(request.user, notification_id)
    note = services.mark_read(actor=request.user, notification=note, source_ip=client_ip(request))
    return _out(note, messages.templates())
