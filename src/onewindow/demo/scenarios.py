"""The projects the 2012 article names, as scripted scenarios (domain.md §3).

The article gives the facts kept here: places, months, the 3亿元 of 毅恒重工, the 100 days of 秋月's site
selection, the same-day registrations, the escalation of 得阳科技's environmental problem and the late
intake of 华西希望. Everything else (exact days, the other amounts, codes, phases' split) is invented for
the demo and chosen to fit those facts. Timeline texts are data, in the language of the register.
"""

from datetime import date
from decimal import Decimal

from onewindow.demo.identifiers import enterprise_uscc
from onewindow.demo.plans import InvestorPlan, Note, PhasePlan, ProjectPlan, Step
from onewindow.projects.stages import Stage

CITY = "510600"
JINGYANG = "510603"
GUANGHAN = "510681"
SHIFANG = "510682"
ECONOMIC_ZONE = "Z510601"
HIGH_TECH_ZONE = "Z510602"

# The loader recognises an already loaded demo city by this project's code.
YULONG_CODE = "1205-510603-03-01-358164"


def _city(*codes: str) -> tuple[tuple[str, str], ...]:
    return tuple((CITY, code) for code in codes)


def _county(region: str, *codes: str) -> tuple[tuple[str, str], ...]:
    return tuple((region, code) for code in codes)


def yulong() -> ProjectPlan:
    """Top-500 private enterprise: signed in May, on site in August (< 100 days), staged permits."""
    return ProjectPlan(
        key="yulong",
        name="江苏玉龙钢管德阳生产基地项目",
        investor=InvestorPlan(
            name="江苏玉龙钢管股份有限公司",
            uscc=enterprise_uscc("320205", "25071836"),
            contact_name="周建华",
            contact_email="yulong.deyang@example.com",
        ),
        total_investment_wan=Decimal("150000.00"),
        industry="C",
        region_code=ECONOMIC_ZONE,
        level="city",
        actor="agent1",
        agent="agent1",
        code=YULONG_CODE,
        fast_track=True,
        negotiation_on=date(2012, 3, 20),
        signed_on=date(2012, 5, 16),
        intake_on=date(2012, 5, 18),
        description=(
            "全国民营企业500强投资，资金充足、订单在手、急需建成投产。特事特办：生产厂房正常办证施工，"
            "安全监管部门现场监督指导，附属设施待设计完成后再报。"
        ),
        # The windows of its approvals (the catalog's departments), and 安监 and 消防 on site.
        departments=_city("fgw", "zrzy", "zjj", "yjj", "sthj", "xfj", "gdj", "swj", "cgj", "gsgs", "txgs"),
        phases=(
            PhasePlan(
                sequence=1,
                name="一期生产厂房",
                scale="主厂房及钢管生产线",
                investment_wan=Decimal("100000.00"),
                planned_start_on=date(2012, 8, 1),
                started_on=date(2012, 8, 16),
                completed_on=date(2013, 4, 26),
                produced_on=date(2013, 6, 18),
            ),
            PhasePlan(
                sequence=2,
                name="附属设施",
                scale="办公、仓储及配套用房（设计完成后报建）",
                investment_wan=Decimal("50000.00"),
                planned_start_on=date(2013, 3, 1),
                started_on=date(2013, 3, 25),
            ),
        ),
        steps=(
            Step(Stage.APPROVED, date(2012, 5, 21), note="企业投资项目备案办结。"),
            Step(Stage.STARTED, date(2012, 8, 16), note="正式进场施工：从签约到施工不到100天。"),
            Step(Stage.COMPLETED, date(2013, 4, 26), note="一期主厂房及生产线竣工验收。"),
            Step(Stage.PRODUCING, date(2013, 6, 18), note="设备安装调试完成，正式投产。"),
        ),
        notes=(
            Note(date(2012, 5, 18), "纳入市政务服务中心“一窗式”全程代办，代办员提前介入，协助准备申报资料。"),
            Note(
                date(2012, 5, 23),
                "中心组织投资方、经开区、规划建设部门共同协商，特事特办：生产厂房正常办证施工，"
                "安全监管部门现场监督指导，附属设施待设计完成后再报。",
                public=False,
            ),
            Note(date(2012, 8, 20), "安全监管部门到现场监督指导生产厂房施工。", public=False, phase=1),
            Note(date(2012, 11, 30), "一期工程主厂房基本完工，待设备安装调试完成即可投产。", phase=1),
            Note(date(2013, 3, 8), "附属设施设计完成，按约定补报规划和施工许可。", phase=2),
        ),
        investor_accounts=("investor_yulong",),
    )


