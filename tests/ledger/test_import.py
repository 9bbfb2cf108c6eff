"""Importing ledgers: messy forms one by one and mixed, row-precise errors, all or nothing, skipping the
invalid rows, idempotent re-imports, updates by code and by name and investor, scope."""

import datetime
import gc
from decimal import Decimal

import pytest

from onewindow.core.models import AuditEntry
from onewindow.ledger.report import EXIT_DONE, EXIT_ROW_ERRORS, EXIT_UNUSABLE
from onewindow.projects.models import Investor, Project, TimelineEntry
from onewindow.projects.stages import Stage
from tests.factories import InvestorFactory, ProjectFactory, make_uscc
from tests.ledger.conftest import HEADER, D, ledger_row


def only_project(name: str) -> Project:
    return Project.objects.select_related("region", "investor").get(name=name)


def test_a_plain_row_registers_its_investor_and_project_with_a_provisional_code(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1)]))
    assert (report.exit_code, report.created, report.written) == (EXIT_DONE, 1, True)
    project = only_project("台账测试项目1")
    assert project.investor.name == "台账测试企业1"
    assert project.investor.uscc == make_uscc(5001)
    assert project.total_investment_wan == Decimal("12000.00")
    assert (project.industry, project.region.code, project.level) == ("C", "510681", "county")
    assert (project.stage, project.signed_on, project.intake_on) == ("intake", D(2012, 3, 1), D(2012, 4, 1))
    assert project.code_is_provisional
    assert project.code.startswith("1204-510681-03-01-")


def test_a_title_with_the_unit_yi_converts_every_amount_without_its_own_unit(make_ledger, run_import):
    rows = [ledger_row(1, **{"总投资（万元）": None}), ledger_row(2)]
    header = [name if name != "总投资（万元）" else "计划总投资" for name in HEADER]
    rows[0][HEADER.index("总投资（万元）")] = "１．５"
    rows[1][HEADER.index("总投资（万元）")] = "8,500万元"
    path = make_ledger(rows, header=header, title=[["德阳市重点项目台账"], ["单位：亿元"]])
    assert run_import(path).created == 2
    assert only_project("台账测试项目1").total_investment_wan == Decimal("15000.00")
    assert only_project("台账测试项目2").total_investment_wan == Decimal("8500.00")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (datetime.datetime(2012, 3, 5), D(2012, 3, 5)),
        ("2012-03-05", D(2012, 3, 5)),
        ("2012/3/5", D(2012, 3, 5)),
        ("2012.3.5", D(2012, 3, 5)),
        ("2012年3月5日", D(2012, 3, 5)),
        ("２０１２年３月５日", D(2012, 3, 5)),
        ("2012年3月", D(2012, 3, 1)),
    ],
)
def test_every_date_form_is_imported(make_ledger, run_import, written, expected):
    assert run_import(make_ledger([ledger_row(1, 签约时间=written)])).created == 1
    assert only_project("台账测试项目1").signed_on == expected


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("广汉市", "510681"),
        ("广汉", "510681"),
        ("510681", "510681"),
        ("经开区", "Z510601"),
        ("德阳市", "510600"),
    ],
)
def test_every_region_form_is_imported(make_ledger, run_import, written, code):
    assert run_import(make_ledger([ledger_row(1, 所在地区=written)])).created == 1
    assert only_project("台账测试项目1").region.code == code


@pytest.mark.parametrize(
    ("word", "stage", "dates"),
    [
        ("洽谈", Stage.NEGOTIATING, {"签约时间": None, "受理时间": None}),
        ("已签约", Stage.SIGNED, {"受理时间": None}),
        ("前期", Stage.INTAKE, {}),
        ("已立项", Stage.APPROVED, {"立项时间": "2012-05-01"}),
        ("在建", Stage.STARTED, {"立项时间": "2012-05-01", "开工时间": "2012-06-01"}),
        ("开工", Stage.STARTED, {"立项时间": "2012-05-01", "开工时间": "2012-06-01"}),
    ],
)
def test_stage_words_take_the_project_through_the_stage_machine(make_ledger, run_import, word, stage, dates):
    report = run_import(make_ledger([ledger_row(1, 项目阶段=word, **dates)]))
    assert report.created == 1, [str(issue) for issue in report.errors]
    project = only_project("台账测试项目1")
    assert project.stage == stage
    steps = list(project.timeline.order_by("id").values_list("to_stage", flat=True))
    assert steps[-1] == stage


