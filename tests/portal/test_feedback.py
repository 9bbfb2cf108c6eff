"""A visitor's message: validated, limited per address, trapped for robots, and stored whole or not
at all; its contact is never shown to the public."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from onewindow.core.models import AuditEntry
from onewindow.portal import services
from onewindow.portal.models import MessageStatus, PublicMessage
from onewindow.portal.services import submit_message

TEXT = "请问玉龙钢管项目的施工许可什么时候办结？附近居民关心施工时间。"


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def _post(client: Client, **fields):
    data = {"kind": "message", "project": "", "text": TEXT, "contact": "", "website": ""} | fields
    return client.post(reverse("portal:feedback-new"), data, REMOTE_ADDR=fields.pop("address", "203.0.113.7"))


def test_a_visitor_leaves_a_message_about_a_project_and_gets_a_receipt_link(english, public_world):
    form = english.get(reverse("portal:feedback-new"), {"project": public_world.city.pk})
    assert form.context["form"]["project"].value() == public_world.city.code
    response = _post(english, project=public_world.city.code.lower(), contact="13712345678")
    assert response.status_code == 302
    message = PublicMessage.objects.get()
    assert (message.project, message.kind, message.text, message.contact) == (
        public_world.city,
        "message",
        TEXT,
        "13712345678",
    )
    assert message.status == MessageStatus.PENDING
    assert message.due_on > message.submitted_on
    receipt = english.get(response["Location"])
    assert receipt.status_code == 200
    assert TEXT in receipt.text and message.reference in receipt.text
    assert "13712345678" not in receipt.text
    assert receipt["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in receipt["Cache-Control"]
    entry = AuditEntry.objects.get(object_type="portal.publicmessage")
    assert entry.actor is None and entry.source_ip == "203.0.113.7"
    assert "13712345678" not in str(entry.changes)


def test_a_message_about_the_service_needs_no_project(english, public_world):
    assert _post(english).status_code == 302
    assert PublicMessage.objects.get().project is None


def test_the_form_page_is_never_cached_and_carries_its_csrf_token(english, public_world):
    response = english.get(reverse("portal:feedback-new"))
    assert "no-store" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in response.text
    csrf_client = Client(enforce_csrf_checks=True)
    assert _post(csrf_client).status_code == 403
    assert not PublicMessage.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": ""}, "text", "Write your message."),
        ({"text": "太短了"}, "text", "Write at least 10 characters."),
        ({"text": "长" * 2001}, "text", "Keep the message to 2000 characters; it has 2001."),
        ({"kind": "praise"}, "kind", "Choose what kind of message this is."),
        (
            {"contact": "1" * 101},
            "contact",
            "Give one phone number or e-mail address of at most 100 characters.",
        ),
        ({"project": "1205-510603-03-01-000000"}, "project", "No public project has this code."),
    ],
)
def test_bad_input_is_refused_with_a_message_on_its_field_and_nothing_is_stored(
    english, public_world, fields, field, message
):
    response = _post(english, **fields)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message in response.text
    assert not PublicMessage.objects.exists()
    assert not AuditEntry.objects.filter(object_type="portal.publicmessage").exists()


def test_a_message_about_a_confidential_project_or_one_not_taken_in_is_refused_like_an_unknown_code(
    english, public_world
):
    for hidden in (public_world.secret, public_world.pipeline):
        response = _post(english, project=hidden.code)
        assert response.status_code == 400
        assert "No public project has this code." in response.text
        assert hidden.name not in response.text
    assert (
        english.get(reverse("portal:feedback-new"), {"project": public_world.secret.pk}).context["about"]
        is None
    )
    assert not PublicMessage.objects.exists()


def test_the_robots_trap_is_hidden_from_people_and_refuses_what_a_robot_fills_in(english, public_world):
    html = english.get(reverse("portal:feedback-new")).text
    assert '<div class="trap" aria-hidden="true">' in html
    assert 'tabindex="-1"' in html
    response = _post(english, website="http://spam.example")
    assert response.status_code == 400
    assert not PublicMessage.objects.exists()


def test_an_address_may_send_five_messages_an_hour_then_is_told_to_wait(english, public_world):
    for _number in range(5):
        assert _post(english).status_code == 302
    refused = _post(english)
    assert refused.status_code == 429
    assert "Too many messages have been sent from your address" in refused.text
    assert PublicMessage.objects.count() == 5
    # another address is not held back
    assert _post(english, address="198.51.100.20").status_code == 302


def test_the_daily_limit_counts_across_the_hours(public_world, settings, monkeypatch):
    settings.ONEWINDOW_FEEDBACK_PER_HOUR = 100
    settings.ONEWINDOW_FEEDBACK_PER_DAY = 3
    for _number in range(3):
        submit_message(kind="message", text=TEXT, source_ip="192.0.2.1")
    with pytest.raises(ValidationError) as refused:
        submit_message(kind="message", text=TEXT, source_ip="192.0.2.1")
    assert refused.value.code == "rate_limited"


def test_refused_input_does_not_count_against_the_address(public_world):
    for _number in range(8):
        with pytest.raises(ValidationError):
            submit_message(kind="message", text="short", source_ip="192.0.2.9")
    submit_message(kind="message", text=TEXT, source_ip="192.0.2.9")


def test_the_rate_counter_keeps_no_address_in_the_cache(public_world):
    submit_message(kind="message", text=TEXT, source_ip="192.0.2.44")
    from django.core.cache import cache

    keys = [key for key in cache._cache if "feedback-rate" in key]
    assert keys and not any("192.0.2.44" in key for key in keys)


def test_a_failure_after_the_message_is_written_leaves_nothing_behind(public_world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        submit_message(kind="complaint", text=TEXT, source_ip="192.0.2.2")
    assert not PublicMessage.objects.exists()


def test_an_unknown_receipt_link_answers_404(english, public_world):
    assert english.get(reverse("portal:feedback-receipt", args=["not-a-real-token"])).status_code == 404
