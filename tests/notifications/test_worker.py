"""The background worker: queued jobs run, the tick runs, and it stops when told.

The worker closes stale connections between passes, as a long-running process must; inside a test's
transaction that would close the test's own connection, so the tests that run it commit for real
(``transactional_db``)."""

import io
import sys
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from onewindow.demo import server
from onewindow.notifications import worker
from onewindow.notifications.models import Digest, Kind
from onewindow.notifications.services import NewNotification, notify_many
from onewindow.notifications.tasks import send_digest_mail
from tests.notifications.conftest import local

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_queued_mail_waits_for_the_worker_and_one_pass_sends_it(settings, transactional_db):
    settings.TASKS = DATABASE_TASKS
    send_digest_mail.enqueue(to="clerk@example.gov.cn", subject="摘要", body="正文")
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "READY"
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert [m.to for m in mail.outbox] == [["clerk@example.gov.cn"]]
    assert mail.outbox[0].subject == "摘要"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert "tick" in out.getvalue()


def test_one_pass_runs_the_tick_once_with_the_digests(people, settings, transactional_db):
    settings.ONEWINDOW_DIGEST_HOUR = 0
    agent = people["agent1"]
    agent.email = "agent1@example.gov.cn"
    agent.save()
    notify_many(
        notifications=[NewNotification(user_id=agent.pk, kind=Kind.URGE, key="u:1", subject="任务")],
        at=local(2020, 1, 1, 9, 0),
    )
    loop = worker.BackgroundLoop(tick_interval=3600, report=lambda line: None)
    loop.run(iterations=3)
    assert loop.failures == 0
    # Three passes within the hour: one tick, so one digest.
    assert Digest.objects.filter(user=agent).count() == 1


def test_a_failing_step_is_counted_and_the_command_says_so(settings, transactional_db):
    settings.ONEWINDOW_DIGEST_HOUR = "eight"  # not a number: the digests step cannot compare hours
    with pytest.raises(CommandError, match="1 background steps failed"):
        call_command("worker", "--iterations", "1", stdout=io.StringIO())


def test_the_background_thread_ticks_and_stops_when_told(transactional_db):
    loop = worker.BackgroundLoop(tick_interval=3600, report=lambda line: None)
    thread = loop.start_thread()
    deadline = time.monotonic() + 20
    while loop.passes < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert loop.passes >= 1
    assert loop.failures == 0


def test_iterations_must_be_positive(db):
    with pytest.raises(CommandError):
        call_command("worker", "--iterations", "0")


def test_the_demo_server_runs_beside_the_loop_and_stops_it_when_the_server_ends(transactional_db):
    loop = worker.BackgroundLoop(tick_interval=3600, report=lambda line: None)
    code = server.run_gunicorn_beside([sys.executable, "-c", "import time; time.sleep(2)"], loop)
    assert code == 0
    assert loop.stop.is_set()
    assert loop.passes >= 1
    assert loop.failures == 0


def test_a_server_that_fails_is_reported_by_its_exit_code(transactional_db):
    loop = worker.BackgroundLoop(tick_interval=3600, report=lambda line: None)
    assert server.run_gunicorn_beside([sys.executable, "-c", "raise SystemExit(3)"], loop) == 3
    assert loop.stop.is_set()
