import datetime
from types import SimpleNamespace

import pytest
import yaml
from django.core.cache import cache
from django.test import Client

from onewindow.approvals import services as approval_services
from onewindow.approvals import task_services
from onewindow.projects.models import TimelineEntry
from tests.factories import InvestorFactory, ProjectFactory

PUBLIC_NOTE = "一期主厂房基本完工，待设备安装调试完成即可投产。"
INTERNAL_NOTE = "代办员内部记录：投资方资金到位情况待核实。"
SECRET_NAME = "保密军工配套项目"
PIPELINE_NAME = "洽谈中的新能源项目"


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache lives as long as the process: every test starts with an empty one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def public_world(world, people, city, guanghan):
    """The shared world (玉龙 in the city, a 广汉 and a 绵竹 project), plus a confidential project, one
    still negotiating, and timeline entries both public and internal on 玉龙."""
    yulong = world["city"]
    yulong.fast_track = True
    yulong.started_on = datetime.date(2012, 8, 16)
    yulong.stage = "started"
    yulong.save()
    TimelineEntry.objects.create(project=yulong, happened_on=datetime.date(2012, 11, 30), text=PUBLIC_NOTE)
    TimelineEntry.objects.create(
        project=yulong, happened_on=datetime.date(2012, 12, 1), text=INTERNAL_NOTE, is_public=False
    )
    secret_investor = InvestorFactory(
        name="保密投资有限公司",
        contact_name="李保密",
        contact_phone="13999999999",
        contact_email="secret@example.com",
    )
    secret = ProjectFactory(name=SECRET_NAME, investor=secret_investor, confidential=True, region=guanghan)
    TimelineEntry.objects.create(
        project=secret, happened_on=datetime.date(2012, 6, 1), text="保密项目的公开进展"
    )
    pipeline = ProjectFactory(name=PIPELINE_NAME, stage="signed", intake_on=None)
    return SimpleNamespace(**world, secret=secret, pipeline=pipeline, people=people)


D = datetime.date

CATALOG = {
    "name": "公开测试目录",
    "effective": "2010-01-01",
    "departments": [{"code": "fgw", "name": "发展和改革委员会"}, {"code": "zjj", "name": "住房和城乡建设局"}],
    "materials": [{"code": "form", "name": "联合申请表"}],
    "items": [
        {
            "code": "FGW-BA",
            "name": "企业投资项目备案",
            "department": "fgw",
            "stage": "project_land",
            "limit_workdays": 5,
            "requires": [],
            "materials": ["form"],
        },
        {
            "code": "ZJJ-GH",
            "name": "建设工程规划许可证",
            "department": "zjj",
            "stage": "engineering",
            "limit_workdays": 10,
            "requires": ["FGW-BA"],
            "materials": ["form"],
        },
        {
            "code": "ZJJ-SG",
            "name": "建筑工程施工许可证",
            "department": "zjj",
            "stage": "construction",
            "limit_workdays": 7,
            "requires": ["ZJJ-GH"],
            "materials": ["form"],
        },
    ],
}


@pytest.fixture
def planned(public_world, people, zjj, fgw):
    """The 广汉 project (not started) with a three-item plan: the 备案 decided on time, the 规划许可
    decided late, the 施工许可 not yet accepted."""
    from tests.factories import UserFactory

    version = approval_services.import_catalog(
        actor=None, text=yaml.safe_dump(CATALOG, allow_unicode=True), source="portal.yaml"
    )
    project = public_world.guanghan
    project.departments.add(fgw, zjj)
    clerk_zjj = UserFactory(username="clerk_zjj", role="clerk", department=zjj)
    agent = people["admin"]
    plan = approval_services.create_plan(
        actor=agent, project=project, start_on=D(2026, 3, 2), catalog_version=version
    )
    tasks = {task.item.code: task for task in task_services.generate_tasks(actor=agent, plan=plan).created}
    for code, clerk, accepted, decided in (
        ("FGW-BA", people["clerk_fgw"], D(2026, 3, 2), D(2026, 3, 4)),
        ("ZJJ-GH", clerk_zjj, D(2026, 3, 5), D(2026, 4, 30)),
    ):
        task = task_services.start_preparing(actor=agent, task=tasks[code], on=accepted)
        task = task_services.accept_task(actor=clerk, task=task, on=accepted)
        tasks[code] = task_services.decide_task(
            actor=clerk, task=task, on=decided, outcome="approve", document_number=f"{code}-2026-1"
        )
    return SimpleNamespace(project=project, plan=plan, tasks=tasks)


@pytest.fixture
def login(people):
    """A client signed in as one of the demo roles, reading English."""

    def client_for(role: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(people[role])
        return client

    return client_for
