"""``onewindow calendar``: enter a year's official holiday notice, or show a year's calendar."""

import datetime
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.approvals import selectors, services


def parse_days(entries, key: str) -> list[datetime.date]:
    """Dates written ``YYYY-MM-DD``, or ranges ``YYYY-MM-DD..YYYY-MM-DD`` with both ends included."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CommandError(_("%(key)s must be a list of dates or date ranges.") % {"key": key})
    days: list[datetime.date] = []
    for entry in entries:
        if isinstance(entry, datetime.date):
            days.append(entry)
            continue
        try:
            first, _sep, last = str(entry).partition("..")
            begin = datetime.date.fromisoformat(first.strip())
            end = datetime.date.fromisoformat(last.strip()) if last else begin
        except ValueError:
            raise CommandError(
                _("%(key)s: %(entry)r is not a date or a date range.") % {"key": key, "entry": entry}
            ) from None
        if end < begin:
            raise CommandError(
                _("%(key)s: the range %(entry)s runs backwards.") % {"key": key, "entry": entry}
            )
        days.extend(begin + datetime.timedelta(days=n) for n in range((end - begin).days + 1))
    return days


class Command(BaseCommand):
    help = (
        "Enter the State Council's holiday notice for a year (YAML), or show a year's working-day calendar."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        notice = actions.add_parser("notice", help="Enter or replace a year's notice from a YAML file.")
        notice.add_argument("file", help="year, document, holidays and workdays (dates or a..b ranges)")
        show = actions.add_parser("show", help="List a year's holidays and make-up working days.")
        show.add_argument("year", type=int)

    def handle(self, *args, action, **options):
        if action == "notice":
            self.notice(options["file"])
        else:
            self.show(options["year"])

    def notice(self, file: str) -> None:
        try:
            data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("year"), int):
            raise CommandError(_("The notice file is a mapping with year, document, holidays and workdays."))
        try:
            notice = services.save_calendar_notice(
                actor=None,
                year=data["year"],
                document=str(data.get("document") or ""),
                holidays=parse_days(data.get("holidays"), "holidays"),
                workdays=parse_days(data.get("workdays"), "workdays"),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            _("Saved the %(year)d notice (%(document)s): %(count)d days.")
            % {"year": notice.year, "document": notice.document, "count": notice.days.count()}
        )

    def show(self, year: int) -> None:
        calendar = selectors.workday_calendar()
        if calendar.is_estimated_year(year):
            self.stdout.write(
                _("%(year)d: no official calendar; planned on weekdays only (an estimate).") % {"year": year}
            )
            return
        day, holidays, workdays = datetime.date(year, 1, 1), [], []
        while day.year == year:
            if calendar.is_workday(day) != (day.weekday() < 5):
                (workdays if day.weekday() >= 5 else holidays).append(day.isoformat())
            day += datetime.timedelta(days=1)
        self.stdout.write(_("Holidays on weekdays: %(days)s") % {"days": ", ".join(holidays)})
        self.stdout.write(_("Make-up working days: %(days)s") % {"days": ", ".join(workdays)})
