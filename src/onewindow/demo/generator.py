"""The generated projects around the named scenarios, sized so that 2012 matches the article exactly.

The article's 2012 figures (domain.md §2) are counted by ``analytics.selectors``: a project counts when it
was under agency service at some time in the year, and as started when it started by 31 December. The
generator first takes what the named scenarios contribute, then spreads the remaining count and
investment over generated projects with long-tailed sizes, and finally adds projects that must *not*
count in 2012 (produced or terminated in 2011, taken in during 2013, still negotiating) so that the year
filters matter. Everything is drawn from one seeded ``random.Random`` and fixed dates, so every run
produces the same city; ``generate`` checks its own 2012 figures before anything is written.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar

from onewindow.demo import scenarios
from onewindow.demo.identifiers import national_code, random_uscc
from onewindow.demo.plans import STORY_ENDS, InvestorPlan, Note, ProjectPlan, Step, Tally, tally
from onewindow.projects.stages import Stage
from onewindow.regions import reference

SEED = 2012
YEAR = 2012


@dataclass(frozen=True)
class Target:
    projects: int
    investment_wan: int
    started_projects: int
    started_investment_wan: int


# The article says "about": 930亿 / 620亿 citywide, 582亿 / 437亿 at city level. The sums below (万元) sit
# inside each rounding band so that the city level, the county level and their total all round to the
# article's 亿: 581.86 + 348.26 = 930.12 → 930; 437.12 + 182.64 = 619.76 → 620.
TARGETS = {
    "city": Target(projects=63, investment_wan=5818642, started_projects=39, started_investment_wan=4371235),
    "county": Target(
        projects=438, investment_wan=3482570, started_projects=162, started_investment_wan=1826418
    ),
}

# Projects outside the 2012 count, per level: (produced or terminated in 2011, taken in during 2013,
# still negotiating or signed at the end of the story).
OTHER_COHORTS = {"city": (6, 16, 4), "county": (40, 130, 8)}

# Sizes in 万元: the smallest project of each level, and how long the tail is (lognormal sigma).
SIZE_FLOOR = {"city": 5000, "county": 200}
SIZE_SIGMA = {"city": 1.0, "county": 0.9}
# Typical size (median, 万元) of projects outside the 2012 count.
TYPICAL_SIZE = {"city": 40000, "county": 3000}

DIVISION = {unit["code"]: unit["division_code"] for unit in [reference.CITY, *reference.COUNTY_UNITS]}
CITY = reference.CITY["code"]
ZONES = ("Z510601", "Z510602")
GUANGHAN = "510681"

# Departments that county centres of the demo have (the loader creates them); other items go to the city.
COUNTY_DEPARTMENTS = ("fgw", "zrzy", "zjj", "sthj", "scjg")

REGION_WEIGHTS = {
    "city": [(CITY, 35), ("Z510601", 40), ("Z510602", 25)],
    "county": [
        ("510603", 15),
        ("510604", 10),
        ("510623", 14),
        ("510681", 18),
        ("510682", 14),
        ("510683", 14),
        ("Z510601", 8),
        ("Z510602", 7),
    ],
}

INDUSTRY_WEIGHTS = {
    "city": [("C", 60), ("D", 10), ("K", 8), ("G", 6), ("N", 5), ("I", 3), ("M", 3), ("F", 3), ("H", 2)],
    "county": [
        ("C", 52),
        ("A", 8),
        ("F", 7),
        ("K", 7),
        ("G", 5),
        ("H", 4),
        ("D", 4),
        ("N", 4),
        ("E", 2),
        ("Q", 2),
        ("R", 2),
        ("M", 1),
        ("I", 1),
        ("P", 1),
    ],
}

PRODUCTS = {
    "A": ["现代农业园区", "生猪标准化养殖基地", "有机蔬菜种植基地", "中药材种植基地"],
    "C": [
        "重型装备零部件生产线",
        "数控机床制造",
        "精密铸锻件",
        "新型建材生产线",
        "食品加工",
        "化工新材料",
        "汽车零部件",
        "电线电缆",
        "风电设备配套",
        "白酒酿造技改",
        "医药制剂",
        "包装材料",
        "磷化工精深加工",
        "农产品精深加工",
        "钢结构加工",
        "清洁能源装备",
    ],
    "D": ["110千伏输变电工程", "天然气分布式能源站", "光伏发电", "城市供水厂扩建", "燃气管网改造"],
    "E": ["建筑产业化基地", "装配式建筑构件厂"],
    "F": ["商贸物流中心", "农产品批发市场", "汽车销售服务集群", "建材家居市场"],
    "G": ["现代物流园", "公交枢纽站", "仓储配送中心", "冷链物流中心"],
    "H": ["商务酒店", "旅游度假酒店"],
    "I": ["数据中心", "软件与信息服务园"],
    "K": ["城市综合体", "商住小区", "旧城改造"],
    "M": ["工程技术研究中心", "检验检测中心"],
    "N": ["污水处理厂", "垃圾焚烧发电", "河道综合治理"],
    "P": ["职业技术学校"],
    "Q": ["民营医院", "养老服务中心"],
    "R": ["文化产业园", "全民健身中心"],
}

INDUSTRY_WORDS = {
    "A": ["农业", "牧业", "生态农业"],
    "C": ["机械", "重工", "装备", "新材料", "化工", "电气", "精密", "食品", "建材", "科技"],
    "D": ["能源", "电力", "燃气", "水务"],
    "E": ["建设", "建工"],
    "F": ["商贸", "实业"],
    "G": ["物流", "运输"],
    "H": ["酒店管理", "旅游开发"],
    "I": ["信息技术", "软件"],
    "K": ["置业", "房地产开发"],
    "M": ["技术服务", "检测"],
    "N": ["环保", "水务"],
    "P": ["教育投资"],
    "Q": ["医疗管理", "健康产业"],
    "R": ["文化传播", "体育发展"],
}

BRAND_FIRST = "恒宏鑫金华瑞东天永蜀明嘉立博中汇鼎丰利昌新亿兴众晨锦蓝国长安益盛通宇佳富泰和光"
BRAND_SECOND = "达远源泰通丰盛成能锐诚信川科隆昌宇业程辉航力峰联星邦威晟凯越润禾森拓翔捷瑞"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰红建文斌志宏"

LOCAL_PREFIX = {
    CITY: "德阳",
    "510603": "德阳",
    "510604": "罗江",
    "510623": "中江",
    "510681": "广汉",
    "510682": "什邡",
    "510683": "绵竹",
}
SICHUAN_ELSEWHERE = [("四川", "510104"), ("成都", "510107"), ("四川", "510108"), ("成都", "510112")]
OTHER_PROVINCES = [
    ("浙江", "330106"),
    ("江苏", "320506"),
    ("广东", "440305"),
    ("重庆", "500112"),
    ("上海", "310115"),
    ("北京", "110105"),
    ("山东", "370212"),
    ("福建", "350203"),
]

SUSPENSION_REASONS = [
    "资金未到位，业主申请暂缓。",
    "现场拆迁未完成，暂缓推进。",
    "市场变化，投资方调整建设方案。",
    "规划条件调整，待重新论证。",
]
TERMINATION_REASONS = [
    "投资方战略调整，项目取消。",
    "选址未能落实，投资方退出。",
    "环评未通过，项目终止。",
    "投资方资金链断裂，项目终止。",
]
EARLY_NOTES = [
    ("代办员上门对接，提前介入指导准备申报资料。", True),
    ("组织发改、规划、国土等窗口部门联合会审。", True),
    ("设计方案第二次退回修改，已协调设计单位集中修改。", False),
    ("涉及前置许可较多，已列出清单逐项跟踪督办。", False),
    ("现场拆迁进度滞后，已报中心领导协调。", False),
    ("催办：环评报告表逾期未报，已电话督促业主。", False),
]
BUILD_NOTES = [
    ("水、电、气接入协调完成。", True),
    ("代办员现场回访，协调解决施工用电问题。", False),
    ("施工进度正常，按月报送形象进度。", True),
]


@dataclass
class Story:
    """A project's dates and stage changes before its facts are chosen."""

    initial_stage: Stage
    negotiation_on: date | None
    signed_on: date | None
    intake_on: date | None
    steps: list[Step]


