"""``onewindow tick [--at ISO_DATETIME] [--json]``: run the periodic job once, as of a moment.

For cron and for tests: escalates the problems whose level deadline passed, queues the yellow and red
warnings, sends the daily digests, and prints what it did. Running it twice for the same moment
changes nothing the second time. A moment without a time zone is read in the centre's ``TIME_ZONE``.
Exit code 2 when ``--at`` is not a date and time.
"""

import datetime
import json
import sys
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.coordination.tick import describe, run_tick

EXIT_USAGE = 2


def parse_moment(value: str) -> datetime.datetime:
    """An ISO 8601 date and time (or a date: its midnight), aware in the centre's time zone."""
    text = value.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment


class Command(BaseCommand):
    help = "Run the periodic job once: escalate overdue problems, queue warnings, send digests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            default="",
            help="The moment to run as of, ISO 8601 (e.g. 2026-10-09T09:00+08:00); default now.",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        raw = options["at"]
        if isinstance(raw, datetime.datetime):
            at = raw if timezone.is_aware(raw) else raw.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        elif raw:
            try:
                at = parse_moment(str(raw))
            except ValueError:
                self.stderr.write(
                    _("--at: %(value)r is not a date and time; use ISO 8601, e.g. 2026-10-09T09:00+08:00")
                    % {"value": str(raw)}
                )
                raise SystemExit(EXIT_USAGE) from None
        else:
            at = timezone.now()
        interactive = sys.stdout.isatty() and not options["json"]
        if interactive:
            self.stdout.write(_("Running the tick as of %(at)s…") % {"at": at.isoformat()})
        report = run_tick(at=at)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for line in describe(report):
                self.stdout.write(line)
