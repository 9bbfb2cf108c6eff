"""One real browser run of the upload page: a leader uploads a messy ledger, reads the preview and
confirms. Screenshots of what it saw are kept in test-results/ for a person to look at."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from onewindow.projects.models import Project
from tests.factories import make_uscc
from tests.ledger.conftest import build_workbook

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.ONEWINDOW_LEDGER_UPLOAD_DIR = tmp_path / "uploads"


@pytest.mark.browser
def test_a_leader_previews_and_imports_a_messy_ledger(live_server, people, tmp_path):
    rows = [
        ["德阳市2012年重点项目台账"] + [None] * 9,
        [None] * 9 + ["单位：亿元"],
        [
            "序号",
            "项目 名称",
            "建设单位",
            "统一社会信用代码",
            "总投资",
            "行业",
            "县（市、区）",
            "项目进度",
            "签约时间",
            "受理时间",
        ],
        ["一、广汉市"] + [None] * 9,
        [
            1,
            "三星堆文旅综合体项目",
            "广汉文旅公司",
            make_uscc(11),
            "１．５",
            "文旅",
            "广汉",
            "前期",
            "2012年3月1日",
            datetime.datetime(2012, 4, 1),
        ],
        [
            2,
            "食品产业园项目",
            "广汉食品公司",
            make_uscc(12),
            "8,500万元",
            "C",
            None,
            "已签约",
            "2012/5/1",
            None,
        ],
        ["小计"] + [None] * 9,
        [3, "坏日期项目", "广汉食品公司", make_uscc(12), 1, "C", "广汉", "已签约", "明年", None],
    ]
    path = build_workbook(tmp_path / "德阳台账.xlsx", rows, merges=("A1:J1", "G5:G6"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        page.click("nav.main-nav a[href='/ledger/import/']")
        page.set_input_files("#id_file", str(path))
        page.click("form[action='/ledger/import/'] button[type=submit]")
        expect(page.locator("form[action='/ledger/import/confirm/']")).to_have_count(1)
        expect(page.locator("text=明年")).not_to_have_count(0)
        page.screenshot(path=str(SCREENSHOTS / "ledger-preview.png"), full_page=True)
        page.click("form[action='/ledger/import/confirm/'] button[type=submit]")
        expect(page.locator("a[href='/projects/']").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "ledger-result.png"), full_page=True)
        browser.close()
    assert sorted(Project.objects.values_list("name", flat=True)) == [
        "三星堆文旅综合体项目",
        "食品产业园项目",
    ]
