"""Ledger import benchmark: prints figures, asserts nothing about speed (the goals are printed beside them).

    .venv/bin/python benchmarks/ledger_benchmark.py [--rows 100000] [--seed 2012]
        [--database-url sqlite:////tmp/onewindow-ledger-benchmark.sqlite3] [--keep]

1. Generates a messy ledger of --rows projects, written as Excel and WPS write workbooks (shared strings,
   a styles part with date formats, a dimension, merged cells): a merged title row and a unit row
   (单位：亿元), a two-row header with merged cells (项目名称 over both rows, 时间节点 over 签约 … 投产),
   header names that vary (项目 名称, 计划总投资, 建设单位), amounts in 亿元 by the title, some with their
   own unit (8500万元), full-width digits (１．２５), thousands separators (1,250.50万元), dates as Excel
   dates and as text in every form the import reads (2012-08-27, 2012/8/27, 2012.8.27, 2012年8月27日,
   2012年8月), regions by name, short name or code, grouped under heading rows (（一）广汉市) with the
   region cell merged down its group, stage words (在建, 前期, 投产, 暂缓 …), 小计 and 合计 rows, blank rows.
2. The floor: the same file read by the same reader (``LedgerReader``: layout, merged ranges, every row
   classified), in a fresh process, before the import and again after it; the ratio takes their mean.
3. The import: ``import_ledger`` into an empty register in the configured database (a throwaway SQLite
   file under /tmp by default; --database-url postgres://… for PostgreSQL, whose register must be empty),
   in a fresh process, as a city leader. Then the same file again: every row must come back unchanged.

Each phase runs in its own process so that its peak memory (the process's maximum resident set) is its
own. Goals from issue 6: 100,000 rows imported in under 60 s and under 3× the floor.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "sqlite:////tmp/onewindow-ledger-benchmark.sqlite3"
GOAL_SECONDS = 60
GOAL_RATIO = 3.0

# ---------------------------------------------------------------------------------------------------
# A minimal xlsx writer that stores text the way Excel does (a shared-string table).


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="重点项目台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    # Style 1 is a date (number format 14, m/d/yyyy), as Excel stores a date typed into a cell.
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def write_xlsx(path: Path, rows, merges: list[str]) -> None:
    """Write ``rows`` (lists of str, int, float, date or None) to one sheet, as Excel would."""
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _PARTS.items():
            archive.writestr(name, content)
        sheet_path = Path(tempfile.mkstemp(suffix=".xml")[1])
        width = last = 0
        try:
            with open(sheet_path, "w", encoding="utf-8") as sheet:
                for number, row in enumerate(rows, start=1):
                    last = number
                    cells = []
                    for index, value in enumerate(row):
                        if value is None or value == "":
                            continue
                        width = max(width, index + 1)
                        ref = f"{_column(index)}{number}"
                        if isinstance(value, str):
                            position = strings.setdefault(value, len(strings))
                            cells.append(f'<c r="{ref}" t="s"><v>{position}</v></c>')
                        elif isinstance(value, datetime.date):
                            cells.append(f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
                        else:
                            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    sheet.write(f'<row r="{number}">{"".join(cells)}</row>')
            with archive.open("xl/worksheets/sheet1.xml", "w") as part:
                part.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                    + f'<dimension ref="A1:{_column(max(width, 1) - 1)}{max(last, 1)}"/>'.encode()
                    + b"<sheetData>"
                )
                with open(sheet_path, "rb") as sheet:
                    while chunk := sheet.read(1 << 20):
                        part.write(chunk)
                part.write(b"</sheetData>")
                if merges:
                    part.write(
                        f'<mergeCells count="{len(merges)}">'.encode()
                        + "".join(f'<mergeCell ref="{ref}"/>' for ref in merges).encode()
                        + b"</mergeCells>"
                    )
                part.write(b"</worksheet>")
        finally:
            sheet_path.unlink(missing_ok=True)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
            + "</sst>",
        )


# ---------------------------------------------------------------------------------------------------
# The messy ledger

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
HEADER_TOP = [
    "序号",
    "项目代码",
    "项目 名称",
    "建设单位",
    "统一社会信用代码",
    "计划总投资（亿元）",
    "行业",
    "县（市、区）",
    "办理层级",
    "项目进度",
    "时间节点",
    None,
    None,
    None,
    None,
    None,
    "暂缓时间",
    "终止时间",
    "原因",
    "建设性质",
    "特事特办",
    "进展情况",
]
HEADER_SUB = [None] * 10 + ["签约", "受理", "立项", "开工", "竣工", "投产"] + [None] * 6
STAGES = ["洽谈", "已签约", "前期", "已立项", "在建", "已竣工", "已投产", "暂缓", "终止"]
STAGE_WORDS = {
    "洽谈": ["洽谈", "在谈", "洽谈中"],
    "已签约": ["已签约", "签约"],
    "前期": ["前期", "前期工作", "已受理代办", "受理"],
    "已立项": ["已立项", "已备案", "立项"],
    "在建": ["在建", "已开工", "开工", "续建"],
    "已竣工": ["已竣工", "竣工", "完工"],
    "已投产": ["已投产", "投产", "建成投产"],
    "暂缓": ["暂缓", "缓建"],
    "终止": ["终止", "取消"],
}
STAGE_WEIGHTS = [5, 10, 20, 15, 25, 9, 10, 4, 2]
REGIONS = [
    ("510603", ["旌阳区", "旌阳", "510603"]),
    ("510604", ["罗江区", "罗江", "罗江县"]),
    ("510623", ["中江县", "中江"]),
    ("510681", ["广汉市", "广汉", "510681"]),
    ("510682", ["什邡市", "什邡"]),
    ("510683", ["绵竹市", "绵竹"]),
    ("Z510601", ["德阳经济技术开发区", "经开区", "德阳经开区"]),
    ("Z510602", ["德阳高新技术产业开发区", "高新区"]),
]
INDUSTRIES = [
    "制造业",
    "C",
    "工业",
    "装备制造",
    "电力、热力、燃气及水生产和供应业",
    "房地产业",
    "批发和零售业",
    "现代农业",
]
PRODUCTS = [
    "重型装备零部件",
    "数控机床",
    "精密铸锻件",
    "新型建材",
    "食品加工",
    "化工新材料",
    "汽车零部件",
    "电线电缆",
]
GROUP = 50  # projects per region group
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def uscc(n: int) -> str:
    from stdnum.cn import uscc as stdnum_uscc

    rng = random.Random(n)
    body = "91" + "510600" + "".join(rng.choice(_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def text_date(day: datetime.date, rng: random.Random, *, month_ok: bool):
    form = rng.randrange(7 if month_ok else 6)
    if form == 0:
        return day  # an Excel date
    if form == 1:
        return day.isoformat()
    if form == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 3:
        return f"{day.year}.{day.month}.{day.day}"
    if form == 4:
        return f"{day.year}年{day.month}月{day.day}日"
    if form == 5:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日".translate(FULL_WIDTH)
    return f"{day.year}年{day.month}月"


def amount(wan: int, rng: random.Random):
    """An amount in a column whose unit is 亿元 (from the title), written in one of the messy ways."""
    form = rng.randrange(6)
    yi = wan / 10000
    if form == 0:
        return round(yi, 4)  # a number
    if form == 1:
        return f"{yi:.4f}".rstrip("0").rstrip(".")
    if form == 2:
        return f"{yi:.4f}".rstrip("0").rstrip(".").translate(FULL_WIDTH)
    if form == 3:
        return f"{wan:,}万元"
    if form == 4:
        return f"{wan}万"
    return f"{yi:.4f}亿元".replace(".0000亿元", "亿元")


def messy_ledger(count: int, seed: int):
    """The rows and merged ranges of a ledger with ``count`` projects."""
    rng = random.Random(seed)
    rows: list[list] = [
        ["德阳市投资项目全程代办台账（2008—2025年）"] + [None] * 21,
        [
            "填报单位：德阳市政务服务中心",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "单位：亿元",
        ],
        HEADER_TOP,
        HEADER_SUB,
    ]
    merges = ["A1:V1", "K3:P3"] + [f"{_column(i)}3:{_column(i)}4" for i in range(22) if not 10 <= i <= 15]
    investors = max(1, count // 5)
    seen_investors: set[int] = set()
    region_index = 0
    written = 0
    sequence = 0
    while written < count:
        _code, names = REGIONS[region_index % len(REGIONS)]
        region_index += 1
        heading = ["（" + "一二三四五六七八"[(region_index - 1) % 8] + "）" + names[0]] + [None] * 21
        rows.append(heading)
        first = len(rows) + 1
        size = min(GROUP, count - written)
        subtotal = 0
        for _ in range(size):
            written += 1
            sequence += 1
            investor = rng.randrange(investors)
            wan = int(rng.lognormvariate(8.5, 1.1)) + 50
            subtotal += wan
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            reached = {
                "洽谈": 0,
                "已签约": 1,
                "前期": 2,
                "已立项": 3,
                "在建": 4,
                "已竣工": 5,
                "已投产": 6,
            }.get(stage, rng.randrange(2, 5))
            day = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(5500))
            dates: list = [None] * 6
            for position in range(1, reached + 1):
                dates[position - 1] = text_date(day, rng, month_ok=False)
                day += datetime.timedelta(days=rng.randrange(5, 120))
            if reached >= 4 and rng.random() < 0.2:
                dates[2] = None  # 立项 left empty: taken from 开工, with a warning
            suspended = text_date(day, rng, month_ok=False) if stage == "暂缓" else None
            terminated = text_date(day, rng, month_ok=False) if stage == "终止" else None
            reason = (
                rng.choice(["用地未落实", "资金未到位", "企业调整投资计划"])
                if stage in ("暂缓", "终止")
                else None
            )
            # The investor's first row registers it with its code; some later rows give only the name.
            name_only = investor in seen_investors and rng.random() < 0.3
            seen_investors.add(investor)
            rows.append(
                [
                    sequence,
                    None,
                    f"{rng.choice(PRODUCTS)}项目{sequence:06d}",
                    f"德阳{investor:05d}实业有限公司",
                    None if name_only else uscc(investor),
                    amount(wan, rng),
                    rng.choice(INDUSTRIES),
                    rng.choice(names) if not rows[-1] or rows[-1][0] == heading[0] else None,
                    "县级",
                    rng.choice(STAGE_WORDS[stage]),
                    *dates,
                    suspended,
                    terminated,
                    reason,
                    rng.choice(["新建", "扩建", "技改"]),
                    "是" if rng.random() < 0.05 else "否",
                    rng.choice(["正在办理施工许可", "主体完工", "设备安装中", None]),
                ]
            )
            if rng.random() < 0.005:
                rows.append([None] * 22)
        merges.append(f"H{first}:H{len(rows)}")
        rows.append(["小计", None, None, None, None, f"{subtotal:,}万元"] + [None] * 16)
    rows.append(["合计"] + [None] * 21)
    return rows, merges


# ---------------------------------------------------------------------------------------------------
# Phases, each in its own process


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    # Production settings: DEBUG off (Django would otherwise keep every query in memory).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "ledger-benchmark-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def phase_read(path: str, database_url: str) -> dict:
    _setup_django(database_url)
    from onewindow.ledger.progress import TerminalProgress
    from onewindow.ledger.reader import LedgerReader

    before = _current_mb()
    progress = TerminalProgress(sys.stderr, label="floor: ")
    began, cpu = time.perf_counter(), time.process_time()
    kinds: dict[str, int] = {}
    with LedgerReader(path) as reader:
        last = reader.layout.last_row
        for row in reader.rows(lambda number: progress(number, last)):
            kinds[row.kind] = kinds.get(row.kind, 0) + 1
        merged = reader.layout.merged_ranges
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    progress.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "before_mb": before,
        "kinds": kinds,
        "merged": merged,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def phase_import(path: str, database_url: str, reading_process: str = "auto") -> dict:
    _setup_django(database_url)
    from django.core.management import call_command

    from onewindow.accounts.models import Role, User
    from onewindow.ledger.progress import TerminalProgress
    from onewindow.ledger.services import ImportOptions, import_ledger
    from onewindow.projects.models import Project
    from onewindow.regions.services import ensure_reference_regions

    call_command("migrate", verbosity=0)
    city = ensure_reference_regions()
    actor, _created = User.objects.get_or_create(
        username="ledger_benchmark", defaults={"role": Role.LEADER, "region": city, "full_name": "基准测试"}
    )
    results = {}
    for label in ("import", "again"):
        projects_before = Project.objects.count()
        before = _current_mb()
        progress = TerminalProgress(sys.stderr, label=f"{label}: ")
        cpu, children = time.process_time(), _children_cpu()
        options = ImportOptions(reading_process={"auto": None, "yes": True, "no": False}[reading_process])
        report = import_ledger(actor=actor, source=path, progress=progress, options=options)
        cpu, children = time.process_time() - cpu, _children_cpu() - children
        progress.close()
        results[label] = {
            "seconds": report.seconds,
            "cpu": cpu,
            "reading_cpu": children,
            "second_process": report.read_in_second_process,
            "peak_mb": _peak_mb(),
            "reading_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "before_mb": before,
            "projects_before": projects_before,
            "summary": report.as_dict()["summary"],
            "exit_code": report.exit_code,
            "errors": [str(issue) for issue in report.errors[:5]],
        }
    return results


def _run_phase(name: str, path: Path, database_url: str, reading_process: str = "auto") -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            name,
            "--file",
            str(path),
            "--database-url",
            database_url,
            "--reading-process",
            reading_process,
        ],
        stdout=subprocess.PIPE,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.decode().strip().splitlines()[-1])


def _prepare_database(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    check = (
        "from onewindow.projects.models import Project; import sys;"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "sys.exit(3 if Project.objects.exists() else 0)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "ledger-benchmark-" + "x" * 50,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {check}"], env=env, cwd=ROOT
    )
    if done.returncode == 3:
        raise SystemExit(
            f"{database_url}: the register is not empty; the benchmark imports into an empty one."
        )
    if done.returncode:
        raise SystemExit(f"{database_url}: cannot prepare the database.")


def machine() -> str:
    import openpyxl

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}"
    )


def _reading(result: dict) -> str:
    """The second process's share, when the rows were read in one."""
    if not result["second_process"]:
        return ", read in this process"
    return (
        f", and {result['reading_cpu']:.2f} s in the reading process, "
        f"whose peak memory was {result['reading_peak_mb']:.0f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="projects in the ledger (default 100,000)")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the generated ledger file")
    parser.add_argument(
        "--reading-process",
        choices=["auto", "yes", "no"],
        default="auto",
        help="read the ledger in a second process: as the import decides (default), always, never",
    )
    parser.add_argument("--phase", choices=["read", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        if args.phase == "read":
            result = phase_read(args.file, args.database_url)
        else:
            result = phase_import(args.file, args.database_url, args.reading_process)
        print(json.dumps(result))
        return

    print("OneWindow ledger import benchmark")
    print(f"machine:  {machine()}")
    print(f"database: {args.database_url}")
    path = Path(tempfile.gettempdir()) / f"onewindow-ledger-{args.rows}.xlsx"
    began = time.perf_counter()
    rows, merges = messy_ledger(args.rows, args.seed)
    write_xlsx(path, rows, merges)
    print(
        f"ledger:   {args.rows:,} projects, {len(rows):,} sheet rows, {len(merges):,} merged ranges, "
        f"{path.stat().st_size / 2**20:.1f} MB ({path}), generated in {time.perf_counter() - began:.1f} s"
    )
    del rows
    try:
        floor = _run_phase("read", path, args.database_url)
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(floor["kinds"].items()))
        print(
            f"floor:    the same file read by the same reader: {floor['seconds']:.2f} s "
            f"(CPU {floor['cpu']:.2f} s), peak memory {floor['peak_mb']:.0f} MB; "
            f"{floor['merged']:,} merged ranges; rows: {kinds}"
        )
        _prepare_database(args.database_url)
        result = _run_phase("import", path, args.database_url, args.reading_process)
        # The floor again, after: this machine's speed drifts by a fifth within minutes, so the import
        # is compared with the mean of the floors measured on either side of it.
        floor_after = _run_phase("read", path, args.database_url)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
    first, again = result["import"], result["again"]
    summary = first["summary"]
    print(
        f"import:   {first['seconds']:.2f} s (CPU {first['cpu']:.2f} s{_reading(first)}), "
        f"peak memory {first['peak_mb']:.0f} MB; created {summary['created']:,}, "
        f"updated {summary['updated']:,}, unchanged {summary['unchanged']:,}, errors {summary['errors']:,}, "
        f"warnings {summary['warnings']:,}; skipped {summary['skipped_totals']:,} "
        f"total, {summary['skipped_headings']:,} heading, {summary['skipped_blank']:,} blank rows; "
        f"exit code {first['exit_code']}"
    )
    if first["errors"]:
        print("          first errors: " + " | ".join(first["errors"]))
    print(
        f"again:    {again['seconds']:.2f} s (CPU {again['cpu']:.2f} s{_reading(again)}): "
        f"unchanged {again['summary']['unchanged']:,} of {again['summary']['data_rows']:,} rows "
        "(re-importing the same file changes nothing)"
    )
    print(
        f"floor:    again, after the imports: {floor_after['seconds']:.2f} s (CPU {floor_after['cpu']:.2f} s)"
    )
    floor_seconds = (floor["seconds"] + floor_after["seconds"]) / 2
    floor_cpu = (floor["cpu"] + floor_after["cpu"]) / 2
    ratio = first["seconds"] / floor_seconds
    cpu_ratio = (first["cpu"] + first["reading_cpu"]) / floor_cpu
    scaled = first["seconds"] * 100_000 / max(1, args.rows)
    print(
        f"ratio:    import / mean floor ({floor_seconds:.2f} s) = {ratio:.2f}× "
        f"(CPU, both processes: {cpu_ratio:.2f}×)  "
        f"[goals: 100,000 rows < {GOAL_SECONDS} s: {'met' if scaled < GOAL_SECONDS else 'NOT met'} "
        f"({scaled:.1f} s at this rate); < {GOAL_RATIO:.0f}× the floor: "
        f"{'met' if ratio < GOAL_RATIO else 'NOT met'}]"
    )
    load = os.getloadavg()
    print(f"load:     {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1, 5, 15 min) on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
