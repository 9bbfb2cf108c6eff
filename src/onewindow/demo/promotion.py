"""The demo city's investment-promotion leads and its default assessment indicators.

Twenty fixed leads across every stage, owner and source, written through the promotion services so
their history and audit trail are real. Two are taken into agency, signed and converted in 2013, so
the article's 2012 figures (501 projects, 930亿元) stay as they are. Loading is idempotent: a
finished load is recognised by its first lead, and an indicator set by its year.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from onewindow.accounts.models import User
from onewindow.assessment import services as assessment_services
from onewindow.assessment.models import IndicatorSet
from onewindow.assessment.scoring import DEFAULT_INDICATORS
from onewindow.demo.identifiers import enterprise_uscc
from onewindow.promotion import services
from onewindow.promotion.models import Lead
from onewindow.promotion.services import LeadData
from onewindow.regions.models import Region

D = datetime.date
# Seeds the provisional codes of the two converted projects, so they repeat from one load to the next.
CODE_SEED = 20130601


@dataclass(frozen=True)
class DemoLead:
    title: str
    source: str
    industry: str
    investor: str
    investment_wan: str
    owner: str
    region: str
    found_on: datetime.date
    steps: list[tuple[str, datetime.date, str]] = field(default_factory=list)
    dropped: tuple[datetime.date, str] | None = None
    converted: tuple[str, datetime.date, str] | None = None  # project name, intake date, org code body
    notes: str = ""


LEADS = [
    DemoLead(
        "线索·浙商汽车零部件扩产",
        "referral",
        "C",
        "浙江恒瑞汽车零部件有限公司",
        "68000",
        "agent1",
        "Z510601",
        D(2012, 9, 3),
        [
            ("contact", D(2012, 9, 20), "玉龙钢管引荐，首次接洽"),
            ("visit", D(2012, 10, 15), "考察经开区标准厂房"),
        ],
        notes="客商关注配套供应链与用工。",
    ),
    DemoLead(
        "线索·重装配套铸锻件",
        "fair",
        "C",
        "江苏华锻重工有限公司",
        "45000",
        "agent2",
        "Z510601",
        D(2012, 9, 8),
        [
            ("contact", D(2012, 9, 9), "西博会现场洽谈"),
            ("visit", D(2012, 11, 2), ""),
            ("negotiation", D(2013, 1, 10), "土地价格与分期投入"),
            ("signed", D(2013, 4, 18), "签订投资协议"),
        ],
        converted=("华锻重工铸锻件配套项目", D(2013, 5, 20), "77120011"),
    ),
    DemoLead(
        "线索·新能源电池隔膜",
        "resident",
        "C",
        "深圳锐能新材料科技有限公司",
        "120000",
        "agent1",
        "Z510602",
        D(2012, 10, 12),
        [
            ("contact", D(2012, 10, 30), "驻深圳招商组推荐"),
            ("visit", D(2012, 12, 5), ""),
            ("negotiation", D(2013, 2, 26), ""),
            ("signed", D(2013, 5, 8), "签约仪式"),
        ],
        converted=("锐能新能源电池隔膜项目", D(2013, 6, 3), "77120029"),
    ),
    DemoLead(
        "线索·高端数控刀具",
        "online",
        "C",
        "成都精工刀具有限公司",
        "8500",
        "agent2",
        "510600",
        D(2012, 11, 1),
        [("contact", D(2012, 11, 16), "")],
    ),
    DemoLead(
        "线索·冷链物流园",
        "visit",
        "G",
        "四川蜀运冷链物流有限公司",
        "32000",
        "county_gh",
        "510681",
        D(2012, 8, 20),
        [
            ("contact", D(2012, 8, 21), "客商上门咨询"),
            ("visit", D(2012, 9, 14), ""),
            ("negotiation", D(2012, 11, 28), ""),
        ],
    ),
    DemoLead(
        "线索·食品精深加工",
        "referral",
        "C",
        "广汉川味食品集团有限公司",
        "15000",
        "county_gh",
        "510681",
        D(2012, 7, 2),
        [
            ("contact", D(2012, 7, 20), ""),
            ("visit", D(2012, 8, 10), ""),
            ("negotiation", D(2012, 10, 8), ""),
            ("signed", D(2012, 12, 20), ""),
        ],
    ),
    DemoLead(
        "线索·航空零部件",
        "fair",
        "C",
        "西安航宇精密制造有限公司",
        "26000",
        "county_gh",
        "510681",
        D(2012, 10, 20),
        [("contact", D(2012, 10, 21), "航展对接")],
        dropped=(D(2013, 1, 15), "企业战略调整，转投他市"),
    ),
    DemoLead(
        "线索·磷化工技改",
        "other",
        "C",
        "什邡磷业新材料有限公司",
        "52000",
        "leader",
        "510682",
        D(2012, 6, 11),
        [("contact", D(2012, 6, 25), ""), ("visit", D(2012, 7, 30), "")],
        dropped=(D(2012, 10, 9), "环境容量不足，项目不符合准入条件"),
    ),
    DemoLead(
        "线索·文旅综合体",
        "resident",
        "R",
        "上海青禾文旅发展有限公司",
        "150000",
        "leader",
        "510683",
        D(2012, 9, 27),
        [("contact", D(2012, 10, 18), ""), ("visit", D(2012, 11, 21), "考察年画村与九龙山")],
    ),
    DemoLead(
        "线索·光伏组件",
        "online",
        "C",
        "江西晶辉光伏科技有限公司",
        "90000",
        "agent1",
        "Z510602",
        D(2012, 5, 14),
        [("contact", D(2012, 6, 2), "")],
        dropped=(D(2012, 8, 30), "行业产能过剩，企业暂停扩张"),
    ),
    DemoLead(
        "线索·医疗器械产业园",
        "referral",
        "C",
        "重庆康泰医疗器械有限公司",
        "40000",
        "agent2",
        "Z510602",
        D(2012, 11, 19),
        [("contact", D(2012, 11, 30), ""), ("visit", D(2013, 1, 8), ""), ("negotiation", D(2013, 3, 12), "")],
    ),
    DemoLead(
        "线索·软件外包中心",
        "fair",
        "I",
        "成都云衡信息技术有限公司",
        "6000",
        "agent1",
        "510600",
        D(2012, 9, 25),
    ),
    DemoLead(
        "线索·商贸物流中心",
        "visit",
        "F",
        "德阳万通商贸有限公司",
        "18000",
        "agent2",
        "510600",
        D(2012, 12, 3),
        [("contact", D(2012, 12, 4), "")],
    ),
    DemoLead(
        "线索·燃气轮机叶片",
        "resident",
        "C",
        "北京航发精铸科技有限公司",
        "75000",
        "agent2",
        "Z510601",
        D(2012, 4, 9),
        [("contact", D(2012, 4, 28), ""), ("visit", D(2012, 6, 6), ""), ("negotiation", D(2012, 9, 17), "")],
        dropped=(D(2012, 12, 14), "用地指标未能落实"),
    ),
    DemoLead(
        "线索·农产品冷库",
        "other",
        "A",
        "中江丰源农业开发有限公司",
        "3500",
        "leader",
        "510623",
        D(2012, 10, 5),
        [("contact", D(2012, 10, 26), "")],
    ),
    DemoLead(
        "线索·建材产业园",
        "referral",
        "C",
        "罗江华建建材有限公司",
        "22000",
        "leader",
        "510604",
        D(2012, 8, 1),
        [
            ("contact", D(2012, 8, 14), ""),
            ("visit", D(2012, 9, 3), ""),
            ("negotiation", D(2012, 11, 6), ""),
            ("signed", D(2013, 1, 22), ""),
        ],
    ),
    DemoLead(
        "线索·数据中心",
        "online",
        "I",
        "贵阳数智云科技有限公司",
        "110000",
        "agent1",
        "Z510602",
        D(2012, 12, 10),
    ),
    DemoLead(
        "线索·环保装备",
        "fair",
        "C",
        "江苏清源环保装备有限公司",
        "12000",
        "agent2",
        "510603",
        D(2012, 7, 16),
        [("contact", D(2012, 7, 17), ""), ("visit", D(2012, 8, 22), "")],
    ),
    DemoLead(
        "线索·酒店及会展",
        "visit",
        "H",
        "成都锦华酒店管理有限公司",
        "28000",
        "leader",
        "510603",
        D(2012, 6, 25),
        [("contact", D(2012, 7, 3), "")],
        dropped=(D(2012, 9, 12), "投资方资金未到位"),
    ),
    DemoLead(
        "线索·生物医药中试基地",
        "resident",
        "M",
        "苏州瑞康生物医药有限公司",
        "35000",
        "county_gh",
        "510681",
        D(2012, 11, 26),
        [("contact", D(2012, 12, 12), "驻长三角招商组对接")],
    ),
]


def _write(plan: DemoLead, users: dict[str, User], regions: dict[str, Region], rng: random.Random) -> None:
    owner = users[plan.owner]
    lead = services.create_lead(
        actor=owner,
        data=LeadData(
            title=plan.title,
            source=plan.source,
            industry=plan.industry,
            investor_name=plan.investor,
            expected_investment_wan=Decimal(plan.investment_wan),
            owner=owner,
            region=regions[plan.region],
            found_on=plan.found_on,
            notes=plan.notes,
        ),
    )
    for target, on, note in plan.steps:
        services.advance_lead(actor=owner, lead=lead, target=target, on=on, note=note)
    if plan.dropped:
        services.drop_lead(actor=owner, lead=lead, on=plan.dropped[0], reason=plan.dropped[1])
    if plan.converted:
        name, intake_on, org_body = plan.converted
        services.convert_lead(
            actor=owner,
            lead=lead,
            project_name=name,
            on=intake_on,
            uscc=enterprise_uscc(regions[plan.region].division_code, org_body),
            code_rng=rng,
        )


def load_promotion(users: dict[str, User]) -> None:
    """Add the demo leads and the 2012 and 2013 indicator sets, unless they are there already."""
    if not Lead.objects.filter(title=LEADS[0].title).exists():
        regions = {region.code: region for region in Region.objects.all()}
        rng = random.Random(CODE_SEED)
        for plan in sorted(LEADS, key=lambda plan: plan.found_on):
            _write(plan, users, regions, rng)
    for year in (2012, 2013):
        if not IndicatorSet.objects.filter(year=year).exists():
            assessment_services.save_indicator_set(
                actor=users["leader"], year=year, cap=Decimal("1.20"), indicators=dict(DEFAULT_INDICATORS)
            )
