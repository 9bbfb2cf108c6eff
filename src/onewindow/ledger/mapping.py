"""The ledger's columns: which header names mean which field, and in which unit amounts are given.

A ledger's headers vary from office to office (项目名称 / 项目 名称 / 名称; 总投资（万元） / 总投资(亿元) /
计划总投资). Each field has a list of names it answers to, compared after folding (NFKC, no whitespace or
punctuation) and after the unit in brackets is taken off. The export writes each field's first name, so an
exported ledger always maps back onto the same fields. The names are data of the ledger format, in
Chinese, and documented in docs/ledger-format.md.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from onewindow.ledger.normalisers import WAN, fold, nfkc, unit_in


@dataclass(frozen=True)
class LedgerField:
    key: str
    label: Promise
    names: tuple[str, ...]
    imported: bool = True

    @property
    def header(self) -> str:
        """The header the export writes."""
        return self.names[0]


FIELDS = [
    LedgerField("sequence", _("Row number"), ("序号", "编号", "排序"), imported=False),
    LedgerField(
        "code",
        _("Project code"),
        (
            "项目代码",
            "代码",
            "项目编码",
            "统一项目代码",
            "投资项目代码",
            "项目统一代码",
            "备案代码",
            "项目赋码",
        ),
    ),
    LedgerField("code_provisional", _("Provisional code"), ("临时代码", "是否临时代码")),
    LedgerField(
        "name", _("Project name"), ("项目名称", "项目", "名称", "项目全称", "建设项目名称", "项目名")
    ),
    LedgerField(
        "investor",
        _("Investor"),
        (
            "项目单位",
            "建设单位",
            "项目业主",
            "业主单位",
            "项目业主单位",
            "项目建设单位",
            "业主",
            "投资方",
            "投资主体",
            "投资企业",
            "投资单位",
            "企业名称",
            "项目法人",
            "申报单位",
        ),
    ),
    LedgerField(
        "uscc",
        _("Unified social credit code"),
        ("统一社会信用代码", "社会信用代码", "信用代码", "项目单位统一社会信用代码", "uscc"),
    ),
    LedgerField(
        "investment",
        _("Total investment"),
        ("总投资", "计划总投资", "项目总投资", "总投资额", "投资总额", "投资额", "投资规模"),
    ),
    LedgerField(
        "industry",
        _("Industry"),
        ("所属行业", "行业", "行业类别", "行业分类", "行业门类", "国民经济行业分类"),
    ),
    LedgerField(
        "region",
        _("Region"),
        (
            "所在地区",
            "地区",
            "区域",
            "所属区域",
            "所属地区",
            "所在地",
            "所在区域",
            "县市区",
            "所属县市区",
            "区县",
            "县区",
            "属地",
        ),
    ),
    LedgerField("level", _("Handling level"), ("办理层级", "层级", "项目层级", "代办层级", "级别")),
    LedgerField(
        "stage",
        _("Stage"),
        ("项目阶段", "阶段", "当前阶段", "项目状态", "状态", "建设状态", "项目进度", "进度"),
    ),
    LedgerField("negotiation_on", _("Negotiation began"), ("洽谈时间", "洽谈日期", "接洽时间", "洽谈")),
    LedgerField("signed_on", _("Signing date"), ("签约时间", "签约日期", "协议签订时间", "签订时间", "签约")),
    LedgerField(
        "intake_on",
        _("Intake date"),
        ("受理时间", "受理日期", "代办受理时间", "受理代办时间", "代办时间", "受理"),
    ),
    LedgerField(
        "approved_on",
        _("Approval date"),
        ("立项时间", "立项日期", "备案时间", "核准时间", "审批时间", "备案日期", "立项"),
    ),
    LedgerField("started_on", _("Construction start"), ("开工时间", "开工日期", "实际开工时间", "开工")),
    LedgerField(
        "completed_on", _("Completion date"), ("竣工时间", "竣工日期", "完工时间", "建成时间", "竣工")
    ),
    LedgerField(
        "produced_on", _("Production date"), ("投产时间", "投产日期", "竣工投产时间", "投运时间", "投产")
    ),
    LedgerField("suspended_on", _("Suspended on"), ("暂缓时间", "暂缓日期", "停建时间")),
    LedgerField("terminated_on", _("Terminated on"), ("终止时间", "终止日期", "退出时间")),
    LedgerField(
        "reason",
        _("Reason for suspension or termination"),
        ("暂缓/终止原因", "终止原因", "暂缓原因", "原因", "备注"),
    ),
    LedgerField("nature", _("Construction nature"), ("建设性质", "项目性质", "性质")),
    LedgerField("approval_type", _("Approval type"), ("审批类型", "审批方式", "管理方式", "立项方式")),
    LedgerField("project_type", _("Project type"), ("项目类型", "投资项目类型")),
    LedgerField("fast_track", _("Fast track"), ("特事特办", "是否特事特办")),
    LedgerField("agent", _("Agent"), ("代办员", "代办人"), imported=False),
]
BY_KEY = {ledger_field.key: ledger_field for ledger_field in FIELDS}
DATE_KEYS = (
    "negotiation_on",
    "signed_on",
    "intake_on",
    "approved_on",
    "started_on",
    "completed_on",
    "produced_on",
    "suspended_on",
    "terminated_on",
)

# (folded name, field, rank): a lower rank is a better name for its field.
_NAMES = {
    fold(name): (ledger_field, rank)
    for ledger_field in FIELDS
    for rank, name in enumerate(ledger_field.names)
}
_UNIT_PART = re.compile(
    r"[(（\[【][^)）\]】]*元[^)）\]】]*[)）\]】]|[(（\[【](亿|万)[)）\]】]|(亿元|万元|千元)$"
)


def header_key(text: str) -> str:
    """A header folded for lookup, its unit taken off: 总投资（亿元） → 总投资."""
    return fold(_UNIT_PART.sub("", nfkc(text).strip()))


def match_name(text: str) -> tuple[LedgerField, int] | None:
    if not text:
        return None
    return _NAMES.get(header_key(text))


@dataclass
class Column:
    """One column of the sheet and what the import makes of it."""

    index: int
    texts: list[str]
    ledger_field: LedgerField | None = None
    rank: int = 0
    unit_factor: Decimal = WAN
    unit_label: str = "万元"
    unit_source: str = ""
    note: str = ""
    ignored: bool = field(default=False)

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)

    @property
    def header(self) -> str:
        """The header as the sheet shows it (group and sub-header joined)."""
        return " / ".join(self.texts)

    @property
    def key(self) -> str:
        return self.ledger_field.key if self.ledger_field and not self.ignored else ""


def _candidates(texts: list[str]) -> list[str]:
    """What to look up for a column under a header block of one or more rows: the lowest header first
    (it names the column, the ones above name its group), then the headers joined (签约 + 时间)."""
    found = [texts[-1]] if texts else []
    if len(texts) > 1:
        found += ["".join(texts[-2:]), "".join(texts), *reversed(texts[:-1])]
    return found


def map_columns(header_texts: list[list[str]], sheet_unit: tuple[Decimal, str] | None) -> list[Column]:
    """Map each column of the header block onto a field. A field named by two columns is read from the
    better-named one (the leftmost on a tie); the other is listed as ignored."""
    columns = []
    for index, texts in enumerate(header_texts):
        column = Column(index=index, texts=texts)
        for candidate in _candidates(texts):
            found = match_name(candidate)
            if found:
                column.ledger_field, column.rank = found
                break
        unit = next((found for text in reversed(texts) if (found := unit_in(text))), None)
        if unit:
            column.unit_factor, column.unit_label = unit
            column.unit_source = "header"
        elif sheet_unit:
            column.unit_factor, column.unit_label = sheet_unit
            column.unit_source = "title"
        columns.append(column)
    best: dict[str, Column] = {}
    for column in columns:
        if column.ledger_field is None:
            continue
        key = column.ledger_field.key
        if key not in best or column.rank < best[key].rank:
            best[key] = column
    for column in columns:
        if column.ledger_field is not None and best[column.ledger_field.key] is not column:
            column.ignored = True
            column.note = str(
                _("Also names the field of column %(letter)s; ignored.")
                % {"letter": best[column.ledger_field.key].letter}
            )
    return columns
