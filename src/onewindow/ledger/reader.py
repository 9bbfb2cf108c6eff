"""Reading a ledger (台账) workbook as a stream of rows, in memory that does not grow with the rows.

The workbook is opened with openpyxl's read-only mode, which parses the sheet as it is iterated. What
real ledgers put around their data is handled here:

* **Title and unit rows** above the header (德阳市重点项目台账, 单位：亿元) are kept as the title; a unit
  named there applies to every amount column whose own header names none.
* **The header row** is found, not assumed: it is the row among the first 30 that names the most known
  columns (see ``mapping``). A second header row just above or below it (a group header such as 时间节点
  over 签约 / 开工 / 投产, or 投资（万元） over 总投资) joins it into a header block.
* **Merged cells.** Read-only mode does not expose merged ranges, and only the top-left cell of a range
  holds a value. The ranges are therefore read separately by a byte scan of the sheet's XML for its
  ``<mergeCell>`` elements (they sit after the data, so the whole part is decompressed, but not parsed;
  0.7 s for the benchmark's 100,000 rows). A merged header cell gives its text to every
  column it covers; a cell merged down over data rows (a region written once for five projects) gives its
  value to the rows below it. If the scan finds nothing (a file with no merged cells, or a package this
  scan cannot follow), empty header cells simply take nothing from their neighbours and the sub-header
  names the column; nothing else depends on the scan.
* **Blank, total and heading rows.** Empty rows are skipped; a row that says 合计 / 小计 / 总计 / 共计 is
  skipped as a total; a row with a single text and no data (一、广汉市, 二、续建项目) is passed on as a
  heading, which the import may use as the region or level of the rows under it.

Row numbers are the sheet's own (as Excel shows them), so every message can point at a row.
"""

import gc
import posixpath
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from onewindow.ledger.mapping import Column, map_columns, match_name
from onewindow.ledger.normalisers import fold, is_empty, unit_in

HEADER_SCAN_ROWS = 30
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计")
# Fields whose presence makes a row a project row, never a heading.
SUBSTANCE = frozenset(
    {
        "code",
        "investor",
        "uscc",
        "investment",
        "stage",
        "negotiation_on",
        "signed_on",
        "intake_on",
        "approved_on",
        "started_on",
        "completed_on",
        "produced_on",
    }
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


_PAUSE_LOCK = threading.Lock()
_PAUSE_USERS = 0
_PAUSE_WAS_ENABLED = False


@contextmanager
def collections_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration (nestable, across threads).

    Reading a sheet allocates a few dozen objects a cell, and importing it a few dozen more a row, so the
    collector, run every 700 net allocations, would walk the young objects tens of thousands of times,
    and every live object of the process at each run of its oldest generation. Neither leaves garbage in
    cycles to speak of (about 200 objects after 100,000 rows, the workbook's own, measured with
    ``gc.DEBUG_SAVEALL``; ``tests/ledger/test_import.py`` holds it constant in the number of rows):
    reference counting frees everything else as it goes. Spacing the runs out to every 50,000
    allocations made reading and importing about 30% faster on 100,000 rows; pausing it took another
    1.9 s off the import on PostgreSQL (25.6 → 23.7 s in one pair of runs). Whatever is left in cycles
    is collected after, as usual.
    """
    global _PAUSE_USERS, _PAUSE_WAS_ENABLED
    with _PAUSE_LOCK:
        if _PAUSE_USERS == 0:
            _PAUSE_WAS_ENABLED = gc.isenabled()
            gc.disable()
        _PAUSE_USERS += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSE_USERS -= 1
            if _PAUSE_USERS == 0 and _PAUSE_WAS_ENABLED:
                gc.enable()


class LedgerFileError(Exception):
    """The file cannot be used as a ledger at all (exit code 2); the message says why."""


@dataclass
class Layout:
    sheet: str
    sheet_names: list[str]
    title_lines: list[str]
    header_first: int
    header_last: int
    columns: list[Column]
    sheet_unit: tuple | None
    last_row: int | None
    merged_ranges: int

    @property
    def mapped(self) -> list[Column]:
        return [column for column in self.columns if column.key]

    def column_for(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)


@dataclass
class RawRow:
    """One sheet row below the header. ``kind`` is ``data``, ``blank``, ``total`` or ``heading``."""

    number: int
    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    text: str = ""


# ---------------------------------------------------------------------------------------------------
# The package: which part holds a sheet, and its merged ranges


_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    tree = ElementTree.fromstring(archive.read(rels))  # noqa: S314 (a package part, not remote XML)
    targets = {}
    for rel in tree.iter(f"{_REL_NS}Relationship"):
        target = rel.get("Target", "")
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        targets[rel.get("Id", "")] = resolved
    return targets


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the package part holding it; empty when the package cannot be followed."""
    try:
        root = ElementTree.fromstring(archive.read("_rels/.rels"))  # noqa: S314
        workbook = next(
            rel.get("Target", "").lstrip("/")
            for rel in root.iter(f"{_REL_NS}Relationship")
            if rel.get("Type", "").endswith("/officeDocument")
        )
        targets = _relationships(archive, workbook)
        tree = ElementTree.fromstring(archive.read(workbook))  # noqa: S314
        return {
            sheet.get("name", ""): targets.get(sheet.get(_DOC_REL, ""), "")
            for sheet in tree.iter()
            if sheet.tag.endswith("}sheet")
        }
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile):
        return {}


