"""``onewindow import-ledger``: its report, its exit codes (0 done, 1 row errors, 2 unusable), its options."""

import io
import json

import pytest
from django.core.management import call_command

from onewindow.ledger.progress import TerminalProgress
from onewindow.projects.models import Project
from tests.ledger.conftest import build_workbook, ledger_row


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-ledger", *[str(arg) for arg in args], stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_good_ledger_is_imported_with_exit_code_0_and_a_summary(make_ledger, people):
    code, out, _err = run(make_ledger([ledger_row(1), ledger_row(2)]), "--actor", "leader")
    assert code == 0
    assert "2 data rows: 2 created, 0 updated, 0 unchanged, 0 with errors" in out
    assert "C  项目名称  → Project name" in out
    assert "The ledger was imported." in out
    assert Project.objects.count() == 2


def test_row_errors_give_exit_code_1_list_every_problem_and_write_nothing(make_ledger, people):
    path = make_ledger([ledger_row(1), ledger_row(2, 签约时间="明年")])
    code, out, _err = run(path, "--actor", "leader")
    assert code == 1
    assert "Row 4, column J (签约时间): 明年 is not a date" in out
    assert "Nothing was written" in out
    assert Project.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows_and_exits_0(make_ledger, people):
    path = make_ledger([ledger_row(1), ledger_row(2, 签约时间="明年")])
    code, out, _err = run(path, "--actor", "leader", "--skip-invalid")
    assert code == 0
    assert "Row 4, column J" in out
    assert Project.objects.count() == 1


def test_a_dry_run_writes_nothing_and_still_exits_by_the_rows(make_ledger, people):
    code, out, _err = run(make_ledger([ledger_row(1)]), "--actor", "leader", "--dry-run")
    assert (code, Project.objects.count()) == (0, 0)
    assert "Dry run" in out
    code, _out, _err = run(make_ledger([ledger_row(1, 所属行业="?")]), "--actor", "leader", "--dry-run")
    assert code == 1


def test_json_output_carries_the_mapping_the_counts_and_each_error(make_ledger, people):
    path = make_ledger([ledger_row(1), ledger_row(2, 所在地区="成都")])
    code, out, _err = run(path, "--actor", "leader", "--json")
    report = json.loads(out)
    assert code == report["exit_code"] == 1
    assert report["summary"]["created"] == 1
    assert report["summary"]["errors"] == 1
    assert report["errors"] == [
        {
            "row": 4,
            "column": "H",
            "header": "所在地区",
            "field": "region",
            "message": "成都 is not a region of this city.",
        }
    ]
    assert {"column": "C", "header": "项目名称", "field": "name"}.items() <= report["columns"][2].items()
    assert report["header_rows"] == [2, 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"project,investment\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xls"),
    ],
)
def test_a_file_that_is_no_workbook_gives_exit_code_2(tmp_path, people, content, message):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    code, out, _err = run(path, "--actor", "leader")
    assert code == 2
    assert message in out


def test_a_workbook_without_a_header_row_gives_exit_code_2(tmp_path, people):
    path = build_workbook(tmp_path / "a.xlsx", [["一些说明"], [1, 2, 3]])
    code, out, _err = run(path, "--actor", "leader")
    assert code == 2
    assert "No header row found" in out


def test_an_unknown_actor_or_one_who_may_not_take_projects_in_gives_exit_code_2(make_ledger, people):
    path = make_ledger([ledger_row(1)])
    code, _out, err = run(path, "--actor", "nobody")
    assert code == 2
    assert "no active user nobody" in err
    code, _out, err = run(path, "--actor", "clerk_fgw")
    assert code == 2
    assert "may not take projects in" in err
    assert Project.objects.count() == 0


def test_the_region_option_limits_the_ledger_to_one_region(make_ledger, people):
    path = make_ledger([ledger_row(1, 所在地区=None), ledger_row(2, 所在地区="什邡")])
    code, out, _err = run(path, "--actor", "leader", "--region", "510683")
    assert code == 1
    assert "outside the ledger's region 绵竹市" in out
    assert run(path, "--actor", "leader", "--region", "123")[0] == 2


def test_progress_is_shown_on_a_terminal_as_rows_read_of_the_total():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(1000, 4000)
    progress(4000, 4000)
    progress.close()
    assert "rows read: 1,000 of 4,000 (25%" in stream.getvalue()
    assert "4,000 of 4,000 (100%" in stream.getvalue()
    silent = io.StringIO()
    TerminalProgress(silent)(1000, 4000)
    assert silent.getvalue() == ""


def test_without_an_actor_the_command_says_every_import_is_made_as_a_person_and_writes_nothing(
    make_ledger, people
):
    path = make_ledger([ledger_row(1)])
    for args in ((path,), (path, "--actor", " ")):
        code, _out, err = run(*args)
        assert code == 2
        assert "--actor USERNAME" in err
        assert "audited under a real person's account" in err
    assert Project.objects.count() == 0
