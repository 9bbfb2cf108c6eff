"""The county assessment (考核奖惩): each year's indicators with their weights and targets, set by the
city, and the city's reward and penalty notes per county-level unit or zone. Scores are not stored:
they are computed from the register whenever asked, by the published method (docs/assessment.md)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    SIGNED_COUNT = "signed_count", _("New signed projects (count)")
    SIGNED_INVESTMENT = "signed_investment", _("Investment of new signed projects (万元)")
    LARGE_1YI = "large_1yi", _("Signed projects of 1亿元 or more (count)")
    LARGE_10YI = "large_10yi", _("Signed projects of 10亿元 or more (count)")
    START_RATE = "start_rate", _("Start rate (%)")
    PRODUCTION_RATE = "production_rate", _("Production rate (%)")
    MEDIAN_SIGN_TO_START = "median_sign_to_start", _("Median days from signing to construction start")
    APPROVALS_ON_TIME = "approvals_on_time", _("Approvals decided on time (%)")
    PROBLEMS_ON_TIME = "problems_on_time", _("Problems resolved in time (%)")
    MESSAGES_ON_TIME = "messages_on_time", _("Public messages answered in time (%)")


# Indicators where less is better: the score divides the target by the value instead.
LOWER_IS_BETTER = frozenset({Metric.MEDIAN_SIGN_TO_START})


class IndicatorSet(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    cap = models.DecimalField(
        _("score cap"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        # xgettext:no-python-format
        help_text=_("The most an indicator's attainment counts for: 1.20 means at most 120% of its weight."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cap__gte=Decimal("1")), name="indicator_set_cap_at_least_one"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.CASCADE, related_name="indicators"
    )
    metric = models.CharField(_("indicator"), max_length=32, choices=Metric.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "metric"], name="indicator_metric_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=Decimal("0")), name="indicator_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(target__gt=Decimal("0")), name="indicator_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set.year} {self.metric}"


class Verdict(models.TextChoices):
    NONE = "", _("No decision")
    REWARD = "reward", _("Reward (奖励)")
    PENALTY = "penalty", _("Penalty (惩处)")


class AssessmentNote(models.Model):
    """The city's reward or penalty note for one unit in one year."""

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("indicator set"), on_delete=models.CASCADE, related_name="notes"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessment_notes"
    )
    verdict = models.CharField(_("decision"), max_length=8, choices=Verdict.choices, blank=True)
    text = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reward or penalty note")
        verbose_name_plural = _("reward and penalty notes")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "region"], name="assessment_note_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set.year} {self.region}"