def yiheng() -> ProjectPlan:
    """3亿元; construction within three months of signing and in production the same year."""
    return ProjectPlan(
        key="yiheng",
        name="毅恒重工数控机床项目",
        investor=InvestorPlan(
            name="德阳毅恒重工有限公司",
            uscc=enterprise_uscc(JINGYANG, "58264013"),
            contact_name="罗敏",
            contact_email="yiheng@example.com",
        ),
        total_investment_wan=Decimal("30000.00"),
        industry="C",
        region_code=ECONOMIC_ZONE,
        level="city",
        actor="agent2",
        agent="agent2",
        code="1203-510603-03-01-604218",
        signed_on=date(2012, 2, 28),
        intake_on=date(2012, 3, 1),
        description="在市政务服务中心和经开区助推下，3个月内开工，当年建成投产。",
        departments=_city("fgw", "zrzy", "zjj", "sthj", "scjg", "gdj"),
        steps=(
            Step(Stage.APPROVED, date(2012, 3, 30)),
            Step(Stage.STARTED, date(2012, 5, 22), note="签约后3个月内开工。"),
            Step(Stage.COMPLETED, date(2012, 11, 20)),
            Step(Stage.PRODUCING, date(2012, 12, 18), note="当年建成投产。"),
        ),
        notes=(
            Note(date(2012, 3, 1), "市政务服务中心和经开区共同助推，启动全程代办。"),
            Note(date(2012, 4, 18), "施工图审查与施工许可并联办理，代办员每周督办一次。", public=False),
        ),
    )


def qiuyue() -> ProjectPlan:
    """220 kV substation for 德阳电业局: four candidate sites, one joint survey, site chosen in 100 days."""
    return ProjectPlan(
        key="qiuyue",
        name="德阳秋月220千伏输变电工程",
        investor=InvestorPlan(
            name="四川省电力公司德阳电业局",
            uscc=enterprise_uscc(JINGYANG, "20518637"),
            contact_name="杨工",
            contact_email="dianye.deyang@example.com",
        ),
        total_investment_wan=Decimal("16800.00"),
        industry="D",
        region_code=CITY,
        level="city",
        actor="agent2",
        agent="agent2",
        code="1203-510600-04-01-220117",
        approval_type="ratification",
        signed_on=date(2012, 2, 27),
        intake_on=date(2012, 3, 5),
        description=(
            "投资方提出4个备选站址，涉及省、市、县三级30多家审批和服务部门及中介机构。"
            "同等规模的寿丰220千伏输变电站选址耗时超过1000天。"
        ),
        departments=(
            *_city("fgw", "zrzy", "sthj", "swj", "qxj", "jtj", "gdj", "yjj", "zjj", "cgj", "gsgs", "txgs"),
            *_county(JINGYANG, "zrzy"),
        ),
        steps=(
            Step(Stage.APPROVED, date(2012, 12, 10), note="省发展改革委核准。"),
            Step(Stage.STARTED, date(2013, 5, 8)),
        ),
        notes=(
            Note(date(2012, 3, 5), "市政府将项目交市政务服务中心代办。"),
            Note(
                date(2012, 3, 14),
                "事前：中心组织项目业主、审批部门和中介机构三方集中分析选址难点，明确分工和时限。",
                public=False,
            ),
            Note(date(2012, 4, 11), "事中：统一组织审批部门和中介机构对4个备选站址联合现场查勘。"),
            Note(date(2012, 5, 16), "事后：跟踪督促选址意见、用地预审和环评意见的出具进度。", public=False),
            Note(date(2012, 6, 12), "100天内完成项目选址工作。"),
            Note(
                date(2012, 7, 10),
                "调整市电力建设协调领导小组，德阳电业局主动要求增加市政务服务中心为成员单位。",
                public=False,
            ),
        ),
    )


def bolixun() -> ProjectPlan:
    """Battery maker whose company registration was done the same day."""
    return ProjectPlan(
        key="bolixun",
        name="博力迅动力电池生产线项目",
        investor=InvestorPlan(
            name="四川博力迅电池有限公司",
            uscc=enterprise_uscc(JINGYANG, "59730462"),
            contact_name="邓强",
            contact_email="bolixun@example.com",
        ),
        total_investment_wan=Decimal("45000.00"),
        industry="C",
        region_code=HIGH_TECH_ZONE,
        level="city",
        actor="agent1",
        agent="agent1",
        code="1206-510603-03-01-731550",
        signed_on=date(2012, 6, 8),
        intake_on=date(2012, 6, 12),
        departments=_city(
            "fgw",
            "scjg",
            "zrzy",
            "zjj",
            "sthj",
            "yjj",
            "xfj",
            "gaj",
            "swzx",
            "rsj",
            "gjj",
            "swj",
            "cgj",
            "gdj",
            "gsgs",
            "txgs",
        ),
        steps=(
            Step(Stage.APPROVED, date(2012, 7, 20)),
            Step(Stage.STARTED, date(2012, 10, 15)),
            Step(Stage.COMPLETED, date(2013, 8, 28)),
            Step(Stage.PRODUCING, date(2013, 10, 22)),
        ),
        notes=(Note(date(2012, 6, 12), "公司设立登记当天办结。"),),
    )


