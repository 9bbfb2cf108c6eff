import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory


def login_attempt(username, password, ip="198.51.100.7"):
    request = RequestFactory().post("/login/", REMOTE_ADDR=ip)
    return authenticate(request=request, username=username, password=password)


def test_five_failed_logins_lock_the_account_even_with_the_right_password(people):
    for _ in range(5):
        assert login_attempt("agent1", "wrong-password") is None
    assert login_attempt("agent1", "correct-horse-battery") is None


def test_the_lock_also_holds_the_address_for_another_account(people):
    for attempt in range(5):
        login_attempt(f"nobody{attempt}", "wrong-password", ip="203.0.113.9")
    assert login_attempt("agent2", "correct-horse-battery", ip="203.0.113.9") is None
    assert login_attempt("agent2", "correct-horse-battery", ip="203.0.113.10") is not None


def test_four_failures_do_not_lock(people):
    for _ in range(4):
        login_attempt("agent1", "wrong-password")
    assert login_attempt("agent1", "correct-horse-battery") == people["agent1"]


def test_the_lockout_lasts_fifteen_minutes_and_the_session_thirty():
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_the_content_security_policy_forbids_inline_script(client, db):
    response = client.get("/api/v1/stats/summary", {"year": 2012})
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "password", ["12345678901", "password123", "short"], ids=["numeric", "common", "too-short"]
)
def test_weak_passwords_are_refused(people, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, user=people["agent1"])


def test_a_login_is_written_to_the_audit_log_with_its_address(client, people):
    from onewindow.core.models import AuditEntry

    client.post(
        "/login/", {"username": "county_gh", "password": "correct-horse-battery"}, REMOTE_ADDR="192.0.2.44"
    )
    entry = AuditEntry.objects.get(action="login")
    assert (entry.actor, entry.source_ip, entry.region_path) == (
        people["county_gh"],
        "192.0.2.44",
        "510600/510681/",
    )


def test_a_failed_login_writes_no_login_entry(client, people):
    from onewindow.core.models import AuditEntry

    client.post("/login/", {"username": "county_gh", "password": "wrong"}, REMOTE_ADDR="192.0.2.44")
    assert not AuditEntry.objects.filter(action="login").exists()
