"""The digest lists the newest notifications of each kind and counts the rest, read in the database."""

import pytest
from django.core import mail

from onewindow.notifications.digests import SHOWN_PER_KIND, send_digests
from onewindow.notifications.models import Digest, Kind, Notification
from onewindow.notifications.services import NewNotification, notify_many
from tests.notifications.conftest import local


@pytest.fixture(autouse=True)
def english_digest(settings):
    settings.ONEWINDOW_DIGEST_HOUR = 8
    settings.LANGUAGE_CODE = "en"


def test_a_digest_shows_the_newest_lines_of_each_kind_and_counts_the_rest(
    people, django_capture_on_commit_callbacks
):
    agent = people["agent1"]
    agent.email = "agent1@example.gov.cn"
    agent.save()
    extra = 5
    # One notification a minute, so that "newest" is decided by the time, not by the id.
    for n in range(SHOWN_PER_KIND + extra):
        notify_many(
            notifications=[
                NewNotification(
                    user_id=agent.pk,
                    kind=Kind.TASK_RED,
                    key=f"task:{n}",
                    subject=f"Item-{n:02d}",
                    params={"due_on": "2026-11-20"},
                )
            ],
            at=local(2026, 11, 27, 6, n),
        )
    notify_many(
        notifications=[NewNotification(user_id=agent.pk, kind=Kind.URGE, key="urge:1", subject="Urged-1")],
        at=local(2026, 11, 27, 7, 0),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(at=local(2026, 11, 27, 9, 0)) == 1
    body = mail.outbox[0].body
    assert "Task overdue (red) (25)" in body
    assert f"… and {extra} more" in body
    shown = [n for n in range(SHOWN_PER_KIND + extra) if f"Item-{n:02d}" in body]
    assert shown == list(range(extra, SHOWN_PER_KIND + extra))
    assert body.index(f"Item-{SHOWN_PER_KIND + extra - 1:02d}") < body.index(f"Item-{extra:02d}")
    assert "Urged-1" in body
    assert "26 notifications" in mail.outbox[0].subject
    assert Digest.objects.get(user=agent).count == SHOWN_PER_KIND + extra + 1
    assert not Notification.objects.filter(digested_at__isnull=True).exists()
