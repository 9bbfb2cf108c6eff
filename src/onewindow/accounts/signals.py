"""Security events enter the audit log, so that leaders can see who worked when and from where: logins,
failed logins, lockouts and logouts."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
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


@receiver(user_logged_out, dispatch_uid="onewindow-audit-logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is None or not user.is_authenticated:
        return  # nobody was signed in: nothing ended
    audit.record(
        actor=user,
        action=AuditEntry.Action.LOGOUT,
        obj=user,
        source_ip=client_ip(request) if request is not None else None,
        region_path=user.region.path if user.region_id else "",
    )


@receiver(user_login_failed, dispatch_uid="onewindow-audit-login-failed")
def record_login_failure(sender, credentials, request=None, **kwargs) -> None:
    # The username tried names the attempt; it may belong to nobody. The password is never kept.
    username = str((credentials or {}).get("username") or "")
    audit.record_security(
        action=AuditEntry.Action.LOGIN_FAILED,
        actor_name=username,
        subject=username,
        source_ip=client_ip(request) if request is not None else None,
        region_path="",
    )


@receiver(user_locked_out, dispatch_uid="onewindow-audit-lockout")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    audit.record_security(
        action=AuditEntry.Action.LOCKOUT,
        actor_name=username or "",
        subject=username or "",
        source_ip=ip_address or (client_ip(request) if request is not None else None),
        region_path="",
    )
