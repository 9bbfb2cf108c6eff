"""``onewindow serve``: production-style serving with gunicorn on the configured database."""

import shlex

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.demo import server


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = gettext_lazy(
        "Collect static files, then serve OneWindow with gunicorn on the configured database "
        "until stopped (Ctrl-C)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=gettext_lazy("address to listen on"))
        parser.add_argument("--port", type=int, default=8000, help=gettext_lazy("port to listen on"))
        parser.add_argument(
            "--workers",
            type=int,
            default=server.default_workers(),
            help=gettext_lazy("gunicorn worker processes (default: 2 × CPU cores + 1, at most 8)"),
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=gettext_lazy(
                "also run the background jobs and the periodic tick in this process (as the demo does), "
                "instead of a separate `onewindow worker`"
            ),
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help=gettext_lazy("collect static files and print the server command without starting it"),
        )

    def handle(self, *args, host, port, workers, prepare_only, with_worker=False, **options):
        argv = server.gunicorn_argv(
            host=host, port=server.check_port(port), workers=server.check_workers(workers)
        )
        pending = unapplied_migrations()
        if pending:
            raise CommandError(
                _(
                    "The database is missing %(count)d migrations (%(first)s …); "
                    "run `onewindow migrate` first."
                )
                % {"count": len(pending), "first": pending[0]}
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if prepare_only:
            self.stdout.write(shlex.join(argv))
            return
        self.stdout.write(
            _("Serving on %(address)s with %(workers)d workers; press Ctrl-C to stop.")
            % {"address": server.browser_address(host, port), "workers": workers}
        )
        if with_worker:
            from onewindow.notifications.worker import BackgroundLoop

            code = server.run_gunicorn_beside(argv, BackgroundLoop(report=self.stdout.write))
            if code:
                raise CommandError(_("The server stopped with exit code %(code)d.") % {"code": code})
            return
        server.exec_gunicorn(argv)
