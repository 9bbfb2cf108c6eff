import datetime
from types import SimpleNamespace

import pytest
import yaml
from django.utils import translation

from onewindow.accounts.models import Role
from onewindow.approvals import services, task_services
from onewindow.regions.models import Department
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english():
    """These tests read messages and command output in the msgid language, whatever ran before."""
    with translation.override("en"):
        yield


@pytest.fixture
def default_catalog(city):
    return services.load_default_catalog()


# -- approval tasks ------------------------------------------------------------------------------

D = datetime.date

# Three items of two departments. The joint application form (一张表单) serves two of them; the
# drawings are a non-key material of ZJJ-SG (it may be owed under 容缺受理) and a key one of ZJJ-XF.
TASK_CATALOG = {
    "name": "办件测试目录",
    "effective": "2020-01-01",
    "departments": [{"code": "fgw", "name": "发展和改革委员会"}, {"code": "zjj", "name": "住房和城乡建设局"}],
    "materials": [
        {"code": "form", "name": "联合申请表（一张表单）"},
        {"code": "licence", "name": "营业执照"},
        {"code": "drawings", "name": "施工图设计文件"},
    ],
    "items": [
        {
            "code": "FGW-BA",
            "name": "企业投资项目备案",
            "department": "fgw",
            "stage": "project_land",
            "limit_workdays": 5,
            "requires": [],
            "commitment_allowed": True,
            "materials": ["form", "licence"],
            "fees": [{"name": "备案工本费", "amount": "100.00"}],
        },
        {
            "code": "ZJJ-SG",
            "name": "施工图设计文件审查",
            "department": "zjj",
            "stage": "construction",
            "limit_workdays": 10,
            "requires": ["FGW-BA"],
            "deficiency_acceptance_allowed": True,
            "clock_excludes": ["expert_review", "site_survey"],
            "materials": ["form", {"material": "drawings", "key": False}],
            "fees": [
                {
                    "name": "城市基础设施配套费",
                    "rate": "2.50",
                    "per": "floor_area_m2",
                    "minimum": "1000.00",
                    "waivable": True,
                }
            ],
        },
        {
            "code": "ZJJ-XF",
            "name": "消防设计审查",
            "department": "zjj",
            "stage": "construction",
            "limit_workdays": 15,
            "statutory_limit_workdays": 15,
            "requires": [],
            "clock_excludes": ["expert_review"],
            "materials": ["drawings"],
            "fees": [
                {"name": "消防审查服务费", "amount": "550.00"},
                {"name": "公众聚集场所附加费", "amount": "300.00", "applies_when": {"public_venue": True}},
            ],
        },
    ],
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT, never to the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def task_catalog(city):
    text = yaml.safe_dump(TASK_CATALOG, allow_unicode=True)
    return services.import_catalog(actor=None, text=text, source="tasks.yaml")


@pytest.fixture
def clerks(people, city, guanghan, zjj):
    """Window clerks: the city's 发改 and 住建, and 广汉's 发改 (same code as the city's, another region)."""
    return {
        "fgw": people["clerk_fgw"],
        "zjj": UserFactory(username="clerk_zjj", role=Role.CLERK, region=city, department=zjj),
        "fgw_gh": UserFactory(
            username="clerk_fgw_gh",
            role=Role.CLERK,
            region=guanghan,
            department=Department.objects.get(region=guanghan, code="fgw"),
        ),
    }


def plan_with_tasks(project, task_catalog, actor):
    plan = services.create_plan(
        actor=actor, project=project, start_on=D(2026, 2, 2), catalog_version=task_catalog
    )
    sync = task_services.generate_tasks(actor=actor, plan=plan)
    return SimpleNamespace(
        project=project, plan=plan, sync=sync, tasks={task.item.code: task for task in sync.created}
    )


@pytest.fixture
def planned(people, world, task_catalog, clerks, zjj):
    """The city project (agent1's, the investor's) planned on the test catalog, with its three tasks;
    it involves 发改 and 住建."""
    world["city"].departments.add(zjj)
    return plan_with_tasks(world["city"], task_catalog, people["agent1"])
