"""The progress report of projects under agency service (投资项目代办服务进展情况表): monthly, quarterly
or annual, by region with subtotals by handling level, as data for the printable page and as an xlsx
workbook in the layout of a government ledger (title, reporting unit, period, unit, two header rows,
a total, subtotals, one row per region; a second sheet listing the projects).

The period follows the statistics' rule, stretched from a year to any period: a project counts when it
was under agency service at any time in it (taken in by its last day, neither in production nor
terminated before its first); started means construction began by its last day.
"""

import calendar
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from onewindow.accounts.models import User
from onewindow.accounts.permissions import STATISTICS_ROLES, require_role
from onewindow.analytics.dashboard import scope_for
from onewindow.projects.models import Industry, Level, Project
from onewindow.projects.selectors import visible_projects
from onewindow.projects.stages import Stage
from onewindow.regions.models import Region

UNITS = {"万元": Decimal(1), "亿元": Decimal(10000)}


class ReportError(ValueError):
    """A period or option that names no report; ``option`` is the one to correct."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.message = message


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None

    @classmethod
    def of(cls, year: int, quarter: int | None = None, month: int | None = None) -> "Period":
        if not 2000 <= year <= 2100:
            raise ReportError("year", _("Give the year as a whole number from 2000 to 2100."))
        if quarter is not None and month is not None:
            raise ReportError("quarter", _("Choose a quarter or a month, not both."))
        if quarter is not None and not 1 <= quarter <= 4:
            raise ReportError("quarter", _("The quarter is 1, 2, 3 or 4."))
        if month is not None and not 1 <= month <= 12:
            raise ReportError("month", _("The month is a number from 1 to 12."))
        return cls(year=year, quarter=quarter, month=month)

    @property
    def first(self) -> datetime.date:
        if self.month:
            return datetime.date(self.year, self.month, 1)
        if self.quarter:
            return datetime.date(self.year, 3 * self.quarter - 2, 1)
        return datetime.date(self.year, 1, 1)

    @property
    def last(self) -> datetime.date:
        if self.month:
            return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        if self.quarter:
            month = 3 * self.quarter
            return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])
        return datetime.date(self.year, 12, 31)

    @property
    def kind(self) -> str:
        return "month" if self.month else "quarter" if self.quarter else "year"

    @property
    def label(self) -> str:
        if self.month:
            return _("%(year)d, month %(month)d") % {"year": self.year, "month": self.month}
        if self.quarter:
            return _("%(year)d, quarter %(quarter)d") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)d, the whole year") % {"year": self.year}


@dataclass(frozen=True)
class Line:
    """One row of the report: counts and amounts in 万元."""

    label: str
    code: str
    kind: str  # "total", "subtotal" or "region"
    projects: int = 0
    investment_wan: Decimal = Decimal("0.00")
    new_projects: int = 0
    new_investment_wan: Decimal = Decimal("0.00")
    started_projects: int = 0
    started_investment_wan: Decimal = Decimal("0.00")
    started_in_period: int = 0
    produced_projects: int = 0
    produced_investment_wan: Decimal = Decimal("0.00")

    @property
    def started_rate(self) -> Decimal | None:
        if not self.projects:
            return None
        return (Decimal(self.started_projects) * 100 / self.projects).quantize(Decimal("0.1"))


_FIELDS = (
    "projects",
    "investment_wan",
    "new_projects",
    "new_investment_wan",
    "started_projects",
    "started_investment_wan",
    "started_in_period",
    "produced_projects",
    "produced_investment_wan",
)


@dataclass(frozen=True)
class Report:
    period: Period
    unit_name: str
    reporting_unit: str
    scope: Region
    lines: list[Line]
    projects: QuerySet[Project]


def served_in(period: Period) -> Q:
    return (
        Q(intake_on__isnull=False, intake_on__lte=period.last)
        & (Q(produced_on__isnull=True) | Q(produced_on__gte=period.first))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=period.first))
    )


def _aggregates(period: Period) -> dict:
    new = Q(intake_on__gte=period.first)
    started = Q(started_on__isnull=False, started_on__lte=period.last)
    started_now = Q(started_on__gte=period.first, started_on__lte=period.last)
    produced = Q(produced_on__isnull=False, produced_on__lte=period.last)
    amount = "total_investment_wan"
    return {
        "projects": Count("id"),
        "investment_wan": Sum(amount),
        "new_projects": Count("id", filter=new),
        "new_investment_wan": Sum(amount, filter=new),
        "started_projects": Count("id", filter=started),
        "started_investment_wan": Sum(amount, filter=started),
        "started_in_period": Count("id", filter=started_now),
        "produced_projects": Count("id", filter=produced),
        "produced_investment_wan": Sum(amount, filter=produced),
    }


def _line(label: str, code: str, kind: str, rows: list[dict]) -> Line:
    values = {}
    for name in _FIELDS:
        total = sum((row[name] or 0) for row in rows)
        values[name] = Decimal(total).quantize(Decimal("0.01")) if name.endswith("_wan") else int(total)
    return Line(label=label, code=code, kind=kind, **values)


def _units_of(scope: Region) -> list[Region]:
    """The rows of the report: the scope's own register first, then each region one level below."""
    return [scope, *scope.children.order_by("sort_order", "path")]