def test_a_started_project_gets_each_stage_date_a_timeline_entry_and_an_audit_row(
    make_ledger, run_import, people
):
    path = make_ledger([ledger_row(1, 项目阶段="在建", 立项时间="2012-05-01", 开工时间="2012.6.1")])
    run_import(path)
    project = only_project("台账测试项目1")
    assert (project.approved_on, project.started_on, project.version) == (D(2012, 5, 1), D(2012, 6, 1), 3)
    timeline = list(project.timeline.order_by("id").values_list("happened_on", "from_stage", "to_stage"))
    assert timeline == [
        (D(2012, 4, 1), "", "intake"),
        (D(2012, 5, 1), "intake", "approved"),
        (D(2012, 6, 1), "approved", "started"),
    ]
    # One audit row for the project, recording it as written with its timeline entries.
    entry = AuditEntry.objects.get(region_path=project.region.path)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "projects.project",
        str(project.pk),
    )
    assert (entry.changes["stage"], entry.changes["started_on"]) == ([None, "started"], [None, "2012-06-01"])
    entries = list(project.timeline.order_by("id"))
    assert [(item["id"], item["to_stage"], item["text"]) for item in entry.changes["timeline"][1]] == [
        (timeline_entry.pk, timeline_entry.to_stage, timeline_entry.text) for timeline_entry in entries
    ]
    assert set(AuditEntry.objects.values_list("actor_name", flat=True)) == {"leader"}
    assert AuditEntry.objects.filter(object_type="projects.investor").count() == 1


def test_a_stage_passed_without_a_date_takes_the_next_date_with_a_warning(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1, 项目阶段="在建", 开工时间="2012-06-01")]))
    assert report.created == 1
    assert only_project("台账测试项目1").approved_on == D(2012, 6, 1)
    assert [(warning.row, warning.field) for warning in report.warnings] == [(3, "approved_on")]
    assert "taken as 2012-06-01" in report.warnings[0].message


def test_suspended_and_terminated_rows_need_their_date_and_reason(make_ledger, run_import):
    header = [*HEADER, "暂缓时间", "终止时间", "原因"]
    rows = [
        [*ledger_row(1, 项目阶段="暂缓"), "2012-05-01", None, "资金未到位"],
        [*ledger_row(2, 项目阶段="终止"), None, "2012-05-02", "企业退出"],
        [*ledger_row(3, 项目阶段="暂缓"), None, None, "资金未到位"],
        [*ledger_row(4, 项目阶段="终止"), None, "2012-05-02", None],
    ]
    report = run_import(make_ledger(rows, header=header), skip_invalid=True)
    assert report.created == 2
    suspended = only_project("台账测试项目1")
    assert (suspended.stage, suspended.stage_before_suspension, suspended.suspended_on) == (
        "suspended",
        "intake",
        D(2012, 5, 1),
    )
    terminated = only_project("台账测试项目2")
    assert (terminated.stage, terminated.termination_reason) == ("terminated", "企业退出")
    assert terminated.timeline.order_by("-id").first().text.endswith("企业退出")
    assert [(issue.row, issue.column, issue.field) for issue in report.errors] == [
        (5, "N", "suspended_on"),
        (6, "P", "reason"),
    ]


def test_blank_total_and_heading_rows_are_skipped_and_a_heading_gives_its_region(make_ledger, run_import):
    rows = [
        ["一、什邡市"],
        ledger_row(1, 所在地区=None),
        ledger_row(2, 所在地区=None),
        [],
        ["小计", None, None, None, None, 24000],
        ["二、绵竹市（1个）"],
        ledger_row(3, 所在地区=None),
        [None, None, "合计", None, None, 36000],
    ]
    report = run_import(make_ledger(rows))
    assert (report.created, report.total_rows, report.heading_rows, report.blank_rows) == (3, 2, 2, 1)
    assert only_project("台账测试项目2").region.name == "什邡市"
    assert only_project("台账测试项目3").region.name == "绵竹市"


def test_merged_region_cells_give_their_region_to_every_row_below(make_ledger, run_import):
    rows = [ledger_row(1, 所在地区="绵竹"), ledger_row(2, 所在地区=None), ledger_row(3, 所在地区=None)]
    column = chr(ord("A") + HEADER.index("所在地区"))
    report = run_import(make_ledger(rows, merges=(f"{column}3:{column}5",)))
    assert report.created == 3
    assert set(Project.objects.values_list("region__name", flat=True)) == {"绵竹市"}


