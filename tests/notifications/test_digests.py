"""The daily e-mail digest: one per user per local day, grouped by kind, after DIGEST_HOUR."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.accounts.models import Role
from onewindow.notifications.digests import send_digests
from onewindow.notifications.models import Digest, Kind, Notification, NotificationPreference
from onewindow.notifications.services import NewNotification, notify_many
from tests.factories import UserFactory
from tests.notifications.conftest import local

MORNING = local(2026, 11, 27, 7, 0)
DIGEST_TIME = local(2026, 11, 27, 8, 30)


@pytest.fixture(autouse=True)
def digest_hour(settings):
    settings.ONEWINDOW_DIGEST_HOUR = 8
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def addressed(people):
    for name in ("agent1", "leader"):
        people[name].email = f"{name}@example.gov.cn"
        people[name].save()
    return people


def notes(user, kind, count, prefix=""):
    return [
        NewNotification(
            user_id=user.pk,
            kind=kind,
            key=f"{prefix}{kind}:{n}",
            subject=f"Subject {kind} {n}",
            params={"due_on": "2026-12-01", "level": 2},
        )
        for n in range(count)
    ]


def send(at, capture):
    with capture(execute=True):
        return send_digests(at=at)


def test_one_digest_per_user_groups_the_notifications_by_kind(addressed, django_capture_on_commit_callbacks):
    agent, leader = addressed["agent1"], addressed["leader"]
    notify_many(
        notifications=notes(agent, Kind.TASK_YELLOW, 2)
        + notes(agent, Kind.PROBLEM_RED, 1)
        + notes(leader, Kind.URGE, 1),
        at=MORNING,
    )
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 2
    agent_mail = next(m for m in mail.outbox if m.to == ["agent1@example.gov.cn"])
    assert "3 notifications" in agent_mail.subject
    body = agent_mail.body
    assert "Task due soon (yellow) (2)" in body
    assert "Problem overdue (red) (1)" in body
    assert "Approval task Subject task_yellow 0 is due on 2026-12-01." in body
    assert "Problem Subject problem_red 0 passed its level 2 deadline of 2026-12-01." in body
    assert body.index("Task due soon") < body.index("Problem overdue")
    assert "Urged" not in body
    assert not Notification.objects.filter(user=agent, digested_at__isnull=True).exists()
    assert Digest.objects.get(user=agent).count == 3


def test_no_digest_before_the_digest_hour(addressed, django_capture_on_commit_callbacks):
    notify_many(notifications=notes(addressed["agent1"], Kind.TASK_RED, 1), at=MORNING)
    assert send(local(2026, 11, 27, 7, 59), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(digested_at__isnull=False).exists()


def test_the_digest_hour_is_a_setting(addressed, settings, django_capture_on_commit_callbacks):
    settings.ONEWINDOW_DIGEST_HOUR = 18
    notify_many(notifications=notes(addressed["agent1"], Kind.TASK_RED, 1), at=MORNING)
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 0
    assert send(local(2026, 11, 27, 18, 0), django_capture_on_commit_callbacks) == 1


def test_sending_again_the_same_day_sends_nothing_and_later_notifications_wait_for_tomorrow(
    addressed, django_capture_on_commit_callbacks
):
    agent = addressed["agent1"]
    notify_many(notifications=notes(agent, Kind.TASK_RED, 2), at=MORNING)
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 1
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 0
    notify_many(notifications=notes(agent, Kind.TASK_RED, 1, prefix="later-"), at=local(2026, 11, 27, 10, 0))
    assert send(local(2026, 11, 27, 17, 0), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert send(local(2026, 11, 28, 8, 0), django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2
    assert "1 notifications" in mail.outbox[1].subject
    assert list(Digest.objects.filter(user=agent).values_list("day", flat=True).order_by("day")) == [
        local(2026, 11, 27, 0, 0).date(),
        local(2026, 11, 28, 0, 0).date(),
    ]


def test_the_local_day_decides_not_the_utc_day(addressed, django_capture_on_commit_callbacks):
    # 00:30 UTC on the 28th is 08:30 on the 28th in 德阳: a new local day, after the digest hour.
    agent = addressed["agent1"]
    notify_many(notifications=notes(agent, Kind.TASK_RED, 1), at=MORNING)
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 1
    notify_many(notifications=notes(agent, Kind.TASK_RED, 1, prefix="b-"), at=local(2026, 11, 27, 20, 0))
    assert send(local(2026, 11, 28, 8, 30), django_capture_on_commit_callbacks) == 1
    assert Digest.objects.filter(user=agent).count() == 2


def test_kinds_with_email_off_stay_out_of_the_digest(addressed, django_capture_on_commit_callbacks):
    agent = addressed["agent1"]
    NotificationPreference.objects.create(user=agent, kind=Kind.TASK_YELLOW, in_app=True, email=False)
    notify_many(notifications=notes(agent, Kind.TASK_YELLOW, 2) + notes(agent, Kind.URGE, 1), at=MORNING)
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 1
    assert "Task due soon" not in mail.outbox[0].body
    assert "Urged" in mail.outbox[0].body
    assert "1 notifications" in mail.outbox[0].subject


def test_a_user_with_only_email_off_kinds_gets_no_digest(addressed, django_capture_on_commit_callbacks):
    agent = addressed["agent1"]
    NotificationPreference.objects.create(user=agent, kind=Kind.TASK_YELLOW, in_app=True, email=False)
    notify_many(notifications=notes(agent, Kind.TASK_YELLOW, 2), at=MORNING)
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not Digest.objects.exists()
    # Switching the mail on later does not bring them back.
    NotificationPreference.objects.filter(user=agent).delete()
    assert send(local(2026, 11, 28, 9, 0), django_capture_on_commit_callbacks) == 0


def test_users_without_an_address_or_inactive_get_no_digest(
    addressed, people, django_capture_on_commit_callbacks
):
    leader = addressed["leader"]
    leader.is_active = False
    leader.save()
    notify_many(
        notifications=notes(people["agent2"], Kind.TASK_RED, 1) + notes(leader, Kind.TASK_RED, 1), at=MORNING
    )
    assert send(DIGEST_TIME, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    # Passed over for good: an address added later brings no flood of old news.
    assert not Notification.objects.filter(digested_at__isnull=True).exists()
    people["agent2"].email = "agent2@example.gov.cn"
    people["agent2"].save()
    assert send(local(2026, 11, 28, 9, 0), django_capture_on_commit_callbacks) == 0


def test_the_number_of_queries_does_not_grow_with_the_number_of_users(
    city, django_capture_on_commit_callbacks
):
    def queries_for(count: int, day: int) -> int:
        users = [
            UserFactory(role=Role.AGENT, region=city, email=f"u{day}-{n}@example.gov.cn")
            for n in range(count)
        ]
        notify_many(
            notifications=[n for user in users for n in notes(user, Kind.TASK_RED, 3)],
            at=local(2026, 11, day, 7, 0),
        )
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
            assert send_digests(at=local(2026, 11, day, 9, 0)) == count
        return len(captured.captured_queries)

    assert queries_for(2, 25) == queries_for(6, 26)
    assert len(mail.outbox) == 8