def _day(rng: random.Random, low: date, high: date) -> date:
    if high < low:
        raise ValueError(f"empty date range {low}..{high}")
    return low + timedelta(days=rng.randint(0, (high - low).days))


def _workday(rng: random.Random, low: date, high: date) -> date:
    """A working day (China's statutory calendar) in the range, or any day if it holds none."""
    day = _day(rng, low, high)
    for candidate in [day + timedelta(days=offset) for offset in range(8)] + [
        day - timedelta(days=offset) for offset in range(1, 8)
    ]:
        if low <= candidate <= high and chinese_calendar.is_workday(candidate):
            return candidate
    return day


def _days(first: date, count: int) -> date:
    return first + timedelta(days=count)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _nice(value: float) -> int:
    """Round to three significant figures, as ledgers state planned investment."""
    whole = round(value)
    magnitude = 10 ** max(len(str(whole)) - 3, 0)
    return round(whole / magnitude) * magnitude


def spread(rng: random.Random, count: int, total: int, floor: int, sigma: float) -> list[int]:
    """``count`` long-tailed sizes of at least ``floor`` that add up to exactly ``total``.

    Each size is the floor plus a rounded share of the rest; the rounding difference is then taken
    from (or given to) the largest shares, so the sum is exact and no size drops below the floor.
    """
    if count == 0:
        if total:
            raise ValueError("a non-zero total needs at least one project")
        return []
    room = total - floor * count
    if room < 0:
        raise ValueError(f"{count} projects of at least {floor} cannot add up to {total}")
    weights = [rng.lognormvariate(0, sigma) for _ in range(count)]
    weight_sum = sum(weights)
    shares = [_nice(room * weight / weight_sum) for weight in weights]
    difference = room - sum(shares)
    for index in sorted(range(count), key=shares.__getitem__, reverse=True):
        change = max(difference, -shares[index])
        shares[index] += change
        difference -= change
        if difference == 0:
            break
    return [floor + share for share in shares]


