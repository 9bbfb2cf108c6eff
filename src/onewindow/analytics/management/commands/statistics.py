"""``onewindow statistics check`` compares the statistics' maintained summaries (the project and task
tallies) with a recount from the register and the tasks: exit code 0 when every bucket agrees, 1 when
some differ (named); ``onewindow statistics rebuild`` recounts them all in one transaction and records
that it did. Both read every project and task: minutes at a million projects."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.analytics import services


class Command(BaseCommand):
    help = "Check the statistics' summaries against a recount, or rebuild them."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("check", help="Compare the summaries with a recount; exit 1 if any differ.")
        commands.add_parser("rebuild", help="Recount every summary from the register and the tasks.")

    def _say(self, text: str) -> None:
        if sys.stdout.isatty():
            self.stdout.write(text)

    def handle(self, *args, **options):
        if options["command"] == "check":
            self._say(_("Recounting the register and the tasks…"))
            found = services.differences()
            if found:
                for difference in found:
                    self.stdout.write(
                        _("%(summary)s: %(count)s buckets differ from a recount")
                        % {"summary": difference.summary, "count": f"{difference.buckets_differing:,}"}
                    )
                raise CommandError(
                    _("The statistics differ from a recount: run “statistics rebuild”."), returncode=1
                )
            self.stdout.write(_("The statistics agree with a recount."))
            return
        self._say(_("Recounting the register and the tasks…"))
        rebuilt = services.rebuild_statistics()
        self.stdout.write(
            _("Rebuilt: %(projects)s project buckets, %(tasks)s task buckets.")
            % {"projects": f"{rebuilt['projects']:,}", "tasks": f"{rebuilt['tasks']:,}"}
        )
