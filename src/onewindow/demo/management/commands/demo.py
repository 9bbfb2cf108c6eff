"""``onewindow demo``: migrate, load the demo city, print its accounts, and serve it."""

import time
import unicodedata

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import Role
from onewindow.demo import server
from onewindow.demo.accounts import ACCOUNTS
from onewindow.demo.loader import DemoRefusedError, Progress, load_demo
from onewindow.notifications.worker import run_tick

# SQLite takes one writer at a time; two workers keep the demo responsive without lock waits.
DEMO_WORKERS = 2


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def table(headings: list[str], rows: list[list[str]]) -> list[str]:
    """Rows aligned in columns, wide characters counted as two."""
    widths = [max(display_width(row[column]) for row in [headings, *rows]) for column in range(len(headings))]
    lines = [
        "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True))
        for row in [headings, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


class Command(BaseCommand):
    help = gettext_lazy(
        "Create the database, load the demo city of 德阳 (2012) with one account per role, print the "
        "accounts, and serve it until Ctrl-C. Demo passwords are published: never use this database in "
        "production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=gettext_lazy("address to listen on"))
        parser.add_argument("--port", type=int, default=8000, help=gettext_lazy("port to listen on"))
        parser.add_argument(
            "--no-serve", action="store_true", help=gettext_lazy("load the demo city and exit")
        )

    def handle(self, *args, host, port, no_serve, **options):
        if not settings.DEMO:
            raise CommandError(
                _(
                    "The demo creates accounts with published passwords; run it as `onewindow demo` "
                    "(or set ONEWINDOW_DEMO=1)."
                )
            )
        server.check_port(port)
        self.stdout.write(_("Preparing the database…"))
        call_command("migrate", interactive=False, verbosity=0)
        self._load()
        self._tick()
        self._print_accounts(host, port)
        if not no_serve:
            # The worker and the tick run beside the server, so warnings and digests come without set-up.
            call_command("serve", host=host, port=port, workers=DEMO_WORKERS, with_worker=True)

    def _load(self) -> None:
        started = time.monotonic()
        try:
            result = load_demo(progress=self._progress())
        except DemoRefusedError as error:
            raise CommandError(_("The demo refuses to load: %(reason)s.") % {"reason": error}) from None
        if result.created:
            self.stdout.write(
                _("Demo city loaded: %(count)d projects in %(seconds).1f s.")
                % {"count": result.projects, "seconds": time.monotonic() - started}
            )
        else:
            self.stdout.write(
                _("The demo city is already loaded (%(count)d projects); nothing changed.")
                % {"count": result.projects}
            )

    def _tick(self) -> None:
        """One tick now, so that the demo users find warnings under the bell on their first login."""
        self.stdout.write(_("Warnings and reminders: %(summary)s") % {"summary": run_tick(at=timezone.now())})

    def _progress(self) -> Progress:
        """A progress line that rewrites itself on a terminal; one line at the start elsewhere."""
        terminal = self.stdout.isatty()

        def report(done: int, total: int) -> None:
            if terminal:
                if done % 10 == 0 or done == total:
                    line = _("Loading the demo city: %(done)d/%(total)d projects") % {
                        "done": done,
                        "total": total,
                    }
                    self.stdout.write(f"\r{line}", ending="\n" if done == total else "")
                    self.stdout.flush()
            elif done == 1:
                self.stdout.write(_("Loading the demo city: %(total)d projects…") % {"total": total})

        return report

    def _print_accounts(self, host: str, port: int) -> None:
        rows = [
            [account.username, account.password, str(Role(account.role).label), str(account.scope)]
            for account in ACCOUNTS
        ]
        self.stdout.write("")
        self.stdout.write(_("Address: %(address)s") % {"address": server.browser_address(host, port)})
        self.stdout.write("")
        self.stdout.write(_("Demo accounts:"))
        for line in table([_("Username"), _("Password"), _("Role"), _("Sees")], rows):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(_("These passwords are public: never put real data into the demo."))
        )
