"""``onewindow audit verify [--json]`` walks the audit chain and reports the first broken link (exit code
1) or that it is intact (exit code 0); ``onewindow audit prune [--dry-run] [--json]`` deletes the entries
older than ``AUDIT_RETENTION_DAYS`` and records that it did."""

import json
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core import audit, verification


class _Progress:
    """Entries checked so far, on one line, only when the output is a terminal."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.shown = hasattr(stream, "isatty") and stream.isatty()
        self.began = self.last = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if not self.shown or (now - self.last < 0.2 and done < total):
            return
        self.last = now
        line = _("checked %(done)s of %(total)s entries (%(seconds).1f s)") % {
            "done": f"{done:,}",
            "total": f"{total:,}",
            "seconds": now - self.began,
        }
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or prune entries older than the retention."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser("verify", help="Walk the chain and report the first broken link.")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        verify.add_argument(
            "--batch-size", type=int, default=verification.DEFAULT_BATCH, help="Entries read at a time."
        )
        prune = commands.add_parser("prune", help="Delete entries older than AUDIT_RETENTION_DAYS.")
        prune.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")
        prune.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        if options["command"] == "verify":
            self.verify(as_json=options["json"], batch=options["batch_size"])
        else:
            self.prune(dry_run=options["dry_run"], as_json=options["json"])

    def verify(self, *, as_json: bool, batch: int) -> None:
        if batch < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        progress = _Progress(sys.stderr)
        try:
            result = verification.verify(batch=batch, progress=progress)
        finally:
            progress.close()
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.intact:
            self.stdout.write(
                _("The audit chain is intact: %(count)s entries (#%(first)s to #%(last)s), head %(hash)s.")
                % {
                    "count": f"{result.count:,}",
                    "first": result.first_sequence,
                    "last": result.last_sequence,
                    "hash": result.head_hash,
                }
            )
        else:
            where = _(" (entry id %(id)s)") % {"id": result.entry_id} if result.entry_id else ""
            self.stderr.write(
                _("The audit chain is broken at #%(sequence)s%(where)s: %(detail)s")
                % {"sequence": result.sequence, "where": where, "detail": result.detail}
            )
            self.stderr.write(_("%(count)s entries before it verified.") % {"count": f"{result.count:,}"})
        if not result.intact:
            raise SystemExit(1)

    def prune(self, *, dry_run: bool, as_json: bool) -> None:
        try:
            result = audit.prune(dry_run=dry_run)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        cutoff = timezone.localtime(result.cutoff)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "dry_run": dry_run,
                        "cutoff": result.cutoff.isoformat(),
                        "deleted": result.deleted,
                        "anchor_sequence": result.anchor_sequence,
                        "entry_sequence": result.entry.sequence if result.entry else None,
                    }
                )
            )
        elif dry_run:
            self.stdout.write(
                _("Would delete %(count)s audit entries older than %(cutoff)s (nothing deleted).")
                % {"count": f"{result.deleted:,}", "cutoff": f"{cutoff:%Y-%m-%d %H:%M}"}
            )
        else:
            self.stdout.write(
                _(
                    "Deleted %(count)s audit entries older than %(cutoff)s; "
                    "the chain now starts at #%(first)s."
                )
                % {
                    "count": f"{result.deleted:,}",
                    "cutoff": f"{cutoff:%Y-%m-%d %H:%M}",
                    "first": result.anchor_sequence,
                }
            )
