"""Signing in with a username longer than any account can have."""

import pytest
from django.test import Client


@pytest.mark.parametrize("length", [151, 300])
def test_a_login_with_an_overlong_username_is_refused_without_a_server_error(people, length):
    response = Client().post("/login/", {"username": "x" * length, "password": "wrong-password"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_an_overlong_username_counts_no_failed_attempt(people):
    from axes.models import AccessAttempt

    Client().post("/login/", {"username": "x" * 300, "password": "wrong-password"})
    assert not AccessAttempt.objects.exists()
