"""The approval catalog (审批事项目录) in versions, the facts a plan needs, plans, and the official
holiday notices that extend the statutory calendar.

A catalog version is immutable once imported: a project's plan points at the version it was made
with, so a later catalog never changes an existing plan behind anyone's back.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from onewindow.approvals import filetypes, vocabulary


class ApprovalStage(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise registration (企业开办)")
    PROJECT_LAND = "project_land", _("Project approval, land use and planning permit (立项用地规划许可)")
    ENGINEERING = "engineering", _("Engineering construction permit (工程建设许可)")
    CONSTRUCTION = "construction", _("Construction permit (施工许可)")
    COMPLETION = "completion", _("Completion acceptance (竣工验收)")
    UTILITIES = "utilities", _("Public utility connections (市政公用)")


class EiaCategory(models.TextChoices):
    REPORT_BOOK = "report_book", _("Environmental impact report (报告书)")
    REPORT_TABLE = "report_table", _("Environmental impact report form (报告表)")
    REGISTRATION_FORM = "registration_form", _("Environmental impact registration form (登记表)")
    EXEMPT = "exempt", _("Outside environmental impact assessment")


class StatutoryUnit(models.TextChoices):
    WORKDAYS = "workdays", _("working days")
    DAYS = "days", _("days")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")


class CatalogVersion(models.Model):
    """One imported catalog, effective from a date; never edited after import."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    effective_on = models.DateField(_("effective from"), db_index=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, db_index=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """A required material of a version; one material can serve several items (一张表单)."""

    version = models.ForeignKey(
        CatalogVersion, verbose_name=_("catalog version"), on_delete=models.CASCADE, related_name="materials"
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    template = models.CharField(_("template"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="material_code_unique_in_version")
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalItem(models.Model):
    """An approval (审批事项) of one catalog version: who decides it, in which stage, how fast.

    ``limit_workdays`` is the promised limit that plans use; the statutory limit is kept as the law
    words it, in working days or calendar days, and the promise never exceeds it.
    """

    version = models.ForeignKey(
        CatalogVersion, verbose_name=_("catalog version"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="approval_items",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=ApprovalStage.choices)
    limit_workdays = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    statutory_limit = models.PositiveSmallIntegerField(_("statutory limit"), null=True, blank=True)
    statutory_unit = models.CharField(
        _("unit of the statutory limit"), max_length=8, choices=StatutoryUnit.choices, blank=True
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    limit_note = models.CharField(_("note on the limit"), max_length=255, blank=True)
    applies_when = models.JSONField(_("applies when"), default=dict, blank=True)
    zone_exempt = models.BooleanField(_("exempt inside an evaluated zone (区域评估)"), default=False)
    commitment_allowed = models.BooleanField(
        _("notification and commitment allowed (告知承诺制)"), default=False
    )
    deficiency_acceptance_allowed = models.BooleanField(
        _("acceptance with a missing non-key material allowed (容缺受理)"), default=False
    )
    clock_excludes = models.JSONField(_("time not counted"), default=list, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        symmetrical=False,
        through="Prerequisite",
        through_fields=("item", "requires"),
        related_name="dependents",
        blank=True,
    )

    class Meta:
        verbose_name = _("approval item")
        verbose_name_plural = _("approval items")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="approval_item_code_unique_in_version"),
            models.CheckConstraint(condition=Q(limit_workdays__gte=1), name="approval_item_limit_positive"),
            models.CheckConstraint(
                condition=Q(stage__in=vocabulary.STAGES), name="approval_item_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(statutory_limit__isnull=True, statutory_unit="")
                | Q(statutory_limit__gte=1, statutory_unit__in=vocabulary.STATUTORY_UNITS),
                name="approval_item_statutory_limit_with_unit",
            ),
            # The promise keeps within the law: see catalog_format.statutory_bound_workdays.
            models.CheckConstraint(
                condition=~Q(statutory_unit="workdays") | Q(limit_workdays__lte=F("statutory_limit")),
                name="approval_item_promise_within_workdays",
            ),
            models.CheckConstraint(
                condition=~Q(statutory_unit="days")
                | LessThanOrEqual(F("limit_workdays") * 7, F("statutory_limit") * 5),
                name="approval_item_promise_within_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Prerequisite(models.Model):
    """``item`` cannot start before ``requires`` is decided; both of the same version."""

    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="prerequisite_links")
    requires = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "requires"], name="prerequisite_unique"),
            models.CheckConstraint(condition=~Q(item=F("requires")), name="prerequisite_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} ← {self.requires_id}"


class ItemMaterial(models.Model):
    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="material_links")
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="item_links")
    form = models.CharField(_("form"), max_length=8, choices=MaterialForm.choices, default=MaterialForm.COPY)
    count = models.PositiveSmallIntegerField(_("copies"), default=1)
    key = models.BooleanField(
        _("key material"), default=True, help_text=_("A key material cannot be owed (容缺).")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "material"], name="item_material_unique"),
            models.CheckConstraint(condition=Q(count__gte=1), name="item_material_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.material_id}"


class Fee(models.Model):
    """A fee an item brings: ``amount + rate × per``, bounded; see ``formulas.compute_fee``."""

    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    amount = models.DecimalField(
        _("fixed amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("rate (yuan per unit)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    per = models.CharField(
        _("per"), max_length=32, blank=True, choices=[(name, name) for name in vocabulary.NUMERIC_FACTS]
    )
    minimum = models.DecimalField(_("minimum (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(_("maximum (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    waivable = models.BooleanField(_("may be waived"), default=False)
    applies_when = models.JSONField(_("applies when"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["item", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | (Q(rate__isnull=False) & ~Q(per="")),
                name="fee_has_amount_or_rate",
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) | Q(amount__gte=Decimal(0)))
                & (Q(rate__isnull=True) | Q(rate__gte=Decimal(0))),
                name="fee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectFacts(models.Model):
    """What the applicability rules need to know about a project beyond the register's own fields."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="approval_facts"
    )
    new_land = models.BooleanField(_("needs new construction land"), default=True)
    land_area_m2 = models.DecimalField(
        _("land area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    eia_category = models.CharField(
        _("environmental impact assessment"),
        max_length=20,
        choices=EiaCategory.choices,
        default=EiaCategory.REPORT_TABLE,
    )
    energy_tce = models.DecimalField(
        _("annual energy use (tonnes of standard coal)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    in_evaluated_zone = models.BooleanField(_("inside a zone whose 区域评估 is done"), default=False)
    hazardous = models.BooleanField(_("hazardous chemicals or explosives"), default=False)
    water_intake = models.BooleanField(_("takes water directly from a river or the ground"), default=False)
    flood_risk_area = models.BooleanField(_("in a river course or flood area"), default=False)
    highway_access = models.BooleanField(_("connects to or crosses a highway"), default=False)
    special_fire_review = models.BooleanField(
        _("special construction project for fire review"), default=False
    )
    public_venue = models.BooleanField(_("public gathering place"), default=False)
    new_company = models.BooleanField(_("a new company must be registered"), default=False)
    gas_connection = models.BooleanField(_("needs a gas connection"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    FIELDS = [
        "new_land",
        "land_area_m2",
        "floor_area_m2",
        "eia_category",
        "energy_tce",
        "in_evaluated_zone",
        "hazardous",
        "water_intake",
        "flood_risk_area",
        "highway_access",
        "special_fire_review",
        "public_venue",
        "new_company",
        "gas_connection",
    ]

    class Meta:
        verbose_name = _("plan facts")
        verbose_name_plural = _("plan facts")
        constraints = [
            models.CheckConstraint(
                condition=Q(eia_category__in=vocabulary.EIA_CATEGORIES), name="project_facts_eia_valid"
            ),
            models.CheckConstraint(
                condition=(Q(land_area_m2__isnull=True) | Q(land_area_m2__gte=0))
                & (Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gte=0))
                & (Q(energy_tce__isnull=True) | Q(energy_tce__gte=0)),
                name="project_facts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)


class Plan(models.Model):
    """A project's approval plan: the items it needs from one catalog version and its start date.

    The baseline fields keep the first schedule, so that later forecasts can show the slip.
    """

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="approval_plan"
    )
    catalog_version = models.ForeignKey(
        CatalogVersion, verbose_name=_("catalog version"), on_delete=models.PROTECT, related_name="plans"
    )
    start_on = models.DateField(_("plan start"))
    baseline_finish_on = models.DateField(_("first planned finish"))
    baseline_workdays = models.PositiveIntegerField(_("first planned duration (working days)"))
    baseline_estimated = models.BooleanField(_("first plan was an estimate"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("approval plan")
        verbose_name_plural = _("approval plans")

    def __str__(self) -> str:
        return str(self.project)


class PlanItem(models.Model):
    """An item the rules selected, or staff added, or staff removed (then ``included`` is false)."""

    class Source(models.TextChoices):
        RULE = "rule", _("Selected by the catalog's rules")
        STAFF = "staff", _("Added by staff")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ApprovalItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    included = models.BooleanField(_("in the plan"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="plan_item_unique"),
            # Staff add or remove an item only with a reason.
            models.CheckConstraint(
                condition=(Q(source="rule") & Q(included=True)) | ~Q(reason=""),
                name="plan_item_change_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.item_id}"


class CalendarNotice(models.Model):
    """The State Council's notice of one year's holidays and make-up working days (调休), entered by an
    administrator; it extends or corrects the ``chinesecalendar`` package for that year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    document = models.CharField(_("document"), max_length=200, help_text=_("e.g. 国办发明电〔2025〕7号"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1949, year__lte=2200), name="calendar_notice_year_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.document}"


class CalendarNoticeDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day (调休)")

    notice = models.ForeignKey(CalendarNotice, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)

    class Meta:
        verbose_name = _("notice day")
        verbose_name_plural = _("notice days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


# -- approval tasks (办件) -------------------------------------------------------------------------


class TaskState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started (未开始)")
    PREPARING = "preparing", _("Preparing materials (材料准备)")
    ACCEPTED = "accepted", _("Accepted (已受理)")
    CORRECTING = "correcting", _("Correcting materials (补正)")
    APPROVED = "approved", _("Approved (准予)")
    REFUSED = "refused", _("Refused (不予许可)")
    WITHDRAWN = "withdrawn", _("Withdrawn (撤回)")


class PauseKind(models.TextChoices):
    CORRECTION = "correction", _("Correction of materials (补正)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")
    HEARING = "hearing", _("Hearing (听证)")
    TESTING = "testing", _("Testing (检验检测)")
    SITE_SURVEY = "site_survey", _("Site survey (现场踏勘)")


DECIDED_STATES = (TaskState.APPROVED, TaskState.REFUSED)
CLOCK_STATES = (TaskState.ACCEPTED, TaskState.CORRECTING, TaskState.APPROVED, TaskState.REFUSED)


class ApprovalTask(models.Model):
    """One approval of a project's plan handled by its department (办件), with its time clock.

    The state machine and every change live in ``task_services``. ``due_on``, ``overdue_since`` and
    ``paused_since`` are derived from the clock (``clock.stored_clock``) on every change, so that
    queues sort and filter in SQL; the live clock is computed by ``clock.compute_clock``.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="approval_tasks"
    )
    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("approval item"), on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="approval_tasks",
        help_text=_("The catalog item's department; window clerks of a department with this code handle it."),
    )
    limit_workdays = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    state = models.CharField(
        _("state"), max_length=16, choices=TaskState.choices, default=TaskState.NOT_STARTED, db_index=True
    )
    state_changed_on = models.DateField(_("state changed on"), null=True, blank=True)
    preparing_on = models.DateField(_("materials preparation began"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_document = models.CharField(_("decision document number"), max_length=100, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    commitment = models.BooleanField(_("notification and commitment chosen (告知承诺制)"), default=False)
    verification_due_on = models.DateField(_("commitment verification due"), null=True, blank=True)
    verified_on = models.DateField(_("commitment verified on"), null=True, blank=True)
    verification_passed = models.BooleanField(_("commitment kept"), null=True, blank=True)
    verification_note = models.TextField(_("verification findings"), blank=True)
    extension_workdays = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    correction_rounds = models.PositiveSmallIntegerField(_("correction rounds"), default=0)
    due_on = models.DateField(_("due"), null=True, blank=True, db_index=True)
    overdue_since = models.DateField(_("overdue from"), null=True, blank=True, db_index=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="approval_task_one_per_plan_item"),
            models.CheckConstraint(condition=Q(state__in=TaskState.values), name="approval_task_state_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=CLOCK_STATES) | Q(accepted_on__isnull=False, due_on__isnull=False),
                name="approval_task_clock_has_acceptance",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=DECIDED_STATES)
                | (Q(decided_on__isnull=False) & ~Q(decision_document="")),
                name="approval_task_decision_has_document",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(accepted_on__isnull=False, decided_on__gte=F("accepted_on")),
                name="approval_task_decided_after_acceptance",
            ),
            models.CheckConstraint(
                condition=Q(verification_due_on__isnull=True) | Q(commitment=True),
                name="approval_task_verification_only_for_commitment",
            ),
            models.CheckConstraint(condition=Q(limit_workdays__gte=1), name="approval_task_limit_positive"),
        ]
        # The dashboard's indexes on the decision dates are in migration 0003 (engine-specific: a
        # covering B-tree and a GiST range index on PostgreSQL).
        indexes = [models.Index(fields=["department", "state"], name="approval_task_department_idx")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.item.name}"

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES

    @property
    def is_open(self) -> bool:
        return self.state in (TaskState.ACCEPTED, TaskState.CORRECTING)


class ClockPause(models.Model):
    """Time the clock does not count: a correction round (补正), or expert review, a hearing, testing or
    a site survey where the item's rule excludes that time. ``number`` counts the rounds of a kind."""

    task = models.ForeignKey(
        ApprovalTask, verbose_name=_("approval task"), on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PauseKind.choices)
    number = models.PositiveSmallIntegerField(_("round"))
    reason = models.TextField(_("what was asked, or why"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["task", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "number"], name="clock_pause_round_unique"),
            models.CheckConstraint(condition=Q(kind__in=PauseKind.values), name="clock_pause_kind_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="clock_pause_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="clock_pause_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.number}"


class OwedMaterial(models.Model):
    """A non-key material still owed after acceptance with a deficiency (容缺受理), and by when."""

    task = models.ForeignKey(
        ApprovalTask, verbose_name=_("approval task"), on_delete=models.CASCADE, related_name="owed_materials"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("owed until"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("owed material")
        verbose_name_plural = _("owed materials")
        ordering = ["task", "due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "material"], name="owed_material_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.material_id}"


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
    DOCX = "docx", "Word (DOCX)"
    XLSX = "xlsx", "Excel (XLSX)"
    OFD = "ofd", "OFD"


def material_upload_to(instance: "MaterialFile", filename: str) -> str:
    """Private storage path: never the uploaded name (kept in ``original_name``), never guessable."""
    extension = filetypes.EXTENSIONS.get(instance.kind, ("",))[0]
    name = f"v{instance.version}-{uuid.uuid4().hex}{extension}"
    return f"materials/{instance.project_id}/{instance.material_id}/{name}"


class MaterialFile(models.Model):
    """One version of a required material, uploaded once per project and serving every task whose item
    requires that material (一张表单). A new upload is a new version; older versions are kept."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="material_files"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="files"
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=material_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("file type"), max_length=8, choices=FileKind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("material file")
        verbose_name_plural = _("material files")
        ordering = ["project", "material", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "material", "version"], name="material_file_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="material_file_version_positive"),
            models.CheckConstraint(condition=Q(size__gte=1), name="material_file_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class MaterialCheck(models.Model):
    """A pre-check (提前介入) of one version of a material: does it meet the requirements, and why not."""

    class Verdict(models.TextChoices):
        OK = "ok", _("Meets the requirements")
        REVISE = "revise", _("Needs revision")

    file = models.ForeignKey(
        MaterialFile, verbose_name=_("material file"), on_delete=models.CASCADE, related_name="checks"
    )
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("checked"), auto_now_add=True)

    class Meta:
        verbose_name = _("material pre-check")
        verbose_name_plural = _("material pre-checks")
        ordering = ["file", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["ok", "revise"]), name="material_check_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(verdict="ok") | ~Q(comment=""), name="material_check_revision_has_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_id} {self.verdict}"


class JointEventKind(models.TextChoices):
    SITE_SURVEY = "site_survey", _("Joint site survey (现场查勘/联合踏勘)")
    DRAWING_REVIEW = "drawing_review", _("Joint drawing review (联合审图)")
    ACCEPTANCE = "acceptance", _("Joint acceptance (联合验收)")


class JointEvent(models.Model):
    """Departments working one project together on one day: a joint site survey, a joint review of
    the construction drawings, or a joint completion acceptance, with its findings and tasks."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="joint_events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=JointEventKind.choices)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    departments = models.ManyToManyField(
        "regions.Department", verbose_name=_("departments"), related_name="joint_events"
    )
    participants = models.JSONField(_("participants"), default=list, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    tasks = models.ManyToManyField(
        ApprovalTask, verbose_name=_("linked tasks"), related_name="joint_events", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("joint event")
        verbose_name_plural = _("joint events")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=JointEventKind.values), name="joint_event_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class _TaskBucket(models.Model):
    """What every task tally counts by: the project's region, and the task's department and item."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("approval item"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


class TaskYearTally(_TaskBucket):
    """How many approval tasks decided (or closed otherwise) in one year share one combination of the
    facts the dashboard's efficiency and bottleneck figures count by. ``approvals.tally`` keeps it
    equal to the tasks on every write, in the writer's transaction, so that a year's figures read a
    few thousand rows here instead of every task of the year.

    ``decided``: approved or refused (a task closed otherwise still counts for the overdue rate);
    ``statutory``: 0 without a statutory limit, 1 within it, 2 beyond it; ``rounds_bucket``: 0, 1, 2
    or 3 and more correction rounds, whose exact sum is ``rounds``."""

    year = models.PositiveSmallIntegerField(_("year"))
    decided = models.BooleanField(_("decided"))
    late = models.BooleanField(_("late"))
    statutory = models.PositiveSmallIntegerField(_("against the statutory limit"))
    rounds_bucket = models.PositiveSmallIntegerField(_("correction rounds (3: three or more)"))
    tasks = models.IntegerField(_("tasks"), default=0)
    rounds = models.IntegerField(_("correction rounds"), default=0)

    class Meta:
        verbose_name = _("task year tally")
        verbose_name_plural = _("task year tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "year",
                    "region",
                    "department",
                    "item",
                    "decided",
                    "late",
                    "statutory",
                    "rounds_bucket",
                ],
                name="task_year_tally_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.department_id} {self.item_id}: {self.tasks}"


class TaskWorkdayTally(_TaskBucket):
    """How many approvals decided in one year took so many working days from acceptance to decision
    against their promised limit, per region, department and item: the medians' distribution."""

    year = models.PositiveSmallIntegerField(_("year"))
    limit_workdays = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    workdays = models.IntegerField(_("working days taken"))
    tasks = models.IntegerField(_("tasks"), default=0)

    class Meta:
        verbose_name = _("task working-day tally")
        verbose_name_plural = _("task working-day tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "department", "item", "limit_workdays", "workdays"],
                name="task_workday_tally_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.item_id} {self.workdays}/{self.limit_workdays}: {self.tasks}"


class OpenTaskTally(_TaskBucket):
    """Approval tasks counted as open at the end of the years from ``accepted_year`` up to the one
    before ``until_year`` (the decision's year; 9999 while still open), for the overdue rate of each
    of those years: a task is late at a year's end from ``late_from_year`` (0: no due date)."""

    accepted_year = models.PositiveSmallIntegerField(_("accepted in"))
    until_year = models.PositiveSmallIntegerField(_("open until the year"))
    late_from_year = models.PositiveSmallIntegerField(_("late from the year"))
    tasks = models.IntegerField(_("tasks"), default=0)
    rounds = models.IntegerField(_("correction rounds"), default=0)

    class Meta:
        verbose_name = _("open task tally")
        verbose_name_plural = _("open task tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "department", "item", "accepted_year", "until_year", "late_from_year"],
                name="open_task_tally_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.accepted_year}–{self.until_year} {self.department_id} {self.item_id}: {self.tasks}"


class ProjectYearSpeedup(models.Model):
    """For a project with two or more approvals decided in one year: their working days added up
    (``summed``) and the working days from the first acceptance to the last decision (``elapsed``),
    kept by ``approvals.tally`` for the dashboard's realised parallel speed-up."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    # The project's region, repeated here so that a county's figures read this table alone.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    summed = models.IntegerField(_("working days added up"))
    elapsed = models.IntegerField(_("working days elapsed"))

    class Meta:
        verbose_name = _("project speed-up")
        verbose_name_plural = _("project speed-ups")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_year_speedup_unique")
        ]
        # The dashboard reads a year's pairs from this index alone, for the city or some regions.
        indexes = [
            models.Index(fields=["year", "region", "summed", "elapsed"], name="project_speedup_year_idx")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}: {self.summed}/{self.elapsed}"