def _signing(rng: random.Random, intake: date, *, late: bool = False) -> tuple[date | None, date]:
    """Negotiation and signing before intake; ``late`` intakes come months after the signing."""
    signed = _workday(rng, _days(intake, -300), _days(intake, -120)) if late else None
    signed = signed or _workday(rng, _days(intake, -75), _days(intake, -2))
    negotiation = _workday(rng, _days(signed, -200), _days(signed, -20)) if rng.random() < 0.6 else None
    return negotiation, signed


def _after_start(rng: random.Random, started: date, earliest_completion: date) -> list[Step]:
    """Completion and production after the start, as far as the story reaches."""
    completed = max(_days(started, rng.randint(150, 480)), earliest_completion)
    if completed > _days(STORY_ENDS, -5) or rng.random() < 0.2:
        if rng.random() < 0.05 and started < date(2013, 6, 1):
            suspended = _workday(rng, max(_days(started, 30), date(2013, 1, 4)), date(2013, 11, 29))
            return [Step(Stage.SUSPENDED, suspended, reason=rng.choice(SUSPENSION_REASONS))]
        return []
    steps = [Step(Stage.COMPLETED, completed)]
    produced = _days(completed, rng.randint(15, 100))
    if produced <= STORY_ENDS and rng.random() < 0.85:
        steps.append(Step(Stage.PRODUCING, produced))
    return steps


def started_story(rng: random.Random) -> Story:
    """Served in 2012 and started by 31 December 2012 (some taken in during 2011)."""
    if rng.random() < 0.22:
        intake = _workday(rng, date(2011, 3, 1), date(2011, 12, 20))
    else:
        intake = _workday(rng, date(2012, 1, 4), date(2012, 11, 30))
    negotiation, signed = _signing(rng, intake)
    started = _day(rng, _days(intake, 20), min(_days(intake, 330), date(2012, 12, 28)))
    approved = _workday(rng, _days(intake, 5), _days(started, -3))
    steps = [Step(Stage.APPROVED, approved)]
    if (started - approved).days >= 30 and rng.random() < 0.05:
        suspended = _workday(rng, _days(approved, 3), _days(started, -20))
        steps += [
            Step(Stage.SUSPENDED, suspended, reason=rng.choice(SUSPENSION_REASONS)),
            Step(Stage.APPROVED, _workday(rng, _days(suspended, 5), _days(started, -2)), resume=True),
        ]
    steps.append(Step(Stage.STARTED, started))
    # Served in 2012 means not produced before 2012: nothing completes before mid-January.
    steps += _after_start(rng, started, earliest_completion=date(2012, 1, 16))
    return Story(Stage.INTAKE, negotiation, signed, intake, steps)


