"""Hand-built data for the assessment, with every score computed by hand in the tests.

Weights and targets of the 2012 set (the weights add up to 100; cap 1.20):

    signed_count 20 / 2, signed_investment 20 / 20000, large_1yi 10 / 1, large_10yi 10 / 1,
    start_rate 10 / 50, production_rate 5 / 50, median_sign_to_start 10 / 100,
    approvals_on_time 5 / 100, problems_on_time 5 / 100, messages_on_time 5 / 100

广汉 (2012): G1 5,000万 signed 03-01, started 06-09 (100 days); G2 15,000万 signed 05-01, not started;
G3 120,000万 signed 02-01, started 07-01 (151 days), produced 12-01; two problems raised in 2012, one
resolved in time and one late.
绵竹 (2012): M1 8,000万 signed 01-10, started 03-01 (51 days: 2012 is a leap year); two approval
tasks decided in 2012, one in time and one late; two public messages on M1, one answered in time, one
never answered.
绵竹 (2011): M0 8,000万 signed 2011-03-01, started 05-01 (61 days), produced 11-01; one problem raised
and resolved in time.
"""

import datetime
import hashlib
from decimal import Decimal

import pytest
import yaml

from onewindow.approvals import services as approval_services
from onewindow.approvals import task_services
from onewindow.approvals.models import ApprovalTask
from onewindow.assessment import services
from onewindow.coordination.models import Problem
from onewindow.portal.models import PublicMessage
from tests.approvals.conftest import TASK_CATALOG
from tests.factories import ProjectFactory

D = datetime.date

WEIGHTS = {
    "signed_count": ("20", "2"),
    "signed_investment": ("20", "20000"),
    "large_1yi": ("10", "1"),
    "large_10yi": ("10", "1"),
    "start_rate": ("10", "50"),
    "production_rate": ("5", "50"),
    "median_sign_to_start": ("10", "100"),
    "approvals_on_time": ("5", "100"),
    "problems_on_time": ("5", "100"),
    "messages_on_time": ("5", "100"),
}


def indicators(**changes) -> dict:
    values = {metric: (Decimal(weight), Decimal(target)) for metric, (weight, target) in WEIGHTS.items()}
    return values | changes


def _project(region, name, investment, signed, intake, started=None, produced=None):
    return ProjectFactory(
        name=name,
        region=region,
        level="county",
        total_investment_wan=Decimal(investment),
        signed_on=signed,
        intake_on=intake,
        started_on=started,
        produced_on=produced,
        stage="producing" if produced else "started" if started else "intake",
    )


def _problem(project, raised, due, resolved):
    return Problem.objects.create(
        project=project,
        title="难题",
        description="说明",
        category="land",
        raised_on=raised,
        level_started_on=raised,
        due_on=due,
        resolved_on=resolved,
        resolution="已解决" if resolved else "",
        status="resolved" if resolved else "open",
        region_path=project.region.path,
    )


_digest = iter(range(1000))


def _message(project, submitted, due, answered):
    return PublicMessage.objects.create(
        kind="message",
        project=project,
        text="何时开工？",
        submitted_on=submitted,
        due_on=due,
        tracking_digest=hashlib.sha256(str(next(_digest)).encode()).hexdigest(),
        status="published",
        public_text="何时开工？",
        published_at=datetime.datetime(2012, 5, 2, tzinfo=datetime.UTC),
        answer="已答复" if answered else "",
        answered_at=datetime.datetime(2012, 5, 10, tzinfo=datetime.UTC) if answered else None,
        answered_on=answered,
        answer_workdays=5 if answered else None,
    )


@pytest.fixture
def scored(people, city, guanghan, mianzhu):
    _project(guanghan, "G1", "5000", D(2012, 3, 1), D(2012, 4, 1), D(2012, 6, 9))
    _project(guanghan, "G2", "15000", D(2012, 5, 1), D(2012, 5, 10))
    g3 = _project(guanghan, "G3", "120000", D(2012, 2, 1), D(2012, 3, 1), D(2012, 7, 1), D(2012, 12, 1))
    _problem(g3, D(2012, 4, 1), D(2012, 4, 30), D(2012, 4, 20))
    _problem(g3, D(2012, 5, 1), D(2012, 5, 31), D(2012, 6, 15))
    m1 = _project(mianzhu, "M1", "8000", D(2012, 1, 10), D(2012, 2, 1), D(2012, 3, 1))
    _message(m1, D(2012, 5, 1), D(2012, 5, 15), D(2012, 5, 10))
    _message(m1, D(2012, 6, 1), D(2012, 6, 15), None)
    m0 = _project(mianzhu, "M0", "8000", D(2011, 3, 1), D(2011, 3, 15), D(2011, 5, 1), D(2011, 11, 1))
    _problem(m0, D(2011, 6, 1), D(2011, 6, 30), D(2011, 6, 10))

    catalog = approval_services.import_catalog(
        actor=None, text=yaml.safe_dump(TASK_CATALOG, allow_unicode=True), source="tasks.yaml"
    )
    plan = approval_services.create_plan(
        actor=people["leader"], project=m1, start_on=D(2026, 2, 2), catalog_version=catalog
    )
    task_services.generate_tasks(actor=people["leader"], plan=plan)
    tasks = list(ApprovalTask.objects.filter(project=m1).order_by("pk"))
    assert len(tasks) >= 2
    # Set up as decided in 2012: one within its due date, one after it.
    for task, decided in zip(tasks[:2], [D(2012, 2, 20), D(2012, 3, 20)], strict=True):
        ApprovalTask.objects.filter(pk=task.pk).update(
            state="approved",
            accepted_on=D(2012, 2, 1),
            due_on=D(2012, 3, 1),
            decided_on=decided,
            decision_document="德发改备〔2012〕1号",
        )
    services.save_indicator_set(
        actor=people["leader"], year=2012, cap=Decimal("1.20"), indicators=indicators()
    )
    return {"g3": g3, "m1": m1}


@pytest.fixture
def login(people):
    from django.test import Client

    def client_for(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(people[role])
        return client

    return client_for