def test_a_messy_ledger_with_every_form_at_once_goes_in(make_ledger, run_import, tmp_path):
    """Merged title and header, 亿元 in the title, a group header over the dates, full-width digits,
    thousands separators, text and Excel dates, regions by short name and code, stage words, totals."""
    from tests.ledger.conftest import build_workbook

    rows = [
        ["德阳市2012年重点项目全程代办台账"] + [None] * 11,
        [None] * 10 + ["单位：亿元"],
        [
            "序号",
            "项目 名称",
            "建设单位",
            "统一社会信用代码",
            "总投资",
            "行业",
            "县（市、区）",
            "项目进度",
            "时间节点",
            None,
            None,
            None,
        ],
        [None, None, None, None, None, None, None, None, "签约", "受理", "立项", "开工"],
        ["一、广汉市"] + [None] * 11,
        [
            1,
            "甲项目",
            "甲公司",
            make_uscc(1),
            "１．２",
            "制造业",
            "广汉",
            "在建",
            "2012年3月1日",
            datetime.datetime(2012, 4, 1),
            None,
            "2012.6.1",
        ],
        [2, "乙项目", "乙公司", make_uscc(2), "8,500万元", "C", None, "已签约", "2012/5/1", None, None, None],
        ["小计", None, None, None, None, None, None, None, None, None, None, None],
        ["二、经开区"] + [None] * 11,
        [3, "丙项目", "甲公司", None, 3, "工业", "Z510601", "前期", "2012-07-01", "2012年7月", None, None],
        ["合计", None, None, None, None, None, None, None, None, None, None, None],
    ]
    merges = (
        "A1:L1",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:E4",
        "F3:F4",
        "G3:G4",
        "H3:H4",
        "I3:L3",
        "G6:G7",
    )
    path = build_workbook(tmp_path / "messy.xlsx", rows, merges=merges)
    report = run_import(path)
    assert report.exit_code == EXIT_DONE, [str(issue) for issue in report.errors]
    assert (report.created, report.total_rows, report.heading_rows) == (3, 2, 2)
    first, second, third = (only_project(name) for name in ("甲项目", "乙项目", "丙项目"))
    assert (first.total_investment_wan, first.stage, first.started_on) == (
        Decimal("12000.00"),
        "started",
        D(2012, 6, 1),
    )
    assert first.approved_on == D(2012, 6, 1)
    assert (second.total_investment_wan, second.region.code, second.stage) == (
        Decimal("8500.00"),
        "510681",
        "signed",
    )
    assert (third.region.code, third.investor, third.intake_on) == ("Z510601", first.investor, D(2012, 7, 1))
    assert Investor.objects.count() == 2


# -- errors ---------------------------------------------------------------------------------------


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(make_ledger, run_import):
    rows = [
        ledger_row(1),
        ledger_row(2, **{"总投资（万元）": "很多"}),
        ledger_row(3, 签约时间="2012-13-01"),
        ledger_row(4, 所在地区="成都市"),
        ledger_row(5, 项目阶段="未知"),
        ledger_row(6, 统一社会信用代码="91510600MA6XXXXXX1"),
        ledger_row(7, 受理时间="2012-02-01"),
        ledger_row(8, 项目名称=None, 项目阶段="在建", 开工时间="2012-05-01"),
        ledger_row(9, 受理时间="2099-01-01"),
    ]
    report = run_import(make_ledger(rows))
    assert report.exit_code == EXIT_ROW_ERRORS
    assert (report.invalid, report.written) == (8, False)
    assert Project.objects.count() == 0
    assert Investor.objects.count() == 0
    located = [(issue.row, issue.column, issue.header) for issue in report.errors]
    assert located == [
        (4, "F", "总投资（万元）"),
        (5, "J", "签约时间"),
        (6, "H", "所在地区"),
        (7, "I", "项目阶段"),
        (8, "E", "统一社会信用代码"),
        (9, "K", "受理时间"),
        (10, "C", "项目名称"),
        (11, "K", "受理时间"),
    ]
    messages = {issue.row: issue.message for issue in report.errors}
    assert "很多" in messages[4]
    assert "not a region of this city" in messages[6]
    assert "before 签约时间" in messages[9]
    assert "in the future" in messages[11]
    assert "Row 4, column F (总投资（万元）)" in str(report.errors[0])


