"""Finding the ledger in a workbook: title and unit rows, header rows, merged cells, blank and total rows."""

import datetime
from decimal import Decimal

import pytest

from onewindow.ledger.reader import LedgerFileError, LedgerReader
from tests.ledger.conftest import HEADER, build_workbook, ledger_row


def read(path):
    with LedgerReader(path) as reader:
        return reader.layout, list(reader.rows())


def test_the_header_is_found_below_title_and_unit_rows_and_the_unit_applies(tmp_path):
    path = build_workbook(
        tmp_path / "a.xlsx",
        [
            ["德阳市2012年重点项目推进情况表"],
            ["填报单位：市政务服务中心", None, None, None, "单位：亿元"],
            [],
            ["序号", "项目 名称", "计划总投资", "所在地区"],
            [1, "甲项目", "1.5", "广汉"],
        ],
    )
    layout, rows = read(path)
    assert (layout.header_first, layout.header_last) == (4, 4)
    assert layout.title_lines[0] == "德阳市2012年重点项目推进情况表"
    investment = layout.column_for("investment")
    assert (investment.letter, investment.unit_factor, investment.unit_source) == (
        "C",
        Decimal(10000),
        "title",
    )
    assert layout.column_for("name").header == "项目 名称"
    assert [(row.number, row.kind, row.values["name"]) for row in rows] == [(5, "data", "甲项目")]


def test_a_unit_in_the_header_wins_over_the_title(tmp_path):
    path = build_workbook(
        tmp_path / "a.xlsx", [["台账（单位：亿元）"], ["项目名称", "总投资（万元）"], ["甲", 5000]]
    )
    layout, _rows = read(path)
    assert layout.column_for("investment").unit_factor == Decimal(1)
    assert layout.column_for("investment").unit_source == "header"


def test_merged_header_cells_name_every_column_they_cover(tmp_path):
    """项目名称 merged over two header rows; 时间节点 merged over the dates below it."""
    path = build_workbook(
        tmp_path / "a.xlsx",
        [
            ["重点项目台账"],
            ["序号", "项目名称", "投资（亿元）", "时间节点", None, None],
            [None, None, "总投资", "签约", "开工", "投产"],
            [1, "甲项目", 2, "2012-05-01", "2012-08-01", None],
        ],
        merges=("A1:F1", "A2:A3", "B2:B3", "D2:F2"),
    )
    layout, rows = read(path)
    assert (layout.header_first, layout.header_last) == (2, 3)
    assert layout.merged_ranges == 4
    keys = {column.letter: column.key for column in layout.columns}
    assert keys == {
        "A": "sequence",
        "B": "name",
        "C": "investment",
        "D": "signed_on",
        "E": "started_on",
        "F": "produced_on",
    }
    assert layout.column_for("investment").unit_factor == Decimal(10000)
    assert layout.column_for("signed_on").header == "时间节点 / 签约"
    assert rows[0].values["started_on"] == "2012-08-01"


def test_a_two_row_header_without_merged_cells_is_joined_too(tmp_path):
    path = build_workbook(
        tmp_path / "a.xlsx",
        [["项目名称", "总投资", "签约", "开工"], [None, None, "时间", "时间"], ["甲", 100, "2012-1-1", None]],
    )
    layout, rows = read(path)
    assert layout.header_last == 2
    assert layout.column_for("signed_on").letter == "C"
    assert layout.column_for("started_on").letter == "D"
    assert [row.kind for row in rows] == ["data"]


def test_a_region_merged_down_over_its_projects_is_given_to_each_row(tmp_path):
    path = build_workbook(
        tmp_path / "a.xlsx",
        [
            ["项目名称", "所在地区", "总投资"],
            ["甲", "广汉市", 1],
            ["乙", None, 2],
            ["丙", None, 3],
            ["丁", "什邡", 4],
        ],
        merges=("B2:B4",),
    )
    _layout, rows = read(path)
    assert [row.values["region"] for row in rows] == ["广汉市", "广汉市", "广汉市", "什邡"]


def test_blank_total_and_heading_rows_are_told_apart_from_data(tmp_path):
    path = build_workbook(
        tmp_path / "a.xlsx",
        [
            HEADER,
            ["一、广汉市"],
            ledger_row(1),
            [None, None, None],
            ["小计", None, None, None, None, 12000],
            [None, None, "合计（2个）", None, None, 24000],
            ["二", None, "续建项目"],
            ledger_row(2),
            [None, None, "总计"],
        ],
        merges=("A2:M2",),
    )
    _layout, rows = read(path)
    assert [(row.number, row.kind) for row in rows] == [
        (2, "heading"),
        (3, "data"),
        (4, "blank"),
        (5, "total"),
        (6, "total"),
        (7, "heading"),
        (8, "data"),
        (9, "total"),
    ]
    assert rows[0].text == "一、广汉市"
    assert rows[5].text == "续建项目"


def test_a_row_with_only_a_name_is_data_not_a_heading_when_it_carries_a_value(tmp_path):
    path = build_workbook(tmp_path / "a.xlsx", [HEADER, ledger_row(1, 项目阶段="在建")])
    _layout, rows = read(path)
    assert rows[0].kind == "data"


def test_the_ledger_sheet_is_found_after_a_cover_sheet(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["本表由市政务服务中心填报"])
    sheet = workbook.create_sheet("台账")
    sheet.append(["项目名称", "总投资"])
    sheet.append(["甲", 1])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    layout, rows = read(path)
    assert layout.sheet == "台账"
    assert layout.sheet_names == ["说明", "台账"]
    assert len(rows) == 1


def test_dates_typed_as_excel_dates_come_back_as_datetimes(tmp_path):
    path = build_workbook(tmp_path / "a.xlsx", [["项目名称", "签约时间"], ["甲", datetime.date(2012, 8, 27)]])
    _layout, rows = read(path)
    assert rows[0].values["signed_on"] == datetime.datetime(2012, 8, 27)


def test_a_workbook_without_a_header_row_is_unusable(tmp_path):
    path = build_workbook(tmp_path / "a.xlsx", [["张三", "李四"], [1, 2]])
    with pytest.raises(LedgerFileError, match="No header row found"):
        LedgerReader(path)


def test_a_file_that_is_not_a_workbook_is_unusable(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("项目名称,总投资\n甲,1\n", encoding="utf-8")
    with pytest.raises(LedgerFileError, match=r"not an Excel workbook"):
        LedgerReader(path)


def test_an_old_xls_file_is_recognised_and_refused_with_what_to_do(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(LedgerFileError, match=r"\.xls"):
        LedgerReader(path)


def test_a_damaged_package_is_unusable(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LedgerFileError, match="cannot be read"):
        LedgerReader(path)


def test_a_sheet_asked_for_by_name_must_exist(tmp_path):
    path = build_workbook(tmp_path / "a.xlsx", [HEADER, ledger_row(1)])
    with pytest.raises(LedgerFileError, match="no sheet named"):
        LedgerReader(path, sheet="汇总")


def test_the_last_row_is_known_for_progress_even_without_a_dimension(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["项目名称", "总投资"])
    for number in range(40):
        sheet.append([f"项目{number}", number + 1])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    seen = []
    with LedgerReader(path) as reader:
        assert reader.layout.last_row == 41
        rows = list(reader.rows(seen.append))
    assert len(rows) == 40
    assert seen[-1] == 41
