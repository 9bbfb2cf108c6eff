"""The public portal's own data: public feedback (留言/投诉/建议) and the version of the public pages'
cache.

A message's contact is personal data: it is shown to the staff who handle the message and never on a
public page, feed or download. What the public sees of a message is its published text (the original,
or a version from which a moderator removed personal data) and the answer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message (留言)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Not published")


class PublicMessage(models.Model):
    """A message from the public about one project or about the service in general."""

    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_messages",
        help_text=_("Empty for a message about the service in general."),
    )
    text = models.TextField(_("text"))
    contact = models.CharField(
        _("contact"), max_length=100, blank=True, help_text=_("Private: staff only, never published.")
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_on = models.DateField(_("submitted on"), db_index=True)
    due_on = models.DateField(_("answer due"), db_index=True)
    due_estimated = models.BooleanField(_("due date is an estimate"), default=False)
    tracking_digest = models.CharField(_("tracking key digest"), max_length=64, unique=True, editable=False)

    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    public_text = models.TextField(
        _("published text"), blank=True, help_text=_("The text as published, without personal data.")
    )
    hidden_reason = models.TextField(_("reason for not publishing"), blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("assigned department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_messages",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)

    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer_workdays = models.PositiveSmallIntegerField(_("working days to answer"), null=True, blank=True)
    answer_workdays_estimated = models.BooleanField(_("working days are an estimate"), default=False)

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("public message")
        verbose_name_plural = _("public messages")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="public_message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="public_message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.HIDDEN) | ~Q(hidden_reason=""),
                name="public_message_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="public_message_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_on__isnull=False, answer_workdays__isnull=False)),
                name="public_message_answer_complete",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("submitted_on")), name="public_message_due"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="public_message_published_idx"),
            models.Index(fields=["answered_at", "due_on"], name="public_message_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        """The number a visitor quotes: the year it came in and the record number."""
        year = self.submitted_on.year if self.submitted_on else 0
        return f"{year}-{self.pk or 0:06d}"

    @property
    def shown_text(self) -> str:
        return self.public_text or self.text

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CacheVersion(models.Model):
    """One row: a new random token whenever data shown on the public pages changes.

    Cached public pages are stored under the token, so that every server process, whatever cache it
    has, stops serving a page the moment the data behind it changes.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public cache version")
        verbose_name_plural = _("public cache versions")

    def __str__(self) -> str:
        return self.token
