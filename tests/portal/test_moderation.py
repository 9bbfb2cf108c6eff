"""Staff moderate public messages (publish, hide with a reason), assign them to a department and answer
them on the record; what is published shows with its answer and the working days it took."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from onewindow.approvals import selectors as approval_selectors
from onewindow.core.errors import StaleObjectError
from onewindow.core.models import AuditEntry
from onewindow.portal import selectors, services
from onewindow.portal.models import MessageStatus, PublicMessage
from onewindow.regions.models import Department

TEXT = "玉龙钢管项目夜间施工噪音较大，建议调整施工时间。"


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def _submit(project=None, kind="complaint", text=TEXT, contact="13600000000", address="192.0.2.1"):
    return services.submit_message(
        kind=kind, text=text, contact=contact, project_code=project.code if project else "", source_ip=address
    ).message


@pytest.fixture
def messages(public_world):
    return {
        "city": _submit(public_world.city),
        "guanghan": _submit(public_world.guanghan, kind="suggestion"),
        "service": _submit(None, kind="message"),
    }


def test_staff_publish_hide_assign_and_answer_with_an_audit_row_each(people, messages, fgw):
    leader = people["leader"]
    message = messages["city"]
    message = services.assign_message(actor=leader, message=message, expected_version=1, department=fgw)
    message = services.publish_message(
        actor=leader, message=message, expected_version=2, public_text="玉龙钢管项目夜间施工噪音较大。"
    )
    message = services.answer_message(
        actor=leader, message=message, expected_version=3, text="已要求施工单位调整。"
    )
    assert message.status == MessageStatus.PUBLISHED and message.department == fgw
    assert message.answered_by == leader and message.answer_workdays == 0
    message = services.hide_message(actor=leader, message=message, expected_version=4, reason="涉及个人隐私")
    assert message.status == MessageStatus.HIDDEN and message.version == 5
    actions = AuditEntry.objects.filter(object_type="portal.publicmessage", object_id=str(message.pk))
    assert actions.count() == 5  # submitted, assigned, published, answered, hidden
    assert actions.filter(actor=leader).count() == 4


def test_the_answer_records_how_many_working_days_it_took(people, messages, monkeypatch):
    message = messages["service"]
    # Received on Friday 2026-09-25; answered the Friday after the National Day holidays (2026-10-09).
    PublicMessage.objects.filter(pk=message.pk).update(submitted_on=datetime.date(2026, 9, 25))
    message.refresh_from_db()
    answered = datetime.datetime(2026, 10, 9, 2, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: answered)
    message = services.answer_message(
        actor=people["agent1"], message=message, expected_version=1, text="答复"
    )
    expected = approval_selectors.workday_calendar().workdays_between(
        datetime.date(2026, 9, 25), datetime.date(2026, 10, 9)
    )
    assert message.answered_on == datetime.date(2026, 10, 9)
    assert message.answer_workdays == expected.count
    assert message.answer_workdays < 10  # the Golden Week holidays are not working days


def test_a_later_correction_of_the_answer_keeps_the_first_answer_date(people, messages):
    message = services.answer_message(
        actor=people["leader"], message=messages["city"], expected_version=1, text="一"
    )
    first = (message.answered_at, message.answer_workdays)
    message = services.answer_message(
        actor=people["leader"], message=message, expected_version=2, text="更正"
    )
    assert (message.answered_at, message.answer_workdays) == first
    assert message.answer == "更正"


def test_hiding_needs_a_reason_and_nothing_changes_without_one(people, messages):
    with pytest.raises(ValidationError) as error:
        services.hide_message(
            actor=people["leader"], message=messages["city"], expected_version=1, reason="  "
        )
    assert "reason" in error.value.message_dict
    messages["city"].refresh_from_db()
    assert messages["city"].status == MessageStatus.PENDING and messages["city"].version == 1


def test_a_change_made_on_an_outdated_page_is_refused(people, messages):
    services.publish_message(actor=people["leader"], message=messages["city"], expected_version=1)
    with pytest.raises(StaleObjectError):
        services.hide_message(
            actor=people["agent1"], message=messages["city"], expected_version=1, reason="重复"
        )


def test_an_empty_answer_is_refused(people, messages):
    with pytest.raises(ValidationError) as error:
        services.answer_message(actor=people["leader"], message=messages["city"], expected_version=1, text="")
    assert error.value.message_dict == {"answer": ["Write the answer."]}


# -- who sees and does what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"city", "guanghan", "service"}),
        ("leader", {"city", "guanghan", "service"}),
        ("agent1", {"city", "guanghan", "service"}),
        ("county_gh", {"guanghan"}),
        ("county_leader_gh", {"guanghan"}),
        ("clerk_fgw", set()),
        ("investor_yulong", set()),
    ],
)
def test_each_role_sees_the_messages_of_its_scope(people, messages, role, expected):
    visible = selectors.visible_messages(people[role])
    assert {key for key, message in messages.items() if message in visible} == expected


def test_a_clerk_sees_and_answers_what_is_assigned_to_their_department_but_does_not_moderate(
    people, messages, fgw
):
    clerk = people["clerk_fgw"]
    message = services.assign_message(
        actor=people["leader"], message=messages["service"], expected_version=1, department=fgw
    )
    assert message in selectors.visible_messages(clerk)
    with pytest.raises(PermissionDenied):
        services.publish_message(actor=clerk, message=message, expected_version=2)
    message = services.answer_message(actor=clerk, message=message, expected_version=2, text="发改委答复")
    assert message.answered_by == clerk


def test_a_county_moderator_assigns_only_to_departments_of_their_county(people, messages, fgw, guanghan):
    county = people["county_gh"]
    with pytest.raises(ValidationError):
        services.assign_message(
            actor=county, message=messages["guanghan"], expected_version=1, department=fgw
        )
    own = Department.objects.get(region=guanghan, code="fgw")
    services.assign_message(actor=county, message=messages["guanghan"], expected_version=1, department=own)
    with pytest.raises(PermissionDenied):
        services.publish_message(actor=county, message=messages["city"], expected_version=1)


def test_the_queue_answers_403_to_an_investor_and_a_message_outside_the_scope_404(login, messages, people):
    assert login("investor_yulong").get(reverse("feedback-queue")).status_code == 403
    assert login("county_gh").get(reverse("feedback-detail", args=[messages["city"].pk])).status_code == 404
    assert login("clerk_fgw").get(reverse("feedback-detail", args=[messages["city"].pk])).status_code == 404
    with pytest.raises(Http404):
        selectors.message_for(people["agent1"], 10**9)


def test_the_message_page_shows_the_contact_to_staff_and_offers_only_allowed_actions(
    login, messages, fgw, people
):
    page = login("leader").get(reverse("feedback-detail", args=[messages["city"].pk]))
    assert page.status_code == 200
    assert "13600000000" in page.text
    for name in ("feedback-publish", "feedback-hide", "feedback-assign", "feedback-answer"):
        assert reverse(name, args=[messages["city"].pk]) in page.text
    services.assign_message(
        actor=people["leader"], message=messages["city"], expected_version=1, department=fgw
    )
    clerk_page = login("clerk_fgw").get(reverse("feedback-detail", args=[messages["city"].pk])).text
    assert reverse("feedback-answer", args=[messages["city"].pk]) in clerk_page
    assert reverse("feedback-publish", args=[messages["city"].pk]) not in clerk_page


def test_staff_moderate_and_answer_through_the_pages(login, messages, english):
    client = login("agent1")
    message = messages["city"]
    response = client.post(
        reverse("feedback-publish", args=[message.pk]), {"version": "1", "public_text": TEXT}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("feedback-answer", args=[message.pk]), {"version": "2", "answer": "已协调施工单位。"}
    )
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "The answer is saved." in followed.text
    refused = client.post(reverse("feedback-hide", args=[message.pk]), {"version": "3", "reason": ""})
    assert refused.status_code == 400
    assert "Give the reason why the message is not published." in refused.text
    stale = client.post(reverse("feedback-hide", args=[message.pk]), {"version": "1", "reason": "重复"})
    assert stale.status_code == 302
    assert "Someone else saved this record" in client.get(stale["Location"]).text


def test_the_queue_lists_waiting_messages_first_with_yellow_and_red_warnings(login, messages, people):
    today = timezone.localdate()
    PublicMessage.objects.filter(pk=messages["city"].pk).update(
        submitted_on=today - datetime.timedelta(days=40), due_on=today - datetime.timedelta(days=1)
    )
    PublicMessage.objects.filter(pk=messages["guanghan"].pk).update(due_on=today)
    services.answer_message(
        actor=people["leader"], message=messages["service"], expected_version=1, text="答复"
    )
    response = login("leader").get(reverse("feedback-queue"))
    rows = list(response.context["page"].object_list)
    assert [row.pk for row in rows] == [messages["city"].pk, messages["guanghan"].pk, messages["service"].pk]
    assert [row.warning for row in rows] == ["overdue", "due_soon", ""]
    counts = response.context["counts"]
    assert (counts.open, counts.due_soon, counts.overdue) == (2, 1, 1)
    overdue_only = login("leader").get(reverse("feedback-queue"), {"overdue": "on"})
    assert [row.pk for row in overdue_only.context["page"].object_list] == [messages["city"].pk]


def test_a_hidden_message_waits_for_no_answer(people, messages):
    services.hide_message(actor=people["leader"], message=messages["city"], expected_version=1, reason="广告")
    messages["city"].refresh_from_db()
    assert (
        selectors.answer_warning(messages["city"], today=messages["city"].due_on + datetime.timedelta(days=5))
        == ""
    )
    assert selectors.queue_counts(people["leader"]).open == 2


def test_the_queue_costs_the_same_queries_for_three_messages_or_thirty(
    login, messages, public_world, django_assert_num_queries
):
    client = login("leader")
    client.get(reverse("feedback-queue"))
    with django_assert_num_queries(12) as few:  # the header's notification bell is one of them
        client.get(reverse("feedback-queue"))
    for number in range(27):
        _submit(public_world.city, address=f"198.51.100.{number}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("feedback-queue"))
    assert len(response.context["page"].object_list) == 25


# -- what the public sees -----------------------------------------------------------------------------


def test_a_published_answered_message_shows_with_its_answer_and_working_days_and_never_its_contact(
    anonymous, people, messages, public_world, django_capture_on_commit_callbacks
):
    leader = people["leader"]
    with django_capture_on_commit_callbacks(execute=True):
        message = services.publish_message(actor=leader, message=messages["city"], expected_version=1)
        services.answer_message(
            actor=leader, message=message, expected_version=2, text="已要求施工单位夜间停工。"
        )
        services.hide_message(actor=leader, message=messages["guanghan"], expected_version=1, reason="重复")
    for url in (reverse("portal:feedback"), reverse("portal:project", args=[public_world.city.pk])):
        html = anonymous.get(url).text
        assert TEXT in html and "已要求施工单位夜间停工。" in html, url
        assert "13600000000" not in html, url
    # hidden and pending messages are not shown
    assert [item.pk for item in selectors.published_messages()] == [messages["city"].pk]
    assert anonymous.get(reverse("portal:feedback")).text.count('class="public-message"') == 1


def test_the_published_text_replaces_the_original_when_a_moderator_removed_personal_data(
    anonymous, people, messages
):
    services.publish_message(
        actor=people["leader"], message=messages["city"], expected_version=1, public_text="夜间施工噪音较大。"
    )
    html = anonymous.get(reverse("portal:feedback")).text
    assert "夜间施工噪音较大。" in html and TEXT not in html


def test_a_published_message_about_a_project_that_became_confidential_disappears(
    anonymous, people, messages, public_world
):
    services.publish_message(actor=people["leader"], message=messages["city"], expected_version=1)
    public_world.city.confidential = True
    public_world.city.save()
    assert list(selectors.published_messages()) == []
    assert "江苏玉龙钢管项目" not in anonymous.get(reverse("portal:feedback")).text


def test_the_visitor_reads_the_answer_through_the_receipt_link(english, people, public_world):
    submitted = services.submit_message(kind="message", text=TEXT, source_ip="192.0.2.3")
    services.answer_message(
        actor=people["leader"], message=submitted.message, expected_version=1, text="谢谢。"
    )
    page = english.get(reverse("portal:feedback-receipt", args=[submitted.token])).text
    assert "谢谢。" in page and "answered the same working day" in page