def test_skip_invalid_writes_the_good_rows_and_lists_the_rest(make_ledger, run_import):
    rows = [ledger_row(1), ledger_row(2, 所属行业="航天"), ledger_row(3)]
    report = run_import(make_ledger(rows), skip_invalid=True)
    assert (report.exit_code, report.created, report.invalid, report.written) == (EXIT_DONE, 2, 1, True)
    assert [(issue.row, issue.column) for issue in report.errors] == [(4, "G")]
    assert sorted(Project.objects.values_list("name", flat=True)) == ["台账测试项目1", "台账测试项目3"]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1), ledger_row(2)]), dry_run=True)
    assert (report.exit_code, report.created, report.written) == (EXIT_DONE, 2, False)
    assert Project.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_new_project_needs_an_investor_code_when_the_investor_is_unknown(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1, 统一社会信用代码=None)]))
    assert [(issue.row, issue.column) for issue in report.errors] == [(3, "D")]
    assert "give its unified social credit code" in report.errors[0].message


def test_a_registered_investor_is_found_by_name_alone(make_ledger, run_import):
    investor = InvestorFactory(name="台账测试企业1")
    assert run_import(make_ledger([ledger_row(1, 统一社会信用代码=None)])).created == 1
    assert only_project("台账测试项目1").investor == investor


def test_a_row_repeating_another_is_refused(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1), ledger_row(1, 序号=2)]))
    assert [(issue.row, issue.message) for issue in report.errors] == [
        (4, "This project was already in row 3.")
    ]


def test_a_file_that_is_not_a_workbook_is_reported_as_unusable(tmp_path, run_import):
    path = tmp_path / "ledger.xlsx"
    path.write_text("not a workbook")
    report = run_import(path)
    assert report.exit_code == EXIT_UNUSABLE
    assert "not an Excel workbook" in report.fatal


# -- re-imports and updates -----------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(make_ledger, run_import):
    path = make_ledger([ledger_row(1), ledger_row(2, 项目阶段="在建", 开工时间="2012-06-01")])
    run_import(path)
    audit_rows, timeline_rows = AuditEntry.objects.count(), TimelineEntry.objects.count()
    versions = dict(Project.objects.values_list("name", "version"))
    again = run_import(path)
    assert (again.exit_code, again.created, again.updated, again.unchanged) == (EXIT_DONE, 0, 0, 2)
    assert (AuditEntry.objects.count(), TimelineEntry.objects.count()) == (audit_rows, timeline_rows)
    assert dict(Project.objects.values_list("name", "version")) == versions


def test_a_changed_row_updates_its_project_found_by_name_and_investor(make_ledger, run_import):
    run_import(make_ledger([ledger_row(1)]))
    project = only_project("台账测试项目1")
    changed = ledger_row(
        1, **{"总投资（万元）": 15000, "项目阶段": "在建", "立项时间": "2012-05-01", "开工时间": "2012-06-01"}
    )
    report = run_import(make_ledger([changed]))
    assert (report.updated, report.unchanged) == (1, 0)
    project.refresh_from_db()
    assert (project.total_investment_wan, project.stage, project.started_on) == (
        Decimal("15000.00"),
        "started",
        D(2012, 6, 1),
    )
    update = AuditEntry.objects.get(action="update", object_id=str(project.pk))
    assert update.changes == {"total_investment_wan": ["12000.00", "15000.00"]}
    assert AuditEntry.objects.filter(action="transition", object_id=str(project.pk)).count() == 2


def test_a_changed_row_updates_its_project_found_by_code_including_its_name(
    make_ledger, run_import, guanghan
):
    project = ProjectFactory(name="旧名称项目", region=guanghan, level="county")
    row = ledger_row(
        1,
        项目代码=project.code,
        项目名称="新名称项目",
        项目单位=project.investor.name,
        统一社会信用代码=project.investor.uscc,
        签约时间="2012-03-01",
        受理时间="2012-04-01",
    )
    report = run_import(make_ledger([row]))
    assert report.updated == 1, [str(issue) for issue in report.errors]
    project.refresh_from_db()
    assert (project.name, project.total_investment_wan) == ("新名称项目", Decimal("12000.00"))


def test_a_national_code_replaces_the_provisional_one_of_the_project_found_by_name(make_ledger, run_import):
    run_import(make_ledger([ledger_row(1)]))
    report = run_import(make_ledger([ledger_row(1, 项目代码="2012-510681-04-01-300125")]))
    assert report.updated == 1
    project = only_project("台账测试项目1")
    assert (project.code, project.code_is_provisional) == ("2012-510681-04-01-300125", False)


