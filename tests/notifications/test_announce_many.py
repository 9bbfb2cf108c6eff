"""announce_many: one notification per user of each announcement, as notify_many would store them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.notifications import services
from onewindow.notifications.models import Kind, Notification, NotificationPreference
from onewindow.notifications.services import Announcement, NewNotification, announce_many, notify_many
from tests.notifications.conftest import local

AT = local(2026, 10, 20, 9, 0)
COLUMNS = ("user_id", "kind", "key", "subject", "url", "params", "created_at", "read_at", "digested_at")


def announcements(users, count, kind=Kind.TASK_RED, prefix="task"):
    return [
        Announcement(
            user_ids={user.pk for user in users},
            kind=kind,
            key=f"{prefix}:{n}:red:2026-10-09",
            subject=f"FGW-BA 项目备案 {n}",
            url=f"/tasks/{n}/",
            params={"due_on": "2026-10-09", "project": "德阳项目"},
        )
        for n in range(count)
    ]


def stored():
    return sorted(Notification.objects.values_list(*COLUMNS))


def test_each_user_of_an_announcement_gets_the_notification_notify_many_would_store(people):
    users = [people["agent1"], people["leader"]]
    assert announce_many(announcements=announcements(users, 3), at=AT) == 6
    by_announcement = stored()
    Notification.objects.all().delete()
    notify_many(
        notifications=[
            NewNotification(
                user_id=user_id,
                kind=item.kind,
                key=item.key,
                subject=item.subject,
                url=item.url,
                params=item.params,
            )
            for item in announcements(users, 3)
            for user_id in item.user_ids
        ],
        at=AT,
    )
    assert by_announcement == stored()
    assert Notification.objects.get(user=people["leader"], key="task:2:red:2026-10-09").params == {
        "due_on": "2026-10-09",
        "project": "德阳项目",
    }


def test_announcing_again_stores_nothing_and_counts_only_what_is_new(people):
    agent, leader = people["agent1"], people["leader"]
    assert announce_many(announcements=announcements([agent], 2), at=AT) == 2
    assert announce_many(announcements=announcements([agent, leader], 2), at=local(2026, 10, 21, 9, 0)) == 2
    assert Notification.objects.count() == 4
    assert Notification.objects.get(user=agent, key="task:0:red:2026-10-09").created_at == AT


def test_a_user_who_switched_the_kind_off_is_left_out(people):
    agent, leader = people["agent1"], people["leader"]
    NotificationPreference.objects.create(user=agent, kind=Kind.TASK_RED, in_app=False, email=False)
    assert announce_many(announcements=announcements([agent, leader], 2), at=AT) == 2
    assert not Notification.objects.filter(user=agent).exists()


def test_an_unknown_kind_is_refused_and_nothing_is_written(people):
    items = [*announcements([people["agent1"]], 2), *announcements([people["leader"]], 1, kind="weather")]
    with pytest.raises(ValueError, match="weather"):
        announce_many(announcements=items, at=AT)
    assert not Notification.objects.exists()


def test_a_naive_moment_is_refused(people):
    with pytest.raises(ValueError):
        announce_many(announcements=announcements([people["agent1"]], 1), at=AT.replace(tzinfo=None))


def test_announcements_without_users_store_nothing_and_ask_nothing(people):
    empty = Announcement(user_ids=set(), kind="task_red", key="k", subject="s")
    with CaptureQueriesContext(connection) as captured:
        assert announce_many(announcements=[empty], at=AT) == 0
    # Only the transaction's own savepoint: neither the preferences nor the notifications are read.
    assert not [q["sql"] for q in captured.captured_queries if "notification" in q["sql"]]
    assert not Notification.objects.exists()


def test_batches_split_between_announcements_and_store_every_row(people, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    users = [people["agent1"], people["leader"]]
    table = connection.ops.quote_name(Notification._meta.db_table)
    with CaptureQueriesContext(connection) as captured:
        assert announce_many(announcements=announcements(users, 5), at=AT) == 10
    # Two users each: one announcement per statement fits in three rows.
    assert sum(q["sql"].startswith(f"INSERT INTO {table}") for q in captured.captured_queries) == 5
    assert Notification.objects.count() == 10


def test_the_number_of_queries_does_not_grow_with_the_number_of_announcements(people):
    users = [people["agent1"], people["leader"], people["agent2"]]

    def queries(count: int, prefix: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert announce_many(announcements=announcements(users, count, prefix=prefix), at=AT) == 3 * count
        return len(captured.captured_queries)

    assert queries(5, "small") == queries(300, "large")
