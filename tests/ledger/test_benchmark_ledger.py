"""The benchmark's messy ledger (written as Excel writes workbooks) goes in whole, and again unchanged."""

from benchmarks.ledger_benchmark import messy_ledger, write_xlsx

from onewindow.ledger.reader import LedgerReader
from onewindow.ledger.services import import_ledger
from onewindow.projects.models import Project


def test_the_benchmark_ledger_is_read_and_imported_without_errors(people, tmp_path):
    rows, merges = messy_ledger(300, seed=7)
    path = tmp_path / "messy.xlsx"
    write_xlsx(path, rows, merges)
    with LedgerReader(path) as reader:
        layout = reader.layout
        assert (layout.header_first, layout.header_last) == (3, 4)
        assert layout.last_row == len(rows)
        assert layout.column_for("investment").unit_label == "亿元"
        assert layout.column_for("started_on").header == "时间节点 / 开工"
    report = import_ledger(actor=people["leader"], source=path)
    assert report.exit_code == 0, [str(issue) for issue in report.errors[:5]]
    assert (report.created, report.invalid) == (300, 0)
    assert report.total_rows > 0 and report.heading_rows > 0
    assert Project.objects.count() == 300
    again = import_ledger(actor=people["leader"], source=path)
    assert (again.unchanged, again.created, again.updated) == (300, 0, 0)
