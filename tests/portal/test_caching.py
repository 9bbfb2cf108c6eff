"""Public pages are cached per language, renewed as soon as the data behind them changes, and never
carry one visitor's session data to another."""

import datetime

import pytest
from django.contrib import auth
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from onewindow.portal import caching, services
from onewindow.portal.models import CacheVersion
from onewindow.projects import services as project_services
from onewindow.projects.models import TimelineEntry


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Each test runs in one transaction that never commits. ``with committed():`` runs the block's
    on-commit work (the new cache version) at its end, as a real commit would. The version change the
    fixtures' writes queued is done first: the portal queues one per transaction, so it would
    otherwise stand for the block's writes too."""

    def run():
        queued = [entry for entry in connection.run_on_commit if entry[1] is caching._change_version]
        if queued:
            connection.run_on_commit = [entry for entry in connection.run_on_commit if entry not in queued]
            caching._change_version()
        return django_capture_on_commit_callbacks(execute=True)

    return run


def test_a_second_visit_is_served_from_the_cache_with_one_small_query(
    anonymous, public_world, django_assert_num_queries
):
    url = reverse("portal:project", args=[public_world.city.pk])
    first = anonymous.get(url)
    with django_assert_num_queries(1):  # the cache version
        second = anonymous.get(url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_an_unchanged_page_answers_304_to_a_browser_that_has_it(anonymous, public_world):
    url = reverse("portal:projects")
    etag = anonymous.get(url)["ETag"]
    again = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""


def test_each_language_has_its_own_cached_page(anonymous, english, public_world):
    url = reverse("portal:home")
    chinese = anonymous.get(url).text
    assert '<html lang="en">' in english.get(url).text
    assert anonymous.get(url).text == chinese


def test_a_stage_change_renews_the_pages_at_once(anonymous, public_world, people, committed):
    project = public_world.guanghan
    url = reverse("portal:project", args=[project.pk])
    assert "stage-approved" not in anonymous.get(url).text
    with committed():
        project_services.change_stage(
            actor=people["admin"],
            project=project,
            target="approved",
            on=datetime.date(2012, 5, 2),
            expected_version=project.version,
        )
    assert "stage-approved" in anonymous.get(url).text


def test_making_a_project_confidential_takes_it_off_the_cached_list_and_page(
    anonymous, public_world, people, committed
):
    project = public_world.mianzhu
    list_url, page_url = reverse("portal:projects"), reverse("portal:project", args=[project.pk])
    assert project.name in anonymous.get(list_url).text
    assert anonymous.get(page_url).status_code == 200
    with committed():
        project_services.update_project(
            actor=people["admin"],
            project=project,
            expected_version=project.version,
            changes={"confidential": True},
        )
    assert project.name not in anonymous.get(list_url).text
    assert anonymous.get(page_url).status_code == 404


def test_a_new_public_note_shows_and_an_internal_one_still_does_not(
    anonymous, public_world, people, committed
):
    url = reverse("portal:project", args=[public_world.city.pk])
    anonymous.get(url)
    with committed():
        for text, public in (("进场施工，安全部门现场指导。", True), ("内部：督办记录", False)):
            project_services.add_timeline_note(
                actor=people["agent1"],
                project=public_world.city,
                text=text,
                happened_on=datetime.date(2012, 9, 1),
                is_public=public,
            )
    html = anonymous.get(url).text
    assert "进场施工，安全部门现场指导。" in html and "内部：督办记录" not in html


def test_a_write_outside_the_services_renews_the_pages_too(anonymous, public_world, committed):
    url = reverse("portal:projects")
    anonymous.get(url)
    with committed():
        public_world.city.name = "江苏玉龙钢管二期项目"
        public_world.city.save()
    assert "江苏玉龙钢管二期项目" in anonymous.get(url).text


def test_a_rolled_back_change_keeps_the_cached_pages(public_world, committed):
    with committed():
        pass
    before = caching.current_version()
    with committed():
        try:
            with transaction.atomic():
                TimelineEntry.objects.create(
                    project=public_world.city, happened_on=datetime.date(2012, 9, 1), text="x"
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert caching.current_version() == before


def test_many_writes_in_one_transaction_renew_the_version_once(
    public_world, committed, django_assert_num_queries
):
    with committed() as callbacks, transaction.atomic():
        for number in range(10):
            TimelineEntry.objects.create(
                project=public_world.city, happened_on=datetime.date(2012, 9, 1), text=str(number)
            )
    assert len([callback for callback in callbacks if callback is caching._change_version]) == 1
    assert CacheVersion.objects.count() == 1


def test_a_new_message_waiting_for_moderation_does_not_empty_the_cache(public_world, committed):
    with committed():
        pass
    before = caching.current_version()
    with committed():
        services.submit_message(kind="message", text="这是一条等待审核的留言。", source_ip="192.0.2.5")
    assert caching.current_version() == before


def test_a_public_page_never_reads_who_is_signed_in(public_world, people, monkeypatch):
    staff = Client()
    staff.force_login(people["agent1"])

    def no_user(request):
        raise AssertionError("a public page asked who is signed in")

    monkeypatch.setattr(auth, "get_user", no_user)
    for url in (reverse("portal:home"), reverse("portal:project", args=[public_world.city.pk])):
        assert staff.get(url).status_code == 200


def test_a_public_page_carries_no_session_data_and_is_the_same_for_staff_and_visitors(public_world, people):
    staff = Client()
    staff.force_login(people["agent1"])
    for url in (
        reverse("portal:home"),
        reverse("portal:projects"),
        reverse("portal:project", args=[public_world.city.pk]),
    ):
        # Staff first, so that the page is cached from their request.
        seen_by_staff = staff.get(url)
        assert "csrftoken" not in seen_by_staff.cookies
        html = seen_by_staff.text
        for private in ("csrfmiddlewaretoken", people["agent1"].username, people["agent1"].full_name):
            assert private not in html, (url, private)
        visitor = Client().get(url)
        assert not visitor.wsgi_request.session.accessed, url
        assert "sessionid" not in visitor.cookies and "csrftoken" not in visitor.cookies
        assert visitor.content == seen_by_staff.content
        assert "private" in visitor["Cache-Control"]


def test_the_cache_can_be_turned_off(anonymous, public_world, settings, django_assert_num_queries):
    settings.ONEWINDOW_PORTAL_CACHE_SECONDS = 0
    url = reverse("portal:open-data")
    anonymous.get(url)
    with django_assert_num_queries(0):
        response = anonymous.get(url)
    assert response.status_code == 200 and not response.has_header("ETag")


def test_a_browser_that_takes_gzip_gets_the_page_compressed_and_still_a_304_when_unchanged(
    anonymous, public_world
):
    url = reverse("portal:projects")
    compressed = anonymous.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["ETag"].startswith('W/"')
    again = anonymous.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"])
    assert again.status_code == 304
