"""``onewindow token create USERNAME [--days N] [--name NAME]``, ``token list USERNAME``,
``token revoke PREFIX``: personal API tokens from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApiToken, User
from onewindow.accounts.tokens import create_api_token, revoke_api_token, tokens_of


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token and print it once.")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=90, help="Lifetime in days (1–730); 0 for no expiry.")
        create.add_argument("--name", default="command line", help="What the token is for.")
        listing = actions.add_parser("list", help="List a user's tokens (never the secrets).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a token by the prefix shown in the list.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["days"], options["name"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["prefix"])

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user is called %(username)s.") % {"username": username})
        return user

    def _create(self, username: str, days: int, name: str) -> None:
        owner = self._user(username)
        try:
            token, secret = create_api_token(actor=None, owner=owner, name=name, days=days or None)
        except ValidationError as error:
            messages = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
            raise CommandError(messages) from None
        self.stdout.write(secret)
        expiry = token.expires_at.date().isoformat() if token.expires_at else _("never")
        self.stderr.write(
            _("Token for %(user)s, expires %(expiry)s. It is not shown again.")
            % {
                "user": owner.username,
                "expiry": expiry,
            }
        )

    def _list(self, username: str) -> None:
        for token in tokens_of(self._user(username)):
            state = _("revoked") if token.revoked_at else _("active")
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "—"
            expires = token.expires_at.date().isoformat() if token.expires_at else "—"
            self.stdout.write(f"{token.prefix}\t{token.name}\t{state}\t{expires}\t{used}")

    def _revoke(self, prefix: str) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).select_related("user"))
        if len(matches) != 1:
            raise CommandError(_("No single active token has the prefix %(prefix)s.") % {"prefix": prefix})
        revoke_api_token(actor=None, token=matches[0])
        self.stdout.write(_("Revoked."))