def waiting_story(rng: random.Random) -> Story:
    """Served in 2012 but not started in 2012: approved or not, then started, stopped or still waiting."""
    if rng.random() < 0.18:
        intake = _workday(rng, date(2011, 3, 1), date(2011, 12, 20))
    else:
        intake = _workday(rng, date(2012, 1, 4), date(2012, 12, 24))
    negotiation, signed = _signing(rng, intake, late=rng.random() < 0.08)
    steps: list[Step] = []
    last = intake
    if rng.random() < 0.55:
        last = _workday(rng, _days(intake, 15), _days(intake, 160))
        steps.append(Step(Stage.APPROVED, last))
    outcome = rng.random()
    if outcome < 0.04 and last <= date(2012, 11, 30):
        terminated = _workday(rng, max(_days(last, 10), date(2012, 1, 4)), date(2012, 12, 28))
        steps.append(Step(Stage.TERMINATED, terminated, reason=rng.choice(TERMINATION_REASONS)))
    elif outcome < 0.44:
        latest = min(max(_days(last, 300), date(2013, 3, 29)), date(2013, 12, 20))
        started = _day(rng, max(_days(last, 10), date(2013, 1, 7)), latest)
        if not steps:
            steps.append(Step(Stage.APPROVED, _workday(rng, _days(intake, 5), _days(started, -3))))
        steps.append(Step(Stage.STARTED, started))
        if _days(started, 150) < STORY_ENDS and rng.random() < 0.3:
            steps.append(Step(Stage.COMPLETED, _day(rng, _days(started, 150), STORY_ENDS)))
    elif outcome < 0.54:
        suspended = _workday(rng, max(_days(last, 10), date(2013, 1, 4)), date(2013, 10, 31))
        steps.append(Step(Stage.SUSPENDED, suspended, reason=rng.choice(SUSPENSION_REASONS)))
        if rng.random() < 0.35:
            resumed = _workday(rng, _days(suspended, 20), date(2013, 12, 27))
            steps.append(Step(steps[-2].target if len(steps) > 1 else Stage.INTAKE, resumed, resume=True))
    elif outcome < 0.59:
        terminated = _workday(rng, max(_days(last, 10), date(2013, 1, 4)), date(2013, 12, 27))
        steps.append(Step(Stage.TERMINATED, terminated, reason=rng.choice(TERMINATION_REASONS)))
    return Story(Stage.INTAKE, negotiation, signed, intake, steps)


def closed_story(rng: random.Random) -> Story:
    """Produced (or, rarely, terminated) during 2011: counted in 2011, no longer in 2012."""
    if rng.random() < 0.08:
        intake = _workday(rng, date(2010, 6, 1), date(2011, 5, 31))
        negotiation, signed = _signing(rng, intake)
        terminated = _workday(rng, _days(intake, 30), date(2011, 12, 20))
        return Story(
            Stage.INTAKE,
            negotiation,
            signed,
            intake,
            [Step(Stage.TERMINATED, terminated, reason=rng.choice(TERMINATION_REASONS))],
        )
    produced = _day(rng, date(2011, 2, 10), date(2011, 12, 20))
    completed = _days(produced, -rng.randint(15, 90))
    started = _days(completed, -rng.randint(120, 300))
    approved = _workday(rng, _days(started, -40), _days(started, -5))
    intake = _workday(rng, _days(approved, -60), _days(approved, -10))
    negotiation, signed = _signing(rng, intake)
    steps = [
        Step(Stage.APPROVED, approved),
        Step(Stage.STARTED, started),
        Step(Stage.COMPLETED, completed),
        Step(Stage.PRODUCING, produced),
    ]
    return Story(Stage.INTAKE, negotiation, signed, intake, steps)


