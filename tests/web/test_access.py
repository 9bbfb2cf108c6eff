"""Every role against every page: the status it gets, and that lists show exactly its scope."""

import pytest
from django.urls import URLPattern, reverse

from onewindow import web_urls
from onewindow.projects.models import Phase

ALL_ROLES = [
    "admin",
    "leader",
    "agent1",
    "agent2",
    "clerk_fgw",
    "county_gh",
    "county_leader_gh",
    "investor_yulong",
]
STAFF = {"admin", "leader", "agent1", "agent2", "clerk_fgw", "county_gh", "county_leader_gh"}
INTAKE = {"admin", "leader", "agent1", "agent2", "county_gh", "county_leader_gh"}
AUDIT = {"admin", "leader", "county_leader_gh"}
EVERYTHING = {"city", "guanghan", "mianzhu"}
SCOPE = {
    "admin": EVERYTHING,
    "leader": EVERYTHING,
    "agent1": EVERYTHING,
    "agent2": EVERYTHING,
    "clerk_fgw": {"city"},
    "county_gh": {"guanghan"},
    "county_leader_gh": {"guanghan"},
    "investor_yulong": {"city"},
}
# Who may change each project of the world: editors in scope, and an agent only their own or an
# unassigned project (city: agent1's; guanghan: unassigned; mianzhu: agent2's).
EDITORS = {
    "city": {"admin", "leader", "agent1"},
    "guanghan": {"admin", "leader", "agent1", "agent2", "county_gh", "county_leader_gh"},
    "mianzhu": {"admin", "leader", "agent2"},
}


def expected_status(allowed: bool) -> int:
    return 200 if allowed else 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    ("url_name", "allowed_roles"),
    [
        ("workbench", set(ALL_ROLES)),
        ("project-register", set(ALL_ROLES)),
        ("project-export", set(ALL_ROLES)),
        ("project-intake", INTAKE),
        ("audit-log", AUDIT),
        ("statistics", STAFF),
    ],
)
def test_each_role_gets_the_pages_of_its_role_and_a_403_on_the_others(
    login, world, role, url_name, allowed_roles
):
    response = login(role).get(reverse(url_name))
    assert response.status_code == expected_status(role in allowed_roles)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("project", sorted(EVERYTHING))
def test_a_project_page_is_200_in_scope_and_404_outside(login, world, role, project):
    response = login(role).get(reverse("project-detail", args=[world[project].pk]))
    assert response.status_code == (200 if project in SCOPE[role] else 404)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("project", sorted(EVERYTHING))
@pytest.mark.parametrize("url_name", ["project-edit", "phase-add"])
def test_editing_pages_are_404_outside_scope_and_403_for_those_who_may_not_change_the_project(
    login, world, role, project, url_name
):
    response = login(role).get(reverse(url_name, args=[world[project].pk]))
    if project not in SCOPE[role]:
        assert response.status_code == 404
    else:
        assert response.status_code == expected_status(role in EDITORS[project])


def _urls_needing_login(world) -> list[str]:
    project = world["city"]
    phase = Phase.objects.create(project=project, sequence=1, name="一期")
    kwargs_for = {"pk": project.pk, "phase_pk": phase.pk, "task_id": 1, "action": "accept", "file_id": 1}
    urls = []
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in {"login", "logout"}:
            continue
        wanted = {name: kwargs_for[name] for name in pattern.pattern.converters}
        urls.append(reverse(pattern.name, kwargs=wanted))
    return urls


def test_every_staff_page_sends_the_anonymous_public_to_the_login_page(client, world):
    urls = _urls_needing_login(world)
    assert len(urls) >= 12
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login") + "?next="), url


def test_the_login_page_is_open_to_everyone(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_a_signed_in_user_opening_the_login_page_goes_to_the_workbench(login, people):
    response = login("agent1").get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("workbench")


def _names_in(response, world) -> set[str]:
    return {key for key, project in world.items() if project.name in response.text}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_register_lists_exactly_the_projects_in_scope(login, world, role):
    response = login(role).get(reverse("project-register"))
    assert _names_in(response, world) == SCOPE[role]
    assert response.context["page"].paginator.count == len(SCOPE[role])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_csv_export_holds_exactly_the_projects_in_scope(login, world, role):
    response = login(role).get(reverse("project-export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert {key for key, project in world.items() if project.name in body} == SCOPE[role]


def test_the_clerk_sees_only_projects_involving_their_department(login, world):
    response = login("clerk_fgw").get(reverse("project-register"))
    assert world["city"].name in response.text
    assert world["mianzhu"].name not in response.text
    assert world["guanghan"].name not in response.text


WORKBENCH = {
    "agent1": {"city"},
    "agent2": {"mianzhu"},
    "admin": EVERYTHING,
    "leader": EVERYTHING,
    "clerk_fgw": {"city"},
    "county_gh": {"guanghan"},
    "county_leader_gh": {"guanghan"},
    "investor_yulong": {"city"},
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_workbench_shows_an_agents_own_projects_and_others_their_scope(login, world, role):
    response = login(role).get(reverse("workbench"))
    assert _names_in(response, world) == WORKBENCH[role]


def test_the_workbench_lists_my_recent_timeline_entries(login, people, world):
    from onewindow.projects.services import add_timeline_note

    add_timeline_note(
        actor=people["agent1"],
        project=world["city"],
        text="与规划部门现场踏勘选址",
        happened_on=world["city"].intake_on,
        is_public=False,
    )
    assert "与规划部门现场踏勘选址" in login("agent1").get(reverse("workbench")).text
    assert "与规划部门现场踏勘选址" not in login("agent2").get(reverse("workbench")).text


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("admin", {"project-intake", "statistics", "audit-log"}),
        ("leader", {"project-intake", "statistics", "audit-log"}),
        ("agent1", {"project-intake", "statistics"}),
        ("clerk_fgw", {"statistics"}),
        ("county_gh", {"project-intake", "statistics"}),
        ("investor_yulong", set()),
    ],
)
def test_the_menu_offers_each_role_only_the_pages_it_may_open(login, world, role, links):
    html = login(role).get(reverse("workbench")).text
    nav = html[html.index('class="main-nav"') : html.index("</nav>")]
    for name in ("project-intake", "statistics", "audit-log"):
        assert (f'href="{reverse(name)}"' in nav) == (name in links), name
    assert f'href="{reverse("project-register")}"' in nav
