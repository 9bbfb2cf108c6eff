"""What an import found and did: the layout it read, the counts, and every problem by row and column."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from onewindow.ledger.reader import Layout

# Exit codes of ``onewindow import-ledger``.
EXIT_DONE = 0
EXIT_ROW_ERRORS = 1
EXIT_UNUSABLE = 2

SAMPLE_ROWS = 50
# Warnings are kept in full up to this many; beyond it they are only counted. Errors are always kept:
# they are the list the person has to work through.
WARNINGS_KEPT = 1000


@dataclass(frozen=True)
class Issue:
    row: int | None
    column: str
    header: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d, column %(column)s (%(header)s): %(message)s") % {
                "row": self.row,
                "column": self.column,
                "header": self.header,
                "message": self.message,
            }
        if self.header:
            return _("Row %(row)d (%(header)s): %(message)s") % {
                "row": self.row,
                "header": self.header,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "field": self.field,
            "message": self.message,
        }


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowOutcome:
    """One data row as the preview shows it: what was read and what the import does with it."""

    row: int
    action: str
    values: dict[str, str]
    changes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "action": self.action,
            "values": self.values,
            "changes": self.changes,
            "errors": [issue.as_dict() for issue in self.issues],
            "warnings": [issue.as_dict() for issue in self.warnings],
        }


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool = False
    skip_invalid: bool = False
    layout: Layout | None = None
    fatal: str = ""
    rows_read: int = 0
    data_rows: int = 0
    blank_rows: int = 0
    total_rows: int = 0
    heading_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    warnings_total: int = 0
    sample: list[RowOutcome] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0
    # Whether the rows were read and typed in a second process (``ledger.pipeline``).
    read_in_second_process: bool = False

    def warn(self, issue: Issue) -> None:
        self.warnings_total += 1
        if len(self.warnings) < WARNINGS_KEPT:
            self.warnings.append(issue)

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return EXIT_UNUSABLE
        if self.invalid and not self.skip_invalid:
            return EXIT_ROW_ERRORS
        return EXIT_DONE

    @property
    def ready(self) -> bool:
        """Whether confirming would write something: no row errors, or the invalid rows are skipped."""
        return not self.fatal and (not self.invalid or self.skip_invalid)

    def summary(self) -> str:
        return _(
            "%(rows)d data rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(invalid)d with errors; "
            "skipped %(totals)d total rows, %(headings)d headings and %(blank)d blank rows."
        ) % {
            "rows": self.data_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "totals": self.total_rows,
            "headings": self.heading_rows,
            "blank": self.blank_rows,
        }

    def outcome(self) -> str:
        """One sentence on what happened to the register."""
        if self.fatal:
            return _("Nothing was imported: %(reason)s") % {"reason": self.fatal}
        if self.dry_run:
            return _("Dry run: nothing was written.")
        if self.invalid and not self.skip_invalid:
            return _(
                "Nothing was written: %(count)d rows have errors. Correct them, or import again skipping the "
                "invalid rows."
            ) % {"count": self.invalid}
        if self.invalid:
            return _(
                "The valid rows were written; "
                "%(count)d invalid rows were skipped, each listed with its problem."
            ) % {"count": self.invalid}
        return _("The ledger was imported.")

    def columns_as_dicts(self) -> list[dict]:
        if self.layout is None:
            return []
        return [
            {
                "column": column.letter,
                "header": column.header,
                "field": column.key,
                "label": str(column.ledger_field.label) if column.key else "",
                "imported": bool(column.key) and column.ledger_field.imported,
                "unit": column.unit_label if column.key == "investment" else "",
                "note": column.note,
            }
            for column in self.layout.columns
            if column.texts
        ]

    def as_dict(self) -> dict:
        layout = self.layout
        return {
            "file": self.file_name,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "written": self.written,
            "exit_code": self.exit_code,
            "fatal": self.fatal,
            "sheet": layout.sheet if layout else "",
            "title": layout.title_lines if layout else [],
            "header_rows": [layout.header_first, layout.header_last] if layout else [],
            "merged_ranges": layout.merged_ranges if layout else 0,
            "read_in_second_process": self.read_in_second_process,
            "columns": self.columns_as_dicts(),
            "summary": {
                "rows_read": self.rows_read,
                "data_rows": self.data_rows,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "errors": self.invalid,
                "skipped_totals": self.total_rows,
                "skipped_headings": self.heading_rows,
                "skipped_blank": self.blank_rows,
                "warnings": self.warnings_total,
            },
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
            "seconds": round(self.seconds, 3),
        }
