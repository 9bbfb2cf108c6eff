import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from onewindow.accounts import tokens
from onewindow.accounts.models import ApiToken
from onewindow.core.models import AuditEntry


def test_a_token_is_shown_once_and_stored_only_as_its_digest(people):
    token, secret = tokens.create_api_token(
        actor=people["agent1"], owner=people["agent1"], name="ledger sync"
    )
    assert secret.startswith("ow_")
    assert len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix, stored.name)
    assert stored.digest == tokens.digest_of(secret)
    assert stored.expires_at > timezone.now() + datetime.timedelta(days=89)
    entry = AuditEntry.objects.get(object_type="accounts.apitoken")
    assert secret not in str(entry.changes)


def test_a_live_token_authenticates_and_records_its_use(people):
    _token, secret = tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name="x")
    found = tokens.authenticate_token(secret, source_ip="192.0.2.5")
    assert found.user == people["agent1"]
    found.refresh_from_db()
    assert found.last_used_ip == "192.0.2.5"
    assert found.last_used_at is not None


def test_expired_revoked_and_unknown_tokens_do_not_authenticate(people):
    token, secret = tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name="x", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tokens.authenticate_token(secret) is None
    token2, secret2 = tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name="y")
    tokens.revoke_api_token(actor=people["agent1"], token=token2)
    assert tokens.authenticate_token(secret2) is None
    assert tokens.authenticate_token("ow_not-a-token") is None
    assert tokens.authenticate_token("Basic abc") is None


def test_a_deactivated_account_loses_its_tokens(people):
    _token, secret = tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name="x")
    people["agent1"].is_active = False
    people["agent1"].save()
    assert tokens.authenticate_token(secret) is None


def test_only_the_owner_or_an_admin_may_make_or_revoke_a_token(people):
    with pytest.raises(PermissionDenied):
        tokens.create_api_token(actor=people["agent2"], owner=people["agent1"], name="x")
    token, _secret = tokens.create_api_token(actor=people["admin"], owner=people["agent1"], name="x")
    with pytest.raises(PermissionDenied):
        tokens.revoke_api_token(actor=people["leader"], token=token)


@pytest.mark.parametrize(("name", "days", "field"), [("", 30, "name"), ("x", 0, "days"), ("x", 731, "days")])
def test_bad_token_requests_name_the_field_and_make_nothing(people, name, days, field):
    with pytest.raises(ValidationError) as error:
        tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name=name, days=days)
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_token_command_prints_a_working_token(people, capsys):
    call_command("token", "create", "agent1", "--days", "7", "--name", "provincial platform")
    secret = capsys.readouterr().out.strip()
    token = tokens.authenticate_token(secret)
    assert token.user == people["agent1"]
    assert token.name == "provincial platform"
    assert (token.expires_at - timezone.now()).days in (6, 7)
    call_command("token", "revoke", token.prefix)
    assert tokens.authenticate_token(secret) is None


def test_the_tokens_page_shows_a_new_secret_once_and_revokes(client, people):
    client.force_login(people["agent1"])
    response = client.post("/account/tokens/", {"name": "报表同步", "days": 30})
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    assert secret not in client.get("/account/tokens/").content.decode()
    token = ApiToken.objects.get(user=people["agent1"])
    client.post("/account/tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_can_revoke_another_users_token_from_the_page(client, people):
    token, _secret = tokens.create_api_token(actor=people["agent1"], owner=people["agent1"], name="x")
    client.force_login(people["agent2"])
    assert client.post("/account/tokens/", {"revoke": token.pk}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
