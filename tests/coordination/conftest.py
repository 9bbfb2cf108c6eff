import datetime
import zoneinfo

import pytest
from django.utils import translation

from onewindow.coordination import services
from tests.approvals import conftest as approval_fixtures
from tests.web import conftest as web_fixtures

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

# The approval tests' fixtures (the test catalog, its clerks, the planned city project) and the
# pages' signed-in clients.
clerks = approval_fixtures.clerks
planned = approval_fixtures.planned
private_media = approval_fixtures.private_media
task_catalog = approval_fixtures.task_catalog
login = web_fixtures.login
D = datetime.date


def moment(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def english():
    """These tests read messages in the msgid language, whatever ran before."""
    with translation.override("en"):
        yield


@pytest.fixture
def raise_one(people, world, fgw):
    """Raise a problem on the city project (agent1's, involving 发改) on a given day."""

    def make(
        raised_on: datetime.date, *, title: str = "用地指标不足", project=None, actor=None, departments=None
    ):
        return services.raise_problem(
            actor=actor or people["agent1"],
            project=project or world["city"],
            title=title,
            description="项目用地指标尚未落实，需协调自然资源部门。",
            category="land",
            departments=[fgw] if departments is None else departments,
            raised_on=raised_on,
        )

    return make
