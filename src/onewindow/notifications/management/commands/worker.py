"""``onewindow worker``: run background jobs continuously, and the periodic tick and digests."""

import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.notifications.worker import BackgroundLoop


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = gettext_lazy(
        "Run queued background jobs (e-mail digests) as they come, and every TICK_INTERVAL_SECONDS the "
        "periodic tick (warnings, escalation) and the daily digests, until stopped (Ctrl-C)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--iterations",
            type=positive,
            default=None,
            help=gettext_lazy("stop after this many passes (the first pass always ticks)"),
        )
        parser.add_argument(
            "--once", action="store_true", help=gettext_lazy("one pass: queued jobs and one tick, then exit")
        )
        parser.add_argument(
            "--tick-interval",
            type=positive,
            default=None,
            help=gettext_lazy("seconds between ticks (default: TICK_INTERVAL_SECONDS)"),
        )

    def handle(self, *args, iterations, once, tick_interval, **options):
        if once:
            iterations = 1
        loop = BackgroundLoop(tick_interval=tick_interval, report=self.stdout.write)

        def stop(signum, frame):
            # Finish the job or tick at hand, then leave.
            loop.stop.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if iterations is None:
                self.stdout.write(
                    _("Worker running: a tick every %(seconds)d s; press Ctrl-C to stop.")
                    % {"seconds": loop.tick_interval}
                )
            loop.run(iterations=iterations)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if loop.failures:
            raise CommandError(
                _("%(count)d background steps failed; see the log.") % {"count": loop.failures}
            )