def build(
    *, scope: Region, period: Period, unit: str = "亿元", listed: QuerySet[Project] | None = None
) -> Report:
    """The report of ``scope`` (a region and everything below it) for ``period``. ``listed`` limits the
    project sheet to what the reader may see (default: every project in the scope)."""
    if unit not in UNITS:
        raise ReportError("unit", _("The unit is 万元 or 亿元."))
    projects = Project.objects.filter(region__path__startswith=scope.path)
    rows = list(
        projects.filter(served_in(period))
        .values("region__path", "level")
        .annotate(**_aggregates(period))
        .order_by()
    )
    units = _units_of(scope)

    def owner(path: str) -> Region:
        # The deepest of the report's rows that holds the project's region.
        return max((u for u in units if path.startswith(u.path)), key=lambda u: len(u.path))

    lines = [_line(_("Total"), "", "total", rows)]
    for level in Level:
        level_rows = [row for row in rows if row["level"] == level.value]
        if level == Level.CITY and not level_rows and not scope.is_city:
            continue
        lines.append(
            _line(_("Subtotal: %(level)s") % {"level": level.label}, level.value, "subtotal", level_rows)
        )
        for region in units:
            picked = [row for row in level_rows if owner(row["region__path"]) == region]
            if region == scope:
                if not picked:
                    continue
                label = _("%(region)s itself (本级)") % {"region": region.name}
            else:
                if level == Level.CITY and not picked:
                    continue
                label = region.name
            lines.append(_line(label, region.code, "region", picked))
    listing = (listed if listed is not None else Project.objects.all()).filter(
        served_in(period), region__path__startswith=scope.path
    )
    return Report(
        period=period,
        unit_name=unit,
        reporting_unit=_("%(region)s government service centre") % {"region": scope.name},
        scope=scope,
        lines=lines,
        projects=listing.select_related("region", "investor").order_by(
            "region__path", "level", "intake_on", "id"
        ),
    )


def report_scope(user: User, region_code: str = "") -> tuple[Region, QuerySet[Project]]:
    """The region a user's report covers (404 outside their scope) and the projects they may list."""
    require_role(user, STATISTICS_ROLES)
    scope = scope_for(user, region_code)
    return scope.region or Region.objects.get(parent__isnull=True), visible_projects(user)


# -- xlsx -----------------------------------------------------------------------------------------

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)


def _amount(value: Decimal, unit: str) -> Decimal:
    return value / UNITS[unit]


def title(report: Report) -> str:
    return _(
        "Progress of investment projects under agency service (投资项目代办服务进展情况表), %(period)s"
    ) % {"period": report.period.label}


def header_rows(unit: str) -> tuple[list[str], list[str]]:
    """The two header rows; an empty cell in the first continues the group to its left."""
    top = [
        _("No."),
        _("Region"),
        _("Code"),
        _("Projects under agency service"),
        "",
        _("Of which taken in during the period"),
        "",
        _("Started"),
        "",
        _("Started during the period"),
        _("Start rate (%)"),
        _("In production"),
        "",
    ]
    amount = _("Investment (%(unit)s)") % {"unit": unit}
    count = _("Projects")
    bottom = ["", "", "", count, amount, count, amount, count, amount, count, "", count, amount]
    return top, bottom


def line_values(line: Line, unit: str) -> list:
    return [
        line.projects,
        _amount(line.investment_wan, unit),
        line.new_projects,
        _amount(line.new_investment_wan, unit),
        line.started_projects,
        _amount(line.started_investment_wan, unit),
        line.started_in_period,
        line.started_rate,
        line.produced_projects,
        _amount(line.produced_investment_wan, unit),
    ]


