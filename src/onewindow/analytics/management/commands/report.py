"""``onewindow report --year 2012 [--quarter Q | --month M] [--region CODE] [--unit 亿元] --out FILE.xlsx``:
the progress report of projects under agency service (投资项目代办服务进展情况表) as a workbook, for the
whole city or one region and everything below it. A bad option stops with a message naming it (exit
code 2) and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.analytics import reports
from onewindow.regions.models import Region


class Command(BaseCommand):
    help = "Write the progress report of projects under agency service for a year, quarter or month (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The report's year, e.g. 2012.")
        parser.add_argument("--quarter", default=None, help="Only this quarter (1-4).")
        parser.add_argument("--month", default=None, help="Only this month (1-12).")
        parser.add_argument("--region", default="", help="Only this region (code) and the regions below it.")
        parser.add_argument("--unit", default="亿元", help="Amounts in 万元 or 亿元 (default 亿元).")
        parser.add_argument("--out", required=True, help="Where to write the workbook (.xlsx).")

    def _number(self, options: dict, name: str) -> int | None:
        value = options[name]
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise self._error(name, _("Give a whole number.")) from None

    def _error(self, option: str, message: str) -> CommandError:
        return CommandError(
            _("--%(option)s: %(message)s") % {"option": option, "message": message}, returncode=2
        )

    def handle(self, *args, **options):
        year, quarter, month = (self._number(options, name) for name in ("year", "quarter", "month"))
        try:
            period = reports.Period.of(year, quarter, month)
        except reports.ReportError as error:
            raise self._error(error.option, error.message) from None
        if options["region"]:
            scope = Region.objects.filter(code=options["region"]).first()
            if scope is None:
                raise self._error("region", _("There is no region with this code."))
        else:
            scope = Region.objects.filter(parent__isnull=True).first()
            if scope is None:
                raise self._error("region", _("No regions are set up yet."))
        out = Path(options["out"])
        if out.suffix.lower() != ".xlsx":
            raise self._error("out", _("The file name must end in .xlsx."))
        if not out.parent.is_dir():
            raise self._error("out", _("The folder %(folder)s does not exist.") % {"folder": out.parent})
        try:
            report = reports.build(scope=scope, period=period, unit=options["unit"])
        except reports.ReportError as error:
            raise self._error(error.option, error.message) from None
        # Written aside and moved into place, so that a failure never leaves half a workbook.
        partial = out.with_name(f".{out.name}.partial")
        try:
            reports.write_xlsx(report, partial)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
        total = report.lines[0]
        self.stdout.write(
            _("Wrote the report for %(period)s to %(file)s: %(count)d projects.")
            % {"period": period.label, "file": out, "count": total.projects}
        )
