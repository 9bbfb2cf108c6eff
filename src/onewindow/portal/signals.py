"""Clear the public pages' cache when the data behind them changes.

Two nets, connected in this app's ``ready()`` (the portal sits above the apps it listens to, so no
lower app learns of the portal):

* every service write leaves an audit row in its transaction, including the writes that use
  ``QuerySet.update`` and so send no ``post_save`` (stage changes, edits of a project's facts); an
  audit row about a record the public pages show changes the cache version;
* saves and deletes of those records themselves, for writes made outside the services (the admin,
  data fixes).

The portal's own messages are left out: a new message waits for moderation and changes no public page,
so the feedback services renew the cache themselves when a change shows (``services._save``).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from onewindow.approvals.models import ApprovalTask, CalendarNotice, CalendarNoticeDay, Plan, PlanItem
from onewindow.core.models import AuditEntry
from onewindow.portal.caching import public_data_changed
from onewindow.projects.models import Investor, Phase, Project, TimelineEntry
from onewindow.regions.models import Region

SHOWN_MODELS = (
    Project,
    Investor,
    Phase,
    TimelineEntry,
    Region,
    Plan,
    PlanItem,
    ApprovalTask,
    CalendarNotice,
    CalendarNoticeDay,
)
SHOWN_TYPES = frozenset(model._meta.label_lower for model in SHOWN_MODELS)


@receiver(post_save, sender=AuditEntry, dispatch_uid="onewindow-portal-audit")
def audited_change(sender, instance: AuditEntry, created: bool, **kwargs) -> None:
    if created and instance.object_type in SHOWN_TYPES:
        public_data_changed()


def record_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    public_data_changed()


for _model in SHOWN_MODELS:
    post_save.connect(record_changed, sender=_model, dispatch_uid=f"onewindow-portal-save-{_model.__name__}")
    post_delete.connect(
        record_changed, sender=_model, dispatch_uid=f"onewindow-portal-delete-{_model.__name__}"
    )
