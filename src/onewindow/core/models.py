"""Cross-cutting records: the audit log, a hash chain (see ``onewindow.core.chain``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.chain import GENESIS_HASH


class AuditEntry(models.Model):
    """One create, update, delete or state change made through a service function.

    Written in the same transaction as the change it records, so a change without its audit row
    cannot exist. ``region_path`` copies the changed object's region path at the time of the change
    so that county leaders can be shown the entries of their own region without a join.

    Entries form a hash chain: ``sequence`` numbers them without gaps, ``prev_hash`` is the previous
    entry's ``entry_hash``, and ``entry_hash`` is the SHA-256 of this entry's content with both
    (``chain.entry_hash``), so that a changed, deleted or inserted row breaks the chain
    (``onewindow audit verify``). Rows are only ever appended through ``onewindow.core.audit``.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        TRANSITION = "transition", _("Stage change")
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Lockout")
        LOGOUT = "logout", _("Logout")
        PERMISSION_DENIED = "permission_denied", _("Refused")
        EXPORT = "export", _("Export")
        PRUNE = "prune", _("Prune")

    sequence = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, editable=False)

    # Set by ``audit.record`` before hashing (not ``auto_now_add``, which would change it on save).
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # The actor's id is part of the entry's hash: a user with entries is deactivated, never deleted
        # (which would null the id and break the chain).
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    region_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The audit chain's one head row: its newest link and where it starts.

    Appends lock this row, so that two transactions cannot both extend the chain from the same entry,
    and update it in their transaction; it also reveals deleted newest entries, which leave no gap
    behind them. ``first_sequence`` and ``first_prev_hash`` are the anchor the chain starts from:
    ``1`` and the genesis hash until a prune removes the oldest entries (the prune's own entry records
    the new anchor too, so that the anchor is itself under the chain's protection).
    """

    sequence = models.BigIntegerField(_("last sequence"), default=0)
    entry_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)
    first_sequence = models.BigIntegerField(_("first sequence"), default=1)
    first_prev_hash = models.CharField(_("first previous hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chain")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_single_head")]

    def __str__(self) -> str:
        return f"#{self.first_sequence}–#{self.sequence}"
