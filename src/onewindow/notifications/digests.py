"""The daily e-mail digest: one mail per user per local day, instead of one per notification.

The mail itself is a background job (``tasks.send_digest_mail``), enqueued when the digest's
transaction commits: a slow or failing mail server then never holds the tick's transaction or rolls
back the record that the day's digest was made, and the worker can try again. In tests the immediate
backend sends it at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.notifications import messages
from onewindow.notifications.models import Digest, Kind, Notification, NotificationPreference
from onewindow.notifications.tasks import send_digest_mail

# A digest lists this many notifications of each kind and counts the rest.
SHOWN_PER_KIND = 20


def _pending(at: datetime.datetime, day: datetime.date):
    """Notifications still to be mailed: created by ``at``, of an active user with an address who has
    no digest for ``day`` yet, of a kind they keep by e-mail."""
    return (
        Notification.objects.filter(digested_at__isnull=True, created_at__lte=at, user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(Digest.objects.filter(user=OuterRef("user"), day=day)))
        .exclude(
            Exists(
                NotificationPreference.objects.filter(
                    user=OuterRef("user"), kind=OuterRef("kind"), email=False
                )
            )
        )
    )


def _body(name: str, day: datetime.date, groups: dict[str, tuple[int, list]], site: str) -> tuple[str, str]:
    """``groups``: for each kind, how many notifications there are and the newest of them (up to
    ``SHOWN_PER_KIND``) as (subject, params)."""
    labels = dict(Kind.choices)
    texts = messages.templates()
    sections = []
    for kind in Kind.values:
        count, newest = groups.get(kind, (0, []))
        if not count:
            continue
        sections.append(
            {
                "label": labels[kind],
                "count": count,
                "lines": [messages.render(kind, subject, params, texts) for subject, params in newest],
                "more": max(0, count - SHOWN_PER_KIND),
            }
        )
    total = sum(count for count, _newest in groups.values())
    subject = _("%(site)s: %(count)d notifications for %(day)s") % {"site": site, "count": total, "day": day}
    body = render_to_string(
        "notifications/digest_email.txt", {"name": name, "day": day, "sections": sections, "site": site}
    )
    return subject, body


def _email_off():
    return Exists(
        NotificationPreference.objects.filter(user=OuterRef("user"), kind=OuterRef("kind"), email=False)
    )


def _pass_over_unmailable(at: datetime.datetime) -> None:
    """Stamp what no digest will ever carry (no address, an inactive account, a kind kept out of the
    mail), so that the daily query reads only what may still be mailed instead of a growing backlog, and
    an address added later brings no flood of old news."""
    Notification.objects.filter(digested_at__isnull=True, created_at__lte=at).filter(
        Q(user__email="") | Q(user__is_active=False) | _email_off()
    ).update(digested_at=at)


@transaction.atomic
def send_digests(*, at: datetime.datetime) -> int:
    """Make today's digests as of ``at`` and return how many. Nothing before ``DIGEST_HOUR`` local
    time; a user who already has today's digest gets no second one (so running it again for the same
    moment sends nothing), and what arrives later waits for tomorrow's."""
    if at.tzinfo is None:
        raise ValueError("send_digests needs an aware datetime")
    local = timezone.localtime(at)
    if local.hour < settings.ONEWINDOW_DIGEST_HOUR:
        return 0
    day = local.date()
    _pass_over_unmailable(at)
    pending = _pending(at, day).order_by()
    # A digest shows at most SHOWN_PER_KIND lines of a kind and counts the rest: the database counts
    # and picks the newest lines, so the tick never reads every pending row (hundreds of thousands).
    counts = list(
        pending.values("user_id", "user__email", "user__full_name", "user__username", "kind")
        .annotate(count=Count("pk"))
        .order_by("user_id", "kind")
    )
    if not counts:
        return 0
    per_user: dict[int, dict] = {}
    for row in counts:
        entry = per_user.setdefault(
            row["user_id"],
            {
                "email": row["user__email"],
                "name": row["user__full_name"] or row["user__username"],
                "groups": {},
            },
        )
        entry["groups"][row["kind"]] = (row["count"], [])
    newest = (
        pending.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("user_id"), F("kind")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=SHOWN_PER_KIND)
        .order_by("user_id", "kind", "rank")
        .values_list("user_id", "kind", "subject", "params")
    )
    for user_id, kind, subject, params in newest:
        # A row committed by another transaction between the two reads (each statement reads its own
        # snapshot on PostgreSQL) is left out of the lines, as it is of the counts.
        group = per_user[user_id]["groups"].get(kind) if user_id in per_user else None
        if group is not None:
            group[1].append((subject, params))
    Digest.objects.bulk_create(
        [
            Digest(
                user_id=user_id,
                day=day,
                sent_at=at,
                count=sum(count for count, _newest in entry["groups"].values()),
            )
            for user_id, entry in per_user.items()
        ]
    )
    # Set-based: everything pending of the users who got a digest now, identified by that digest.
    Notification.objects.filter(
        digested_at__isnull=True,
        created_at__lte=at,
        kind__in=Kind.values,
    ).filter(Exists(Digest.objects.filter(user=OuterRef("user"), day=day, sent_at=at))).exclude(
        _email_off()
    ).update(digested_at=at)
    site = settings.ONEWINDOW_SITE_NAME
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        for entry in per_user.values():
            subject, body = _body(entry["name"], day, entry["groups"], site)
            mails.append({"to": entry["email"], "subject": subject, "body": body})

    def enqueue() -> None:
        # One transaction for the jobs rather than a commit (a disk flush) for each.
        with transaction.atomic():
            for mail in mails:
                send_digest_mail.enqueue(**mail)

    transaction.on_commit(enqueue)
    return len(per_user)
