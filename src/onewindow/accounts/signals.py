"""Logins enter the audit log, so that leaders can see who worked when and from where."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from onewindow.core import audit
from onewindow.core.http import client_ip
from onewindow.core.models import AuditEntry


@receiver(user_logged_in, dispatch_uid="onewindow-audit-login")
def record_login(sender, request, user, **kwargs) -> None:
    audit.record(
        actor=user,
        action=AuditEntry.Action.LOGIN,
        obj=user,
        source_ip=client_ip(request) if request is not None else None,
        region_path=user.region.path if user.region_id else "",
    )