def test_a_row_cannot_move_a_project_back(make_ledger, run_import):
    run_import(make_ledger([ledger_row(1, 项目阶段="在建", 立项时间="2012-05-01", 开工时间="2012-06-01")]))
    report = run_import(make_ledger([ledger_row(1, 项目阶段="已签约", 受理时间=None)]))
    assert report.exit_code == EXIT_ROW_ERRORS
    assert report.errors[0].field == "stage"
    assert "cannot move it back" in report.errors[0].message


def test_a_different_date_for_a_stage_already_reached_is_a_warning_not_a_change(make_ledger, run_import):
    run_import(make_ledger([ledger_row(1)]))
    report = run_import(make_ledger([ledger_row(1, 签约时间="2012-03-02")]))
    assert report.unchanged == 1
    assert report.warnings[0].field == "signed_on"
    assert only_project("台账测试项目1").signed_on == D(2012, 3, 1)


# -- who may import what --------------------------------------------------------------------------


def test_a_county_user_may_import_only_rows_of_their_region(make_ledger, run_import):
    rows = [ledger_row(1), ledger_row(2, 所在地区="绵竹市"), ledger_row(3, 所在地区=None)]
    report = run_import(make_ledger(rows), actor="county_gh")
    assert [(issue.row, issue.column) for issue in report.errors] == [(4, "H")]
    assert "outside the area you work in" in report.errors[0].message
    assert report.exit_code == EXIT_ROW_ERRORS
    report = run_import(make_ledger(rows), actor="county_gh", skip_invalid=True)
    assert report.created == 2
    assert set(Project.objects.values_list("region__code", flat=True)) == {"510681"}


def test_a_county_user_cannot_change_another_countys_project_through_a_ledger(make_ledger, run_import, world):
    project = world["mianzhu"]
    row = ledger_row(
        1,
        项目代码=project.code,
        项目名称=project.name,
        项目单位=project.investor.name,
        统一社会信用代码=project.investor.uscc,
        所在地区="绵竹市",
    )
    report = run_import(make_ledger([row]), actor="county_gh")
    assert report.invalid == 1
    assert "outside the area you work in" in report.errors[0].message


def test_the_ledger_region_fills_empty_cells_and_refuses_rows_elsewhere(make_ledger, run_import):
    rows = [ledger_row(1, 所在地区=None), ledger_row(2, 所在地区="什邡市")]
    report = run_import(make_ledger(rows), region="510683", skip_invalid=True)
    assert report.created == 1
    assert only_project("台账测试项目1").region.code == "510683"
    assert "outside the ledger's region" in report.errors[0].message


def test_an_unknown_ledger_region_makes_the_import_unusable(make_ledger, run_import):
    assert run_import(make_ledger([ledger_row(1)]), region="999999").exit_code == EXIT_UNUSABLE


def test_an_agent_may_not_change_another_agents_project(make_ledger, run_import, world, people):
    project = world["mianzhu"]
    row = ledger_row(
        1,
        项目代码=project.code,
        项目名称=project.name,
        项目单位=project.investor.name,
        统一社会信用代码=project.investor.uscc,
        所在地区="绵竹市",
        **{"总投资（万元）": 99999},
    )
    report = run_import(make_ledger([row]), actor="agent1")
    assert report.invalid == 1
    assert "another agent" in report.errors[0].message


def test_people_who_may_not_take_projects_in_cannot_import(make_ledger, people):
    from django.core.exceptions import PermissionDenied

    from onewindow.ledger.services import import_ledger

    for role in ("clerk_fgw", "investor_yulong"):
        with pytest.raises(PermissionDenied):
            import_ledger(actor=people[role], source=make_ledger([ledger_row(1)]))


def test_an_import_leaves_no_garbage_in_cycles_that_grows_with_its_rows(make_ledger, run_import):
    # The collector is paused while a ledger is read and imported (``reader.collections_paused``):
    # that is only safe while reading and importing leave (almost) nothing in cycles for it.
    def left_in_cycles(first: int, rows: int) -> int:
        path = make_ledger([ledger_row(number) for number in range(first, first + rows)])
        gc.collect()
        collected = []

        def count(phase: str, info: dict) -> None:
            if phase == "stop":
                collected.append(info["collected"])

        gc.callbacks.append(count)  # the runs that follow the pause count too
        try:
            report = run_import(path)
            gc.collect()
        finally:
            gc.callbacks.remove(count)
        assert report.created == rows
        return sum(collected)

    few = left_in_cycles(1, 20)
    many = left_in_cycles(1000, 400)
    assert many <= few + 100
