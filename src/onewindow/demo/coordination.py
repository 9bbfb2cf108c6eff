"""Three-level coordination in the demo city (domain.md §3), written through the coordination services.

* 得阳科技: an environmental problem the county could not settle. Raised in May 2012, taken to the
  department leaders, then to the city government (督办), whose departments went to their provincial
  counterparts (an escalation beyond the city); resolved in July when the province gave its opinion.
  The city government's coordination meeting on it has minutes and two action items, both done.
* 华西希望: the site clearance (拆迁) lagging in September 2012, taken to the leaders' joint meeting
  (level 2), resolved when the resettlement was done in April 2013.
* 玉龙钢管: the power connection for the plant, settled by the window departments (level 1).
* Work in hand, dated from the day the demo is loaded so that a newcomer sees the warnings: a problem
  just raised, one a department leaders' meeting has (level 2), one whose level-1 deadline has already
  passed (the in-process tick escalates it on its own), and an action item due tomorrow (yellow).

Idempotent: nothing is written when the demo's problems are already there.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.approvals import services as approval_services
from onewindow.approvals import task_services
from onewindow.approvals.selectors import workday_calendar
from onewindow.coordination import services
from onewindow.coordination.models import Problem
from onewindow.demo.scenarios import CITY, SHIFANG, YULONG_CODE
from onewindow.projects.models import Project, Stage
from onewindow.regions.models import Department, Region

D = datetime.date
DEYANG_TECH_CODE = "1203-510682-03-01-195372"
HUAXI_CODE = "1206-510600-11-01-230468"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def _department(region: str, code: str) -> Department:
    return Department.objects.get(region__code=region, code=code)


def _deyang_tech(users: dict[str, User]) -> None:
    project = Project.objects.select_related("region").get(code=DEYANG_TECH_CODE)
    county_sthj, city_sthj, city_fgw = (
        _department(SHIFANG, "sthj"),
        _department(CITY, "sthj"),
        _department(CITY, "fgw"),
    )
    problem = services.raise_problem(
        actor=users["admin"],
        project=project,
        title="环评涉及须由省级主管部门认定的环保问题",
        description="项目环评审批遇到须由省级主管部门认定的环保问题，县级无法办结，报市政务服务中心协调。",
        category="environment",
        departments=[county_sthj, city_sthj],
        raised_on=D(2012, 5, 10),
    )
    services.start_problem(actor=users["admin"], problem=problem)
    services.escalate_problem(
        actor=users["admin"],
        problem=problem,
        reason="县市两级环保部门意见一致，但认定权限在省级，提请部门领导联席会议研究。",
        on=D(2012, 5, 14),
    )
    problem = services.escalate_problem(
        actor=users["leader"],
        problem=problem,
        reason="联席会议认为须由市政府出面协调省级对口部门。",
        on=D(2012, 5, 16),
        supervising_office="市政府督查室",
        supervising_leader="分管副市长",
    )
    meeting = services.schedule_meeting(
        actor=users["leader"],
        data=services.MeetingData(
            title="得阳科技项目环保问题协调会",
            held_at=_at(D(2012, 5, 16), 9, 30),
            location="市政务服务中心三楼会议室",
            level=3,
            region=Region.objects.get(code=CITY),
            chair=users["leader"],
            departments=[city_sthj, city_fgw, county_sthj],
            attendees=[users["agent1"], users["county_gh"]],
            other_attendees="四川得阳科技股份有限公司 蒋涛；什邡市政务服务中心",
            problems=[problem],
        ),
    )
    services.record_minutes(
        actor=users["leader"],
        meeting=meeting,
        minutes="会议听取了项目环评审批受阻情况的汇报，研究了向省级对口部门汇报的安排。",
        decisions=[
            "市生态环境局、市发展改革委主动到省上对口部门汇报，请求认定。",
            "什邡市生态环境局一周内补齐认定所需材料。",
            "市政务服务中心跟踪督办，每周报告进展。",
        ],
        on=D(2012, 5, 16),
    )
    report = services.add_action_item(
        actor=users["leader"],
        meeting=meeting,
        description="向省生态环境主管部门汇报，请求认定",
        due_on=D(2012, 5, 25),
        department=city_sthj,
        problem=problem,
    )
    materials = services.add_action_item(
        actor=users["leader"],
        meeting=meeting,
        description="补齐认定所需的监测报告和说明材料",
        due_on=D(2012, 5, 23),
        owner=users["county_gh"],
        department=county_sthj,
        problem=problem,
    )
    services.complete_action_item(
        actor=users["leader"], item=materials, on=D(2012, 5, 22), note="材料已报送。"
    )
    services.complete_action_item(
        actor=users["leader"], item=report, on=D(2012, 5, 17), note="已到省厅汇报。"
    )
    services.record_beyond_city_escalation(
        actor=users["leader"],
        problem=problem,
        on=D(2012, 5, 17),
        body="省生态环境主管部门",
        note="市环保局、市发展改革委等主管部门主动到省上对口部门汇报，请求解决。",
    )
    services.resolve_problem(
        actor=users["leader"],
        problem=problem,
        resolution="省级对口部门出具意见，环保问题解决，环评审批恢复办理。",
        on=D(2012, 7, 6),
    )


def _huaxi(users: dict[str, User]) -> None:
    project = Project.objects.select_related("region").get(code=HUAXI_CODE)
    problem = services.raise_problem(
        actor=users["agent1"],
        project=project,
        title="现场拆迁进度滞后",
        description="规划条件和拆迁安置方案需调整，现场拆迁进度滞后，影响开工准备。",
        category="demolition",
        departments=[_department(CITY, "zrzy"), _department(CITY, "zjj")],
        raised_on=D(2012, 9, 12),
    )
    services.escalate_problem(
        actor=users["agent1"],
        problem=problem,
        reason="窗口部门协调未果，报中心领导协调（第二级）。",
        on=D(2012, 9, 26),
    )
    services.resolve_problem(
        actor=users["agent1"], problem=problem, resolution="拆迁安置完成，项目恢复办理。", on=D(2013, 4, 8)
    )


def _yulong(users: dict[str, User]) -> None:
    project = Project.objects.select_related("region").get(code=YULONG_CODE)
    problem = services.raise_problem(
        actor=users["agent1"],
        project=project,
        title="生产厂房施工用电接入",
        description="一期生产厂房进场施工，需尽快接入施工临时用电。",
        category="utilities",
        departments=[_department(CITY, "gdj")],
        raised_on=D(2012, 8, 6),
    )
    services.resolve_problem(
        actor=users["agent1"],
        problem=problem,
        resolution="供电公司现场踏勘后三日内完成临时用电接入。",
        on=D(2012, 8, 9),
    )


def _work_in_hand(users: dict[str, User]) -> None:
    """Problems and an action item dated from today, on city projects not yet under construction."""
    calendar = workday_calendar()
    today = timezone.localdate()

    def workdays_ago(n: int) -> datetime.date:
        return calendar.date_at(calendar.last_on_or_before(today) - n)

    projects = list(
        Project.objects.filter(
            region__code=CITY, stage__in=[Stage.INTAKE, Stage.APPROVED], agent__isnull=False
        )
        .exclude(code__in=[HUAXI_CODE])
        .select_related("region", "agent")
        .order_by("code")[:3]
    )
    if len(projects) < 3:
        return
    fgw, zrzy, gdj = _department(CITY, "fgw"), _department(CITY, "zrzy"), _department(CITY, "gdj")
    just_raised = services.raise_problem(
        actor=projects[0].agent,
        project=projects[0],
        title="用地报批材料需补充规划条件",
        description="自然资源部门要求补充规划条件论证材料后方可受理用地报批。",
        category="land",
        departments=[zrzy],
        raised_on=workdays_ago(3),
    )
    services.start_problem(actor=projects[0].agent, problem=just_raised)
    at_level_two = services.raise_problem(
        actor=projects[1].agent,
        project=projects[1],
        title="110千伏专线接入方案未定",
        description="供电公司与项目方对专线接入点意见不一致。",
        category="utilities",
        departments=[gdj, fgw],
        raised_on=workdays_ago(6),
    )
    services.escalate_problem(
        actor=projects[1].agent,
        problem=at_level_two,
        reason="窗口部门协调两次仍未达成一致，提请部门领导联席会议。",
        on=workdays_ago(1),
    )
    services.raise_problem(
        actor=projects[2].agent,
        project=projects[2],
        title="项目资金到位证明不足",
        description="银行授信文件尚未出具，影响备案后续手续。",
        category="funding",
        departments=[fgw],
        raised_on=workdays_ago(8),
    )
    _tasks_in_hand(projects[2], users["clerk_fgw"], workdays_ago)
    meeting = services.schedule_meeting(
        actor=users["leader"],
        data=services.MeetingData(
            title="重点项目要素保障联席会议",
            held_at=_at(workdays_ago(1), 15),
            location="市政务服务中心三楼会议室",
            level=2,
            region=Region.objects.get(code=CITY),
            chair=users["leader"],
            departments=[gdj, fgw],
            attendees=[projects[1].agent],
            problems=[at_level_two],
        ),
    )
    services.record_minutes(
        actor=users["leader"],
        meeting=meeting,
        minutes="会议研究了专线接入方案。",
        decisions=["供电公司三个工作日内提出两套接入比选方案。", "代办员组织项目方确认接入点。"],
        on=workdays_ago(1),
    )
    services.add_action_item(
        actor=users["leader"],
        meeting=meeting,
        description="提出两套专线接入比选方案",
        due_on=calendar.add_workdays(today, 1).date,
        department=gdj,
        owner=projects[1].agent,
        problem=at_level_two,
    )


def _tasks_in_hand(project: Project, clerk: User, workdays_ago) -> None:
    """The 发改 window's work on a project in hand: one application overdue (red) and one due tomorrow
    (yellow), so the clerk's workbench and the task queue show both warnings."""
    plan = approval_services.create_plan(
        actor=project.agent,
        project=project,
        start_on=workdays_ago(60),
        catalog_version=approval_services.load_default_catalog(),
    )
    created = task_services.generate_tasks(actor=project.agent, plan=plan).created
    window = sorted(
        (task for task in created if task.department.code == "fgw"), key=lambda t: t.limit_workdays
    )
    overdue_by_three = [workdays_ago(task.limit_workdays + 3) for task in window[:1]]
    due_tomorrow = [workdays_ago(task.limit_workdays - 1) for task in window[1:2]]
    for task, accepted_on in zip(window, overdue_by_three + due_tomorrow, strict=False):
        task = task_services.start_preparing(actor=project.agent, task=task, on=accepted_on)
        task_services.accept_task(actor=clerk, task=task, on=accepted_on)


def load_coordination_stories(users: dict[str, User]) -> int:
    """Write the demo's problems and meetings; returns how many problems were written (0 when the demo
    already has them)."""
    if Problem.objects.filter(project__code=DEYANG_TECH_CODE).exists():
        return 0
    _deyang_tech(users)
    _huaxi(users)
    _yulong(users)
    _work_in_hand(users)
    return Problem.objects.count()
