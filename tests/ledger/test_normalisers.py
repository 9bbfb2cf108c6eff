"""Every cell normaliser, on the forms real ledgers use. No database: these are pure functions."""

import datetime
from decimal import Decimal

import pytest

from onewindow.ledger import normalisers as norm
from onewindow.ledger.normalisers import Invalid, LedgerDate, RegionEntry, RegionIndex
from onewindow.projects.stages import Stage

D = datetime.date


@pytest.mark.parametrize(
    ("value", "factor", "expected"),
    [
        (12000, norm.WAN, "12000.00"),
        (1.25, Decimal(10000), "12500.00"),
        ("1.25", Decimal(10000), "12500.00"),
        ("１．２５", Decimal(10000), "12500.00"),
        ("１２，５００．５", norm.WAN, "12500.50"),
        ("12,500.50", norm.WAN, "12500.50"),
        ("1,234,567", norm.WAN, "1234567.00"),
        (" 8500 ", norm.WAN, "8500.00"),
        ("8500万元", Decimal(10000), "8500.00"),
        ("8500万", Decimal(10000), "8500.00"),
        ("3亿元", norm.WAN, "30000.00"),
        ("3亿", norm.WAN, "30000.00"),
        ("2,000,000元", norm.WAN, "200.00"),
        ("约5000万元", norm.WAN, "5000.00"),
        ("0.00005", Decimal(10000), "0.50"),
    ],
)
def test_amounts_are_read_in_wan_whatever_unit_separators_or_digit_width(value, factor, expected):
    assert norm.parse_amount(value, factor) == Decimal(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "—", "-", "/", "无"])
def test_an_empty_amount_is_none(value):
    assert norm.parse_amount(value) is None


@pytest.mark.parametrize("value", ["abc", "12.5.3", "1,23", "12,50.5", "五千万", True])
def test_text_that_is_no_amount_is_refused_with_the_value_quoted(value):
    with pytest.raises(Invalid, match=str(value) if value is not True else "True"):
        norm.parse_amount(value)


def test_an_amount_too_large_for_the_register_is_refused():
    with pytest.raises(Invalid, match="too large"):
        norm.parse_amount("999999999亿元")


@pytest.mark.parametrize(
    ("header", "factor", "label"),
    [
        ("总投资（亿元）", Decimal(10000), "亿元"),
        ("总投资(亿元)", Decimal(10000), "亿元"),
        ("计划总投资（万元）", Decimal(1), "万元"),
        ("总投资（亿）", Decimal(10000), "亿元"),
        ("单位：亿元", Decimal(10000), "亿元"),
        ("金额单位:万元", Decimal(1), "万元"),
        ("投资额（元）", Decimal("0.0001"), "元"),
    ],
)
def test_a_unit_named_in_a_header_or_title_is_found(header, factor, label):
    assert norm.unit_in(header) == (factor, label)


@pytest.mark.parametrize("header", ["总投资", "项目名称", "德阳市2012年重点项目台账"])
def test_a_header_without_a_unit_names_none(header):
    assert norm.unit_in(header) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2012, 8, 27), LedgerDate(D(2012, 8, 27))),
        (D(2012, 8, 27), LedgerDate(D(2012, 8, 27))),
        ("2012-08-27", LedgerDate(D(2012, 8, 27))),
        ("2012/8/27", LedgerDate(D(2012, 8, 27))),
        ("2012.8.27", LedgerDate(D(2012, 8, 27))),
        ("2012年8月27日", LedgerDate(D(2012, 8, 27))),
        ("2012年8月27号", LedgerDate(D(2012, 8, 27))),
        ("２０１２年８月２７日", LedgerDate(D(2012, 8, 27))),
        ("2012-08-27 00:00:00", LedgerDate(D(2012, 8, 27))),
        ("20120827", LedgerDate(D(2012, 8, 27))),
        (20120827, LedgerDate(D(2012, 8, 27))),
        (41148, LedgerDate(D(2012, 8, 27))),
        ("2012年8月", LedgerDate(D(2012, 8, 1), month_only=True)),
        ("2012年8月份", LedgerDate(D(2012, 8, 1), month_only=True)),
        ("2012-08", LedgerDate(D(2012, 8, 1), month_only=True)),
        ("2012.8", LedgerDate(D(2012, 8, 1), month_only=True)),
        (2012.08, LedgerDate(D(2012, 8, 1), month_only=True)),
        (2012.12, LedgerDate(D(2012, 12, 1), month_only=True)),
    ],
)
def test_dates_are_read_from_excel_dates_serial_numbers_and_every_text_form(value, expected):
    assert norm.parse_date(value) == expected


def test_a_number_that_may_be_january_or_october_is_refused_with_the_reason():
    with pytest.raises(Invalid, match="January or October"):
        norm.parse_date(2012.1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2012-02-30", "not a real date"),
        ("2012年13月", "not a real date"),
        ("2012", "only a year"),
        (2012, "only a year"),
        ("1850-01-01", "not plausible"),
        ("next spring", "not a date"),
        ("27/8/2012", "not a date"),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_with_a_message(value, message):
    with pytest.raises(Invalid, match=message):
        norm.parse_date(value)


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("洽谈", Stage.NEGOTIATING),
        ("在谈", Stage.NEGOTIATING),
        ("已签约", Stage.SIGNED),
        ("签约", Stage.SIGNED),
        ("前期", Stage.INTAKE),
        ("前期工作", Stage.INTAKE),
        ("已受理代办", Stage.INTAKE),
        ("已立项", Stage.APPROVED),
        ("已备案", Stage.APPROVED),
        ("开工", Stage.STARTED),
        ("已开工", Stage.STARTED),
        ("在建", Stage.STARTED),
        ("续建", Stage.STARTED),
        ("已开工（主体施工）", Stage.STARTED),
        ("已竣工", Stage.COMPLETED),
        ("投产", Stage.PRODUCING),
        ("建成投产", Stage.PRODUCING),
        ("暂缓", Stage.SUSPENDED),
        ("缓建", Stage.SUSPENDED),
        ("终止", Stage.TERMINATED),
        ("started", Stage.STARTED),
        ("Construction started", Stage.STARTED),
        (" 在 建 ", Stage.STARTED),
    ],
)
def test_stage_words_map_onto_the_stage_machine(word, stage):
    assert norm.parse_stage(word) == stage