def scan_sheet(archive: zipfile.ZipFile, part: str) -> tuple[list[tuple[int, int, int, int]], int | None]:
    """The sheet's merged ranges (min_col, min_row, max_col, max_row; 1-based) and its last row number,
    by scanning the part's bytes: no XML is parsed and nothing but the matches is kept."""
    merges: set[tuple[int, int, int, int]] = set()
    last_row = None
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            for match in _MERGE.finditer(data):
                reference = match[1].decode()
                if ":" in reference:
                    merges.add(range_boundaries(reference))
            for match in _ROW.finditer(data):
                last_row = max(last_row or 0, int(match[1]))
            tail = data[-512:]
    return sorted(merges, key=lambda bounds: (bounds[1], bounds[0])), last_row


# ---------------------------------------------------------------------------------------------------
# Header detection


def _cell_text(value) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else ""


def _matches(row: list) -> dict[int, str]:
    """Columns of a row whose text is a known header name → that field's key."""
    found = {}
    for index, value in enumerate(row):
        match = match_name(_cell_text(value))
        if match:
            found[index] = match[0].key
    return found


def _looks_like_data(row: list) -> bool:
    return any(not isinstance(value, str) and value is not None for value in row)


def find_header(rows: list[list], merges: list[tuple[int, int, int, int]]) -> tuple[int, int] | None:
    """The header block as (first, last) 0-based indexes into ``rows``, or ``None``."""
    scored = [(len(_matches(row)), index) for index, row in enumerate(rows)]
    best = max((item for item in scored if item[0] >= 2), key=lambda item: (item[0], -item[1]), default=None)
    if best is None:
        return None
    head = best[1]
    first = last = head
    named = set(_matches(rows[head]))
    # Merged cells that start on the header row and reach down (项目名称 over two header rows).
    for _min_col, min_row, _max_col, max_row in merges:
        if min_row - 1 == head and max_row - 1 > head:
            last = max(last, min(max_row - 1, head + 2))
    above, below = head - 1, head + 1
    if above >= 0 and not _looks_like_data(rows[above]) and set(_matches(rows[above])) - named:
        first = above
    if below < len(rows) and last == head and _is_sub_header(rows[head], rows[below], named):
        last = below
    return first, last


def _is_sub_header(head: list, row: list, named: set[int]) -> bool:
    """Whether the row under the header completes it: each of its texts is a header name, or one with
    the header above it (签约 over 时间), or a unit (万元); a data row never is."""
    if _looks_like_data(row):
        return False
    found = False
    for index, value in enumerate(row):
        text = _cell_text(value)
        if not text:
            continue
        above = _cell_text(head[index]) if index < len(head) else ""
        if (
            (match_name(text) and index not in named)
            or (above and match_name(above + text))
            or (unit_in(f"({text})") and len(text) <= 4)
        ):
            found = True
        else:
            return False
    return found


