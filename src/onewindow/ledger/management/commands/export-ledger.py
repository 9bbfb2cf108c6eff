"""``onewindow export-ledger OUT.xlsx --actor USERNAME [filters]``: the register as a ledger workbook, in
the layout ``import-ledger`` reads. The rows are those the actor sees on the register page with the
same filters."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.core import audit
from onewindow.ledger import selectors
from onewindow.ledger.writer import write_ledger
from onewindow.projects.selectors import SORTS, RegisterFilters


class Command(BaseCommand):
    help = "Export the project register as a ledger workbook (.xlsx) that import-ledger reads back."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the workbook (.xlsx).")
        parser.add_argument("--actor", required=True, help="Username whose view of the register is exported.")
        parser.add_argument("--region", default="", help="Only this region (code) and the regions below it.")
        parser.add_argument("--level", default="", choices=["", "city", "county"])
        parser.add_argument("--stage", default="")
        parser.add_argument("--industry", default="")
        parser.add_argument("--signing-year", type=int, default=None)
        parser.add_argument("--q", default="", help="Search in names, investors and codes.")
        parser.add_argument("--sort", default="-intake", choices=sorted(SORTS))

    def handle(self, *args, **options):
        actor = (
            User.objects.filter(username=options["actor"], is_active=True).select_related("region").first()
        )
        if actor is None:
            raise CommandError(_("There is no active user %(name)s.") % {"name": options["actor"]})
        filters = RegisterFilters(
            region=options["region"],
            level=options["level"],
            stage=options["stage"],
            industry=options["industry"],
            signing_year=options["signing_year"],
            q=options["q"],
            sort=options["sort"],
        )
        projects = selectors.ledger_projects(actor, filters).iterator(chunk_size=2000)
        count = write_ledger(projects, options["file"], title=selectors.ledger_title(actor, filters))
        audit.record_export(
            actor=actor,
            what=f"export-ledger {options['file']}"[:255],
            filters={
                key: options[key] for key in ("region", "level", "stage", "industry", "signing_year", "q")
            },
            rows=count,
        )
        self.stdout.write(
            _("Wrote %(count)d projects to %(file)s.") % {"count": count, "file": options["file"]}
        )
