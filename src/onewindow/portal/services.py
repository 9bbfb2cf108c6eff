"""Every write of the public portal: a visitor's message, and the staff's moderation, assignment and
answer. Each function is atomic, validates its input with messages that name the field, and writes its
audit row in the same transaction; the public pages' cache is renewed when the write commits.

Protection of the public form without outside services: a honeypot field, length limits, and a limit
of messages per address and hour and per address and day, counted in Django's cache under a keyed hash
of the address (the cache never holds the address itself).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.approvals import selectors as approval_selectors
from onewindow.core import audit
from onewindow.core.errors import StaleObjectError
from onewindow.core.models import AuditEntry
from onewindow.portal import selectors
from onewindow.portal.caching import public_data_changed
from onewindow.portal.models import MessageKind, MessageStatus, PublicMessage
from onewindow.regions.models import Department

TEXT_MIN_LENGTH = 10
TEXT_MAX_LENGTH = 2000
CONTACT_MAX_LENGTH = 100
HIDE_REASON_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 4000
_HOUR, _DAY = 3600, 86400


@dataclass(frozen=True)
class Submitted:
    """A stored message and the visitor's tracking key (shown once, in the receipt's address)."""

    message: PublicMessage
    token: str


def _region_path(message: PublicMessage) -> str:
    if message.project_id:
        return message.project.region.path
    if message.department_id:
        return message.department.region.path
    return ""


def _address_key(source_ip: str | None, window: str, bucket: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), (source_ip or "unknown").encode(), hashlib.sha256)
    return f"portal:feedback-rate:{window}:{bucket}:{digest.hexdigest()[:32]}"


def _rate_keys(source_ip: str | None, now: datetime.datetime) -> list[tuple[str, int, int]]:
    """(cache key, limit, seconds) per window; fixed windows of an hour and of a day."""
    stamp = int(now.timestamp())
    return [
        (_address_key(source_ip, "hour", stamp // _HOUR), settings.ONEWINDOW_FEEDBACK_PER_HOUR, _HOUR),
        (_address_key(source_ip, "day", stamp // _DAY), settings.ONEWINDOW_FEEDBACK_PER_DAY, _DAY),
    ]


def _rate_limited(source_ip: str | None, now: datetime.datetime) -> bool:
    keys = _rate_keys(source_ip, now)
    counts = cache.get_many([key for key, _limit, _seconds in keys])
    return any(counts.get(key, 0) >= limit for key, limit, _seconds in keys)


def _count_submission(source_ip: str | None, now: datetime.datetime) -> None:
    for key, _limit, seconds in _rate_keys(source_ip, now):
        if not cache.add(key, 1, seconds + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, seconds + 60)


def _clean_text(value: str) -> str:
    # Keep the visitor's line breaks; drop control characters that have no business in a message.
    text = "".join(char for char in (value or "") if char in "\n\t" or char >= " ")
    return text.replace("\r\n", "\n").strip()


@transaction.atomic
def submit_message(
    *,
    kind: str,
    text: str,
    contact: str = "",
    project_code: str = "",
    honeypot: str = "",
    source_ip: str | None = None,
) -> Submitted:
    """A visitor's message about a public project (by its code) or about the service.

    Refused as a whole, with a message per field, when anything is wrong: nothing is stored then.
    """
    now = timezone.now()
    if honeypot:
        # Only a robot fills in the hidden field; it learns nothing more than a person would.
        raise ValidationError({"website": _("Leave the field marked “leave this field empty” empty.")})
    if _rate_limited(source_ip, now):
        raise ValidationError(
            _(
                "Too many messages have been sent from your address. Please try again in an hour, or "
                "call the service centre."
            ),
            code="rate_limited",
        )
    errors: dict[str, str] = {}
    text = _clean_text(text)
    contact = _clean_text(contact)
    if kind not in MessageKind.values:
        errors["kind"] = _("Choose what kind of message this is.")
    if not text:
        errors["text"] = _("Write your message.")
    elif len(text) < TEXT_MIN_LENGTH:
        errors["text"] = _("Write at least %(count)d characters.") % {"count": TEXT_MIN_LENGTH}
    elif len(text) > TEXT_MAX_LENGTH:
        errors["text"] = _("Keep the message to %(count)d characters; it has %(length)d.") % {
            "count": TEXT_MAX_LENGTH,
            "length": len(text),
        }
    if "\n" in contact or len(contact) > CONTACT_MAX_LENGTH:
        errors["contact"] = _("Give one phone number or e-mail address of at most %(count)d characters.") % {
            "count": CONTACT_MAX_LENGTH
        }
    project = None
    if (project_code or "").strip():
        project = selectors.public_project_by_code(project_code)
        if project is None:
            errors["project"] = _("No public project has this code. Check it, or leave it empty.")
    if errors:
        raise ValidationError(errors)

    today = timezone.localdate()
    due = approval_selectors.workday_calendar().add_workdays(
        today, settings.ONEWINDOW_FEEDBACK_ANSWER_WORKDAYS
    )
    token = secrets.token_urlsafe(24)
    message = PublicMessage.objects.create(
        kind=kind,
        project=project,
        text=text,
        contact=contact,
        submitted_on=today,
        due_on=due.date,
        due_estimated=due.estimated,
        tracking_digest=selectors.token_digest(token),
    )
    audit.record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        obj=message,
        # The contact is personal data: the audit log says only whether one was given.
        changes={
            "kind": [None, kind],
            "project": [None, project.pk if project else None],
            "text": [None, text],
            "contact": [None, bool(contact)],
            "due_on": [None, due.date.isoformat()],
        },
        source_ip=source_ip,
        region_path=project.region.path if project else "",
    )
    _count_submission(source_ip, now)
    return Submitted(message=message, token=token)


def _refresh(message: PublicMessage, expected_version: int) -> PublicMessage:
    """The message as stored, locked for the rest of the transaction; refused if changed since read."""
    fresh = (
        PublicMessage.objects.select_for_update(of=("self",))
        .select_related("project__region", "department__region")
        .get(pk=message.pk)
    )
    if fresh.version != expected_version:
        raise StaleObjectError
    return fresh


def _require_moderator(actor: User) -> None:
    if not selectors.may_moderate(actor):
        raise PermissionDenied(_("Only the centre's staff moderate public messages."))


def _require_visible(actor: User, message: PublicMessage) -> None:
    if not selectors.visible_messages(actor).filter(pk=message.pk).exists():
        raise PermissionDenied(_("This message is outside the area you work in."))


def _save(message: PublicMessage, *, actor: User, before: dict, fields: list[str], source_ip: str | None):
    message.version = F("version") + 1
    message.save(update_fields=[*fields, "version"])
    message.refresh_from_db(fields=["version"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=message,
        changes=audit.diff(before, audit.snapshot(message, list(before))),
        source_ip=source_ip,
        region_path=_region_path(message),
    )
    public_data_changed()
    return message


@transaction.atomic
def publish_message(
    *,
    actor: User,
    message: PublicMessage,
    expected_version: int,
    public_text: str = "",
    source_ip: str | None = None,
) -> PublicMessage:
    """Show the message on the portal, in the original or in a version without personal data."""
    _require_moderator(actor)
    _require_visible(actor, message)
    message = _refresh(message, expected_version)
    shown = _clean_text(public_text)
    if shown == message.text:
        shown = ""
    if len(shown) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "public_text": _("Keep the published text to %(count)d characters.")
                % {"count": TEXT_MAX_LENGTH}
            }
        )
    fields = ["status", "public_text", "hidden_reason", "moderated_at", "moderated_by", "published_at"]
    before = audit.snapshot(message, ["status", "public_text", "hidden_reason"])
    now = timezone.now()
    message.status = MessageStatus.PUBLISHED
    message.public_text = shown
    message.hidden_reason = ""
    message.moderated_at, message.moderated_by = now, actor
    message.published_at = message.published_at or now
    return _save(message, actor=actor, before=before, fields=fields, source_ip=source_ip)


@transaction.atomic
def hide_message(
    *, actor: User, message: PublicMessage, expected_version: int, reason: str, source_ip: str | None = None
) -> PublicMessage:
    """Keep the message off the portal (or take it down), with the reason on record."""
    _require_moderator(actor)
    _require_visible(actor, message)
    message = _refresh(message, expected_version)
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason why the message is not published.")})
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason to %(count)d characters.") % {"count": HIDE_REASON_MAX_LENGTH}}
        )
    before = audit.snapshot(message, ["status", "hidden_reason"])
    message.status = MessageStatus.HIDDEN
    message.hidden_reason = reason
    message.moderated_at, message.moderated_by = timezone.now(), actor
    fields = ["status", "hidden_reason", "moderated_at", "moderated_by"]
    return _save(message, actor=actor, before=before, fields=fields, source_ip=source_ip)


@transaction.atomic
def assign_message(
    *,
    actor: User,
    message: PublicMessage,
    expected_version: int,
    department: Department | None,
    source_ip: str | None = None,
) -> PublicMessage:
    """Hand the message to a department, whose window clerks may then answer it; None takes it back."""
    _require_moderator(actor)
    _require_visible(actor, message)
    message = _refresh(message, expected_version)
    if (
        department is not None
        and not selectors.departments_for_assignment(actor).filter(pk=department.pk).exists()
    ):
        raise ValidationError({"department": _("This department is outside the area you work in.")})
    before = audit.snapshot(message, ["department"])
    message.department = department
    message.assigned_at = timezone.now() if department is not None else None
    return _save(
        message, actor=actor, before=before, fields=["department", "assigned_at"], source_ip=source_ip
    )


@transaction.atomic
def answer_message(
    *, actor: User, message: PublicMessage, expected_version: int, text: str, source_ip: str | None = None
) -> PublicMessage:
    """Answer the message on the record. The working days it took are counted on the statutory
    calendar from the day it came in to the day of the first answer; a later correction of the answer
    keeps that count."""
    _require_visible(actor, message)
    message = _refresh(message, expected_version)
    if not selectors.may_answer(actor, message):
        raise PermissionDenied(_("Only the centre's staff or the assigned department answer this message."))
    text = _clean_text(text)
    if not text:
        raise ValidationError({"answer": _("Write the answer.")})
    if len(text) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {"answer": _("Keep the answer to %(count)d characters.") % {"count": ANSWER_MAX_LENGTH}}
        )
    before = audit.snapshot(message, ["answer", "answered_on", "answer_workdays"])
    fields = ["answer"]
    message.answer = text
    if message.answered_at is None:
        now = timezone.now()
        today = timezone.localdate(now)
        taken = approval_selectors.workday_calendar().workdays_between(message.submitted_on, today)
        message.answered_at, message.answered_on, message.answered_by = now, today, actor
        message.answer_workdays = max(taken.count, 0)
        message.answer_workdays_estimated = taken.estimated
        fields += [
            "answered_at",
            "answered_on",
            "answered_by",
            "answer_workdays",
            "answer_workdays_estimated",
        ]
    return _save(message, actor=actor, before=before, fields=fields, source_ip=source_ip)
