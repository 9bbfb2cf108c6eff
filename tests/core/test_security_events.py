"""Security events in the audit log: failed logins, lockouts, logouts, refusals (pages and API) and staff
exports; each is a link of the chain like any other entry."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from onewindow.accounts import tokens
from onewindow.core import audit, verification
from onewindow.core.models import AuditEntry
from tests.api.test_projects_api import intake_payload
from tests.factories import ProjectFactory

PASSWORD = "correct-horse-battery"


def security(action: str):
    return AuditEntry.objects.filter(action=action).order_by("sequence")


def test_a_failed_login_is_recorded_with_the_username_tried_and_the_address_but_no_password(client, people):
    client.post("/login/", {"username": "county_gh", "password": "wrong-secret"}, REMOTE_ADDR="192.0.2.44")
    [entry] = security("login_failed")
    assert (entry.actor, entry.actor_name, entry.object_type, entry.source_ip) == (
        None,
        "county_gh",
        "security",
        "192.0.2.44",
    )
    assert "wrong-secret" not in str(entry.changes)
    assert verification.verify().intact


def test_a_failed_login_for_nobody_is_recorded_too(client, db):
    client.post("/login/", {"username": "ghost", "password": "x"}, REMOTE_ADDR="192.0.2.45")
    assert security("login_failed").get().actor_name == "ghost"


def test_a_lockout_is_recorded_once_the_limit_is_reached(client, people, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "agent1", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    [lockout] = security("lockout")
    assert (lockout.actor_name, lockout.source_ip) == ("agent1", "203.0.113.9")
    assert security("login_failed").count() == settings.AXES_FAILURE_LIMIT
    assert verification.verify().intact


def test_four_failures_record_no_lockout(client, people):
    for _attempt in range(4):
        client.post("/login/", {"username": "agent1", "password": "wrong"})
    assert not security("lockout").exists()


def test_a_logout_is_recorded_with_the_person(client, people):
    client.post("/login/", {"username": "agent1", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7")
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.7")
    [entry] = security("logout")
    assert (entry.actor, entry.source_ip, entry.region_path) == (
        people["agent1"],
        "192.0.2.7",
        people["agent1"].region.path,
    )


def test_a_refused_page_is_recorded_with_who_and_what(people):
    client = Client()
    client.force_login(people["clerk_fgw"])
    response = client.get(reverse("audit-log"), {"action": "login"}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 403
    [entry] = security("permission_denied")
    assert (entry.actor, entry.object_type, entry.object_repr, entry.source_ip) == (
        people["clerk_fgw"],
        "security",
        reverse("audit-log"),
        "192.0.2.9",
    )
    assert entry.changes["method"] == [None, "GET"]
    assert entry.changes["path"][1].endswith("?action=login")
    assert entry.region_path == people["clerk_fgw"].region.path


def test_an_allowed_page_records_no_refusal(people):
    client = Client()
    client.force_login(people["leader"])
    assert client.get(reverse("audit-log")).status_code == 200
    assert not security("permission_denied").exists()


def test_a_refused_api_call_is_recorded(client, people, city):
    _token, secret = tokens.create_api_token(actor=people["clerk_fgw"], owner=people["clerk_fgw"], name="t")
    response = client.post(
        "/api/v1/projects",
        intake_payload(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403
    [entry] = security("permission_denied")
    assert (entry.actor, entry.object_repr) == (people["clerk_fgw"], "/api/v1/projects")
    assert entry.changes["method"] == [None, "POST"]


def test_the_register_csv_export_is_recorded_with_its_filters(people, world):
    client = Client()
    client.force_login(people["leader"])
    response = client.get(
        reverse("project-export"), {"level": "county", "q": "绵竹"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 200
    [entry] = security("export")
    assert (entry.actor, entry.object_repr, entry.source_ip) == (
        people["leader"],
        "register.csv",
        "192.0.2.1",
    )
    assert entry.changes["filters"] == [None, {"level": "county", "q": "绵竹"}]


def test_the_ledger_export_page_is_recorded_with_its_row_count(people, world, guanghan):
    ProjectFactory(name="广汉另一个项目", region=guanghan, level="county")
    client = Client()
    client.force_login(people["county_gh"])
    response = client.get(reverse("project-export-xlsx"))
    b"".join(response.streaming_content)
    [entry] = security("export")
    assert (entry.actor, entry.object_repr) == (people["county_gh"], "ledger.xlsx")
    assert entry.changes["rows"] == [None, 2]
    assert entry.region_path == people["county_gh"].region.path


def test_the_export_ledger_command_is_recorded(people, world, tmp_path):
    path = tmp_path / "out.xlsx"
    call_command("export-ledger", str(path), "--actor", "leader", "--level", "city", stdout=io.StringIO())
    [entry] = security("export")
    assert entry.actor == people["leader"]
    assert entry.object_repr == f"export-ledger {path}"
    assert entry.changes["filters"] == [None, {"level": "city"}]
    assert entry.changes["rows"] == [None, 1]


def test_security_events_show_in_the_audit_log_with_their_label(client, people):
    client.post("/login/", {"username": "ghost", "password": "x"})
    leader = Client()
    leader.force_login(people["leader"])
    response = leader.get(reverse("audit-log"), {"action": "login_failed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    [described] = response.context["entries"]
    assert described.entry.actor_name == "ghost"
    assert described.record_type == "Security event"
    assert ">Failed login</td>" in response.text


@pytest.mark.parametrize("events", [3, 30])
def test_the_audit_log_costs_the_same_queries_with_many_security_events(
    people, events, django_assert_num_queries
):
    for number in range(events):
        audit.record_security(
            action="login_failed", actor_name=f"ghost{number}", source_ip=f"192.0.2.{number}"
        )
        audit.record_security(action="permission_denied", actor=people["agent1"], subject="/audit/")
    leader = Client()
    leader.force_login(people["leader"])
    leader.get(reverse("audit-log"))  # the session's first renewal
    # The session, the user, the count, the page, the session renewed...: the same for any number.
    with django_assert_num_queries(9):
        assert leader.get(reverse("audit-log")).status_code == 200


def test_a_username_or_path_with_a_nul_character_is_recorded_without_it(people):
    # PostgreSQL refuses NUL in text: recording a refusal must not turn it into a server error.
    audit.record_security(
        action="login_failed", actor_name="gh\x00ost", subject="gh\x00ost", changes={"k\x00": ["\x00", "a"]}
    )
    entry = security("login_failed").get()
    assert (entry.actor_name, entry.object_repr, entry.changes) == ("ghost", "ghost", {"k": ["", "a"]})
    refused = Client()
    refused.force_login(people["clerk_fgw"])
    assert refused.get(reverse("audit-log") + "?actor=%00x").status_code == 403
    entry = security("permission_denied").get()
    assert "\x00" not in entry.changes["path"][1]
    assert verification.verify().intact


def test_a_very_long_username_tried_is_cut_to_the_column(rf, db):
    # The login form refuses such a name before authenticating; other callers of authenticate() may not.
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(sender=__name__, credentials={"username": "g" * 200}, request=rf.post("/login/"))
    assert security("login_failed").get().actor_name == "g" * 150
