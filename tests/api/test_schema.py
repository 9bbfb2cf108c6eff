"""Schemathesis against the live OpenAPI schema: every operation the API has when the tests are
collected (the schema is read from the application itself, so a router added later is covered without
touching this file), one test each, called with generated input by an admin, then by a city agent with
the path pointed at real objects, over a world with a plan, tasks and a bill.

Checks: no answer is a server error, and every answer with a documented status matches its schema.
The number of examples is small and the generation derandomised, so the run is bounded and repeatable.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from onewindow.accounts import tokens
from onewindow.approvals import task_selectors, task_services
from onewindow.approvals.models import JointEventKind
from onewindow.fees import services as fee_services
from onewindow.notifications.models import Kind, Notification
from onewindow.notifications.services import NewNotification, notify_many
from onewindow.wsgi import application

CHECKS = [not_a_server_error, response_schema_conformance]
# Path prefixes of routers left out of the run while they are being built. The leads list answers 500
# for a year outside the calendar (``?year=-4707``: the year lookup overflows); drop the entry once the
# leads router bounds its ``year`` filter.
SKIPPED_PREFIXES: tuple[str, ...] = ()
EXAMPLES = 8


def _bearer(user) -> dict:
    _token, secret = tokens.create_api_token(actor=user, owner=user, name="schemathesis")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def in_test_transaction():
    """The calls go through the real WSGI handler, whose end-of-request signal would close the
    database connection the test's transaction lives on; Django's test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(people, world, planned, settings, in_test_transaction):
    # Thousands of calls in a minute: the rate limit has its own test.
    settings.ONEWINDOW_API_RATE = "1000000/m"
    fee_services.prepare_bill(actor=people["agent1"], project=planned.project)
    event = task_services.record_joint_event(
        actor=people["agent1"],
        project=planned.project,
        kind=JointEventKind.values[0],
        held_on=datetime.date(2026, 3, 2),
        departments=task_selectors.joint_event_departments(planned.project)[:1],
    )
    notify_many(
        notifications=[
            NewNotification(user_id=people["agent1"].pk, kind=Kind.URGE, key="urge:fuzz", subject="FGW-BA")
        ],
        at=timezone.now(),
    )
    return {
        "event_id": event.pk,
        "notification_id": Notification.objects.get(user=people["agent1"]).pk,
        "admin": _bearer(people["admin"]),
        "agent": _bearer(people["agent1"]),
        "code": planned.project.code,
        "task_id": planned.tasks["FGW-BA"].pk,
        "uscc": planned.project.investor.uscc,
    }


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _real(case, fuzz_world) -> None:
    """Point the path at objects that exist, so that the handlers behind the 404 are exercised too."""
    for name in ("code", "task_id", "uscc", "event_id", "notification_id"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = fuzz_world[name]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_server_errors_and_within_its_schema(case, fuzz_world):
    if SKIPPED_PREFIXES and case.path.startswith(SKIPPED_PREFIXES):
        return
    case.call_and_validate(headers=fuzz_world["admin"], checks=CHECKS)
    _real(case, fuzz_world)
    case.call_and_validate(headers=fuzz_world["agent"], checks=CHECKS)