def test_an_unknown_stage_word_is_refused_with_the_words_to_use():
    with pytest.raises(Invalid, match="在建"):
        norm.parse_stage("未开工")


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        ("C", "C"),
        ("c", "C"),
        ("C 制造业", "C"),
        ("C制造业", "C"),
        ("制造业", "C"),
        ("制造", "C"),
        ("工业", "C"),
        ("电力、热力、燃气及水生产和供应业", "D"),
        ("电力热力燃气及水生产和供应业", "D"),
        ("房地产业", "K"),
        ("文旅", "R"),
        ("农、林、牧、渔业", "A"),
        ("Manufacturing", "C"),
    ],
)
def test_industries_are_read_by_letter_name_or_common_short_word(value, letter):
    assert norm.parse_industry(value) == letter


@pytest.mark.parametrize("value", ["C 农业", "航天", "Z"])
def test_an_industry_that_is_no_gbt_4754_section_is_refused(value):
    with pytest.raises(Invalid, match="GB/T 4754"):
        norm.parse_industry(value)


@pytest.mark.parametrize(
    ("value", "level"),
    [("市级", "city"), ("市本级", "city"), ("县级", "county"), ("县（市、区）级", "county")],
)
def test_handling_levels_are_read(value, level):
    assert norm.parse_level(value) == level


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (norm.parse_nature, "新建", "new"),
        (norm.parse_nature, "扩建", "expansion"),
        (norm.parse_nature, "改扩建", "renovation"),
        (norm.parse_nature, "技改", "tech_upgrade"),
        (norm.parse_approval_type, "备案", "filing"),
        (norm.parse_approval_type, "核准制", "ratification"),
        (norm.parse_approval_type, "审批", "examination"),
        (norm.parse_project_type, "基本建设", "01"),
        (norm.parse_project_type, "技术改造", "02"),
        (norm.parse_project_type, 3, "03"),
        (norm.parse_project_type, "05", "05"),
        (norm.parse_yes_no, "是", True),
        (norm.parse_yes_no, "√", True),
        (norm.parse_yes_no, "否", False),
        (norm.parse_yes_no, "×", False),
        (norm.parse_yes_no, 1.0, True),
        (norm.parse_yes_no, "", None),
    ],
)
def test_choices_and_yes_no_are_read_from_their_chinese_words(parse, value, expected):
    assert parse(value) == expected


def test_a_yes_no_cell_that_is_neither_is_refused():
    with pytest.raises(Invalid, match="neither yes"):
        norm.parse_yes_no("也许")


def test_project_codes_are_upper_cased_and_full_width_forms_folded():
    assert norm.parse_code(" １２０５-510681-03-01-12345x ") == "1205-510681-03-01-12345X"
    assert norm.parse_code("—") == ""


def test_names_keep_their_characters_and_lose_only_extra_whitespace():
    assert norm.text("  江苏玉龙钢管（德阳）\u3000有限公司 ") == "江苏玉龙钢管（德阳） 有限公司"
    assert norm.text(5100.0) == "5100"
    assert norm.text("—") == ""


def test_header_words_fold_full_width_forms_spaces_and_punctuation():
    assert norm.fold("项目 名称") == norm.fold("项目名称")
    assert norm.fold("县（市、区）") == "县市区"
    assert norm.squash("ＵＳＣＣ") == "uscc"


@pytest.fixture
def regions() -> RegionIndex:
    city = RegionEntry(1, "510600", "德阳市", "510600/", None)
    return RegionIndex(
        [
            city,
            RegionEntry(2, "510603", "旌阳区", "510600/510603/", 1),
            RegionEntry(3, "510604", "罗江区", "510600/510604/", 1),
            RegionEntry(4, "510681", "广汉市", "510600/510681/", 1),
            RegionEntry(5, "510623", "中江县", "510600/510623/", 1),
            RegionEntry(6, "Z510601", "德阳经济技术开发区", "510600/Z510601/", 1),
            RegionEntry(7, "Z510602", "德阳高新技术产业开发区", "510600/Z510602/", 1),
        ]
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("广汉市", "510681"),
        ("广汉", "510681"),
        ("510681", "510681"),
        (510681, "510681"),
        ("罗江县", "510604"),
        ("中江", "510623"),
        ("德阳经济技术开发区", "Z510601"),
        ("经开区", "Z510601"),
        ("德阳经开区", "Z510601"),
        ("经济技术开发区", "Z510601"),
        ("高新区", "Z510602"),
        ("z510602", "Z510602"),
        ("德阳市", "510600"),
        ("德阳", "510600"),
        ("市本级", "510600"),
        (" 广 汉 市 ", "510681"),
    ],
)
def test_regions_are_found_by_code_or_by_name_with_or_without_suffix_or_city(regions, value, code):
    assert regions.resolve(value).code == code


def test_a_region_outside_the_city_is_refused(regions):
    with pytest.raises(Invalid, match="not a region of this city"):
        regions.resolve("成都市")
