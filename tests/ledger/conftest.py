"""Ledger workbooks built by the tests with openpyxl, as messy as real ones, and a way to import them."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import Workbook

from onewindow.ledger.services import ImportOptions, import_ledger
from tests.factories import make_uscc

D = datetime.date

# A plain ledger: one title row, the unit in 万元, one header row.
HEADER = [
    "序号",
    "项目代码",
    "项目名称",
    "项目单位",
    "统一社会信用代码",
    "总投资（万元）",
    "所属行业",
    "所在地区",
    "项目阶段",
    "签约时间",
    "受理时间",
    "立项时间",
    "开工时间",
]
COLUMN = {name: index for index, name in enumerate(HEADER)}


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the default language of the site."""
    with translation.override("en"):
        yield


def ledger_row(number: int = 1, **cells) -> list:
    """A data row of the plain ledger; cells are given by header (项目名称="…"), the rest are valid."""
    values = {
        "序号": number,
        "项目名称": f"台账测试项目{number}",
        "项目单位": f"台账测试企业{number}",
        "统一社会信用代码": make_uscc(5000 + number),
        "总投资（万元）": 12000,
        "所属行业": "制造业",
        "所在地区": "广汉市",
        "项目阶段": "已受理代办",
        "签约时间": "2012-03-01",
        "受理时间": "2012-04-01",
    }
    values.update(cells)
    return [values.get(name) for name in HEADER]


def build_workbook(
    path: Path, rows: list[list], *, merges: tuple[str, ...] = (), sheet: str = "台账"
) -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for cells in merges:
        worksheet.merge_cells(cells)
    workbook.save(path)
    return path


@pytest.fixture
def make_ledger(tmp_path):
    """Write a ledger: ``make_ledger(rows)`` puts a title row and the header above ``rows``."""
    counter = iter(range(1, 10_000))

    def make(
        rows: list[list], *, header: list | None = None, title: list[list] | None = None, **options
    ) -> Path:
        top = title if title is not None else [["德阳市投资项目台账"]]
        return build_workbook(
            tmp_path / f"ledger-{next(counter)}.xlsx", [*top, header or HEADER, *rows], **options
        )

    return make


@pytest.fixture
def run_import(people):
    """Import a ledger as a person (the leader unless told), returning the report."""

    def run(path, *, actor: str = "leader", **options):
        return import_ledger(actor=people[actor], source=path, options=ImportOptions(**options))

    return run


def amount(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


@pytest.fixture
def login(people):
    """A test client signed in as one of the demo roles (``None`` stays anonymous), in English."""

    def client_for(role: str | None) -> Client:
        client = Client(headers={"accept-language": "en"})
        if role is not None:
            client.force_login(people[role])
        return client

    return client_for
