"""Investment-promotion leads (招商引资线索), from the first contact to the project taken into agency.

A lead is confidential: it lives only on the staff pages and the authenticated API, never on the
public portal, in open data or in feeds. Its ``title`` is an internal working name; the project a
signed lead becomes gets its own, public, name at conversion.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.projects.models import Industry


class Source(models.TextChoices):
    REFERRAL = "referral", _("Referral by investors (以商招商)")
    FAIR = "fair", _("Trade fair (展会)")
    RESIDENT = "resident", _("Resident promotion office (驻外招商)")
    ONLINE = "online", _("Online (网络)")
    VISIT = "visit", _("Investor's own visit (上门)")
    OTHER = "other", _("Other (其他)")


class LeadStage(models.TextChoices):
    LEAD = "lead", _("Lead (线索)")
    CONTACT = "contact", _("Contact (接洽)")
    VISIT = "visit", _("Site visit (考察)")
    NEGOTIATION = "negotiation", _("Negotiation (洽谈)")
    SIGNED = "signed", _("Signed (签约)")
    CONVERTED = "converted", _("Taken into agency (转入代办)")
    DROPPED = "dropped", _("Dropped (放弃)")


# The pipeline in order; a lead only moves forward along it (it may skip a step), or is dropped.
FORWARD = [
    LeadStage.LEAD,
    LeadStage.CONTACT,
    LeadStage.VISIT,
    LeadStage.NEGOTIATION,
    LeadStage.SIGNED,
    LeadStage.CONVERTED,
]


class Lead(models.Model):
    title = models.CharField(_("lead name"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    investor_name = models.CharField(_("investor"), max_length=128)
    investor = models.ForeignKey(
        "projects.Investor",
        verbose_name=_("registered investor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    expected_investment_wan = models.DecimalField(
        _("expected investment (万元)"), max_digits=14, decimal_places=2
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="leads"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="leads"
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=LeadStage.choices, default=LeadStage.LEAD, db_index=True
    )
    dropped_from = models.CharField(
        _("stage when dropped"), max_length=16, choices=LeadStage.choices, blank=True
    )
    found_on = models.DateField(_("lead recorded on"), db_index=True)
    stage_on = models.DateField(_("current stage since"))
    drop_reason = models.TextField(_("reason for dropping"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_investment_wan__gt=Decimal("0")),
                name="lead_investment_positive",
            ),
            models.CheckConstraint(condition=models.Q(stage__in=LeadStage.values), name="lead_stage_valid"),
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="lead_source_valid"),
            models.CheckConstraint(
                condition=~models.Q(stage=LeadStage.DROPPED) | ~models.Q(drop_reason=""),
                name="lead_drop_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage=LeadStage.CONVERTED) | models.Q(project__isnull=False),
                name="lead_converted_has_project",
            ),
            models.CheckConstraint(
                condition=models.Q(stage_on__gte=models.F("found_on")), name="lead_stage_after_found"
            ),
        ]
        indexes = [models.Index(fields=["region", "stage"], name="lead_region_stage_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def furthest_stage(self) -> str:
        """The furthest stage of the pipeline the lead reached (for a dropped lead, where it stopped)."""
        return self.dropped_from if self.stage == LeadStage.DROPPED else self.stage


class LeadStageChange(models.Model):
    """One step of a lead's history: the stage it entered, when, by whom, and a note."""

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="history")
    from_stage = models.CharField(_("from stage"), max_length=16, choices=LeadStage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=LeadStage.choices)
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead stage change")
        verbose_name_plural = _("lead stage changes")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.to_stage}"


PIPELINE_LABELS = [stage.label for stage in FORWARD]
