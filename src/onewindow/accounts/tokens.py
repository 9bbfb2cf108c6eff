"""Issuing, checking and revoking personal API tokens."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApiToken, Role, User
from onewindow.core import audit
from onewindow.core.models import AuditEntry

TOKEN_PREFIX = "ow_"  # noqa: S105  (a visible marker, not a secret)
MAX_DAYS = 730
# Recording every use would write on every API call; once a minute is enough to answer "still in use?".
LAST_USE_RESOLUTION = datetime.timedelta(minutes=1)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_manage(actor: User | None, owner: User) -> bool:
    """Owners manage their own tokens, administrators anyone's; ``None`` is the operator at the command
    line, who already holds the server."""
    if actor is None:
        return True
    return actor.is_active and (actor.pk == owner.pk or actor.is_superuser or actor.role == Role.ADMIN)


@transaction.atomic
def create_api_token(
    *, actor: User | None, owner: User, name: str, days: int | None = 90, source_ip: str | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``owner``; returns the row and the token, which is never shown again."""
    if not _may_manage(actor, owner):
        raise PermissionDenied
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the token a name that says what it is for.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = _("A token lives from 1 to %(max)d days.") % {"max": MAX_DAYS}
    if not owner.is_active:
        errors["owner"] = _("This account is not active.")
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip()[:64],
        prefix=secret[:10],
        digest=digest_of(secret),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=token,
        changes={
            "user": [None, owner.username],
            "name": [None, token.name],
            "expires_at": [None, str(token.expires_at)],
        },
        source_ip=source_ip,
        region_path=owner.region.path if owner.region_id else "",
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken, source_ip: str | None = None) -> ApiToken:
    if not _may_manage(actor, token.user):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=token,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
            source_ip=source_ip,
            region_path=token.user.region.path if token.user.region_id else "",
        )
    return token


def authenticate_token(secret: str, *, source_ip: str | None = None) -> ApiToken | None:
    """The live token with this secret, its use recorded; None if unknown, expired or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__region", "user__department")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if (
        token.last_used_at is None
        or now - token.last_used_at >= LAST_USE_RESOLUTION
        or token.last_used_ip != source_ip
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=source_ip)
    return token


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
