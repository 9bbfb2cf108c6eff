"""The caller's notifications over the API: only their own (someone else's is 404), the unread filter,
marking one or all read through the same services as the page (audited), 403 for investors."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.accounts import tokens
from onewindow.core.models import AuditEntry
from onewindow.notifications.models import Kind, Notification, NotificationPreference
from onewindow.notifications.services import NewNotification, notify_many

AT = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def api(client, people):
    class Caller:
        def __init__(self, name):
            _token, secret = tokens.create_api_token(actor=people[name], owner=people[name], name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}

        def get(self, path, params=None):
            return client.get(f"/api/v1{path}", params or {}, **self.headers)

        def post(self, path):
            return client.post(f"/api/v1{path}", {}, content_type="application/json", **self.headers)

    return Caller


def notify(user, count: int, kind: str = Kind.TASK_YELLOW, prefix: str = "task") -> list[Notification]:
    notify_many(
        notifications=[
            NewNotification(
                user_id=user.pk,
                kind=kind,
                key=f"{prefix}:{n}",
                subject=f"FGW-BA 企业投资项目备案 {n}",
                url=f"/tasks/{n}/",
                params={"due_on": "2026-12-01"},
            )
            for n in range(count)
        ],
        at=AT,
    )
    return list(Notification.objects.filter(user=user, key__startswith=f"{prefix}:").order_by("-pk"))


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def test_the_caller_lists_only_their_own_notifications_with_their_text(api, people):
    mine = notify(people["agent1"], 2)
    notify(people["leader"], 3)
    response = api("agent1").get("/notifications")
    assert response.status_code == 200, response.content
    page = response.json()
    assert [item["id"] for item in page["items"]] == [note.pk for note in mine]
    assert page["unread_count"] == 2 and page["next_cursor"] is None
    first = page["items"][0]
    assert first["message"] == "Approval task FGW-BA 企业投资项目备案 1 is due on 2026-12-01."
    assert (first["kind"], first["url"], first["read_at"]) == ("task_yellow", "/tasks/1/", None)


def test_someone_elses_notification_does_not_exist_for_the_caller(api, people):
    [theirs] = notify(people["leader"], 1)
    assert api("agent1").get(f"/notifications/{theirs.pk}").status_code == 404
    assert api("agent1").post(f"/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api("leader").get(f"/notifications/{theirs.pk}").json()["id"] == theirs.pk


def test_marking_one_read_is_audited_once_and_the_unread_filter_leaves_it_out(api, people):
    older, newer = reversed(notify(people["agent1"], 2))
    caller = api("agent1")
    marked = caller.post(f"/notifications/{older.pk}/read")
    assert marked.status_code == 200, marked.content
    assert marked.json()["read_at"] is not None
    older.refresh_from_db()
    first_reading = older.read_at
    assert caller.post(f"/notifications/{older.pk}/read").status_code == 200
    older.refresh_from_db()
    assert older.read_at == first_reading
    rows = AuditEntry.objects.filter(object_type="notifications.notification", object_id=str(older.pk))
    assert rows.count() == 1 and rows.get().actor == people["agent1"]
    unread = caller.get("/notifications", {"unread": True}).json()
    assert [item["id"] for item in unread["items"]] == [newer.pk]
    assert unread["unread_count"] == 1
    assert len(caller.get("/notifications").json()["items"]) == 2


def test_marking_all_read_marks_only_the_callers_and_says_how_many(api, people):
    notify(people["agent1"], 3)
    notify(people["leader"], 2)
    response = api("agent1").post("/notifications/read-all")
    assert response.status_code == 200, response.content
    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(user=people["agent1"], read_at__isnull=True).exists()
    assert Notification.objects.filter(user=people["leader"], read_at__isnull=True).count() == 2
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(people["agent1"].pk))
    assert entry.changes["notifications_read"] == 3
    assert api("agent1").post("/notifications/read-all").json() == {"marked": 0}
    assert AuditEntry.objects.filter(object_type="accounts.user").count() == 1


def test_an_investor_has_no_bell_over_the_api_either(api, people):
    assert api("investor_yulong").get("/notifications").status_code == 403
    assert api("investor_yulong").post("/notifications/read-all").status_code == 403


def test_the_kind_filter_and_the_kinds_kept_out_of_the_app(api, people):
    agent = people["agent1"]
    notify(agent, 2, kind=Kind.TASK_YELLOW)
    [red] = notify(agent, 1, kind=Kind.TASK_RED, prefix="red")
    [urge] = notify(agent, 1, kind=Kind.URGE, prefix="urge")
    NotificationPreference.objects.create(user=agent, kind=Kind.URGE, in_app=False, email=True)
    caller = api("agent1")
    assert [item["id"] for item in caller.get("/notifications", {"kind": "task_red"}).json()["items"]] == [
        red.pk
    ]
    listed = caller.get("/notifications").json()
    assert urge.pk not in {item["id"] for item in listed["items"]}
    assert len(listed["items"]) == listed["unread_count"] == 3


def test_the_list_is_walked_page_by_page_and_bad_parameters_are_422(api, people):
    notes = notify(people["agent1"], 5)
    caller = api("agent1")
    seen, cursor = [], None
    while True:
        page = caller.get("/notifications", {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [note.pk for note in notes]
    assert fields(caller.get("/notifications", {"cursor": "x1"})) == {"cursor"}
    assert fields(caller.get("/notifications", {"kind": "weather"})) == {"kind"}
    assert fields(caller.get("/notifications", {"limit": 500})) == {"limit"}
    assert len(caller.get("/notifications", {"cursor": str(2**70)}).json()["items"]) == 5
    assert caller.get(f"/notifications/{2**70}").status_code == 404


def test_the_list_costs_the_same_queries_whatever_its_length(api, people, django_assert_num_queries):
    caller = api("agent1")
    notify(people["agent1"], 1)
    caller.get("/notifications")  # the token's first use is recorded once; count the calls after it
    with CaptureQueriesContext(connection) as few:
        assert len(caller.get("/notifications").json()["items"]) == 1
    notify(people["agent1"], 60, prefix="more")
    with django_assert_num_queries(len(few)):
        assert len(caller.get("/notifications", {"limit": 61}).json()["items"]) == 61