def _merge_lookup(rows: list[list], merges, first: int, last: int) -> Callable[[int, int], str]:
    """Text of a header cell, a merged cell taking the text of its range's top-left cell."""
    covering = {}
    for min_col, min_row, max_col, max_row in merges:
        for row in range(max(min_row - 1, first), min(max_row - 1, last) + 1):
            for col in range(min_col - 1, max_col):
                covering[(row, col)] = (min_row - 1, min_col - 1)

    def text(row: int, col: int) -> str:
        source_row, source_col = covering.get((row, col), (row, col))
        if source_row < 0 or source_row >= len(rows):
            return ""
        values = rows[source_row]
        return _cell_text(values[source_col]) if source_col < len(values) else ""

    return text


def header_texts(rows: list[list], merges, first: int, last: int) -> list[list[str]]:
    width = max(len(rows[index]) for index in range(first, last + 1))
    for _min_col, min_row, max_col, _max_row in merges:
        if first <= min_row - 1 <= last:
            width = max(width, max_col)
    text = _merge_lookup(rows, merges, first, last)
    columns = []
    for col in range(width):
        texts: list[str] = []
        for row in range(first, last + 1):
            value = text(row, col)
            if value and (not texts or texts[-1] != value):
                texts.append(value)
        columns.append(texts)
    return columns


# ---------------------------------------------------------------------------------------------------
# The reader


def _classify(values: dict[str, Any], row: tuple) -> tuple[str, str]:
    texts = [
        value for value in row if value is not None and (value.__class__ is not str or not is_empty(value))
    ]
    if not texts:
        return "blank", ""
    for value in texts[:4]:
        if isinstance(value, str):
            key = fold(value)
            if len(key) <= 12 and any(word in key for word in TOTAL_WORDS):
                return "total", value.strip()
    if all(is_empty(values.get(key)) for key in SUBSTANCE if key in values):
        # A heading: one text, besides what the 序号 column holds (一, (二), 3).
        sequence = values.get("sequence")
        rest = list(texts)
        if sequence is not None and sequence in rest and len(rest) > 1:
            rest.remove(sequence)
        if len(rest) == 1 and isinstance(rest[0], str):
            return "heading", rest[0].strip()
    return "data", ""