def recent_story(rng: random.Random) -> Story:
    """Taken in during 2013: counted from 2013 on; some were signed in 2012 and taken in late."""
    intake = _workday(rng, date(2013, 1, 7), date(2013, 12, 16))
    negotiation, signed = _signing(rng, intake, late=rng.random() < 0.25)
    steps: list[Step] = []
    if rng.random() < 0.6 and _days(intake, 10) < _days(STORY_ENDS, -3):
        approved = _workday(rng, _days(intake, 10), min(_days(intake, 150), _days(STORY_ENDS, -3)))
        steps.append(Step(Stage.APPROVED, approved))
        if rng.random() < 0.45 and _days(approved, 5) < STORY_ENDS:
            started = _day(rng, _days(approved, 5), min(_days(approved, 200), STORY_ENDS))
            steps.append(Step(Stage.STARTED, started))
            if _days(started, 150) < STORY_ENDS and rng.random() < 0.2:
                steps.append(Step(Stage.COMPLETED, _day(rng, _days(started, 150), STORY_ENDS)))
        elif rng.random() < 0.08 and _days(approved, 10) < STORY_ENDS:
            suspended = _workday(rng, _days(approved, 10), STORY_ENDS)
            steps.append(Step(Stage.SUSPENDED, suspended, reason=rng.choice(SUSPENSION_REASONS)))
    return Story(Stage.INTAKE, negotiation, signed, intake, steps)


def pipeline_story(rng: random.Random) -> Story:
    """Still negotiating or signed when the story ends: never counted (not taken into agency)."""
    negotiation = _workday(rng, date(2013, 3, 1), date(2013, 11, 29))
    if rng.random() < 0.5:
        return Story(Stage.NEGOTIATING, negotiation, None, None, [])
    signed = _workday(rng, _days(negotiation, 20), max(_days(negotiation, 20), date(2013, 12, 27)))
    return Story(Stage.SIGNED, negotiation, signed, None, [])


class _Names:
    """Unique enterprise and project names, USCCs and codes, drawn from the shared generator."""

    def __init__(self, rng: random.Random, taken_codes: set[str], taken_usccs: set[str]):
        self.rng = rng
        self.codes = set(taken_codes)
        self.usccs = set(taken_usccs)
        self.investor_names: set[str] = set()
        self.project_names: set[str] = set()
        self.serial = 0

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))

    def investor(self, industry: str, region_code: str) -> tuple[InvestorPlan, str]:
        """A new enterprise and its brand: registered here, elsewhere in Sichuan, or in another province."""
        where = self.rng.random()
        if where < 0.6:
            place = LOCAL_PREFIX[DIVISION[region_code]]
            place = place if self.rng.random() < 0.6 else "四川"
            registered = DIVISION[region_code]
        elif where < 0.75:
            place, registered = self.rng.choice(SICHUAN_ELSEWHERE)
        else:
            place, registered = self.rng.choice(OTHER_PROVINCES)
        word = self.rng.choice(INDUSTRY_WORDS[industry])
        suffix = self.rng.choices(["有限公司", "股份有限公司", "有限责任公司"], weights=[7, 2, 1])[0]
        while True:
            brand = self.rng.choice(BRAND_FIRST) + self.rng.choice(BRAND_SECOND)
            name = f"{place}{brand}{word}{suffix}"
            if name not in self.investor_names:
                break
        self.investor_names.add(name)
        uscc = random_uscc(self.rng, registered)
        while uscc in self.usccs:
            uscc = random_uscc(self.rng, registered)
        self.usccs.add(uscc)
        self.serial += 1
        plan = InvestorPlan(
            name=name,
            uscc=uscc,
            legal_representative=self.person(),
            contact_name=self.person(),
            contact_email=f"contact{self.serial:04d}@example.com",
        )
        return plan, brand

    def project(self, brand: str, industry: str) -> str:
        product = self.rng.choice(PRODUCTS[industry])
        name = f"{brand}{product}项目"
        for phase in "二三四五六七八九":
            if name not in self.project_names:
                break
            name = f"{brand}{product}{phase}期项目"
        self.project_names.add(name)
        return name

    def national_code(self, on: date, region_code: str, industry: str, project_type: str) -> str:
        while True:
            code = national_code(
                self.rng, on=on, division=DIVISION[region_code], industry=industry, project_type=project_type
            )
            if code not in self.codes:
                self.codes.add(code)
                return code


