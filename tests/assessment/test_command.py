import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_command_prints_the_ranking_and_writes_the_workbook(scored, tmp_path):
    out = io.StringIO()
    target = tmp_path / "rank.xlsx"
    call_command("assess", "--year", "2012", "--out", str(target), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ["1", "105.80", "2", "15.00", "广汉市"]
    assert lines[2].split() == ["2", "52.00", "1", "63.00", "绵竹市"]
    sheet = load_workbook(target).worksheets[0]
    assert (sheet["A4"].value, sheet["B4"].value, sheet["C4"].value) == (1, "广汉市", 105.8)


def test_a_year_without_indicators_or_a_bad_file_name_stops_with_a_message(scored, tmp_path):
    with pytest.raises(CommandError, match="2019"):
        call_command("assess", "--year", "2019", stdout=io.StringIO())
    target = tmp_path / "rank.csv"
    with pytest.raises(CommandError, match="--out"):
        call_command("assess", "--year", "2012", "--out", str(target), stdout=io.StringIO())
    assert not target.exists()
