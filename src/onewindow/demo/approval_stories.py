"""The approval plans of the article's named projects (domain.md §3, issue 3 §5), written through the
approvals services: the plan facts, the plan with staff changes and their reasons, the approval tasks
(办件) with what actually happened to them, and 秋月's joint site survey.

* 玉龙钢管: planned from the signing; the production plant (phase 1) is permitted first, its design
  review merged into the planning permit by the centre's fast track (特事特办), so construction can
  start in under 100 calendar days; the auxiliary facilities (phase 2) file their own permits once
  their design is done.
* 秋月220千伏: site selection (用地预审与选址意见书) with a round of corrections while the four
  candidate sites were compared, one joint site survey with 30+ departments and intermediaries of
  the province, the city and the county, decided within 100 days of the intake.
* 博力迅 and 信仪: company registration accepted and decided on the day of the intake.

The city's catalog of 2012 is not at hand, so the plans use the default catalog (effective 2025)
explicitly: ``create_plan`` would otherwise look for a version in force in 2012 and find none.

What actually happened is derived, not typed in: the planner schedules each plan with the pace the
story gives (approvals took that share of their promised limits) around the dates the story fixes
(``Pin``), so actual dates always respect the prerequisites. ``record`` then checks them against the
project's own dates (decided before construction started, completion approvals before completion)
and refuses a story that does not fit, before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.approvals import planner, selectors, services, task_services
from onewindow.approvals.models import ApprovalTask, CatalogVersion, JointEventKind, Plan
from onewindow.approvals.plan_selectors import BEFORE_WORKS
from onewindow.demo.plans import STORY_ENDS
from onewindow.demo.scenarios import CITY, GUANGHAN, JINGYANG, YULONG_CODE
from onewindow.projects.models import Project
from onewindow.regions.models import Department

D = datetime.date


class StoryError(ValueError):
    """A story's derived dates do not fit the project's own history."""


@dataclass(frozen=True)
class Pin:
    """An approval whose dates the story fixes: filed and accepted on ``accepted``, decided on
    ``decided``."""

    accepted: datetime.date
    decided: datetime.date


@dataclass(frozen=True)
class Correction:
    """A round of corrections (补正) the window asked for, and the day the corrected materials came."""

    code: str
    asked_on: datetime.date
    requested: str
    resubmitted_on: datetime.date


@dataclass(frozen=True)
class JointSurvey:
    held_on: datetime.date
    location: str
    participants: tuple[str, ...]
    findings: str
    tasks: tuple[str, ...]  # item codes of the tasks it served


@dataclass(frozen=True)
class ApprovalStory:
    project_code: str
    start_on: datetime.date
    facts: Mapping[str, Any]
    removed: tuple[tuple[str, str], ...] = ()  # (item code, reason)
    added: tuple[tuple[str, str], ...] = ()
    pace: float = 1.0
    pins: Mapping[str, Pin] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()
    # Approvals before the works (and utility connections) are recorded, each decided by this day.
    works_start: datetime.date | None = None
    record_utilities: bool = True
    # Completion approvals are recorded, all decided by this day (the project's completion).
    completed_on: datetime.date | None = None
    survey: JointSurvey | None = None


QIUYUE_CODE = "1203-510600-04-01-220117"
BOLIXUN_CODE = "1206-510603-03-01-731550"
XINYI_CODE = "1204-510681-03-01-480936"

QIUYUE_PARTICIPANTS = (
    # 省级
    "四川省发展和改革委员会",
    "四川省国土资源厅",
    "四川省环境保护厅",
    "四川省住房和城乡建设厅",
    "四川省水利厅",
    "四川省林业厅",
    "四川省电力公司",
    # 市级
    "德阳市政务服务中心",
    "德阳市发展和改革委员会",
    "德阳市国土资源局",
    "德阳市规划管理局",
    "德阳市环境保护局",
    "德阳市住房和城乡建设局",
    "德阳市水务局",
    "德阳市交通运输局",
    "德阳市气象局",
    "德阳市安全生产监督管理局",
    "德阳市文物管理所",
    "德阳市林业局",
    "德阳电业局",
    # 县级
    "旌阳区人民政府",
    "旌阳区国土资源分局",
    "旌阳区规划分局",
    "旌阳区环境保护局",
    "旌阳区水务局",
    "旌阳区交通运输局",
    "站址所在乡镇人民政府",
    # 中介机构
    "四川电力设计咨询有限责任公司（选址设计）",
    "德阳市勘察测绘院（勘测定界）",
    "环境影响评价机构",
    "地质灾害危险性评估机构",
    "压覆矿产资源评估机构",
    "水土保持方案编制机构",
    "土地估价机构",
)


def stories() -> list[ApprovalStory]:
    return [
        ApprovalStory(
            project_code=YULONG_CODE,
            start_on=D(2012, 5, 16),  # the signing
            facts={
                "new_land": True,
                "land_area_m2": Decimal("200000"),
                "floor_area_m2": Decimal("86000"),
                "eia_category": "report_table",
                "energy_tce": Decimal("8000"),
                "in_evaluated_zone": True,
            },
            removed=(
                (
                    "ZRZY-FA",
                    "特事特办：生产厂房（一期）设计方案审查并入建设工程规划许可一并办理"
                    "（市政务服务中心2012年5月23日协调会议定）；附属设施待设计完成后另行报建。",
                ),
            ),
            pace=0.8,
            pins={"FGW-BA": Pin(D(2012, 5, 18), D(2012, 5, 21))},
            works_start=D(2012, 8, 16),
            completed_on=D(2013, 4, 26),
        ),
        ApprovalStory(
            project_code=QIUYUE_CODE,
            start_on=D(2012, 3, 5),  # the intake
            facts={
                "new_land": True,
                "land_area_m2": Decimal("14000"),
                "floor_area_m2": Decimal("2600"),
                "eia_category": "report_table",
                "highway_access": True,
            },
            pace=0.8,
            pins={
                "ZRZY-YDYS": Pin(D(2012, 3, 19), D(2012, 6, 12)),
                "FGW-HZ": Pin(D(2012, 10, 15), D(2012, 12, 10)),
            },
            corrections=(
                Correction(
                    "ZRZY-YDYS",
                    D(2012, 3, 30),
                    "补充4个备选站址比选论证报告，待联合现场查勘后确定推荐站址。",
                    D(2012, 5, 21),
                ),
            ),
            works_start=D(2013, 5, 8),
            survey=JointSurvey(
                held_on=D(2012, 4, 11),
                location="旌阳区4个备选站址",
                participants=QIUYUE_PARTICIPANTS,
                findings=(
                    "省、市、县三级审批和服务部门及中介机构共同查勘4个备选站址，逐一核对规划、用地、"
                    "环保、水利、交通、文物和线路走廊条件，一致推荐2号站址，其余3个站址存在压覆矿产或"
                    "线路跨越困难。业主据此补正选址论证材料。"
                ),
                tasks=("ZRZY-YDYS",),
            ),
        ),
        ApprovalStory(
            project_code=BOLIXUN_CODE,
            start_on=D(2012, 6, 12),  # the intake
            facts={
                "new_land": True,
                "land_area_m2": Decimal("66000"),
                "floor_area_m2": Decimal("42000"),
                "eia_category": "report_table",
                "in_evaluated_zone": True,
                "special_fire_review": True,
                "new_company": True,
            },
            pace=0.8,
            # Registered the day it was taken in; the filing (立项) is the project's approval date.
            pins={
                "SCJG-SL": Pin(D(2012, 6, 12), D(2012, 6, 12)),
                "FGW-BA": Pin(D(2012, 7, 17), D(2012, 7, 20)),
            },
            works_start=D(2012, 10, 15),
            completed_on=D(2013, 8, 28),
        ),
        ApprovalStory(
            project_code=XINYI_CODE,
            start_on=D(2012, 4, 16),  # the intake
            facts={
                "new_land": True,
                "land_area_m2": Decimal("40000"),
                "floor_area_m2": Decimal("21000"),
                "eia_category": "report_table",
                "new_company": True,
            },
            pace=0.85,
            pins={
                "SCJG-SL": Pin(D(2012, 4, 16), D(2012, 4, 16)),
                "FGW-BA": Pin(D(2012, 6, 1), D(2012, 6, 5)),
            },
            works_start=D(2012, 9, 3),
            completed_on=D(2013, 7, 15),
        ),
    ]


# -- the departments each story needs -----------------------------------------------------------------

# Where the story's windows sit: a county project's own windows where the county has that department,
# the city's otherwise. ``scenarios`` lists the same departments for each project.
STORY_REGION = {YULONG_CODE: CITY, QIUYUE_CODE: CITY, BOLIXUN_CODE: CITY, XINYI_CODE: GUANGHAN}

ABBREVIATIONS = {
    "fgw": "发改",
    "jxw": "经信",
    "zrzy": "国土规",
    "zjj": "建",
    "sthj": "环",
    "swj": "水",
    "yjj": "安监",
    "scjg": "工商",
    "rfb": "人防",
    "qxj": "气",
    "jtj": "交",
    "gdj": "电",
    "swzx": "税",
    "xfj": "消",
    "wglj": "文",
    "dzj": "震",
    "cgj": "城管",
    "gaj": "公",
    "rsj": "人社",
    "gjj": "公积金",
    "gsgs": "水司",
    "rqgs": "燃气",
    "txgs": "通信",
}
PLACE = {CITY: "德", GUANGHAN: "广", JINGYANG: "旌"}


def _window_clerk(department: Department, users: dict[str, User]) -> User:
    """The demo's window clerk of a department: the published ``clerk_fgw`` for the city's 发改, an
    account without a password (nobody logs in as it) for the others."""
    if department.region.code == CITY and department.code == "fgw":
        return users["clerk_fgw"]
    username = f"window_{department.region.code.lower()}_{department.code}"
    clerk = User.objects.filter(username=username).first()
    if clerk is None:
        clerk = User(
            username=username,
            full_name=f"{department.region.name}{department.name}窗口",
            role=Role.CLERK,
            region=department.region,
            department=department,
        )
        clerk.set_unusable_password()
        clerk.full_clean()
        clerk.save()
    return clerk


# -- deriving what happened ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Happened:
    code: str
    accepted: datetime.date
    decided: datetime.date


def _items_of(plan: Plan) -> list[planner.Item]:
    catalog = selectors.planner_items(plan.catalog_version)
    included = selectors.included_codes(plan)
    return planner.without(catalog, {item.code for item in catalog} - included)


def derive(story: ApprovalStory, items: list[planner.Item], calendar) -> list[Happened]:
    """The dates the story's approvals were accepted and decided, in the plan's order."""
    paced = [replace(item, limit=max(1, round(item.limit * story.pace))) for item in items]
    pinned = {code: planner.Actual(pin.accepted, pin.decided) for code, pin in story.pins.items()}
    happened: list[Happened] = []
    if story.works_start is not None:
        stages = {*BEFORE_WORKS, "utilities"} if story.record_utilities else set(BEFORE_WORKS)
        before_completion = [item for item in paced if item.stage != "completion"]
        schedule = planner.schedule(before_completion, calendar, story.start_on, actuals=pinned)
        for entry in schedule.items:
            if entry.item.stage not in stages:
                continue
            if entry.item.stage in BEFORE_WORKS and entry.finish > story.works_start:
                raise StoryError(
                    f"{story.project_code}: {entry.item.code} decided {entry.finish}, after the works "
                    f"started on {story.works_start}"
                )
            happened.append(Happened(entry.item.code, entry.start, entry.finish))
    if story.completed_on is not None:
        happened += _completion(story, paced, calendar)
    late = [entry for entry in happened if entry.decided > min(STORY_ENDS, timezone.localdate())]
    if late:
        raise StoryError(f"{story.project_code}: {late[0].code} decided after the story ends")
    return happened


def _completion(story: ApprovalStory, items: list[planner.Item], calendar) -> list[Happened]:
    """Completion approvals just before the completion: scheduled on their own and placed so that the
    last one is decided on the completion day."""
    assert story.completed_on is not None
    codes = {item.code for item in items if item.stage == "completion"}
    own = [
        replace(item, requires=tuple(code for code in item.requires if code in codes))
        for item in items
        if item.code in codes
    ]
    probe = planner.schedule(own, calendar, story.completed_on)
    first = calendar.date_at(calendar.last_on_or_before(story.completed_on) - probe.parallel_workdays + 1)
    schedule = planner.schedule(own, calendar, first)
    return [Happened(entry.item.code, entry.start, entry.finish) for entry in schedule.items]


# -- writing -----------------------------------------------------------------------------------------


def _documents():
    serial = {}

    def number(task: ApprovalTask, region_code: str, on: datetime.date) -> str:
        key = (region_code, task.department.code, on.year)
        serial[key] = serial.get(key, 0) + 1
        place = PLACE.get(region_code, "德")
        abbreviation = ABBREVIATIONS.get(task.department.code, task.department.code.upper())
        return f"{place}{abbreviation}〔{on.year}〕{serial[key]}号"

    return number


def _write(
    story: ApprovalStory,
    project: Project,
    version: CatalogVersion,
    actor: User,
    users: dict[str, User],
    number,
) -> Plan:
    services.save_project_facts(actor=actor, project=project, values=dict(story.facts))
    plan = services.create_plan(
        actor=actor, project=project, start_on=story.start_on, catalog_version=version
    )
    for code, reason in story.removed:
        services.remove_plan_item(actor=actor, plan=plan, code=code, reason=reason)
    for code, reason in story.added:
        services.add_plan_item(actor=actor, plan=plan, code=code, reason=reason)
    happened = derive(story, _items_of(plan), selectors.workday_calendar())
    sync = task_services.generate_tasks(actor=actor, plan=plan)
    tasks = {task.item.code: task for task in sync.created}
    region_code = STORY_REGION[story.project_code]
    # The project's window for each department code; its own region's where it involves several.
    departments: dict[str, Department] = {}
    for department in project.departments.select_related("region").order_by("pk"):
        if department.code not in departments or department.region.code == region_code:
            departments[department.code] = department
    corrections = {correction.code: correction for correction in story.corrections}
    for entry in sorted(happened, key=lambda entry: (entry.accepted, entry.code)):
        task = tasks[entry.code]
        department = departments.get(task.department.code)
        if department is None:
            raise StoryError(f"{story.project_code} does not involve a {task.department.code} window")
        clerk = _window_clerk(department, users)
        prepared_on = max(story.start_on, entry.accepted - datetime.timedelta(days=3))
        task = task_services.start_preparing(actor=actor, task=task, on=prepared_on)
        task = task_services.accept_task(actor=clerk, task=task, on=entry.accepted)
        correction = corrections.get(entry.code)
        if correction is not None:
            task = task_services.request_correction(
                actor=clerk, task=task, on=correction.asked_on, requested=correction.requested
            )
            task = task_services.resubmit_corrections(actor=actor, task=task, on=correction.resubmitted_on)
        tasks[entry.code] = task_services.decide_task(
            actor=clerk,
            task=task,
            on=entry.decided,
            outcome="approve",
            document_number=number(task, department.region.code, entry.decided),
        )
    if story.survey is not None:
        survey = story.survey
        task_services.record_joint_event(
            actor=actor,
            project=project,
            kind=JointEventKind.SITE_SURVEY,
            held_on=survey.held_on,
            location=survey.location,
            departments=list(project.departments.all()),
            participants=list(survey.participants),
            findings=survey.findings,
            tasks=[tasks[code] for code in survey.tasks],
        )
    return plan


def load_approval_stories(users: dict[str, User], actors: Mapping[str, str]) -> list[Plan]:
    """Plan the named projects on the default catalog and record what happened to their approvals.
    ``actors`` maps a project code to the username who works it (its agent, or the county centre)."""
    version = services.load_default_catalog()
    number = _documents()
    plans = []
    for story in stories():
        project = Project.objects.select_related("region").get(code=story.project_code)
        plans.append(_write(story, project, version, users[actors[story.project_code]], users, number))
    return plans