def _departments(rng: random.Random, level: str, region_code: str, industry: str) -> tuple:
    """Departments involved: the level's own window departments, and the city 发改 for larger items."""
    codes = ["fgw", "zrzy", "zjj"]
    extras = {"C": ["sthj", "yjj", "xfj"], "D": ["sthj", "gdj"], "K": ["rfb", "xfj"], "N": ["sthj", "swj"]}
    codes += [code for code in extras.get(industry, ["sthj"]) if rng.random() < 0.7]
    codes += [code for code in ("scjg", "swj", "qxj", "jtj") if rng.random() < 0.15]
    if level == "city" or region_code in ZONES:
        keep_fgw = rng.random() < (0.85 if level == "city" else 0.6)
        return tuple((CITY, code) for code in codes if code != "fgw" or keep_fgw)
    own = [(region_code, code) for code in codes if code in COUNTY_DEPARTMENTS]
    return tuple(own + ([(CITY, "fgw")] if rng.random() < 0.12 else []))


def _notes(rng: random.Random, story: Story) -> tuple[Note, ...]:
    """A few progress notes between the intake and the next step, and one during construction."""
    if story.intake_on is None:
        return ()
    following = [step.on for step in story.steps]
    until = min([*following, _days(story.intake_on, 90), STORY_ENDS])
    notes = []
    for text, public in rng.sample(EARLY_NOTES, k=rng.choice([0, 1, 1, 2])):
        notes.append(Note(_day(rng, story.intake_on, until), text, public=public))
    started = [step.on for step in story.steps if step.target == Stage.STARTED and not step.resume]
    if started and rng.random() < 0.35:
        text, public = rng.choice(BUILD_NOTES)
        after = [step.on for step in story.steps if step.on > started[0]]
        until = min([*after, _days(started[0], 120), STORY_ENDS])
        notes.append(Note(_day(rng, started[0], until), text, public))
    return tuple(sorted(notes, key=lambda note: note.on))


def _facts(rng: random.Random, level: str) -> dict:
    nature = rng.choices(["new", "expansion", "tech_upgrade", "renovation"], weights=[68, 15, 12, 5])[0]
    other_type = rng.choices(["01", "03", "05"], weights=[96, 2, 2])[0]
    project_type = "02" if nature == "tech_upgrade" else other_type
    return {
        "construction_nature": nature,
        "project_type": project_type,
        "fast_track": rng.random() < (0.08 if level == "city" else 0.03),
    }


def _approval_type(rng: random.Random, industry: str, size: int) -> str:
    if industry in ("N", "P", "Q", "S") and rng.random() < 0.6:
        return "examination"
    if industry in ("D", "G") or size >= 100000:
        return "ratification" if rng.random() < 0.5 else "filing"
    return "filing"


