"""``onewindow assess --year 2012 [--out FILE.xlsx]``: the county ranking of a year, printed, and
optionally written as the same workbook the ranking page exports."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.assessment import export, selectors


class Command(BaseCommand):
    help = "Score and rank the county-level units and zones for a year; optionally write the xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="The assessed year, e.g. 2012.")
        parser.add_argument("--out", default="", help="Also write the ranking workbook (.xlsx) here.")

    def handle(self, *args, **options):
        year = options["year"]
        ranking = selectors.published_ranking(year)
        if ranking is None:
            raise CommandError(_("The city has not set indicators for %(year)s yet.") % {"year": year})
        previous_year = ranking.previous.year if ranking.previous else year - 1
        self.stdout.write(_("Rank  Total    %(previous)s       Unit") % {"previous": previous_year})
        for unit in ranking.current.units:
            before = ranking.previous_of(unit.region.pk)
            previous = f"{before.rank:>2} {before.total:>7}" if before else " " * 10
            self.stdout.write(f"{unit.rank:>4}  {unit.total:>7}  {previous}  {unit.region.name}")
        if options["out"]:
            path = Path(options["out"])
            if path.suffix.lower() != ".xlsx":
                raise CommandError(_("--out: the file name must end in .xlsx."))
            try:
                path.write_bytes(export.workbook(ranking))
            except OSError as error:
                raise CommandError(
                    _("--out: cannot write %(file)s: %(error)s") % {"file": path, "error": error.strerror}
                ) from None
            self.stdout.write(_("Wrote the ranking to %(file)s.") % {"file": path})
