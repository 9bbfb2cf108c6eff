"""Logging in and out, the lockout page, the language switch, and what every page's layout promises:
no inline script or style (the Content-Security-Policy forbids them) and a label on every input."""

import re

import pytest
from django.test import Client
from django.urls import reverse

PASSWORD = "correct-horse-battery"


def test_logging_in_leads_to_the_workbench(people):
    client = Client()
    response = client.post(reverse("login"), {"username": "agent1", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("workbench")
    assert "工作台" in client.get(response.url).text


def test_logging_in_returns_to_the_page_asked_for(people, world):
    client = Client()
    target = reverse("project-detail", args=[world["city"].pk])
    page = client.get(target)
    assert page.url == f"{reverse('login')}?next={target}"
    response = client.post(page.url, {"username": "agent1", "password": PASSWORD, "next": target})
    assert response.url == target


def test_a_wrong_password_is_refused_with_a_message(people):
    response = Client().post(reverse("login"), {"username": "agent1", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.text


def test_the_fifth_failure_shows_the_locked_out_page_even_for_the_right_password(people):
    client = Client()
    for _ in range(4):
        client.post(reverse("login"), {"username": "agent2", "password": "wrong-password"})
    locked = client.post(reverse("login"), {"username": "agent2", "password": "wrong-password"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text
    assert "15 分钟" in locked.text
    again = client.post(reverse("login"), {"username": "agent2", "password": PASSWORD})
    assert again.status_code == 429


def test_logging_out_takes_a_post_and_ends_the_session(login):
    client = login("agent1")
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("workbench")).status_code == 302


def test_the_header_names_the_site_the_user_and_the_role(login, world):
    html = login("county_gh").get(reverse("workbench")).text
    assert "投资德阳" in html
    assert "县级中心人员 · 广汉市" in html
    assert 'action="/logout/"' in html


def test_the_pages_switch_to_english_and_back(login, world):
    client = login("leader")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("project-register")})
    assert response.status_code == 302
    english = client.get(reverse("project-register")).text
    assert "Project register" in english and '<html lang="en">' in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "项目台账" in client.get(reverse("project-register")).text


def _pages(world) -> list[str]:
    project = world["city"]
    return [
        reverse("workbench"),
        reverse("project-register"),
        reverse("project-intake"),
        reverse("project-detail", args=[project.pk]),
        reverse("project-edit", args=[project.pk]),
        reverse("phase-add", args=[project.pk]),
        reverse("audit-log"),
        reverse("statistics") + "?year=2012",
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_page_carries_inline_script_style_or_event_handlers(login, world):
    client = login("admin")
    pages = [*_pages(world)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.text
        assert not INLINE_SCRIPT.search(html), url
        assert "<style" not in html and " style=" not in html, url
        assert not INLINE_HANDLER.search(html), url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert " style=" not in Client().get(reverse("login")).text


def _ids_with_labels(html: str) -> set[str]:
    return set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))


CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)


@pytest.mark.parametrize("index", range(8))
def test_every_visible_input_has_a_label(login, world, index):
    html = login("admin").get(_pages(world)[index]).text
    labelled = _ids_with_labels(html)
    for _tag, attributes in CONTROL.findall(html):
        if re.search(r'type="(hidden|submit)"', attributes):
            continue
        match = re.search(r'\bid="([^"]+)"', attributes)
        assert match and match.group(1) in labelled, attributes


def test_htmx_is_vendored_with_its_licence_and_configured_for_the_policy(login, world):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/htmx/htmx.min.js")
    assert finders.find("vendor/htmx/LICENSE")
    html = login("agent1").get(reverse("project-register")).text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in html
    assert 'src="/static/vendor/htmx/htmx.min.js"' in html


def test_refusals_are_explained_in_the_sites_own_layout(login, world):
    client = login("county_gh")
    not_found = client.get(reverse("project-detail", args=[world["mianzhu"].pk]))
    assert not_found.status_code == 404
    assert "页面不存在" in not_found.text and "投资德阳" in not_found.text
    forbidden = client.get(reverse("audit-log"))
    assert forbidden.status_code == 403
    assert "您无权进行此操作" in forbidden.text