class LedgerReader:
    """Open a workbook, find its ledger sheet and layout (``layout``), then stream its rows (``rows``)."""

    def __init__(self, source: str | Path | IO[bytes], *, sheet: str = "") -> None:
        self.source = source
        self.wanted_sheet = sheet
        self._workbook = None
        self._archive: zipfile.ZipFile | None = None
        self._worksheet = None
        self._fill: list[tuple[int, int, int, int]] = []
        with collections_paused():
            self.layout = self._open()

    # -- opening ------------------------------------------------------------------------------------

    def _check_package(self) -> None:
        source = self.source
        if hasattr(source, "read"):
            position = source.tell()
            head = source.read(4)
            source.seek(position)
        else:
            try:
                with open(source, "rb") as handle:
                    head = handle.read(4)
            except OSError as error:
                raise LedgerFileError(_("The file cannot be opened: %(error)s") % {"error": error}) from None
        if head.startswith(_OLE_MAGIC):
            raise LedgerFileError(
                _("This is an Excel 97–2003 (.xls) file; open it in Excel or WPS and save it as .xlsx.")
            )
        if not head.startswith(b"PK"):
            raise LedgerFileError(_("This is not an Excel workbook (.xlsx); save the ledger as .xlsx."))

    def _open(self) -> Layout:
        self._check_package()
        try:
            self._archive = zipfile.ZipFile(self.source)
            self._workbook = load_workbook(self.source, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
            self.close()
            raise LedgerFileError(
                _(
                    "This workbook cannot be read (%(error)s); "
                    "open it in Excel or WPS and save it again as .xlsx."
                )
                % {"error": error.__class__.__name__}
            ) from None
        parts = sheet_parts(self._archive)
        names = [sheet.title for sheet in self._workbook.worksheets]
        if self.wanted_sheet:
            if self.wanted_sheet not in names:
                self.close()
                raise LedgerFileError(
                    _("The workbook has no sheet named %(sheet)s; its sheets are %(names)s.")
                    % {"sheet": self.wanted_sheet, "names": "、".join(names)}
                )
            candidates = [self._workbook[self.wanted_sheet]]
        else:
            candidates = [sheet for sheet in self._workbook.worksheets if sheet.sheet_state == "visible"]
        for worksheet in candidates:
            top = [list(row) for row in worksheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
            if find_header(top, []) is None:
                continue
            merges, last_row = self._scan(parts.get(worksheet.title, ""))
            first, last = find_header(top, merges)
            columns = map_columns(header_texts(top, merges, first, last), self._sheet_unit(top[:first]))
            if not any(column.key == "name" for column in columns):
                continue
            # The dimension a file declares may be missing or wrong; the reader goes to the real end.
            worksheet.reset_dimensions()
            self._worksheet = worksheet
            self._fill = [bounds for bounds in merges if bounds[3] - 1 > last]
            return Layout(
                sheet=worksheet.title,
                sheet_names=names,
                title_lines=[line for row in top[:first] if (line := " ".join(_texts(row)))],
                header_first=first + 1,
                header_last=last + 1,
                columns=columns,
                sheet_unit=self._sheet_unit(top[:first]),
                last_row=last_row,
                merged_ranges=len(merges),
            )
        self.close()
        raise LedgerFileError(
            _(
                "No header row found: none of the first %(rows)d rows of %(sheets)s names the project column "
                "(项目名称) and another known column (总投资, 所在地区, 项目阶段, …)."
            )
            % {"rows": HEADER_SCAN_ROWS, "sheets": "、".join(sheet.title for sheet in candidates) or "-"}
        )

    def _scan(self, part: str) -> tuple[list, int | None]:
        if not part or self._archive is None:
            return [], None
        try:
            return scan_sheet(self._archive, part)
        except (KeyError, zipfile.BadZipFile, OSError):
            return [], None

    @staticmethod
    def _sheet_unit(title_rows: list[list]):
        for row in title_rows:
            for text in _texts(row):
                unit = unit_in(text)
                if unit:
                    return unit
        return None

    # -- rows ---------------------------------------------------------------------------------------

    def rows(self, progress: Callable[[int], None] | None = None) -> Iterator[RawRow]:
        """Every row below the header, classified; ``progress`` is called with the last row number read
        every 1,000 rows."""
        with collections_paused():
            yield from self._rows(progress)

    def _rows(self, progress: Callable[[int], None] | None) -> Iterator[RawRow]:
        layout = self.layout
        columns = [(column.key, column.index) for column in layout.mapped]
        fill = self._fill
        active: list[tuple[int, int, Any]] = []  # (column index, last row, value) of merges reaching down
        next_merge = 0
        number = layout.header_last
        try:
            for row in self._worksheet.iter_rows(min_row=layout.header_last + 1, values_only=True):
                number += 1
                if fill:
                    row, active, next_merge = _apply_merges(row, number, fill, active, next_merge)
                values = {key: row[index] if index < len(row) else None for key, index in columns}
                kind, text = _classify(values, row)
                yield RawRow(number=number, kind=kind, values=values, text=text)
                if progress is not None and number % 1000 == 0:
                    progress(number)
        except (
            zipfile.BadZipFile,
            ElementTree.ParseError,
            zlib.error,
            EOFError,
            KeyError,
            ValueError,
        ) as error:
            raise LedgerFileError(
                _(
                    "The workbook is damaged after row %(row)d (%(error)s); "
                    "open it in Excel or WPS and save it again."
                )
                % {"row": number, "error": error.__class__.__name__}
            ) from None
        if progress is not None:
            progress(number)

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def __enter__(self) -> "LedgerReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _texts(row: list) -> list[str]:
    return [text for value in row if (text := _cell_text(value))]


def _apply_merges(row: tuple, number: int, fill, active, next_merge):
    """Give the rows under a merged cell the value of its top-left cell (first column of the range)."""
    active = [item for item in active if item[1] >= number]
    if active:
        row = list(row)
        for column, _last, value in active:
            while len(row) <= column:
                row.append(None)
            if row[column] is None:
                row[column] = value
    while next_merge < len(fill) and fill[next_merge][1] <= number:
        min_col, min_row, _max_col, max_row = fill[next_merge]
        next_merge += 1
        if min_row == number and max_row > number and min_col - 1 < len(row):
            active.append((min_col - 1, max_row, row[min_col - 1]))
    return row, active, next_merge
