"""Writing the register as a ledger workbook, in the layout the import reads back.

Row 1 is the title, row 2 the unit (单位：万元), row 3 the header with each field's first name from
``mapping`` (so the import maps every column back onto its field), then one row per project. Amounts
are numbers in 万元, dates are Excel dates, words are the ones the normalisers read (已开工, 县级, 制造业,
新建, 备案, 基本建设, 是/否). openpyxl's write-only mode streams the rows to a temporary file, so memory
does not grow with the register; the caller gives the rows as an iterator.
"""

from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter

from onewindow.core.codes import PROJECT_TYPES
from onewindow.ledger.mapping import BY_KEY
from onewindow.ledger.normalisers import (
    APPROVAL_LEDGER_WORDS,
    INDUSTRY_NAMES,
    LEVEL_LEDGER_WORDS,
    NATURE_LEDGER_WORDS,
    STAGE_LEDGER_WORDS,
)
from onewindow.projects.models import Project

COLUMNS = [
    "sequence",
    "code",
    "code_provisional",
    "name",
    "investor",
    "uscc",
    "investment",
    "industry",
    "region",
    "level",
    "stage",
    "negotiation_on",
    "signed_on",
    "intake_on",
    "approved_on",
    "started_on",
    "completed_on",
    "produced_on",
    "suspended_on",
    "terminated_on",
    "reason",
    "nature",
    "approval_type",
    "project_type",
    "fast_track",
    "agent",
]
UNIT_ROW = "单位：万元"
SHEET_TITLE = "台账"
WIDTHS = {"code": 26, "name": 36, "investor": 32, "uscc": 22, "investment": 14, "reason": 24}
DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
YES, NO = "是", "否"


def headers() -> list[str]:
    return [BY_KEY[key].header if key != "investment" else "总投资（万元）" for key in COLUMNS]


class _Cells:
    def __init__(self, sheet) -> None:
        self.sheet = sheet

    def text(self, value: str) -> Cell | str:
        """Text stays text: a name that starts with = is not turned into a formula."""
        value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
        if value.startswith("="):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def date(self, value) -> Cell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    def amount(self, value) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = AMOUNT_FORMAT
        return cell


def _row(cells: _Cells, number: int, project: Project) -> list:
    return [
        number,
        project.code,
        YES if project.code_is_provisional else NO,
        cells.text(project.name),
        cells.text(project.investor.name),
        project.investor.uscc,
        cells.amount(project.total_investment_wan),
        INDUSTRY_NAMES.get(project.industry, project.industry),
        project.region.name,
        LEVEL_LEDGER_WORDS.get(project.level, project.level),
        STAGE_LEDGER_WORDS.get(project.stage, project.stage),
        cells.date(project.negotiation_on),
        cells.date(project.signed_on),
        cells.date(project.intake_on),
        cells.date(project.approved_on),
        cells.date(project.started_on),
        cells.date(project.completed_on),
        cells.date(project.produced_on),
        cells.date(project.suspended_on),
        cells.date(project.terminated_on),
        cells.text(project.termination_reason),
        NATURE_LEDGER_WORDS.get(project.construction_nature, project.construction_nature),
        APPROVAL_LEDGER_WORDS.get(project.approval_type, project.approval_type),
        PROJECT_TYPES.get(project.project_type, project.project_type),
        YES if project.fast_track else NO,
        cells.text(project.agent.display_name) if project.agent_id else "",
    ]


def write_ledger(projects: Iterable[Project], target: str | IO[bytes], *, title: str) -> int:
    """Write ``projects`` (with their investor, region and agent joined) to ``target``; returns the
    number of project rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, key in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 12)
    sheet.freeze_panes = "E4"
    cells = _Cells(sheet)
    sheet.append([cells.text(title)])
    sheet.append([UNIT_ROW])
    sheet.append(headers())
    count = 0
    for count, project in enumerate(projects, start=1):
        sheet.append(_row(cells, count, project))
    workbook.save(target)
    return count
