"""Staff and investor accounts, each with one role and a home region."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    LEADER = "leader", _("Centre leader")
    AGENT = "agent", _("Agent")
    CLERK = "clerk", _("Department window clerk")
    COUNTY_STAFF = "county_staff", _("County centre staff")
    INVESTOR = "investor", _("Investor")


class User(AbstractUser):
    """A person who logs in. The role says what they may do, the region and department where.

    A leader's region decides whether they lead the city centre (the root region) or a county
    centre. A clerk always belongs to a department. An investor is linked to enterprises through
    ``Investor.accounts``.
    """

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerks",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="clerk") | models.Q(department__isnull=False),
                name="clerk_has_department",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "investor"]) | models.Q(region__isnull=False),
                name="staff_has_region",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A personal API token, sent as ``Authorization: Bearer ow_…``.

    Only a SHA-256 digest of the token is stored: the token itself is shown once, when it is made.
    The token carries its owner's role and scope, never more.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("The first characters, to recognise it")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
