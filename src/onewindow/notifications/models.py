"""In-app notifications, per-user preferences, daily e-mail digests and urging (督促).

A notification is stored once per (user, kind, key): the periodic tick may announce the same yellow
warning every time it runs, and the user still sees it once. Its text is not stored: it is rendered in
the reader's language from the kind and ``params`` (``onewindow.notifications.messages``); only the
``subject`` (a project code, a task name) is data.

Preferences are sparse: a user without a row for a kind gets it in the app and by e-mail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TASK_YELLOW = "task_yellow", _("Task due soon (yellow)")
    TASK_RED = "task_red", _("Task overdue (red)")
    PROBLEM_YELLOW = "problem_yellow", _("Problem due soon (yellow)")
    PROBLEM_RED = "problem_red", _("Problem overdue (red)")
    PROBLEM_ESCALATED = "problem_escalated", _("Problem escalated")
    PROBLEM_ASSIGNED = "problem_assigned", _("Problem assigned")
    ACTION_YELLOW = "action_yellow", _("Action item due soon (yellow)")
    ACTION_RED = "action_red", _("Action item overdue (red)")
    URGE = "urge", _("Urged (督促)")
    MEETING_SCHEDULED = "meeting_scheduled", _("Coordination meeting scheduled")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    key = models.CharField(
        _("key"), max_length=200, help_text=_("What the notification is about, e.g. task:42:2026-11-27")
    )
    subject = models.CharField(_("subject"), max_length=255)
    url = models.CharField(_("link"), max_length=500, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Also set when no digest will carry it (no address, e-mail off for the kind): see digests.py.
    digested_at = models.DateTimeField(_("sent in a digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="notification_once_per_user_kind_key"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            # notify_many counts what it added by its timestamp.
            models.Index(fields=["created_at"], name="notification_created"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["user"], condition=Q(digested_at__isnull=True), name="notification_undigested"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class NotificationPreference(models.Model):
    """A user's choice for one kind; no row means both channels on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind"),
        ]
        indexes = [
            # notify_many looks up, in one query, who switched a kind off entirely.
            models.Index(
                fields=["kind"], condition=Q(in_app=False, email=False), name="notification_pref_all_off"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class Digest(models.Model):
    """One e-mail digest of one user for one local day: the record that makes digests once a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent"))
    count = models.PositiveIntegerField(_("notifications"))

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class Urge(models.Model):
    """An agent (or leader, or county staff) urging the department handling an approval task (督促)."""

    task = models.ForeignKey(
        "approvals.ApprovalTask",
        verbose_name=_("approval task"),
        on_delete=models.CASCADE,
        related_name="urges",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The task's department when urged, kept so the count per department is one query"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("urged by"), on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateTimeField(_("urged on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["department", "-on"], name="urge_department_newest")]

    def __str__(self) -> str:
        return f"{self.task} {self.on:%Y-%m-%d}"
