"""``onewindow import-ledger FILE.xlsx --actor USERNAME``: take a ledger (台账) into the register.

Exit codes: 0 done (with ``--skip-invalid``, the valid rows were written and the rest listed), 1 rows have
errors and nothing was written, 2 the file (or the invocation: an unknown actor or region, an actor who
may not take projects in) cannot be used.

Writes are made as ``--actor``, a person's account: the audit log names who imported, and the import keeps
to what that person may do (their role and their region), exactly as on the upload page. There is no
built-in system account to run as.
"""

import json
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.ledger.progress import TerminalProgress
from onewindow.ledger.report import EXIT_UNUSABLE, ImportReport
from onewindow.ledger.services import ImportOptions, import_ledger


class Command(BaseCommand):
    help = (
        "Import a ledger workbook (.xlsx) into the project register: all or nothing unless --skip-invalid. "
        "See docs/ledger-format.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The ledger workbook (.xlsx).")
        # Not ``required=True``: argparse would only say "the following arguments are required", not why.
        parser.add_argument(
            "--actor",
            default="",
            help="Required: the username the import is made as (audited; their role and region apply).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, write nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--region",
            default="",
            help="The ledger's region code: rows without a region take it, rows outside it are errors.",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Write the valid rows and list the invalid ones."
        )
        parser.add_argument(
            "--sheet", default="", help="The sheet to read (default: the first with a header)."
        )

    def handle(self, *args, **options):
        if not options["actor"].strip():
            self.stderr.write(
                _(
                    "Name the person the import is made as: --actor USERNAME. Every write to the register "
                    "is audited under a real person's account, and the import may do only what that person "
                    "may do; there is no system account to run as."
                )
            )
            raise SystemExit(EXIT_UNUSABLE)
        actor = (
            User.objects.filter(username=options["actor"], is_active=True).select_related("region").first()
        )
        if actor is None:
            self.stderr.write(_("There is no active user %(name)s.") % {"name": options["actor"]})
            raise SystemExit(EXIT_UNUSABLE)
        progress = TerminalProgress(sys.stderr)
        try:
            report = import_ledger(
                actor=actor,
                source=options["file"],
                options=ImportOptions(
                    dry_run=options["dry_run"],
                    skip_invalid=options["skip_invalid"],
                    region=options["region"],
                    sheet=options["sheet"],
                ),
                progress=progress,
            )
        except PermissionDenied:
            progress.close()
            self.stderr.write(_("%(name)s may not take projects in.") % {"name": actor.username})
            raise SystemExit(EXIT_UNUSABLE) from None
        progress.close()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render(report))
        if report.exit_code:
            raise SystemExit(report.exit_code)


def render(report: ImportReport) -> str:
    """The report as plain text for the terminal."""
    lines = []
    layout = report.layout
    if layout is not None:
        lines.append(
            _("%(file)s, sheet %(sheet)s: header on rows %(first)d to %(last)d, %(merged)d merged ranges.")
            % {
                "file": report.file_name,
                "sheet": layout.sheet,
                "first": layout.header_first,
                "last": layout.header_last,
                "merged": layout.merged_ranges,
            }
        )
        for title in layout.title_lines:
            lines.append(f"  {title}")
        lines.append(_("Columns:"))
        for column in report.columns_as_dicts():
            if column["imported"]:
                meaning = column["label"]
                if column["unit"]:
                    meaning += f" ({column['unit']})"
            elif column["field"]:
                meaning = _("%(label)s, not imported") % {"label": column["label"]}
            else:
                meaning = _("not recognised, ignored")
            if column["note"]:
                meaning += f"; {column['note']}"
            lines.append(f"  {column['column']:>3}  {column['header']}  → {meaning}")
    if report.errors:
        lines.append(_("Errors:"))
        lines += [f"  {issue}" for issue in report.errors]
    if report.warnings:
        lines.append(_("Warnings (%(count)d):") % {"count": report.warnings_total})
        lines += [f"  {issue}" for issue in report.warnings]
        if report.warnings_total > len(report.warnings):
            lines.append(
                "  " + _("… and %(count)d more.") % {"count": report.warnings_total - len(report.warnings)}
            )
    if not report.fatal:
        lines.append(report.summary())
    lines.append(report.outcome())
    return "\n".join(lines)
