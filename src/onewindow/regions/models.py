"""The city–county tree (市县联动) and the approval departments at each level."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A node of the administrative tree: the city, its county-level units and its development zones.

    ``path`` is the materialised chain of codes from the root (``510600/510681/``), so that "this
    region and everything below it" is one indexed ``startswith`` query. It is derived on save.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        COUNTY_CITY = "county_city", _("County-level city")
        ZONE = "zone", _("Development zone")

    code = models.CharField(
        _("code"), max_length=12, unique=True, help_text=_("GB/T 2260 code, or an internal code for a zone")
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division_code = models.CharField(
        _("GB/T 2260 division"),
        max_length=6,
        help_text=_("The six-digit division used in project codes; a zone uses its host division."),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(kind="city"),
                name="region_only_city_is_root",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A region cannot be its own parent.")})

    @property
    def is_city(self) -> bool:
        return self.kind == self.Kind.CITY

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class Department(models.Model):
    """An approval or service department (发改, 住建, 供电, …) at one region."""

    code = models.CharField(_("code"), max_length=16, help_text=_("Short code, e.g. fgw for 发改"))
    name = models.CharField(_("name"), max_length=64)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region__path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="department_code_unique_in_region")
        ]

    def __str__(self) -> str:
        return self.name