class _Builder:
    """Turns stories and sizes into complete project plans with investors, names and codes."""

    def __init__(self, rng: random.Random, named: list[ProjectPlan]):
        self.rng = rng
        self.names = _Names(rng, {plan.code for plan in named}, {plan.investor.uscc for plan in named})
        self.investors: dict[str, list[tuple[InvestorPlan, str, str]]] = {"city": [], "county": []}
        self.count = 0

    def _investor(self, level: str, industry: str, region_code: str) -> tuple[InvestorPlan, str, str]:
        """A new enterprise, or now and then one that already invests here (it may change industry)."""
        known = self.investors[level]
        if known and self.rng.random() < 0.1:
            return self.rng.choice(known)
        investor, brand = self.names.investor(industry, region_code)
        known.append((investor, brand, industry))
        return investor, brand, industry

    def build(self, level: str, story: Story, size: int, national_share: float) -> ProjectPlan:
        rng = self.rng
        self.count += 1
        region_code = _weighted(rng, REGION_WEIGHTS[level])
        industry = _weighted(rng, INDUSTRY_WEIGHTS[level])
        investor, brand, industry = self._investor(level, industry, region_code)
        name = self.names.project(brand, industry)
        facts = _facts(rng, level)
        agent = rng.choice(["agent1", "agent2"]) if level == "city" else ""
        actor = agent or ("county_gh" if region_code == GUANGHAN else "admin")
        code_date = story.intake_on or story.signed_on or story.negotiation_on
        code = ""
        if story.intake_on is not None and rng.random() < national_share:
            code = self.names.national_code(code_date, region_code, industry, facts["project_type"])
        return ProjectPlan(
            key=f"g{self.count:04d}",
            name=name,
            investor=investor,
            total_investment_wan=Decimal(size).quantize(Decimal("0.01")),
            industry=industry,
            region_code=region_code,
            level=level,
            actor=actor,
            agent=agent,
            initial_stage=story.initial_stage,
            negotiation_on=story.negotiation_on,
            signed_on=story.signed_on,
            intake_on=story.intake_on,
            code=code,
            approval_type=_approval_type(rng, industry, size),
            confidential=rng.random() < (0.4 if story.intake_on is None else 0.01),
            departments=_departments(rng, level, region_code, industry),
            steps=tuple(story.steps),
            notes=_notes(rng, story),
            **facts,
        )


def _loose_size(rng: random.Random, level: str) -> int:
    return max(SIZE_FLOOR[level], _nice(TYPICAL_SIZE[level] * rng.lognormvariate(0, SIZE_SIGMA[level])))


def _level_plans(rng: random.Random, builder: _Builder, level: str, named: list[ProjectPlan]) -> list:
    """The generated projects of one level: the rest of the 2012 figures, then the other cohorts."""
    target, have = TARGETS[level], tally(named, YEAR, level)
    started_count = target.started_projects - have.started_projects
    started_sum = target.started_investment_wan - int(have.started_investment_wan)
    waiting_count = target.projects - target.started_projects - (have.projects - have.started_projects)
    waiting_sum = (target.investment_wan - target.started_investment_wan) - int(
        have.investment_wan - have.started_investment_wan
    )
    floor, sigma = SIZE_FLOOR[level], SIZE_SIGMA[level]
    plans = [
        builder.build(level, started_story(rng), size, national_share=0.75)
        for size in spread(rng, started_count, started_sum, floor, sigma)
    ]
    plans += [
        builder.build(level, waiting_story(rng), size, national_share=0.75)
        for size in spread(rng, waiting_count, waiting_sum, floor, sigma)
    ]
    closed, recent, pipeline = OTHER_COHORTS[level]
    for count, story, share in ((closed, closed_story, 0.9), (recent, recent_story, 0.45)):
        plans += [builder.build(level, story(rng), _loose_size(rng, level), share) for _ in range(count)]
    plans += [builder.build(level, pipeline_story(rng), _loose_size(rng, level), 0) for _ in range(pipeline)]
    return plans


def check(plans: list[ProjectPlan]) -> None:
    """Refuse a city whose 2012 figures miss the article, or that holds a date after the story's end."""
    for level, target in TARGETS.items():
        expected = Tally(
            projects=target.projects,
            investment_wan=Decimal(target.investment_wan),
            started_projects=target.started_projects,
            started_investment_wan=Decimal(target.started_investment_wan),
        )
        actual = tally(plans, YEAR, level)
        if actual != expected:
            raise AssertionError(f"{level} level 2012 figures {actual} differ from {expected}")
    late = [plan.key for plan in plans if max(plan.all_dates()) > STORY_ENDS]
    if late:
        raise AssertionError(f"plans with dates after {STORY_ENDS}: {late[:5]}")


def generate(seed: int = SEED) -> list[ProjectPlan]:
    """The whole demo city, named scenarios included, in the order the projects first appeared."""
    rng = random.Random(seed)
    named = scenarios.named_projects()
    builder = _Builder(rng, named)
    plans = list(named)
    for level in ("city", "county"):
        plans += _level_plans(rng, builder, level, named)
    check(plans)
    return sorted(plans, key=lambda plan: (plan.first_date, plan.key))
