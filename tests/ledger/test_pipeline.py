"""Reading a ledger in a second process: what comes back is what the import would have read itself, in
order, with the regions as the importing process's own objects; failures and early stops end the child."""

import datetime
import os
import pickle
import threading
import zipfile

import pytest

from onewindow.ledger import pipeline
from onewindow.ledger.normalisers import LedgerDate
from onewindow.ledger.plan import Resume, StagePlan, Step
from onewindow.ledger.reader import LedgerFileError
from onewindow.ledger.report import EXIT_DONE, EXIT_UNUSABLE
from onewindow.projects.models import Project
from onewindow.projects.stages import Stage
from onewindow.regions.models import Region
from tests.factories import make_uscc
from tests.ledger.conftest import ledger_row


class Thing:
    def __init__(self, name: str) -> None:
        self.name = name


def no_reading_thread_left() -> bool:
    return not any(thread.name == "ledger-pipe" for thread in threading.enumerate())


def test_items_come_back_in_order_from_another_process():
    def produce(_note_progress):
        for number in range(1234):
            yield number, os.getpid()

    items = list(pipeline.forked(produce))
    assert [number for number, _pid in items] == list(range(1234))
    assert {pid for _number, pid in items} != {os.getpid()}
    assert no_reading_thread_left()


def test_shared_objects_come_back_as_this_processs_own_and_others_as_copies():
    first, second, stranger = Thing("first"), Thing("second"), Thing("stranger")

    def produce(_note_progress):
        yield [first, second, stranger]

    [(got_first, got_second, got_stranger)] = list(pipeline.forked(produce, shared=[first, second]))
    assert got_first is first
    assert got_second is second
    assert got_stranger is not stranger
    assert got_stranger.name == "stranger"


def test_progress_reaches_the_caller_in_order_with_the_items():
    heard: list[tuple[int, int]] = []
    taken: list[int] = []

    def produce(note_progress):
        for number in range(1, 1501):
            yield number
            if number % 1000 == 0:
                note_progress(number)
        note_progress(1500)

    for item in pipeline.forked(produce, progress=lambda number: heard.append((number, len(taken)))):
        taken.append(item)
    assert [number for number, _taken in heard] == [1000, 1500]
    # Each number is heard once the items read before it have come back.
    assert all(taken_so_far >= number for number, taken_so_far in heard)


def test_an_error_in_the_other_process_is_raised_here_after_the_items_before_it():
    def produce(_note_progress):
        yield from range(600)
        raise LedgerFileError("The workbook is damaged after row 600.")

    taken = []
    with pytest.raises(LedgerFileError, match="damaged after row 600"):
        for item in pipeline.forked(produce):
            taken.append(item)
    assert taken == list(range(600))
    assert no_reading_thread_left()


def test_an_error_that_cannot_travel_arrives_with_its_traceback():
    class Local(Exception):  # a class defined in a function cannot be pickled
        pass

    def produce(_note_progress):
        yield 1
        raise Local("beyond the pipe")

    with pytest.raises(RuntimeError, match="beyond the pipe"):
        list(pipeline.forked(produce))


def test_stopping_early_ends_the_other_process():
    def produce(_note_progress):
        while True:
            yield os.getpid()

    items = pipeline.forked(produce)
    child = next(items)
    items.close()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # reaped: no such process any more
    assert no_reading_thread_left()


def test_typed_dates_and_stage_plans_travel_whole_and_keep_their_kind():
    day = datetime.date(2012, 8, 27)
    plan = StagePlan(
        initial_stage=Stage.INTAKE,
        initial_dates={"signed_on": day, "negotiation_on": None},
        steps=[Step(Stage.SUSPENDED, day, "资金未到位"), Resume(Stage.STARTED, day)],
        errors={"stage": "x"},
        warnings=[("stage", "y")],
    )
    for value in (LedgerDate(day, month_only=True), plan):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
        assert back == value
    assert [type(step) for step in pickle.loads(pickle.dumps(plan)).steps] == [Step, Resume]  # noqa: S301
    assert pickle.loads(pickle.dumps(plan)).steps[1].resumes  # noqa: S301


def test_the_import_decides_by_itself_only_for_long_sheets(make_ledger, run_import):
    report = run_import(make_ledger([ledger_row(1)]), dry_run=True)
    assert not report.read_in_second_process


def messy_rows(count: int) -> list[list]:
    """Rows of every kind: headings that give a region, totals, blanks, errors, repeated investors."""
    rows: list[list] = []
    for number in range(1, count + 1):
        if number % 97 == 0:
            rows.append(["一、经开区"] + [None] * 12)
        if number % 89 == 0:
            rows.append(["小计"] + [None] * 12)
        if number % 83 == 0:
            rows.append([None] * 13)
        cells = {}
        if number % 7 == 0:
            cells["统一社会信用代码"] = make_uscc(5000 + number - 1)  # the investor of the row before
            cells["项目单位"] = f"台账测试企业{number - 1}"
        if number % 11 == 0:
            cells["所在地区"] = None
        if number % 13 == 0:
            cells["项目阶段"] = "在建"
            cells["开工时间"] = "2012年6月"
        if number % 31 == 0:
            cells["总投资（万元）"] = "很多"
        if number % 37 == 0:
            cells["受理时间"] = "2012-02-01"
        if number % 41 == 0:
            cells["总投资（万元）"] = 0  # typed well, refused by the intake's own checks
        rows.append(ledger_row(number, **cells))
    rows.append(["合计"] + [None] * 12)
    return rows


def comparable(report) -> dict:
    result = report.as_dict()
    result.pop("read_in_second_process")
    result.pop("seconds", None)
    return result


def test_reading_in_a_second_process_decides_every_row_as_reading_here(make_ledger, run_import):
    path = make_ledger(messy_rows(1200))
    here = run_import(path, dry_run=True, reading_process=False, skip_invalid=True)
    there = run_import(path, dry_run=True, reading_process=True, skip_invalid=True)
    assert (here.read_in_second_process, there.read_in_second_process) == (False, True)
    assert here.invalid > 0 and here.created > 1000 and here.heading_rows > 0
    assert comparable(there) == comparable(here)
    assert Project.objects.count() == 0


def test_an_import_read_in_a_second_process_writes_its_projects(make_ledger, run_import):
    rows = [ledger_row(number) for number in range(1, 701)]
    rows[10] = ledger_row(11, 所在地区="经开区")
    report = run_import(make_ledger(rows), reading_process=True)
    assert (report.exit_code, report.created, report.read_in_second_process) == (EXIT_DONE, 700, True)
    assert Project.objects.count() == 700
    zone = Region.objects.get(code="Z510601")
    assert Project.objects.get(name="台账测试项目11").region == zone
    assert Project.objects.filter(region__code="510681").count() == 699


def test_a_sheet_damaged_halfway_is_reported_alike_from_a_second_process(make_ledger, run_import, tmp_path):
    whole = make_ledger([ledger_row(number) for number in range(1, 1501)])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the XML stops in the middle of a row
            target.writestr(item, data)
    here = run_import(damaged, reading_process=False)
    there = run_import(damaged, reading_process=True)
    assert here.exit_code == there.exit_code == EXIT_UNUSABLE
    assert "damaged after row" in there.fatal
    assert there.rows_read > 500
    assert comparable(there) == comparable(here)
    assert Project.objects.count() == 0
    assert no_reading_thread_left()
