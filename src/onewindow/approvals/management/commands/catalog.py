"""``onewindow catalog import|export|diff``: the approval catalog as YAML files."""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.approvals import catalog_format, selectors, services
from onewindow.approvals.catalog_format import CatalogError, CatalogSpec
from onewindow.approvals.models import CatalogVersion


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Write dates as YYYY-MM-DD, not %(value)s.") % {"value": value}) from None


class Command(BaseCommand):
    help = "Import, export or compare versions of the approval catalog (YAML; see docs/catalog-format.md)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Import a catalog file as a new version; all or nothing.")
        load.add_argument("file")
        load.add_argument(
            "--name", default="", help="Version name (default: the file's name key, or its stem)."
        )
        load.add_argument(
            "--effective", default="", help="Effective date YYYY-MM-DD (default: the file's, or today)."
        )
        save = actions.add_parser("export", help="Write a stored version to a catalog file.")
        save.add_argument("file", help="Path to write, or - for standard output.")
        save.add_argument(
            "--version", default="", help="Version name or number (default: the one in force today)."
        )
        compare = actions.add_parser("diff", help="Compare two versions (names, numbers or catalog files).")
        compare.add_argument("before")
        compare.add_argument("after")
        compare.add_argument("--json", action="store_true", help="Answer in JSON.")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def do_import(self, *, file, name, effective, **_options):
        text = _read(file)
        try:
            version = services.import_catalog(
                actor=None,
                text=text,
                source=file,
                name=name,
                effective_on=_date(effective) if effective else None,
            )
        except CatalogError as error:
            raise CommandError(_("Nothing was imported:\n%(problems)s") % {"problems": error}) from None
        except ValidationError as error:
            raise CommandError(
                _("Nothing was imported: %(problems)s") % {"problems": "; ".join(error.messages)}
            ) from None
        self.stdout.write(
            _("Imported %(name)s (version %(id)d, effective %(date)s): %(count)d items.")
            % {
                "name": version.name,
                "id": version.pk,
                "date": version.effective_on.isoformat(),
                "count": version.items.count(),
            }
        )

    def do_export(self, *, file, version, **_options):
        stored = _version(version) if version else selectors.version_in_force(datetime.date.today())
        if stored is None:
            raise CommandError(_("No catalog version is in force today; name one with --version."))
        text = catalog_format.dump(selectors.catalog_spec(stored))
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(_("Wrote %(name)s to %(file)s.") % {"name": stored.name, "file": file})

    def do_diff(self, *, before, after, **options):
        result = catalog_format.diff(_spec(before), _spec(after))
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
            return
        for code in result.added:
            self.stdout.write(f"+ {code}")
        for code in result.removed:
            self.stdout.write(f"- {code}")
        for code, names in result.changed.items():
            self.stdout.write(f"~ {code}: {', '.join(names)}")
        self.stdout.write(
            _(
                "Items: %(before)d → %(after)d (%(change)+d). "
                "Summed limits: %(lb)d → %(la)d working days (%(lc)+d)."
            )
            % {
                "before": result.count_before,
                "after": result.count_after,
                "change": result.count_change,
                "lb": result.limit_sum_before,
                "la": result.limit_sum_after,
                "lc": result.limit_sum_change,
            }
        )


def _read(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from None


def _version(reference: str) -> CatalogVersion:
    try:
        return selectors.find_version(reference)
    except CatalogVersion.DoesNotExist:
        raise CommandError(_("No catalog version %(ref)s.") % {"ref": reference}) from None


def _spec(reference: str) -> CatalogSpec:
    """A stored version by name or number, or else a catalog file."""
    try:
        return selectors.catalog_spec(selectors.find_version(reference))
    except CatalogVersion.DoesNotExist:
        pass
    if not Path(reference).is_file():
        raise CommandError(_("%(ref)s is neither a catalog version nor a file.") % {"ref": reference})
    try:
        return catalog_format.parse(_read(reference))
    except CatalogError as error:
        raise CommandError(str(error)) from None
