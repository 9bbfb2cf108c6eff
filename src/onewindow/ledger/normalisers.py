"""Cell normalisers: the messy values of real ledgers (台账) turned into typed values, or refused with a
message that says what was found and what is expected.

Pure functions, no database. Every function takes the raw cell value as openpyxl gives it (``str``,
``int``, ``float``, ``datetime`` or ``None``) and either returns the typed value (``None`` for an empty
cell) or raises ``Invalid``. Text is first folded with Unicode NFKC, which turns full-width digits, letters
and punctuation (１２３，．（）：) into their ASCII forms and the ideographic space into a space.
"""

import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from onewindow.core.codes import PROJECT_TYPES
from onewindow.projects.models import ApprovalType, ConstructionNature, Industry, Level
from onewindow.projects.stages import Stage


class Invalid(ValueError):
    """A cell that cannot be read; ``str(error)`` is the message for the person who typed it."""


# Cells that mean "nothing here" in Chinese ledgers.
EMPTY_WORDS = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无", "空", "none", "null", "n/a"})
_PUNCTUATION = re.compile(r"[\s、，,.。·:：;；/\\()\[\]【】<>《》\"'“”‘’\-—_*#!！?？]+")


def nfkc(value) -> str:
    return unicodedata.normalize("NFKC", str(value)) if value is not None else ""


def squash(value) -> str:
    """NFKC, no whitespace at all, case-folded: 项目 名称 → 项目名称, ＵＳＣＣ → uscc."""
    return "".join(nfkc(value).split()).casefold()


def fold(value) -> str:
    """``squash`` without punctuation either: the key under which words are looked up."""
    return _PUNCTUATION.sub("", squash(value))


def text(value) -> str:
    """A text cell as it should be stored: stripped, inner runs of whitespace made one space.

    Names keep their own characters (a full-width bracket in a company name stays full-width); only the
    whitespace is tidied. Numbers typed into a text column come back as their plain digits.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()[:10]
    cleaned = " ".join(str(value).split())
    return "" if is_empty(cleaned) else cleaned


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        # The longest word in EMPTY_WORDS has four characters; most cells are longer.
        return not stripped or (len(stripped) <= 4 and squash(stripped) in EMPTY_WORDS)
    return False


def shown(value, limit: int = 40) -> str:
    """A raw cell as messages quote it."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    rendered = str(value).strip()
    return rendered if len(rendered) <= limit else rendered[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# Amounts


WAN = Decimal(1)
UNIT_FACTORS = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": WAN,
    "万": WAN,
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}
# The largest amount the register can hold: 14 digits, 2 of them after the point.
MAX_WAN = Decimal("999999999999.99")
CENT = Decimal("0.01")

