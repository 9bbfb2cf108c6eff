"""The project register: investors, projects, their phases and their timeline."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.codes import PROJECT_TYPES
from onewindow.projects.stages import Stage


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail")
    G = "G", _("Transport, storage and post")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities")
    O = "O", _("Resident services and repairs")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration and social organisations")
    T = "T", _("International organisations")


class Level(models.TextChoices):
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")


class ConstructionNature(models.TextChoices):
    NEW = "new", _("New build")
    EXPANSION = "expansion", _("Expansion")
    RENOVATION = "renovation", _("Renovation")
    TECH_UPGRADE = "tech_upgrade", _("Technical upgrade")


class ApprovalType(models.TextChoices):
    EXAMINATION = "examination", _("Examination (审批)")
    RATIFICATION = "ratification", _("Ratification (核准)")
    FILING = "filing", _("Filing (备案)")


ProjectType = models.TextChoices(
    "ProjectType", [(code, (code, label)) for code, label in PROJECT_TYPES.items()]
)


class Investor(models.Model):
    """An enterprise that invests. Its contacts are personal data and never shown to the public."""

    name = models.CharField(_("enterprise name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("investor accounts"), blank=True, related_name="investors"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("investor")
        verbose_name_plural = _("investors")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="investor_uscc_format"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """An investment project served through one window, from negotiation to production.

    ``code`` is the national 24-character project code; until the national platform assigns one,
    the project carries a provisional code in the same format (``code_is_provisional``). Each
    forward stage has the date it was entered; ``version`` guards against lost updates.
    """

    code = models.CharField(_("project code"), max_length=24, unique=True)
    code_is_provisional = models.BooleanField(_("provisional code"), default=False)
    name = models.CharField(_("project name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="projects"
    )
    total_investment_wan = models.DecimalField(_("total investment (万元)"), max_digits=14, decimal_places=2)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    # No index of its own: ``project_region_stage_idx`` starts with the region and serves its lookups.
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="projects",
        db_index=False,
    )
    level = models.CharField(_("handling level"), max_length=8, choices=Level.choices)
    construction_nature = models.CharField(
        _("construction nature"),
        max_length=16,
        choices=ConstructionNature.choices,
        default=ConstructionNature.NEW,
    )
    approval_type = models.CharField(
        _("approval type"), max_length=16, choices=ApprovalType.choices, default=ApprovalType.FILING
    )
    project_type = models.CharField(
        _("project type"), max_length=2, choices=ProjectType.choices, default="01"
    )
    fast_track = models.BooleanField(_("fast track (特事特办)"), default=False)
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Never on the public portal")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_projects",
    )
    departments = models.ManyToManyField(
        "regions.Department", verbose_name=_("departments involved"), blank=True, related_name="projects"
    )

    # Indexed in ``Meta.indexes``: a field's own db_index would add, on PostgreSQL, a second index for
    # LIKE that no query uses and every insert maintains.
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    stage_before_suspension = models.CharField(
        _("stage before suspension"), max_length=16, choices=Stage.choices, blank=True
    )
    negotiation_on = models.DateField(_("negotiation began"), null=True, blank=True)
    signed_on = models.DateField(_("signing date"), null=True, blank=True, db_index=True)
    intake_on = models.DateField(_("intake date"), null=True, blank=True, db_index=True)
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    started_on = models.DateField(_("construction start"), null=True, blank=True, db_index=True)
    completed_on = models.DateField(_("completion date"), null=True, blank=True)
    produced_on = models.DateField(_("production date"), null=True, blank=True, db_index=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, db_index=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-intake_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_investment_wan__gt=Decimal("0")), name="project_investment_positive"
            ),
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="project_level_valid"),
            models.CheckConstraint(condition=models.Q(stage__in=Stage.values), name="project_stage_valid"),
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(intake_on__isnull=False, started_on__gte=models.F("intake_on")),
                name="project_start_not_before_intake",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage=Stage.TERMINATED) | ~models.Q(termination_reason=""),
                name="project_termination_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "stage"], name="project_region_stage_idx"),
            models.Index(fields=["stage"], name="project_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """A phase (一期, 二期, …) with its own scale and dates; one may start while another is permitted."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="phases"
    )
    sequence = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=64)
    scale = models.CharField(_("scale"), max_length=255, blank=True)
    investment_wan = models.DecimalField(
        _("investment (万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    planned_start_on = models.DateField(_("planned start"), null=True, blank=True)
    started_on = models.DateField(_("construction start"), null=True, blank=True)
    completed_on = models.DateField(_("completion date"), null=True, blank=True)
    produced_on = models.DateField(_("production date"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["project", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sequence"], name="phase_sequence_unique"),
            models.CheckConstraint(
                condition=models.Q(investment_wan__isnull=True) | models.Q(investment_wan__gt=Decimal("0")),
                name="phase_investment_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(started_on__isnull=False, completed_on__gte=models.F("started_on")),
                name="phase_completion_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class TimelineEntry(models.Model):
    """A dated progress entry: automatic on a stage change, or written by staff; public or internal."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("Stage change")
        NOTE = "note", _("Progress note")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="timeline"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="timeline",
    )
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NOTE)
    from_stage = models.CharField(_("from stage"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Stage.choices, blank=True)
    text = models.TextField(_("text"))
    is_public = models.BooleanField(_("public"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="timeline_entries",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.text[:40]}"


class ProjectTally(models.Model):
    """How many projects, and how much investment, share one combination of the facts the statistics
    group and count by: region, level, industry, stage and the years of intake, construction start,
    production and termination (0: not reached). ``projects.tally`` keeps it equal to the register on
    every write, in the writer's transaction, so that a year's figures read a few thousand rows here
    instead of every project. Investment is kept in hundredths of 万元 as an integer, so that adding
    and subtracting stays exact on every database."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("handling level"), max_length=8)
    industry = models.CharField(_("industry"), max_length=1)
    stage = models.CharField(_("stage"), max_length=16)
    intake_year = models.PositiveSmallIntegerField(_("intake year"), default=0)
    started_year = models.PositiveSmallIntegerField(_("construction start year"), default=0)
    produced_year = models.PositiveSmallIntegerField(_("production year"), default=0)
    terminated_year = models.PositiveSmallIntegerField(_("termination year"), default=0)
    projects = models.IntegerField(_("projects"), default=0)
    investment_hundredths = models.BigIntegerField(_("investment (hundredths of 万元)"), default=0)

    class Meta:
        verbose_name = _("project tally")
        verbose_name_plural = _("project tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "region",
                    "level",
                    "industry",
                    "stage",
                    "intake_year",
                    "started_year",
                    "produced_year",
                    "terminated_year",
                ],
                name="project_tally_key_unique",
            )
        ]
        indexes = [models.Index(fields=["intake_year"], name="project_tally_intake_idx")]

    def __str__(self) -> str:
        return (
            f"{self.region_id} {self.level} {self.industry} {self.stage} {self.intake_year}: {self.projects}"
        )


class ProjectMonthTally(models.Model):
    """How many projects were taken in, started construction or went into production in one month, by
    region and level: the statistics' monthly trends, kept by ``projects.tally`` like ``ProjectTally``."""

    class Event(models.TextChoices):
        INTAKE = "intake", _("Taken into agency")
        STARTED = "started", _("Construction started")
        PRODUCED = "produced", _("In production")

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("handling level"), max_length=8)
    event = models.CharField(_("event"), max_length=8, choices=Event.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    projects = models.IntegerField(_("projects"), default=0)
    investment_hundredths = models.BigIntegerField(_("investment (hundredths of 万元)"), default=0)

    class Meta:
        verbose_name = _("monthly project tally")
        verbose_name_plural = _("monthly project tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "level", "event", "year", "month"], name="project_month_tally_key_unique"
            )
        ]
        indexes = [models.Index(fields=["year"], name="project_month_tally_year_idx")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.level} {self.event} {self.year}-{self.month}: {self.projects}"


class ProjectSpanTally(models.Model):
    """How many projects took so many calendar days over one stretch of their path (signing → intake,
    intake → construction start, start → production), counted in the year the stretch ended, by
    region: the dashboard's medians, kept by ``projects.tally`` like ``ProjectTally``."""

    class Stretch(models.TextChoices):
        SIGNING_TO_INTAKE = "signing_intake", _("Signing to intake")
        INTAKE_TO_START = "intake_start", _("Intake to construction start")
        START_TO_PRODUCTION = "start_produce", _("Construction start to production")

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    stretch = models.CharField(_("stretch"), max_length=16, choices=Stretch.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    days = models.IntegerField(_("days"))
    projects = models.IntegerField(_("projects"), default=0)
    investment_hundredths = models.BigIntegerField(_("investment (hundredths of 万元)"), default=0)

    class Meta:
        verbose_name = _("project span tally")
        verbose_name_plural = _("project span tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "stretch", "region", "days"], name="project_span_tally_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.stretch} {self.year}: {self.days} days × {self.projects}"
