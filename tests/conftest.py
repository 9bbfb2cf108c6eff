import pytest

from onewindow.accounts.models import Role
from onewindow.regions.models import Department, Region
from onewindow.regions.services import ensure_county_departments, ensure_reference_regions
from tests.factories import InvestorFactory, ProjectFactory, UserFactory


@pytest.fixture
def city(db) -> Region:
    return ensure_reference_regions()


@pytest.fixture
def guanghan(city) -> Region:
    return Region.objects.get(code="510681")


@pytest.fixture
def mianzhu(city) -> Region:
    return Region.objects.get(code="510683")


@pytest.fixture
def fgw(city) -> Department:
    return Department.objects.get(region=city, code="fgw")


@pytest.fixture
def zjj(city) -> Department:
    return Department.objects.get(region=city, code="zjj")


@pytest.fixture
def people(city, guanghan, fgw):
    """One account per role, as in the demo."""
    ensure_county_departments(guanghan, ["fgw"])
    investor_user = UserFactory(username="investor_yulong", role=Role.INVESTOR, region=None)
    return {
        "admin": UserFactory(
            username="admin", role=Role.ADMIN, region=city, is_staff=True, is_superuser=True
        ),
        "leader": UserFactory(username="leader", role=Role.LEADER, region=city),
        "agent1": UserFactory(username="agent1", role=Role.AGENT, region=city),
        "agent2": UserFactory(username="agent2", role=Role.AGENT, region=city),
        "clerk_fgw": UserFactory(username="clerk_fgw", role=Role.CLERK, region=city, department=fgw),
        "county_gh": UserFactory(username="county_gh", role=Role.COUNTY_STAFF, region=guanghan),
        "county_leader_gh": UserFactory(username="county_leader_gh", role=Role.LEADER, region=guanghan),
        "investor_yulong": investor_user,
    }


@pytest.fixture
def world(people, city, guanghan, mianzhu, fgw, zjj):
    """Three projects: a city project of agent1 involving 发改 and owned by the investor account, a 广汉
    project, and a 绵竹 project involving 住建 only."""
    yulong = InvestorFactory(name="江苏玉龙钢管股份有限公司")
    yulong.accounts.add(people["investor_yulong"])
    city_project = ProjectFactory(
        name="江苏玉龙钢管项目", investor=yulong, agent=people["agent1"], region=city
    )
    city_project.departments.add(fgw)
    guanghan_project = ProjectFactory(name="广汉食品加工项目", region=guanghan, level="county")
    mianzhu_project = ProjectFactory(
        name="绵竹新材料项目", region=mianzhu, level="county", agent=people["agent2"]
    )
    mianzhu_project.departments.add(zjj)
    return {"city": city_project, "guanghan": guanghan_project, "mianzhu": mianzhu_project}


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters and cached pages live in the cache; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
