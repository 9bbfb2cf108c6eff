"""Three-level coordination (三级协调): problems (难题) that block a project, how they escalate, the
coordination meetings (协调会) that work on them and the action items those meetings hand out.

Level 1 is the responsible window departments, level 2 a joint meeting of the department leaders,
level 3 the city government (with a supervision record, 督办). ``due_on`` is always the deadline of the
*current* level: reaching a level restarts the clock on the working-day calendar. Warnings (yellow,
red) are never stored: ``coordination.warnings`` reads them from the due dates in SQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MAX_LEVEL = 3


class Category(models.TextChoices):
    LAND = "land", _("Land use (用地)")
    PLANNING = "planning", _("Planning (规划)")
    ENVIRONMENT = "environment", _("Environmental protection (环保)")
    DEMOLITION = "demolition", _("Demolition and site clearance (拆迁)")
    FUNDING = "funding", _("Funding (资金)")
    UTILITIES = "utilities", _("Water, power, gas and telecoms (水电气讯)")
    APPROVAL = "approval", _("Approvals (审批)")
    OTHER = "other", _("Other (其他)")


class Level(models.IntegerChoices):
    DEPARTMENTS = 1, _("Level 1: window departments")
    JOINT_MEETING = 2, _("Level 2: department leaders' joint meeting")
    CITY_GOVERNMENT = 3, _("Level 3: city government")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Problems in these states are still worked on: they escalate and they carry warnings.
ACTIVE_PROBLEM_STATES = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


class Problem(models.Model):
    """Something that blocks a project and needs departments to work it out (难题)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="problems"
    )
    tasks = models.ManyToManyField(
        "approvals.ApprovalTask",
        verbose_name=_("approval tasks concerned"),
        blank=True,
        related_name="problems",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_raised",
    )
    raised_on = models.DateField(_("raised on"))
    departments = models.ManyToManyField(
        "regions.Department",
        verbose_name=_("responsible departments"),
        blank=True,
        related_name="problems",
    )
    level = models.PositiveSmallIntegerField(
        _("coordination level"), choices=Level.choices, default=Level.DEPARTMENTS, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN, db_index=True
    )
    level_started_on = models.DateField(_("current level since"))
    due_on = models.DateField(_("deadline of the current level"), db_index=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    beyond_city = models.BooleanField(_("escalated beyond the city"), default=False)
    beyond_city_on = models.DateField(_("escalated beyond the city on"), null=True, blank=True)
    beyond_city_body = models.CharField(_("provincial body"), max_length=200, blank=True)
    beyond_city_note = models.TextField(_("note on the escalation beyond the city"), blank=True)
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=MAX_LEVEL), name="problem_level_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=ProblemStatus.values), name="problem_status_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="problem_category_valid"),
            models.CheckConstraint(
                condition=~Q(status=ProblemStatus.RESOLVED)
                | (Q(resolved_on__isnull=False) & ~Q(resolution="")),
                name="problem_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("level_started_on")), name="problem_due_after_level_start"
            ),
            models.CheckConstraint(
                condition=Q(beyond_city=False) | (Q(beyond_city_on__isnull=False) & ~Q(beyond_city_body="")),
                name="problem_beyond_city_recorded",
            ),
        ]
        indexes = [models.Index(fields=["status", "level", "due_on"], name="problem_status_level_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("problem-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_PROBLEM_STATES


class ProblemEscalation(models.Model):
    """One change of level: by hand with a reason, or by the tick when a level's deadline passed."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="escalations"
    )
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=Level.choices)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=Level.choices)
    on = models.DateField(_("on"))
    reason = models.TextField(_("reason"))
    automatic = models.BooleanField(_("automatic"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["problem", "on", "to_level", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(to_level=F("from_level") + 1), name="escalation_one_level_up"),
            models.UniqueConstraint(fields=["problem", "to_level"], name="escalation_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_level} → {self.to_level}"


class Supervision(models.Model):
    """The city government's supervision record (督办) of a problem that reached level 3."""

    problem = models.OneToOneField(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="supervision"
    )
    number = models.CharField(_("supervision number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    office = models.CharField(_("supervising office"), max_length=100)
    leader = models.CharField(_("supervising leader"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")

    def __str__(self) -> str:
        return self.number


class Meeting(models.Model):
    """A coordination meeting (协调会): usually the level-2 joint meeting or a level-3 meeting of the
    city government. Its minutes (会议纪要) are its decisions and action items."""

    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"), db_index=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("coordination level"), choices=Level.choices, default=2)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="meetings"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_chaired",
    )
    chair_name = models.CharField(_("chair (name)"), max_length=64, blank=True)
    departments = models.ManyToManyField(
        "regions.Department", verbose_name=_("attending departments"), blank=True, related_name="meetings"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="meetings_attended"
    )
    other_attendees = models.TextField(_("other attendees"), blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problems discussed"), blank=True, related_name="meetings"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.JSONField(_("decisions"), default=list, blank=True)
    minutes_recorded_on = models.DateField(_("minutes recorded on"), null=True, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-held_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=MAX_LEVEL), name="meeting_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(chair__isnull=False) | ~Q(chair_name=""), name="meeting_has_chair"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", args=[self.pk])

    @property
    def chair_display(self) -> str:
        return self.chair_name or (self.chair.display_name if self.chair_id else "")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ActionItem(models.Model):
    """A task a meeting hands out, with an owner (a person, a department or both) and a due date;
    tracked like problems: warnings, workbenches, reminders."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    description = models.TextField(_("what is to be done"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_on = models.DateField(_("due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_item_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(department__isnull=False), name="action_item_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(done_on__isnull=False),
                name="action_item_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def owner_display(self) -> str:
        names = [
            part
            for part in (self.owner.display_name if self.owner_id else "", str(self.department or ""))
            if part
        ]
        return " · ".join(names)


class TickRun(models.Model):
    """One run of the periodic job that changed something, with its counts (the audit row points here)."""

    at = models.DateTimeField(_("as of"), db_index=True)
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    escalations = models.PositiveIntegerField(_("escalations"), default=0)
    problems_escalated = models.PositiveIntegerField(_("problems escalated"), default=0)
    notifications = models.PositiveIntegerField(_("notifications queued"), default=0)
    digests = models.PositiveIntegerField(_("digests sent"), default=0)

    class Meta:
        verbose_name = _("tick run")
        verbose_name_plural = _("tick runs")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return self.at.isoformat()
