"""The bell, the notifications page and the choices page: each user sees only their own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from onewindow.core.models import AuditEntry
from onewindow.notifications.context_processors import unread_notifications
from onewindow.notifications.models import Kind, Notification, NotificationPreference
from onewindow.notifications.services import NewNotification, notify_many
from tests.notifications.conftest import local

AT = local(2026, 11, 27, 9, 0)


def notify(user, count, kind=Kind.TASK_RED, prefix="t"):
    notify_many(
        notifications=[
            NewNotification(
                user_id=user.pk,
                kind=kind,
                key=f"{prefix}:{n}",
                subject=f"江苏玉龙钢管项目 · 任务{n}",
                url="/tasks/1/",
                params={"due_on": "2026-11-20"},
            )
            for n in range(count)
        ],
        at=AT,
    )
    return list(Notification.objects.filter(user=user, key__startswith=f"{prefix}:").order_by("key"))


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def bell_count(response) -> str:
    html = response.content.decode()
    start = html.index('id="notification-count"')
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


def test_the_bell_shows_the_users_own_unread_count(people):
    notify(people["agent1"], 3)
    notify(people["leader"], 5)
    response = signed_in(people["agent1"]).get(reverse("workbench"))
    assert bell_count(response) == "3"
    assert bell_count(signed_in(people["leader"]).get(reverse("workbench"))) == "5"
    assert bell_count(signed_in(people["agent2"]).get(reverse("workbench"))) == "0"


def test_the_bell_costs_one_query_and_nothing_for_anonymous_visitors(people, django_assert_num_queries):
    notify(people["agent1"], 2)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        bell = unread_notifications(request)["notification_bell"]
        assert not bell
        assert bell.unread == 0
    request.user = people["agent1"]
    bell = unread_notifications(request)["notification_bell"]
    with django_assert_num_queries(1):
        assert bell
        assert bell.unread == 2
        assert bell.unread == 2


def test_the_bell_does_not_read_who_is_signed_in_until_a_page_draws_it(people):
    class Unread:
        @property
        def user(self):
            raise AssertionError("the bell read the user")

    unread_notifications(Unread())


def test_investors_have_no_bell(people, world):
    response = signed_in(people["investor_yulong"]).get(reverse("project-detail", args=[world["city"].pk]))
    assert response.status_code == 200
    assert b"notification-bell" not in response.content


def test_the_page_lists_only_the_users_own_notifications_newest_first(people):
    notify(people["agent1"], 2)
    notify_many(
        notifications=[
            NewNotification(
                user_id=people["agent1"].pk, kind=Kind.URGE, key="later", subject="最新", params={}
            )
        ],
        at=local(2026, 11, 27, 10, 0),
    )
    notify(people["leader"], 1, prefix="leader")
    response = signed_in(people["agent1"]).get(reverse("notifications"))
    assert response.status_code == 200
    rows = [note for note, _text in response.context["rows"]]
    assert [note.user_id for note in rows] == [people["agent1"].pk] * 3
    assert rows[0].key == "later"
    assert (
        "Approval task 江苏玉龙钢管项目 · 任务0 is overdue: it was due on 2026-11-20."
        in response.content.decode()
    )


def test_the_page_filters_by_kind_and_unread(people):
    notes = notify(people["agent1"], 3)
    notify(people["agent1"], 2, kind=Kind.URGE, prefix="u")
    notes[0].read_at = AT
    notes[0].save()
    client = signed_in(people["agent1"])
    assert client.get(reverse("notifications"), {"kind": "urge"}).context["page"].paginator.count == 2
    assert client.get(reverse("notifications"), {"unread": "on"}).context["page"].paginator.count == 4
    assert (
        client.get(reverse("notifications"), {"unread": "on", "kind": "task_red"})
        .context["page"]
        .paginator.count
        == 2
    )


def test_the_page_costs_the_same_queries_for_10_or_40_notifications(people, django_assert_max_num_queries):
    client = signed_in(people["agent1"])
    notify(people["agent1"], 10)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notifications"))
    notify(people["agent1"], 30, prefix="more")
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("notifications"))
    assert len(response.context["rows"]) == 25
    assert len(small.captured_queries) == len(large.captured_queries)


def test_marking_read_changes_only_the_users_own_notification(people):
    mine = notify(people["agent1"], 2)
    theirs = notify(people["leader"], 1, prefix="leader")[0]
    client = signed_in(people["agent1"])
    response = client.post(reverse("notification-read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("notification-read", args=[mine[0].pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/tasks/1/"
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    assert AuditEntry.objects.filter(
        object_type="notifications.notification", object_id=str(mine[0].pk)
    ).exists()
    assert bell_count(client.get(reverse("workbench"))) == "1"


def test_marking_read_needs_a_post(people):
    mine = notify(people["agent1"], 1)[0]
    assert signed_in(people["agent1"]).get(reverse("notification-read", args=[mine.pk])).status_code == 405


def test_mark_all_read_touches_only_the_users_own(people):
    notify(people["agent1"], 3)
    notify(people["leader"], 2, prefix="leader")
    response = signed_in(people["agent1"]).post(reverse("notifications-read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=people["agent1"], read_at__isnull=True).exists()
    assert Notification.objects.filter(user=people["leader"], read_at__isnull=True).count() == 2


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    response = Client().get(reverse("notifications"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_investors_get_403_on_the_notifications_page(people):
    assert signed_in(people["investor_yulong"]).get(reverse("notifications")).status_code == 403


def test_choices_are_saved_per_kind_and_both_on_keeps_no_row(people):
    client = signed_in(people["clerk_fgw"])
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200
    data = {f"in_app_{kind}": "on" for kind in Kind.values} | {f"email_{kind}": "on" for kind in Kind.values}
    del data["email_task_yellow"]
    del data["in_app_urge"]
    del data["email_urge"]
    response = client.post(reverse("notification-preferences"), data)
    assert response.status_code == 302
    saved = {
        p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=people["clerk_fgw"])
    }
    assert saved == {"task_yellow": (True, False), "urge": (False, False)}
    # Switching back on removes the rows again.
    client.post(
        reverse("notification-preferences"),
        {f"in_app_{k}": "on" for k in Kind.values} | {f"email_{k}": "on" for k in Kind.values},
    )
    assert not NotificationPreference.objects.filter(user=people["clerk_fgw"]).exists()
    assert AuditEntry.objects.filter(actor=people["clerk_fgw"], object_type="accounts.user").count() == 2


def test_a_bad_choice_is_refused_naming_the_kind_and_nothing_is_saved(people):
    from django.core.exceptions import ValidationError

    from onewindow.notifications.services import set_preferences

    with pytest.raises(ValidationError) as error:
        set_preferences(
            actor=people["agent1"], choices={"task_red": (False, False), "weather": (True, False)}
        )
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        set_preferences(actor=people["agent1"], choices={"task_red": ("no", False)})
    assert "task_red" in error.value.message_dict
    assert not NotificationPreference.objects.exists()