def _cell(sheet, value, *, font=None, alignment=None, border=None, number_format=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if number_format is not None:
        cell.number_format = number_format
    return cell


def write_xlsx(report: Report, out) -> None:
    """Write the workbook to ``out`` (a path or a binary file). Written row by row (openpyxl's
    write-only mode): the project sheet of a large city has hundreds of thousands of rows."""
    unit = report.unit_name
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Progress")[:31])
    columns = 13
    last_column = get_column_letter(columns)
    for column, width in enumerate((6, 24, 10, 10, 14, 10, 14, 10, 14, 10, 10, 10, 14), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "D5"
    sheet.append([_cell(sheet, title(report), font=Font(bold=True, size=16), alignment=_CENTER)])
    sheet.merged_cells.add(f"A1:{last_column}1")
    period = _("Period: %(first)s to %(last)s") % {
        "first": report.period.first.isoformat(),
        "last": report.period.last.isoformat(),
    }
    sheet.append(
        [_("Reporting unit: %(unit)s") % {"unit": report.reporting_unit}]
        + [None] * 5
        + [period]
        + [None] * 4
        + [_("Unit: %(unit)s") % {"unit": unit}, None]
    )
    for merged in ("A2:F2", "G2:K2", f"L2:{last_column}2"):
        sheet.merged_cells.add(merged)
    for texts in header_rows(unit):
        sheet.append(
            [_cell(sheet, text or None, font=_BOLD, alignment=_CENTER, border=_BOX) for text in texts]
        )
    for first in (1, 2, 3, 11):
        sheet.merged_cells.add(f"{get_column_letter(first)}3:{get_column_letter(first)}4")
    for first in (4, 6, 8, 12):
        sheet.merged_cells.add(f"{get_column_letter(first)}3:{get_column_letter(first + 1)}3")
    number = 0
    for line in report.lines:
        if line.kind == "region":
            number += 1
        values = [
            number if line.kind == "region" else None,
            line.label,
            line.code if line.kind == "region" else None,
        ]
        values += line_values(line, unit)
        font = None if line.kind == "region" else _BOLD
        sheet.append(
            [
                _cell(
                    sheet,
                    value,
                    font=font,
                    border=_BOX,
                    number_format="#,##0.00" if column in (5, 7, 9, 13) else "0.0" if column == 11 else None,
                )
                for column, value in enumerate(values, start=1)
            ]
        )
    sheet.append([])
    dated = _("Date: %(date)s") % {"date": timezone.localdate().isoformat()}
    sheet.append([_("Prepared by:"), None, None, None, _("Checked by:"), None, None, None, dated])
    _write_listing(book, report)
    book.save(out)


def _write_listing(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet(_("Projects")[:31])
    unit = report.unit_name
    for column, width in enumerate((6, 28, 36, 30, 14, 10, 18, 14, 10, 12, 12, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    heads = [
        _("No."),
        _("Project code"),
        _("Project name"),
        _("Investor"),
        _("Region"),
        _("Handling level"),
        _("Industry"),
        _("Total investment (%(unit)s)") % {"unit": unit},
        _("Stage"),
        _("Signing date"),
        _("Intake date"),
        _("Construction start"),
        _("Production date"),
    ]
    sheet.append([title(report)])
    sheet.append([_cell(sheet, text, font=_BOLD, alignment=_CENTER, border=_BOX) for text in heads])
    levels = {key: str(label) for key, label in Level.choices}
    industries = {key: str(label) for key, label in Industry.choices}
    stages = {key: str(label) for key, label in Stage.choices}
    rows = report.projects.values_list(
        "code",
        "name",
        "investor__name",
        "region__name",
        "level",
        "industry",
        "total_investment_wan",
        "stage",
        "signed_on",
        "intake_on",
        "started_on",
        "produced_on",
    )
    divisor = UNITS[unit]
    for number, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        code, name, investor, region, level, industry, amount, stage, *dates = row
        sheet.append(
            [
                number,
                code,
                name,
                investor,
                region,
                levels.get(level, level),
                industries.get(industry, industry),
                amount / divisor,
                stages.get(stage, stage),
                *dates,
            ]
        )


def xlsx_bytes(report: Report) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(report, buffer)
    return buffer.getvalue()


def filename(report: Report) -> str:
    period = report.period
    suffix = f"-{period.month:02d}" if period.month else f"-Q{period.quarter}" if period.quarter else ""
    return f"progress-{report.scope.code}-{period.year}{suffix}.xlsx"