def xinyi() -> ProjectPlan:
    """Glass maker registered the same day; a county project of 广汉市."""
    return ProjectPlan(
        key="xinyi",
        name="信仪玻璃深加工项目",
        investor=InvestorPlan(
            name="四川信仪玻璃有限公司",
            uscc=enterprise_uscc(GUANGHAN, "59614027"),
            contact_name="冯丽",
            contact_email="xinyi@example.com",
        ),
        total_investment_wan=Decimal("28000.00"),
        industry="C",
        region_code=GUANGHAN,
        level="county",
        actor="county_gh",
        code="1204-510681-03-01-480936",
        signed_on=date(2012, 4, 10),
        intake_on=date(2012, 4, 16),
        # 广汉's own windows, and the city's for what the county centre does not handle.
        departments=(
            *_county(GUANGHAN, "fgw", "scjg", "zrzy", "zjj", "sthj"),
            *_city("gaj", "swzx", "rsj", "gjj", "swj", "cgj", "gdj", "gsgs", "txgs"),
        ),
        steps=(
            Step(Stage.APPROVED, date(2012, 6, 5)),
            Step(Stage.STARTED, date(2012, 9, 3)),
            Step(Stage.COMPLETED, date(2013, 7, 15)),
            Step(Stage.PRODUCING, date(2013, 9, 10)),
        ),
        notes=(Note(date(2012, 4, 16), "公司设立登记当天办结。"),),
    )


def deyang_tech() -> ProjectPlan:
    """An environmental problem the departments took to their provincial counterparts (internal)."""
    return ProjectPlan(
        key="deyang_tech",
        name="得阳科技项目",
        investor=InvestorPlan(
            name="四川得阳科技股份有限公司",
            uscc=enterprise_uscc(SHIFANG, "72093815"),
            contact_name="蒋涛",
            contact_email="deyangtech@example.com",
        ),
        total_investment_wan=Decimal("35000.00"),
        industry="C",
        region_code=SHIFANG,
        level="county",
        actor="admin",
        code="1203-510682-03-01-195372",
        signed_on=date(2012, 3, 12),
        intake_on=date(2012, 3, 20),
        departments=(*_county(SHIFANG, "fgw", "sthj", "zrzy", "zjj"), *_city("sthj", "fgw")),
        steps=(
            Step(Stage.APPROVED, date(2012, 8, 15)),
            Step(Stage.STARTED, date(2012, 11, 6)),
            Step(Stage.COMPLETED, date(2013, 11, 20)),
        ),
        notes=(
            Note(
                date(2012, 5, 10),
                "环评审批遇到须由省级主管部门认定的环保问题，县级无法办结，报市政务服务中心协调。",
                public=False,
            ),
            Note(
                date(2012, 5, 17),
                "三级协调：市环保局、市发展改革委等主管部门主动到省上对口部门汇报，请求解决。",
                public=False,
            ),
            Note(date(2012, 7, 6), "省级对口部门出具意见，环保问题解决，环评审批恢复办理。", public=False),
            Note(date(2012, 7, 20), "环境影响评价审批办结。"),
        ),
    )


def huaxi() -> ProjectPlan:
    """About 230亩 city complex taken into agency a year after signing: the lesson to take in early."""
    return ProjectPlan(
        key="huaxi",
        name="华西希望“美好·希望之城”城市综合体项目",
        investor=InvestorPlan(
            name="华西希望集团有限公司",
            uscc=enterprise_uscc("510104", "20196475"),
            contact_name="孙伟",
            contact_email="huaxi.deyang@example.com",
        ),
        total_investment_wan=Decimal("300000.00"),
        industry="K",
        region_code=CITY,
        level="city",
        actor="agent1",
        agent="agent1",
        code="1206-510600-11-01-230468",
        negotiation_on=date(2011, 3, 15),
        signed_on=date(2011, 6, 17),
        intake_on=date(2012, 6, 20),
        description="占地约230亩的城市综合体。签约一年后才纳入市政务服务中心代办，前期统筹协调不够增加了后续难度。",
        departments=_city("fgw", "zrzy", "zjj", "rfb", "xfj", "sthj"),
        steps=(
            Step(Stage.APPROVED, date(2012, 11, 28)),
            Step(Stage.SUSPENDED, date(2013, 1, 15), reason="拆迁安置尚未完成，暂缓开工。"),
            Step(Stage.APPROVED, date(2013, 4, 8), resume=True),
            Step(Stage.STARTED, date(2013, 6, 18)),
        ),
        notes=(
            Note(date(2012, 6, 20), "签约一年后纳入市政务服务中心全程代办。"),
            Note(
                date(2012, 7, 18),
                "前期统筹协调不够：规划条件和拆迁安置方案需调整，设计方案已两次退回修改。",
                public=False,
            ),
            Note(date(2012, 9, 26), "现场拆迁进度滞后，报中心领导协调（第二级）。", public=False),
            Note(
                date(2012, 12, 14),
                "复盘：项目应在签约前后及早纳入代办，加强前期统筹协调。",
                public=False,
            ),
        ),
    )


def named_projects() -> list[ProjectPlan]:
    return [yulong(), yiheng(), qiuyue(), bolixun(), xinyi(), deyang_tech(), huaxi()]
