import datetime
from zoneinfo import ZoneInfo

import pytest

from onewindow.approvals import task_services
from tests.approvals import conftest as approval_fixtures

# The approval tests' fixtures: the test catalog, its clerks and the planned city project.
clerks = approval_fixtures.clerks
english = approval_fixtures.english
planned = approval_fixtures.planned
private_media = approval_fixtures.private_media
task_catalog = approval_fixtures.task_catalog

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def accepted(planned, people, clerks):
    """The city project's 发改 filing, accepted by the city's 发改 window: open, so it may be urged."""
    task = planned.tasks["FGW-BA"]
    task = task_services.start_preparing(actor=people["agent1"], task=task, on=D(2026, 2, 9))
    return task_services.accept_task(actor=clerks["fgw"], task=task, on=D(2026, 2, 12))


@pytest.fixture
def decided(accepted, clerks):
    return task_services.decide_task(
        actor=clerks["fgw"],
        task=accepted,
        on=D(2026, 2, 26),
        outcome="approve",
        document_number="德发改备〔2026〕1号",
        note="",
    )
