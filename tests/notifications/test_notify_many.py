"""notify_many: stored once per (user, kind, key), filtered by preferences, set-based."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.notifications.models import Kind, Notification, NotificationPreference
from onewindow.notifications.selectors import unread_count
from onewindow.notifications.services import NewNotification, notify_many
from tests.notifications.conftest import local

AT = local(2026, 11, 27, 9, 0)


def warnings_for(user, count, kind=Kind.TASK_YELLOW, prefix="task"):
    return [
        NewNotification(
            user_id=user.pk,
            kind=kind,
            key=f"{prefix}:{n}",
            subject=f"任务{n}",
            params={"due_on": "2026-12-01"},
        )
        for n in range(count)
    ]


def test_repeated_notifications_are_stored_once_and_counted_only_when_new(people):
    agent = people["agent1"]
    assert notify_many(notifications=warnings_for(agent, 3), at=AT) == 3
    assert notify_many(notifications=warnings_for(agent, 3), at=AT) == 0
    assert notify_many(notifications=warnings_for(agent, 4), at=local(2026, 11, 27, 9, 5)) == 1
    assert Notification.objects.filter(user=agent).count() == 4
    first = Notification.objects.get(user=agent, key="task:0")
    assert first.created_at == AT
    assert first.params == {"due_on": "2026-12-01"}


def test_the_same_key_of_another_kind_or_user_is_a_different_notification(people):
    agent, leader = people["agent1"], people["leader"]
    notes = [
        NewNotification(user_id=agent.pk, kind=Kind.TASK_YELLOW, key="task:1", subject="任务"),
        NewNotification(user_id=agent.pk, kind=Kind.TASK_RED, key="task:1", subject="任务"),
        NewNotification(user_id=leader.pk, kind=Kind.TASK_RED, key="task:1", subject="任务"),
        NewNotification(user_id=leader.pk, kind=Kind.TASK_RED, key="task:1", subject="重复的一条"),
    ]
    assert notify_many(notifications=notes, at=AT) == 3


def test_a_kind_switched_off_in_both_channels_is_not_stored(people):
    agent, leader = people["agent1"], people["leader"]
    NotificationPreference.objects.create(user=agent, kind=Kind.TASK_YELLOW, in_app=False, email=False)
    created = notify_many(notifications=warnings_for(agent, 2) + warnings_for(leader, 2), at=AT)
    assert created == 2
    assert not Notification.objects.filter(user=agent).exists()
    assert Notification.objects.filter(user=leader).count() == 2


def test_a_kind_kept_by_email_only_is_stored_but_not_under_the_bell(people):
    agent = people["agent1"]
    NotificationPreference.objects.create(user=agent, kind=Kind.TASK_YELLOW, in_app=False, email=True)
    notify_many(notifications=warnings_for(agent, 2) + warnings_for(agent, 1, kind=Kind.TASK_RED), at=AT)
    assert Notification.objects.filter(user=agent).count() == 3
    assert unread_count(agent) == 1


def test_an_unknown_kind_is_refused_and_nothing_is_written(people):
    unknown = NewNotification(user_id=people["agent1"].pk, kind="weather", key="x", subject="x")
    notes = [*warnings_for(people["agent1"], 2), unknown]
    with pytest.raises(ValueError, match="weather"):
        notify_many(notifications=notes, at=AT)
    assert not Notification.objects.exists()


def test_a_naive_moment_is_refused(people):
    with pytest.raises(ValueError):
        notify_many(notifications=warnings_for(people["agent1"], 1), at=AT.replace(tzinfo=None))


def test_the_number_of_queries_does_not_grow_with_the_number_of_notifications(people):
    agent, leader = people["agent1"], people["leader"]
    NotificationPreference.objects.create(user=leader, kind=Kind.TASK_RED, in_app=False, email=False)

    def queries(count: int, prefix: str) -> int:
        notes = warnings_for(agent, count, prefix=prefix) + warnings_for(leader, count, prefix=prefix)
        with CaptureQueriesContext(connection) as captured:
            assert notify_many(notifications=notes, at=AT) == 2 * count
        return len(captured.captured_queries)

    assert queries(10, "small") == queries(200, "large")