_UNIT_IN_HEADER = re.compile(
    r"(亿元|万元|千元)|[(（\[【](亿|万|元)[)）\]】]|单位[:：]?\s*(亿元|万元|千元|亿|万|元)"
)
_AMOUNT = re.compile(r"^(?P<number>[+-]?[\d,]*\.?\d+)(?P<unit>亿元|亿|万元|万|千元|元)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def unit_in(header: str) -> tuple[Decimal, str] | None:
    """The amount unit a header or title names: 总投资（亿元） → (10000, 亿元); none → ``None``."""
    match = _UNIT_IN_HEADER.search(nfkc(header).replace(" ", ""))
    if not match:
        return None
    unit = next(group for group in match.groups() if group)
    label = unit if unit.endswith("元") else f"{unit}元"
    return UNIT_FACTORS[unit], label


def parse_amount(value, factor: Decimal = WAN) -> Decimal | None:
    """An amount in 万元. ``factor`` converts the column's unit (亿元 → 10000); a unit written in the cell
    itself (3亿元, 5000万) wins over the column's. Thousands separators and full-width digits are fine."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise Invalid(_("%(value)s is not an amount.") % {"value": shown(value)})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    elif isinstance(value, str):
        cleaned = nfkc(value).replace(" ", "").replace("，", ",")
        cleaned = cleaned.removeprefix("约").removeprefix("≈").removesuffix("左右")
        match = _AMOUNT.match(cleaned)
        if not match:
            raise Invalid(
                _("%(value)s is not an amount; write a number such as 12,500.00 or 1.25亿元.")
                % {"value": shown(value)}
            )
        digits = match["number"]
        if "," in digits:
            if not _GROUPED.match(digits):
                raise Invalid(
                    _("%(value)s: the commas do not separate thousands, so the number is unclear.")
                    % {"value": shown(value)}
                )
            digits = digits.replace(",", "")
        try:
            number = Decimal(digits)
        except InvalidOperation:
            raise Invalid(_("%(value)s is not an amount.") % {"value": shown(value)}) from None
        if match["unit"]:
            factor = UNIT_FACTORS[match["unit"]]
    else:
        raise Invalid(_("%(value)s is not an amount.") % {"value": shown(value)})
    if not number.is_finite():
        raise Invalid(_("%(value)s is not an amount.") % {"value": shown(value)})
    amount = (number * factor).quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(amount) > MAX_WAN:
        raise Invalid(_("%(value)s is too large for the register.") % {"value": shown(value)})
    return amount


# ---------------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class LedgerDate:
    """A date as a ledger gave it; ``month_only`` when only the year and month were written (2012年8月),
    in which case ``value`` is the first day of that month."""

    value: datetime.date
    month_only: bool = False

    def __reduce__(self):
        # Pickled as its two values: rows carry their dates from the reading process (``pipeline``),
        # and a dataclass's own way rebuilds it attribute by attribute.
        return LedgerDate, (self.value, self.month_only)


EARLIEST_YEAR = 1980
LATEST_YEAR = 2100
# Excel serial numbers of 1980-01-01 and 2100-12-31: a plain number in that range in a date column is a
# date whose cell lost its date format.
_SERIAL_RANGE = (29221, 73415)
_DAY = re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})(?:日|号)?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月份?|月)?$")
_TIME_TAIL = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")


def _make_date(year: int, month: int, day: int, raw) -> datetime.date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise Invalid(
            _("%(value)s: the year %(year)d is not plausible for a project.")
            % {"value": shown(raw), "year": year}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Invalid(_("%(value)s is not a real date.") % {"value": shown(raw)}) from None


def _from_number(value: float | int, raw) -> LedgerDate:
    if isinstance(value, int) or float(value).is_integer():
        whole = int(value)
        compact = _COMPACT_DAY.match(str(whole))
        if compact:
            return LedgerDate(_make_date(*(int(part) for part in compact.groups()), raw))
        if _SERIAL_RANGE[0] <= whole <= _SERIAL_RANGE[1]:
            return LedgerDate(from_excel(whole).date())
        if EARLIEST_YEAR <= whole <= LATEST_YEAR:
            raise Invalid(
                _("%(value)s is only a year; give at least the month (2012年8月).") % {"value": raw}
            )
        raise Invalid(_("%(value)s is not a date.") % {"value": shown(raw)})
    # 2012.8 typed into a cell that Excel took for a number. One decimal digit is the month, except .1,
    # which may have been 2012.10 before Excel dropped the trailing zero.
    rendered = repr(float(value))
    year, _point, fraction = rendered.partition(".")
    if EARLIEST_YEAR <= int(year) <= LATEST_YEAR and len(fraction) <= 2:
        if fraction == "1":
            raise Invalid(
                _(
                    "%(value)s could be January or October (Excel drops the 0 of 2012.10); "
                    "write the date as text, e.g. 2012年10月."
                )
                % {"value": rendered}
            )
        month = int(fraction)
        if 1 <= month <= 12:
            return LedgerDate(_make_date(int(year), month, 1, raw), month_only=True)
    raise Invalid(_("%(value)s is not a date.") % {"value": shown(raw)})


def parse_date(value) -> LedgerDate | None:
    """Dates as Excel dates, serial numbers or text: 2012-08-27, 2012/8/27, 2012.8.27, 2012年8月27日,
    20120827, and month-only 2012年8月, 2012-08, 2012.8 (taken as the first of the month)."""
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return LedgerDate(_make_date(value.year, value.month, value.day, value))
    if isinstance(value, datetime.date):
        return LedgerDate(_make_date(value.year, value.month, value.day, value))
    if isinstance(value, bool):
        raise Invalid(_("%(value)s is not a date.") % {"value": shown(value)})
    if isinstance(value, int | float):
        return _from_number(value, value)
    cleaned = _TIME_TAIL.sub("", nfkc(value).strip()).replace(" ", "") if isinstance(value, str) else ""
    match = _DAY.match(cleaned) or _COMPACT_DAY.match(cleaned)
    if match:
        return LedgerDate(_make_date(*(int(part) for part in match.groups()), value))
    match = _MONTH.match(cleaned)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise Invalid(_("%(value)s is not a real date.") % {"value": shown(value)})
        return LedgerDate(_make_date(year, month, 1, value), month_only=True)
    if re.fullmatch(r"\d{4}年?", cleaned):
        raise Invalid(_("%(value)s is only a year; give at least the month (2012年8月).") % {"value": value})
    raise Invalid(
        _(
            "%(value)s is not a date; write it as 2012-08-27, 2012/8/27, 2012.8.27, "
            "2012年8月27日 or 2012年8月."
        )
        % {"value": shown(value)}
    )


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# ---------------------------------------------------------------------------------------------------
# Words: stages, levels, industries, choices, yes/no


def _table(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    table = {}
    for value, words in pairs:
        for word in words:
            table[fold(word)] = value
    return table


STAGE_WORDS = _table(
    [
        (Stage.NEGOTIATING, ["洽谈", "洽谈中", "在谈", "正在洽谈", "在洽谈", "跟踪洽谈", "意向", "意向项目"]),
        (Stage.SIGNED, ["签约", "已签约", "签约项目", "已签协议", "签订协议"]),
        (
            Stage.INTAKE,
            [
                "受理",
                "已受理",
                "受理代办",
                "已受理代办",
                "代办",
                "代办中",
                "在办",
                "前期",
                "前期工作",
                "前期阶段",
                "办理前期手续",
                "前期手续办理",
                "手续办理中",
            ],
        ),
        (Stage.APPROVED, ["立项", "已立项", "备案", "已备案", "核准", "已核准", "已审批", "审批通过"]),
        (
            Stage.STARTED,
            [
                "开工",
                "已开工",
                "新开工",
                "开工建设",
                "在建",
                "续建",
                "施工",
                "在施工",
                "施工中",
                "建设中",
                "正在建设",
                "动工",
            ],
        ),
        (Stage.COMPLETED, ["竣工", "已竣工", "完工", "已完工", "建成", "已建成", "竣工验收"]),
        (
            Stage.PRODUCING,
            [
                "投产",
                "已投产",
                "建成投产",
                "竣工投产",
                "投入生产",
                "试生产",
                "达产",
                "运营",
                "已运营",
                "投入运营",
                "建成运营",
            ],
        ),
        (Stage.SUSPENDED, ["暂缓", "已暂缓", "缓建", "停建", "停工", "暂停", "搁置"]),
        (Stage.TERMINATED, ["终止", "已终止", "取消", "已取消", "撤销", "已撤销", "退出", "放弃"]),
    ]
)
# The words the export writes, one per stage; the import reads them back (they are in STAGE_WORDS).
STAGE_LEDGER_WORDS = {
    Stage.NEGOTIATING: "洽谈",
    Stage.SIGNED: "已签约",
    Stage.INTAKE: "已受理代办",
    Stage.APPROVED: "已立项",
    Stage.STARTED: "已开工",
    Stage.COMPLETED: "已竣工",
    Stage.PRODUCING: "已投产",
    Stage.SUSPENDED: "暂缓",
    Stage.TERMINATED: "终止",
}
_REMARK = re.compile(r"[(（\[【].*?[)）\]】]")


def _lookup(value, table: dict[str, str], extra: dict[str, str] | None = None) -> str | None:
    key = fold(value)
    if key in table:
        return table[key]
    if extra and key in extra:
        return extra[key]
    # A remark in brackets after the word: 已开工（主体施工） → 已开工.
    bare = fold(_REMARK.sub("", nfkc(value)))
    if bare and bare != key:
        return table.get(bare) or (extra or {}).get(bare)
    return None


_CHOICE_WORDS: dict[tuple[type, str], dict[str, str]] = {}


def _choice_words(choices: type) -> dict[str, str]:
    """The values of a choices class and their labels, in the active language and in English, as lookup
    words (built once a language)."""
    key = (choices, get_language() or "")
    words = _CHOICE_WORDS.get(key)
    if words is None:
        words = {}
        for value, label in choices.choices:
            words[fold(value)] = value
            words[fold(str(label))] = value
            with override("en"):
                words[fold(str(label))] = value
        _CHOICE_WORDS[key] = words
    return words


def parse_stage(value) -> Stage | None:
    if is_empty(value):
        return None
    found = _lookup(value, STAGE_WORDS, _choice_words(Stage))
    if found is None:
        raise Invalid(
            _(
                "%(value)s is not a stage this import knows; "
                "use e.g. 洽谈, 已签约, 前期, 已立项, 在建, 已竣工, 投产, 暂缓 or 终止."
            )
            % {"value": shown(value)}
        )
    return Stage(found)


LEVEL_WORDS = _table(
    [
        (Level.CITY, ["市级", "市本级", "市", "市级项目", "市级代办"]),
        (
            Level.COUNTY,
            ["县级", "县区级", "区县级", "县市区级", "县(市、区)级", "县", "县级项目", "县级代办"],
        ),
    ]
)
LEVEL_LEDGER_WORDS = {Level.CITY: "市级", Level.COUNTY: "县级"}


def parse_level(value) -> str | None:
    if is_empty(value):
        return None
    found = _lookup(value, LEVEL_WORDS, _choice_words(Level))
    if found is None:
        raise Invalid(_("%(value)s is not a handling level; write 市级 or 县级.") % {"value": shown(value)})
    return found


# GB/T 4754-2017 sections by their official Chinese names, and the short names ledgers use.
INDUSTRY_NAMES = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
INDUSTRY_SHORT_NAMES = {
    "A": ["农业", "农林牧渔", "现代农业", "林业", "畜牧业", "渔业"],
    "B": ["采矿", "矿业"],
    "C": ["工业", "制造", "装备制造", "加工制造", "先进制造业"],
    "D": ["能源", "电力", "燃气", "供水", "水电气"],
    "E": ["建筑"],
    "F": ["商贸", "商贸流通", "批发零售", "零售"],
    "G": ["物流", "交通", "交通运输", "仓储物流"],
    "H": ["住宿餐饮", "酒店", "餐饮"],
    "I": ["信息", "软件", "信息技术", "电子信息"],
    "J": ["金融"],
    "K": ["房地产"],
    "L": ["商务服务"],
    "M": ["科研", "科技服务", "研发"],
    "N": ["公共设施", "环保", "水利", "基础设施"],
    "O": ["居民服务"],
    "P": ["教育", "学校"],
    "Q": ["卫生", "医疗", "医疗卫生", "养老"],
    "R": ["文化", "体育", "文旅", "旅游", "文化旅游"],
    "S": ["公共管理"],
    "T": ["国际组织"],
}
INDUSTRY_WORDS = _table(
    [(letter, [name, name.removesuffix("业")]) for letter, name in INDUSTRY_NAMES.items()]
    + list(INDUSTRY_SHORT_NAMES.items())
)
_INDUSTRY_PREFIX = re.compile(r"^([A-Ta-t])(?:[\s.、:：-]*)(.*)$")


def parse_industry(value) -> str | None:
    """A GB/T 4754 section: its letter, its name (制造业, 制造), ``C 制造业``, or a common short word."""
    if is_empty(value):
        return None
    squashed = nfkc(value).strip()
    match = _INDUSTRY_PREFIX.match(squashed)
    if match and (not match[2] or not match[2][0].isascii()):
        letter = match[1].upper()
        rest = match[2]
        if not rest or INDUSTRY_WORDS.get(fold(rest), letter) == letter:
            return letter
    found = _lookup(value, INDUSTRY_WORDS, _choice_words(Industry))
    if found is None:
        raise Invalid(
            _("%(value)s is not an industry section of GB/T 4754; write its letter (C) or its name (制造业).")
            % {"value": shown(value)}
        )
    return found


NATURE_WORDS = _table(
    [
        (ConstructionNature.NEW, ["新建", "新建项目"]),
        (ConstructionNature.EXPANSION, ["扩建", "扩能", "扩产"]),
        (ConstructionNature.RENOVATION, ["改建", "改扩建", "迁建", "改造"]),
        (ConstructionNature.TECH_UPGRADE, ["技改", "技术改造", "技术升级"]),
    ]
)
NATURE_LEDGER_WORDS = {
    ConstructionNature.NEW: "新建",
    ConstructionNature.EXPANSION: "扩建",
    ConstructionNature.RENOVATION: "改建",
    ConstructionNature.TECH_UPGRADE: "技术改造",
}
APPROVAL_WORDS = _table(
    [
        (ApprovalType.EXAMINATION, ["审批", "审批制"]),
        (ApprovalType.RATIFICATION, ["核准", "核准制"]),
        (ApprovalType.FILING, ["备案", "备案制"]),
    ]
)
APPROVAL_LEDGER_WORDS = {
    ApprovalType.EXAMINATION: "审批",
    ApprovalType.RATIFICATION: "核准",
    ApprovalType.FILING: "备案",
}
PROJECT_TYPE_WORDS = _table([(code, [name, code, str(int(code))]) for code, name in PROJECT_TYPES.items()])


def parse_nature(value) -> str | None:
    if is_empty(value):
        return None
    found = _lookup(value, NATURE_WORDS, _choice_words(ConstructionNature))
    if found is None:
        raise Invalid(
            _("%(value)s is not a construction nature; write 新建, 扩建, 改建 or 技术改造.")
            % {"value": shown(value)}
        )
    return found


def parse_approval_type(value) -> str | None:
    if is_empty(value):
        return None
    found = _lookup(value, APPROVAL_WORDS, _choice_words(ApprovalType))
    if found is None:
        raise Invalid(
            _("%(value)s is not an approval type; write 审批, 核准 or 备案.") % {"value": shown(value)}
        )
    return found


def parse_project_type(value) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = _lookup(value, PROJECT_TYPE_WORDS)
    if found is None:
        raise Invalid(
            _("%(value)s is not a project type; write 基本建设, 技术改造, 单纯购置, 信息化 or 其他.")
            % {"value": shown(value)}
        )
    return found


YES_WORDS = frozenset(fold(word) for word in ["是", "√", "✓", "✔", "y", "yes", "true", "1", "有", "特事特办"])
NO_WORDS = frozenset(fold(word) for word in ["否", "×", "✗", "x", "n", "no", "false", "0", "不是"])


def parse_yes_no(value) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    key = fold(int(value) if isinstance(value, float) and value.is_integer() else value)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS or key in EMPTY_WORDS:
        return False
    raise Invalid(_("%(value)s is neither yes (是) nor no (否).") % {"value": shown(value)})


def parse_code(value) -> str:
    """A 项目代码 as text: NFKC, upper case, spaces dropped; the format is checked by the services."""
    if is_empty(value):
        return ""
    return nfkc(value).replace(" ", "").strip().upper()


# ---------------------------------------------------------------------------------------------------
# Regions


_SUFFIXES = ("市", "县", "区")
# Official long forms of zone names and the short forms people write: 德阳经开区, 高新区.
_ABBREVIATIONS = (("经济技术开发区", "经开区"), ("高新技术产业开发区", "高新区"), ("工业园区", "工业园"))
CITY_ITSELF = frozenset(fold(word) for word in ["市本级", "本级", "全市", "市直"])


def _stem(key: str) -> str:
    return key[:-1] if len(key) > 2 and key.endswith(_SUFFIXES) else key


@dataclass(frozen=True)
class RegionEntry:
    """The part of a Region the index needs (a model instance works too)."""

    pk: int
    code: str
    name: str
    path: str
    parent_id: int | None


class RegionIndex:
    """Resolves a region written in a ledger, by code or by name with or without its 市/县/区 suffix,
    with or without the city's name in front (德阳经开区), and the short forms of zone names."""

    def __init__(self, regions: Iterable) -> None:
        self.regions = {region.pk: region for region in regions}
        self._keys: dict[str, set[int]] = {}
        roots = [region for region in self.regions.values() if region.parent_id is None]
        self._city_prefixes = sorted(
            {key for root in roots for key in (fold(root.name), _stem(fold(root.name)))},
            key=len,
            reverse=True,
        )
        for region in self.regions.values():
            self._add(region.code.casefold(), region)
            for key in self._name_keys(fold(region.name)):
                self._add(key, region)
            if region.parent_id is None:
                for key in CITY_ITSELF:
                    self._add(key, region)

    def _name_keys(self, key: str) -> set[str]:
        keys = {key, _stem(key)}
        for prefix in self._city_prefixes:
            if key.startswith(prefix) and len(key) > len(prefix) + 1:
                keys |= {key[len(prefix) :], _stem(key[len(prefix) :])}
        for long, short in _ABBREVIATIONS:
            keys |= {candidate.replace(long, short) for candidate in list(keys)}
        return {key for key in keys if key}

    def _add(self, key: str, region) -> None:
        self._keys.setdefault(key, set()).add(region.pk)

    def resolve(self, value):
        """The region, or raise ``Invalid``; ``None`` for an empty cell."""
        if is_empty(value):
            return None
        key = fold(int(value) if isinstance(value, float) and value.is_integer() else value)
        found: set[int] = self._keys.get(key, set())
        if not found:
            for candidate in sorted(self._name_keys(key), key=len, reverse=True):
                found = self._keys.get(candidate, set())
                if found:
                    break
        if len(found) == 1:
            return self.regions[next(iter(found))]
        if found:
            names = "、".join(sorted(self.regions[pk].name for pk in found))
            raise Invalid(
                _("%(value)s could be any of %(names)s; write the full name or the code.")
                % {"value": shown(value), "names": names}
            )
        raise Invalid(_("%(value)s is not a region of this city.") % {"value": shown(value)})
